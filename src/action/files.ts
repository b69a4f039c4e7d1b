import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The files among `entries` of `dir` (directories walked), as absolute paths; absent ones skipped. */
export async function listFiles(dir: string, entries: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const visit = async (full: string): Promise<void> => {
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile()) files.push(full);
    else if (info?.isDirectory())
      for (const name of (await readdir(full)).sort()) await visit(path.join(full, name));
  };
  for (const entry of entries) await visit(path.join(dir, entry));
  return files;
}
