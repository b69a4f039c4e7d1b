import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { cacheKeys, contentKey, restoreCaches, saveCaches } from '../../src/action/cache.js';
import type { ActionsCache } from '../../src/action/services.js';
import { cacheDirs } from '../../src/context.js';
import { scratchDir } from '../helpers/fixtures.js';
import { fakeCore } from './fakes.js';

/** A cache service that keeps entries by key, as GitHub's does (a key is written once). */
function memoryCache(): ActionsCache & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    isFeatureAvailable: () => true,
    restoreCache: async (_paths, key, restoreKeys) =>
      saved.find((k) => k === key) ??
      restoreKeys.map((prefix) => saved.findLast((k) => k.startsWith(prefix))).find(Boolean),
    saveCache: async (_paths, key) => {
      if (saved.includes(key)) throw new Error(`Unable to reserve cache with key ${key}`);
      saved.push(key);
      return saved.length;
    },
  };
}

function entry(root: string, file: string, text = 'x') {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

describe('cacheKeys and contentKey', () => {
  it('restores the same config and variant first, then the variant; keys name the content', async () => {
    const keys = cacheKeys('harness: { dir: h }\n', 'staff');
    expect(keys.prefix).toMatch(/^diverge-v2-staff-[0-9a-f]{12}-$/);
    expect(keys.restoreKeys).toEqual([keys.prefix, 'diverge-v2-staff-']);
    expect(cacheKeys('harness: { dir: other }\n', 'staff').prefix).not.toBe(keys.prefix);
    expect(cacheKeys('harness: { dir: h }\n', 'panic').restoreKeys[1]).toBe('diverge-v2-panic-');

    const one = cacheDirs(scratchDir('cache-key-a'));
    const two = cacheDirs(scratchDir('cache-key-b'));
    const empty = await contentKey(keys, one);
    expect(empty.startsWith(keys.prefix)).toBe(true);
    entry(one.root, 'kernels/abc/bzImage');
    entry(one.root, 'observations/def/observation.json');
    // The same entries in another directory, written in another order: the same key.
    entry(two.root, 'observations/def/observation.json');
    entry(two.root, 'kernels/abc/bzImage');
    const full = await contentKey(keys, one);
    expect(full).not.toBe(empty);
    expect(await contentKey(keys, two)).toBe(full);
    // Directories that are not kept between runs do not count.
    entry(one.root, 'contexts/ghi.json');
    expect(await contentKey(keys, one)).toBe(full);
    entry(one.root, 'sources/jkl.json');
    expect(await contentKey(keys, one)).not.toBe(full);
  });
});

describe('saveCaches', () => {
  it('saves on a default-branch push when the content changed, never the same content twice', async () => {
    const cache = memoryCache();
    const events: string[] = [];
    const core = fakeCore(events, {});
    const keys = cacheKeys('harness: { dir: h }\n', 'default');
    const dirs = cacheDirs(scratchDir('cache-save'));
    entry(dirs.root, 'kernels/abc/bzImage');

    // A pull request restores but does not save.
    let state = await restoreCaches(cache, core, dirs, keys);
    await saveCaches(cache, core, dirs, keys, { ...state, defaultBranchPush: false });
    expect(cache.saved).toEqual([]);
    expect(core.lines).toContain('the diverge cache is saved on pushes to the default branch only');

    await saveCaches(cache, core, dirs, keys, { ...state, defaultBranchPush: true });
    expect(cache.saved).toEqual([await contentKey(keys, dirs)]);

    // The next push restores it and adds nothing: not saved again.
    state = await restoreCaches(cache, core, dirs, keys);
    expect(state.restored).toBe(cache.saved[0]);
    await saveCaches(cache, core, dirs, keys, { ...state, defaultBranchPush: true });
    expect(cache.saved).toHaveLength(1);
    expect(core.lines).toContain(
      `the diverge cache is unchanged (${cache.saved[0]}): not saved again`,
    );

    // A new observation: a new entry, which the next run restores.
    entry(dirs.root, 'observations/def/observation.json');
    await saveCaches(cache, core, dirs, keys, { ...state, defaultBranchPush: true });
    expect(cache.saved).toHaveLength(2);
    expect((await restoreCaches(cache, core, dirs, keys)).restored).toBe(cache.saved[1]);
    expect(events.filter((e) => e.startsWith('warning'))).toEqual([]);
  });
});
