import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, constants, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p` whose failure says why: Node reports a directory that cannot be made on a
 * read-only file system as ENOENT, so the nearest existing parent is asked (EROFS, EACCES).
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    let parent = path.dirname(dir);
    while (!existsSync(parent) && parent !== path.dirname(parent)) parent = path.dirname(parent);
    await access(parent, constants.W_OK);
    throw error;
  }
}

/**
 * A name beside `target` for writing it before a rename: unique per write, not per process, so
 * two writes of one process to the same target (two boots storing one observation) never share
 * it.
 */
export const partialName = (target: string): string =>
  `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;

/** Whether `error` is the file system's (it has an errno code), not a defect of diverge's. */
export const isFileSystemError = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  /^E[A-Z]+$/.test((error as { code: string }).code);

/**
 * Readers never see a half-written file: write a temp file beside it, then rename over. Caches
 * shared by concurrent runs rely on it.
 */
export async function writeAtomically(
  file: string,
  content: string | Uint8Array | Iterable<string>,
): Promise<void> {
  await makeDir(path.dirname(file));
  const temp = partialName(file);
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
