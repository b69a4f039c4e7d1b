/**
 * Failures of the disk, said in a user's words: which file could not be written, and why (full,
 * read-only, not allowed). Node's own message for a failed write names no path ("ENOSPC: no
 * space left on device, write"), so every write diverge makes into --out goes through here.
 */
import { writeAtomically } from './atomic.js';

/** The disk refused a write: the run ends with exit 3, the message names the file. */
export class StorageError extends Error {}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
};

/** Whether `error` is the disk refusing a write (full, read-only, not allowed). */
export function isStorageRefusal(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code !== undefined && code in REASONS;
}

/** `error` in words, with its code: `no space left on the device (ENOSPC)`. */
export function storageReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code && code in REASONS ? `${REASONS[code]} (${code})` : (error as Error).message;
}

/** The error to raise when writing `what` (`report.json`, `the serial log`) to `file` failed. */
export function storageFailure(error: unknown, what: string, file: string): Error {
  if (!isStorageRefusal(error)) return error as Error;
  return new StorageError(`cannot write ${what} ${file}: ${storageReason(error)}`);
}

/** A refusal met anywhere (Node names the path of an open or mkdir, not of a write), in words. */
export function refusalMessage(error: unknown): string | undefined {
  const file = (error as { path?: string }).path;
  if (!isStorageRefusal(error) || file === undefined) return undefined;
  return `cannot write ${file}: ${storageReason(error)}`;
}

/**
 * Writes `file` whole or not at all (a full disk leaves no empty or cut file behind); a refusal
 * becomes a StorageError naming `what` and the file.
 */
export async function writeOutput(
  file: string,
  content: string | Uint8Array | Iterable<string>,
  what: string,
): Promise<void> {
  try {
    await writeAtomically(file, content);
  } catch (error) {
    throw storageFailure(error, what, file);
  }
}
