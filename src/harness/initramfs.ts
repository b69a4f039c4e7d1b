import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../util/digest.js';
import { type CpioEntry, writeCpio } from './cpio.js';
import { writeAtomically } from '../util/atomic.js';
import { HarnessError } from './errors.js';

export interface Initramfs {
  bytes: Buffer;
  digest: string;
}

interface TreeEntry {
  kind: 'dir' | 'file' | 'symlink';
  path: string;
  full: string;
  mode: number;
  size: number;
  mtimeMs: number;
  target?: string;
}

/**
 * Most bytes of files an initramfs may hold, a harness directory's or an image's: the kernel
 * unpacks it into guest RAM, and diverge packs it in memory.
 */
export const MAX_INITRAMFS_BYTES = 512 * 1024 * 1024;

const MIB = 1024 * 1024;

async function scanTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let total = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = await lstat(full);
      const base = { path: relPath, full, mode: stat.mode, size: stat.size, mtimeMs: stat.mtimeMs };
      if (stat.isDirectory()) {
        entries.push({ kind: 'dir', ...base });
        await walk(full, relPath);
      } else if (stat.isSymbolicLink()) {
        entries.push({ kind: 'symlink', ...base, target: await readlink(full) });
      } else if (stat.isFile()) {
        // Sizes are checked before anything is read: a sparse file costs nothing until read.
        total += stat.size;
        if (total > MAX_INITRAMFS_BYTES)
          throw new HarnessError(
            `harness.dir: ${full} (${(stat.size / MIB).toFixed(1)} MiB) takes the harness over ${MAX_INITRAMFS_BYTES / MIB} MiB, the most an initramfs may hold; leave big files out of ${root}`,
          );
        entries.push({ kind: 'file', ...base });
      } else {
        // A FIFO would block the packing; a device node means nothing in another machine.
        throw new HarnessError(
          `harness.dir: ${full} is a ${specialKind(stat)}; only directories, files and symlinks go into an initramfs`,
        );
      }
    }
  };
  await walk(root, '');
  return entries;
}

function specialKind(stat: Stats): string {
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isCharacterDevice()) return 'character device';
  if (stat.isBlockDevice()) return 'block device';
  if (stat.isSocket()) return 'socket';
  return 'special file';
}

/**
 * The entries with `/dev/console` as the character device the kernel opens for init's stdio
 * before anything in the harness could create it. A plain file there (Docker leaves one in
 * exported containers) is replaced.
 */
export function withConsole(entries: readonly CpioEntry[]): CpioEntry[] {
  const kept = entries.filter((e) => e.path !== 'dev/console' || e.kind === 'chardev');
  if (kept.some((e) => e.path === 'dev/console')) return kept;
  if (!kept.some((e) => e.path === 'dev')) kept.push({ kind: 'dir', path: 'dev', mode: 0o755 });
  kept.push({ kind: 'chardev', path: 'dev/console', mode: 0o600, major: 5, minor: 1 });
  return kept;
}

async function pack(tree: readonly TreeEntry[]): Promise<Initramfs> {
  const entries: CpioEntry[] = [];
  for (const entry of tree) {
    if (entry.kind === 'dir') entries.push({ kind: 'dir', path: entry.path, mode: entry.mode });
    if (entry.kind === 'symlink')
      entries.push({ kind: 'symlink', path: entry.path, target: entry.target ?? '' });
    if (entry.kind === 'file') {
      entries.push({
        kind: 'file',
        path: entry.path,
        mode: entry.mode,
        data: await readFile(entry.full),
      });
    }
  }
  const bytes = gzipSync(writeCpio(withConsole(entries)));
  return { bytes, digest: sha256(bytes) };
}

/**
 * Packs a directory as a gzipped newc initramfs. Entries are sorted so the archive does not
 * depend on directory order; `/dev/console` is added when the tree lacks it, because the kernel
 * opens it for init's stdio before anything in the harness could create it.
 *
 * With `cache`, an archive packed earlier from a tree with the same names, modes, sizes and
 * modification times is reused (as make would), which saves every later run the packing; the
 * build id in the key keeps archives packed by another build of diverge out.
 */
export async function initramfsFromDir(
  root: string,
  cache?: { dir: string; buildId: string },
): Promise<Initramfs> {
  const tree = await scanTree(root);
  if (!cache) return pack(tree);
  const key = createHash('sha256')
    .update(cache.buildId)
    .update('\0')
    .update(JSON.stringify(tree.map(({ full: _full, ...rest }) => rest)))
    .digest('hex');
  const cached = path.join(cache.dir, `${key}.cpio.gz`);
  try {
    const bytes = await readFile(cached);
    return { bytes, digest: sha256(bytes) };
  } catch {
    const built = await pack(tree);
    await writeAtomically(cached, built.bytes); // a concurrent run never reads half an archive
    return built;
  }
}
