import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type CpioEntry, writeCpio } from './cpio.js';

export interface Initramfs {
  bytes: Buffer;
  digest: string;
  files: number;
}

/**
 * Packs a directory as a gzipped newc initramfs. Entries are sorted so the archive does not
 * depend on directory order; `/dev/console` is added when the tree lacks it, because the kernel
 * opens it for init's stdio before anything in the harness could create it.
 */
export async function initramfsFromDir(root: string): Promise<Initramfs> {
  const entries: CpioEntry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = await lstat(full);
      if (stat.isDirectory()) {
        entries.push({ kind: 'dir', path: relPath, mode: stat.mode });
        await walk(full, relPath);
      } else if (stat.isSymbolicLink()) {
        entries.push({ kind: 'symlink', path: relPath, target: await readlink(full) });
      } else if (stat.isFile()) {
        entries.push({ kind: 'file', path: relPath, mode: stat.mode, data: await readFile(full) });
      } else {
        throw new Error(`${full}: only directories, files and symlinks can go into an initramfs`);
      }
    }
  };
  await walk(root, '');
  if (!entries.some((e) => e.path === 'dev/console')) {
    if (!entries.some((e) => e.path === 'dev'))
      entries.push({ kind: 'dir', path: 'dev', mode: 0o755 });
    entries.push({ kind: 'chardev', path: 'dev/console', mode: 0o600, major: 5, minor: 1 });
  }
  const bytes = gzipSync(writeCpio(entries));
  return { bytes, digest: sha256(bytes), files: entries.length };
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
