import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';

/** An input that is not a regular file (a FIFO, a device, a directory): bad input. */
export class NotRegularFileError extends Error {}

/** What a file is, in words: `a FIFO`, `a directory`, `a device`, `a socket`. */
export function fileKind(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `sha256:<hex>`, the digest form every report uses. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Opens a regular file for reading. Anything else is refused before it is opened: a FIFO's open
 * waits for a writer forever, in a worker thread that even a signal cannot end. The open is
 * non-blocking and checked again, for a FIFO put in the file's place since the stat.
 */
export async function openRegularFile(file: string): Promise<FileHandle> {
  const refuse = (info: Stats) =>
    new NotRegularFileError(`${file}: ${fileKind(info)}, not a regular file`);
  const info = await stat(file);
  if (!info.isFile()) throw refuse(info);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  const opened = await handle.stat();
  if (opened.isFile()) return handle;
  await handle.close();
  throw refuse(opened);
}

/** The digest of a regular file (see `openRegularFile`). */
export async function sha256File(file: string): Promise<string> {
  const handle = await openRegularFile(file);
  const hash = createHash('sha256');
  for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
