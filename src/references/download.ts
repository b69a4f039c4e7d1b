/**
 * Downloads to a file with a size cap, retrying what may pass (5xx, resets, timeouts) with
 * backoff and failing at once on what will not (4xx). Used for storage URLs GitHub redirects to
 * and for `url:` references; no credentials are ever sent.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';

export class DownloadError extends Error {
  constructor(
    message: string,
    /** True when trying again could work (a 5xx, a reset, a timeout). */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface DownloadOptions {
  maxBytes: number;
  retries?: number;
  retryBaseMs?: number;
  /** Per attempt, until the body has arrived. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface Downloaded {
  bytes: number;
  digest: string;
}

/** Shows a URL without its query: pre-signed storage URLs carry their signature there. */
export const redact = (url: string): string => url.replace(/\?.*$/, '?…');

async function attempt(url: string, file: string, options: DownloadOptions): Promise<Downloaded> {
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs ?? 300_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new DownloadError(`${redact(url)}: ${cause ?? (error as Error).message}`, true);
  }
  if (!response.ok || !response.body) {
    throw new DownloadError(
      `${redact(url)}: HTTP ${response.status} ${response.statusText}`,
      response.status >= 500 || response.status === 429,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes)
    throw new DownloadError(
      `${redact(url)}: ${declared} bytes, more than the ${options.maxBytes} bytes diverge accepts`,
      false,
    );
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      hash.update(chunk);
      if (bytes > options.maxBytes)
        done(
          new DownloadError(
            `${redact(url)}: more than the ${options.maxBytes} bytes diverge accepts`,
            false,
          ),
        );
      else done(null, chunk);
    },
  });
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream),
      meter,
      createWriteStream(file),
    );
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`${redact(url)}: ${(error as Error).message}`, true);
  }
  return { bytes, digest: `sha256:${hash.digest('hex')}` };
}

export async function download(
  url: string,
  file: string,
  options: DownloadOptions,
): Promise<Downloaded> {
  const retries = options.retries ?? 3;
  for (let attemptNo = 0; ; attemptNo++) {
    try {
      return await attempt(url, file, options);
    } catch (error) {
      if (!(error instanceof DownloadError) || !error.transient || attemptNo >= retries)
        throw error;
      const waitMs = (attemptNo + 1) ** 2 * (options.retryBaseMs ?? 1000);
      options.log?.(`${error.message}; retrying in ${waitMs} ms`);
      await sleep(waitMs);
    }
  }
}
