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
 * Readers never see a half-written file: write a temp file beside it, then rename over. Caches
 * shared by concurrent runs rely on it.
 */
export async function writeAtomically(file: string, content: string | Uint8Array): Promise<void> {
  await makeDir(path.dirname(file));
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
