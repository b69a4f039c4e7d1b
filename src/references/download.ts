/**
 * Downloads to a file with a size cap and an idle timeout, retrying what may pass (5xx, 429,
 * resets, stalls, short bodies) with backoff and failing at once on what will not (4xx, a body
 * over the cap, a redirect loop or a redirect out of http(s)). Used for storage URLs GitHub redirects to
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
  /** How long the server may send nothing (before its answer, or within the body). */
  idleMs?: number;
  log?: (line: string) => void;
}

export interface Downloaded {
  bytes: number;
  digest: string;
}

/** A server that sends nothing for this long is given up, by default (DIVERGE_DOWNLOAD_IDLE_TIMEOUT). */
export const DOWNLOAD_IDLE_MS = 60_000;
/** Redirects followed for one download: more is a loop, or as good as one. */
export const MAX_REDIRECTS = 10;

/** Shows a URL without its query: pre-signed storage URLs carry their signature there. */
export const redact = (url: string): string => url.replace(/\?.*$/, '?…');

const cause = (error: unknown): string => {
  const inner = (error as { cause?: { code?: string; message?: string } }).cause;
  if (!inner) return (error as Error).message;
  return [inner.code, inner.message].filter(Boolean).join(': ');
};

/**
 * A watchdog that aborts when nothing happened for `idleMs`; `poke` says something did.
 * `stalled` is the error the abort stands for.
 */
function idleWatch(idleMs: number, stalled: () => DownloadError) {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const poke = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(stalled()), idleMs);
  };
  poke();
  return { signal: controller.signal, poke, stop: () => clearTimeout(timer) };
}

/**
 * The response at the end of `url`'s redirects. Redirects are followed here, not by fetch, so
 * that a loop or a redirect out of http(s) (`file:`) is a clear, final error, not a retry.
 */
async function follow(url: string, signal: AbortSignal): Promise<Response> {
  let at = url;
  for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
    let response: Response;
    try {
      response = await fetch(at, { redirect: 'manual', signal });
    } catch (error) {
      if (signal.aborted && signal.reason instanceof DownloadError) throw signal.reason;
      throw new DownloadError(`${redact(url)}: ${cause(error)}`, true);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response;
    await response.body?.cancel();
    const next = new URL(location, at);
    if (next.protocol !== 'https:' && next.protocol !== 'http:')
      throw new DownloadError(
        `${redact(url)}: redirected to ${redact(next.href)}; diverge follows redirects to http and https only`,
        false,
      );
    at = next.href;
  }
  throw new DownloadError(
    `${redact(url)}: more than ${MAX_REDIRECTS} redirects (a redirect loop?)`,
    false,
  );
}

async function attempt(url: string, file: string, options: DownloadOptions): Promise<Downloaded> {
  const idleMs = options.idleMs ?? DOWNLOAD_IDLE_MS;
  let bytes = 0;
  const watch = idleWatch(
    idleMs,
    () =>
      new DownloadError(
        `${redact(url)}: the server sent nothing for ${idleMs / 1000} s ${bytes ? `after ${bytes} bytes` : 'before answering'} (DIVERGE_DOWNLOAD_IDLE_TIMEOUT)`,
        true,
      ),
  );
  try {
    const response = await follow(url, watch.signal);
    if (!response.ok || !response.body) {
      throw new DownloadError(
        `${redact(url)}: HTTP ${response.status} ${response.statusText}`,
        response.status >= 500 || response.status === 429,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) {
      await response.body.cancel();
      throw new DownloadError(
        `${redact(url)}: ${declared} bytes, more than the ${options.maxBytes} bytes diverge accepts`,
        false,
      );
    }
    const hash = createHash('sha256');
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        watch.poke();
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
        { signal: watch.signal },
      );
      if (Number.isFinite(declared) && bytes !== declared)
        throw new DownloadError(
          `${redact(url)}: the body ended after ${bytes} of the ${declared} bytes its Content-Length promised`,
          true,
        );
    } catch (error) {
      await rm(file, { force: true });
      if (error instanceof DownloadError) throw error;
      if (watch.signal.reason instanceof DownloadError) throw watch.signal.reason;
      throw new DownloadError(
        `${redact(url)}: the connection was lost after ${bytes} bytes${Number.isFinite(declared) ? ` of ${declared}` : ''} (${cause(error)})`,
        true,
      );
    }
    return { bytes, digest: `sha256:${hash.digest('hex')}` };
  } finally {
    watch.stop();
  }
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
      if (!(error instanceof DownloadError) || !error.transient) throw error;
      if (attemptNo >= retries)
        throw new DownloadError(`${error.message}, also after ${retries} retries`, true);
      const waitMs = (attemptNo + 1) ** 2 * (options.retryBaseMs ?? 1000);
      options.log?.(`${error.message}; retrying in ${waitMs} ms`);
      await sleep(waitMs);
    }
  }
}
