/**
 * Safe extraction of a downloaded zip (a workflow artifact). An artifact is built by whoever
 * controls that workflow, so its archive is untrusted: entry names that climb out of the target
 * (`../`, absolute paths, drive letters) and symbolic links are refused, and the number of
 * entries and the bytes they inflate to are capped, which defuses zip bombs. yauzl checks each
 * entry's inflated size against its header as it streams.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

export class ArchiveError extends Error {}

export interface ZipLimits {
  maxEntries: number;
  /** Bytes all entries may inflate to together. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
};

/** Unix mode bits stored by zip tools that record them (upper half of the external attributes). */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function open(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      file,
      {
        lazyEntries: true,
        autoClose: false,
        decodeStrings: true,
        validateEntrySizes: true,
        strictFileNames: false,
      },
      (error, zip) => (error || !zip ? reject(error ?? new Error('no zip')) : resolve(zip)),
    ),
  );
}

/** The entry's path below `dir`, or why it is refused. */
export function safeEntryPath(dir: string, name: string): string {
  const normalised = name.replace(/\\/g, '/');
  if (
    normalised.startsWith('/') ||
    /^[A-Za-z]:/.test(normalised) ||
    normalised.split('/').some((part) => part === '..') ||
    normalised.includes('\0')
  )
    throw new ArchiveError(`entry "${name}" would be written outside the extraction directory`);
  const target = path.resolve(dir, normalised);
  if (target !== dir && !target.startsWith(`${dir}${path.sep}`))
    throw new ArchiveError(`entry "${name}" would be written outside the extraction directory`);
  return target;
}

/**
 * Extracts `file` into `dir` (created; removed again if extraction fails, so a half-extracted
 * artifact is never taken for a whole one). Returns the extracted files' paths relative to
 * `dir`, with forward slashes.
 */
export async function extractZip(
  file: string,
  dir: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open(file);
  } catch (error) {
    throw new ArchiveError(`not a readable zip archive: ${(error as Error).message}`);
  }
  await mkdir(dir, { recursive: true });
  const root = path.resolve(dir);
  const files: string[] = [];
  let total = 0;
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new ArchiveError(
        `${zip.entryCount} entries, more than the ${limits.maxEntries} diverge accepts`,
      );
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: Error) =>
        reject(error instanceof ArchiveError ? error : new ArchiveError(error.message)),
      );
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const target = safeEntryPath(root, entry.fileName);
          if (entry.fileName.endsWith('/')) {
            await mkdir(target, { recursive: true });
            return;
          }
          if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
            throw new ArchiveError(`entry "${entry.fileName}" is a symbolic link`);
          // The header's size is checked first; the stream check below catches a header that lies.
          if (total + entry.uncompressedSize > limits.maxTotalBytes)
            throw new ArchiveError(
              `entries inflate to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`,
            );
          await mkdir(path.dirname(target), { recursive: true });
          const stream = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
            zip.openReadStream(entry, (error, s) => (error || !s ? fail(error) : ok(s))),
          );
          const counter = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              total += chunk.length;
              if (total > limits.maxTotalBytes)
                done(
                  new ArchiveError(
                    `entries inflate to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`,
                  ),
                );
              else done(null, chunk);
            },
          });
          await pipeline(stream, counter, createWriteStream(target, { mode: 0o644 }));
          files.push(path.relative(root, target).split(path.sep).join('/'));
        })().then(
          () => zip.readEntry(),
          (error: unknown) =>
            reject(
              error instanceof ArchiveError ? error : new ArchiveError((error as Error).message),
            ),
        );
      });
      zip.readEntry();
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    zip.close();
  }
  return files.sort();
}
