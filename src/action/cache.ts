/**
 * The kernel and observation caches across workflow runs, through the Actions cache service:
 * restored before the references are fetched, saved after the run. A cache is an optimisation:
 * when the service is missing or fails, the run goes on without it and says so.
 */
import type { CacheDirs } from '../context.js';
import { sha256 } from '../util/digest.js';
import type { ActionCore, ActionsCache } from './services.js';

/** The cache directories worth keeping between runs. */
function cachedPaths(dirs: CacheDirs): string[] {
  return [dirs.kernels, dirs.sources, dirs.observations];
}

export type CacheKeys = ReturnType<typeof cacheKeys>;

/** One cache entry per run; later runs restore the newest entry of the same config and variant. */
export function cacheKeys(configText: string, variant: string, runId: number) {
  const prefix = `diverge-v1-${variant}-${sha256(configText).slice(7, 19)}-`;
  return { key: `${prefix}${runId}`, restoreKeys: [prefix, `diverge-v1-${variant}-`] };
}

export async function restoreCaches(
  cache: ActionsCache,
  core: ActionCore,
  dirs: CacheDirs,
  keys: CacheKeys,
): Promise<void> {
  if (!cache.isFeatureAvailable()) {
    core.info(
      'the Actions cache service is not available here: kernels and observations start cold',
    );
    return;
  }
  try {
    const hit = await cache.restoreCache(cachedPaths(dirs), keys.key, keys.restoreKeys);
    core.info(hit ? `restored the diverge cache ${hit}` : 'no diverge cache to restore yet');
  } catch (error) {
    core.warning(`could not restore the diverge cache: ${(error as Error).message}`);
  }
}

export async function saveCaches(
  cache: ActionsCache,
  core: ActionCore,
  dirs: CacheDirs,
  keys: CacheKeys,
): Promise<void> {
  if (!cache.isFeatureAvailable()) return;
  try {
    await cache.saveCache(cachedPaths(dirs), keys.key);
    core.info(`saved the diverge cache ${keys.key}`);
  } catch (error) {
    core.warning(`could not save the diverge cache: ${(error as Error).message}`);
  }
}
