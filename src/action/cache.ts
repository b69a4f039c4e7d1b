/**
 * The kernel and observation caches across workflow runs, through the Actions cache service:
 * restored before the references are fetched, on every event; saved after the run only on a
 * push to the default branch (a pull request's entry would be seen by that pull request alone,
 * and would push the default branch's out of the repository's 10 GB), and only when what they
 * hold changed: the key is a digest of the entries, so the same content is never stored twice.
 * A cache is an optimisation: when the service is missing or fails, the run goes on without it
 * and says so.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CacheDirs } from '../context.js';
import { sha256 } from '../util/digest.js';
import type { ActionCore, ActionsCache } from './services.js';

/** The cache directories worth keeping between runs. */
function cachedPaths(dirs: CacheDirs): string[] {
  return [dirs.kernels, dirs.sources, dirs.observations];
}

export interface CacheKeys {
  /** Keys start with it; the entry's own digest follows. */
  prefix: string;
  /** Newest entry of the same config and variant first, else of the variant. */
  restoreKeys: string[];
}

/** What a restore found, for the save to compare with. */
export interface CacheState {
  restored?: string;
}

export function cacheKeys(configText: string, variant: string): CacheKeys {
  const ofVariant = `diverge-v2-${variant}-`;
  const prefix = `${ofVariant}${sha256(configText).slice(7, 19)}-`;
  return { prefix, restoreKeys: [prefix, ofVariant] };
}

/**
 * The key of what the directories hold. Every entry's name is already a content address (a
 * kernel's digest, a digest of a source or of an observation's inputs), so the sorted list of
 * file paths names the content without reading gigabytes of kernels.
 */
export async function contentKey(keys: CacheKeys, dirs: CacheDirs): Promise<string> {
  const files: string[] = [];
  for (const dir of cachedPaths(dirs)) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries)
      if (entry.isFile())
        files.push(path.relative(dirs.root, path.join(entry.parentPath, entry.name)));
  }
  return `${keys.prefix}${sha256(files.sort().join('\n')).slice(7, 23)}`;
}

export async function restoreCaches(
  cache: ActionsCache,
  core: ActionCore,
  dirs: CacheDirs,
  keys: CacheKeys,
): Promise<CacheState> {
  if (!cache.isFeatureAvailable()) {
    core.info(
      'the Actions cache service is not available here: kernels and observations start cold',
    );
    return {};
  }
  try {
    // The prefix never matches a key exactly: the newest entry under the restore keys wins.
    const hit = await cache.restoreCache(cachedPaths(dirs), keys.prefix, keys.restoreKeys);
    core.info(hit ? `restored the diverge cache ${hit}` : 'no diverge cache to restore yet');
    return hit ? { restored: hit } : {};
  } catch (error) {
    core.warning(`could not restore the diverge cache: ${(error as Error).message}`);
    return {};
  }
}

/** Saves the caches when `defaultBranchPush` and their content changed since the restore. */
export async function saveCaches(
  cache: ActionsCache,
  core: ActionCore,
  dirs: CacheDirs,
  keys: CacheKeys,
  state: CacheState & { defaultBranchPush: boolean },
): Promise<void> {
  if (!cache.isFeatureAvailable()) return;
  if (!state.defaultBranchPush) {
    core.info('the diverge cache is saved on pushes to the default branch only');
    return;
  }
  try {
    const key = await contentKey(keys, dirs);
    if (key === state.restored) {
      core.info(`the diverge cache is unchanged (${key}): not saved again`);
      return;
    }
    await cache.saveCache(cachedPaths(dirs), key);
    core.info(`saved the diverge cache ${key}`);
  } catch (error) {
    core.warning(`could not save the diverge cache: ${(error as Error).message}`);
  }
}
