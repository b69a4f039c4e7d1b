/**
 * Reference kernels kept between runs. Files are stored by content digest
 * (`kernels/<sha256>/<name>`), and an index maps what a source *is* (an artifact id, a release
 * asset id, a URL with its sha256, a base commit) to the digest it gave, so a second run neither
 * downloads nor builds what it already has. The Action saves the same directory with
 * @actions/cache between workflow runs.
 */
import { copyFile, lstat, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheDirs } from '../context.js';
import { sha256, sha256File } from '../util/digest.js';
import { isFileSystemError, makeDir, partialName, writeAtomically } from '../util/atomic.js';
import { storageReason } from '../util/storage.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface CachedKernel {
  path: string;
  digest: string;
}

export class KernelCache {
  /** Content-addressed, so no build id in the keys: a kernel's bytes are the same to any build. */
  constructor(
    readonly dirs: Pick<CacheDirs, 'kernels' | 'sources'>,
    /** Where repairs and cache writes that failed are said. */
    private readonly say: (line: string) => void,
    /** Where a kernel goes when the cache cannot take it (full, read-only): the run's own dir. */
    private readonly uncachedDir: string,
  ) {}

  private fileFor(digest: string, name: string): string {
    return path.join(this.dirs.kernels, digest.replace(/^sha256:/, ''), path.basename(name));
  }

  private indexFile(sourceKey: string): string {
    return path.join(this.dirs.sources, `${sha256(sourceKey).slice('sha256:'.length)}.json`);
  }

  /**
   * Whether the file under `digest` still has that digest. The cache directory is restored from
   * elsewhere in CI, so an entry is hashed every time it is used; a bad one is removed and said.
   */
  private async verified(
    file: string,
    digest: string,
    repair = 'fetching it again',
  ): Promise<boolean> {
    if (!(await exists(file))) return false;
    const actual = await sha256File(file);
    if (actual === digest) return true;
    this.say(
      `kernel cache: ${file} is not the kernel its key names (${digest}, found ${actual}): removed, ${repair}`,
    );
    await rm(file, { force: true });
    return false;
  }

  /**
   * Copies `file` into the cache under its digest, replacing a bad entry there; returns the
   * cached copy (or, when the cache cannot take it, a copy in the run's own directory).
   */
  async store(file: string, name: string, sourceKey?: string): Promise<CachedKernel> {
    const digest = await sha256File(file);
    const target = this.fileFor(digest, name);
    try {
      if (!(await this.verified(target, digest, 'replaced by the fresh copy'))) {
        await makeDir(path.dirname(target));
        await this.clearNonFile(target);
        const partial = partialName(target);
        // Atomic: a concurrent run never sees half a kernel.
        await copyFile(file, partial)
          .then(() => rename(partial, target))
          .catch(async (error: unknown) => {
            await rm(partial, { force: true });
            throw error;
          });
      }
      if (sourceKey !== undefined) await this.remember(sourceKey, { path: target, digest });
      return { path: target, digest };
    } catch (error) {
      if (!isFileSystemError(error)) throw error;
      this.say(
        `kernel cache: cannot store ${path.basename(name)} in ${this.dirs.kernels}: ${storageReason(error)}; using it uncached`,
      );
      const kept = path.join(this.uncachedDir, digest.replace(/^sha256:/, ''), path.basename(name));
      await mkdir(path.dirname(kept), { recursive: true });
      await copyFile(file, kept);
      return { path: kept, digest };
    }
  }

  /** Something other than a file where an entry belongs (a directory, a FIFO) is removed, said. */
  private async clearNonFile(target: string): Promise<void> {
    const info = await lstat(target).catch(() => undefined);
    if (info === undefined || info.isFile()) return;
    this.say(`kernel cache: ${target} is not a file: removed, replaced by the fresh copy`);
    await rm(target, { recursive: true, force: true });
  }

  /** The kernel a source gave before, if its file is still in the cache and intact. */
  async lookup(sourceKey: string): Promise<CachedKernel | undefined> {
    let entry: CachedKernel;
    try {
      entry = JSON.parse(await readFile(this.indexFile(sourceKey), 'utf8')) as CachedKernel;
    } catch {
      return undefined;
    }
    // A hand-made index could name any path: only a well-formed digest is followed.
    if (!DIGEST.test(String(entry?.digest)) || typeof entry.path !== 'string') return undefined;
    // Only ever the file its digest names in this cache (which CI may restore elsewhere).
    const file = this.fileFor(entry.digest, entry.path);
    return (await this.verified(file, entry.digest))
      ? { path: file, digest: entry.digest }
      : undefined;
  }

  /** The cached file with `digest`, if any (a URL reference names its digest up front). */
  async byDigest(digest: string, name: string): Promise<CachedKernel | undefined> {
    const file = this.fileFor(digest, name);
    return (await this.verified(file, digest)) ? { path: file, digest } : undefined;
  }

  private async remember(sourceKey: string, entry: CachedKernel): Promise<void> {
    await writeAtomically(this.indexFile(sourceKey), JSON.stringify(entry));
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
