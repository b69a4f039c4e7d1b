/**
 * Reference kernels kept between runs. Files are stored by content digest
 * (`kernels/<sha256>/<name>`), and an index maps what a source *is* (an artifact id, a release
 * asset id, a URL with its sha256, a base commit) to the digest it gave, so a second run neither
 * downloads nor builds what it already has. The Action saves the same directory with
 * @actions/cache between workflow runs.
 */
import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheDirs } from '../context.js';
import { sha256, sha256File } from '../util/digest.js';
import { writeAtomically } from '../util/atomic.js';

export interface CachedKernel {
  path: string;
  digest: string;
}

export class KernelCache {
  /** Content-addressed, so no build id in the keys: a kernel's bytes are the same to any build. */
  constructor(readonly dirs: Pick<CacheDirs, 'kernels' | 'sources'>) {}

  private fileFor(digest: string, name: string): string {
    return path.join(this.dirs.kernels, digest.replace(/^sha256:/, ''), path.basename(name));
  }

  private indexFile(sourceKey: string): string {
    return path.join(this.dirs.sources, `${sha256(sourceKey).slice('sha256:'.length)}.json`);
  }

  /** Copies `file` into the cache under its digest; returns the cached copy. */
  async store(file: string, name: string, sourceKey?: string): Promise<CachedKernel> {
    const digest = await sha256File(file);
    const target = this.fileFor(digest, name);
    if (!(await exists(target))) {
      await mkdir(path.dirname(target), { recursive: true });
      const partial = `${target}.${process.pid}.partial`;
      await copyFile(file, partial);
      await rename(partial, target); // atomic: a concurrent run never sees half a kernel
    }
    if (sourceKey !== undefined) await this.remember(sourceKey, { path: target, digest });
    return { path: target, digest };
  }

  /** The kernel a source gave before, if its file is still in the cache and intact. */
  async lookup(sourceKey: string): Promise<CachedKernel | undefined> {
    let entry: CachedKernel;
    try {
      entry = JSON.parse(await readFile(this.indexFile(sourceKey), 'utf8')) as CachedKernel;
    } catch {
      return undefined;
    }
    if (!(await exists(entry.path))) return undefined;
    // A cached kernel is re-hashed: the cache directory is restored from elsewhere in CI.
    return (await sha256File(entry.path)) === entry.digest ? entry : undefined;
  }

  /** The cached file with `digest`, if any (a URL reference names its digest up front). */
  async byDigest(digest: string, name: string): Promise<CachedKernel | undefined> {
    const file = this.fileFor(digest, name);
    if (!(await exists(file))) return undefined;
    return (await sha256File(file)) === digest ? { path: file, digest } : undefined;
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
