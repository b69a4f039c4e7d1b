/**
 * The saved-VM cache (qemu/saved-vm-cache.ts) on plain files: an entry is used only whole and
 * unchanged, under its own key; a refusal is remembered; the least recently used entries go
 * beyond the cap. Real saved VMs take part in test/integration/snapshot.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SavedVmCache } from '../../src/qemu/saved-vm-cache.js';

let now = Date.now() + 60_000; // after the files were written: a use is newer than any store
const clock = { now: () => (now += 1000) };

/** A cache in a fresh directory, and a VM "saved" (plain files) into one of its partials. */
async function setUp(maxBytes?: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'diverge-saved-vm-cache-'));
  const said: string[] = [];
  const cache = new SavedVmCache(dir, 'build-1', clock, (line) => said.push(line), maxBytes);
  const save = async (identity: unknown, bytes = 16) => {
    const key = cache.key(identity);
    const partial = await cache.partial(key);
    writeFileSync(path.join(partial, 'vm.state'), Buffer.alloc(bytes, 7));
    writeFileSync(path.join(partial, 'disk0.qcow2'), 'overlay');
    const disk = { file: path.join(partial, 'disk0.qcow2'), format: 'qcow2' as const };
    const saved = {
      state: path.join(partial, 'vm.state'),
      overlays: [disk],
      console: Buffer.from('$ '),
    };
    return { key, stored: await cache.store(key, partial, saved) };
  };
  return { dir, said, cache, save };
}

describe('SavedVmCache', () => {
  it('gives back a stored VM from its own directory, overlays and console included', async () => {
    const { dir, cache, save } = await setUp();
    const { key, stored } = await save({ kernel: 'a' });
    expect(stored.state).toBe(path.join(dir, key, 'vm.state'));
    const loaded = await cache.load(key, 'a');
    expect(loaded).toEqual({
      state: path.join(dir, key, 'vm.state'),
      overlays: [{ file: path.join(dir, key, 'disk0.qcow2'), format: 'qcow2' }],
      console: Buffer.from('$ '),
    });
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('keys by everything it is given and by the build', async () => {
    const { cache } = await setUp();
    const other = new SavedVmCache(cache.dir, 'build-2', clock);
    expect(cache.key({ kernel: 'a' })).not.toBe(cache.key({ kernel: 'b' }));
    expect(cache.key({ kernel: 'a' })).not.toBe(other.key({ kernel: 'a' }));
  });

  it('discards, and says why, an entry whose state, overlay or listing changed, or that moved', async () => {
    for (const [what, spoil, reason] of [
      [
        'state',
        (d: string) => writeFileSync(path.join(d, 'vm.state'), 'x'),
        'holds a changed vm.state (digest)',
      ],
      [
        'overlay',
        (d: string) => writeFileSync(path.join(d, 'disk0.qcow2'), 'y'),
        'holds a changed disk0.qcow2 (digest)',
      ],
      [
        'entry',
        (d: string) => writeFileSync(path.join(d, 'entry.json'), '{"schema":'),
        'is not JSON',
      ],
    ] as const) {
      const { dir, said, cache, save } = await setUp();
      const { key } = await save({ kernel: what });
      spoil(path.join(dir, key));
      expect(await cache.load(key, 'k')).toBeUndefined();
      expect(said).toEqual([
        `saved-VM cache: the entry for k (${path.join(dir, key)}) ${reason}: discarded, saving k again`,
      ]);
      expect(existsSync(path.join(dir, key))).toBe(false);
    }
    const { dir, said, cache, save } = await setUp();
    const { key } = await save({ kernel: 'a' });
    const elsewhere = cache.key({ kernel: 'b' });
    renameSync(path.join(dir, key), path.join(dir, elsewhere));
    expect(await cache.load(elsewhere, 'b')).toBeUndefined();
    expect(said[0]).toMatch(/is stored under another key \(moved or copied\)/);
  });

  it('remembers a VM QEMU would not restore, checked like any entry', async () => {
    const { dir, cache } = await setUp();
    const key = cache.key({ kernel: 'xv6' });
    await cache.refuse(key, 'rings apart');
    expect(await cache.load(key, 'xv6')).toEqual({ refused: 'rings apart' });
    writeFileSync(
      path.join(dir, key, 'entry.json'),
      JSON.stringify({
        schema: 'diverge.saved-vm/v1',
        key,
        refused: 'fine',
        files: {},
        overlays: [],
        checksum: 'sha256:0',
      }),
    );
    expect(await cache.load(key, 'xv6')).toBeUndefined();
  });

  it('removes the least recently used entries beyond its cap, never the one just stored', async () => {
    const { cache, save } = await setUp(3500);
    const first = await save({ n: 1 }, 1000);
    const second = await save({ n: 2 }, 1000);
    await cache.load(first.key, 'one'); // used: the second is now the oldest
    const third = await save({ n: 3 }, 1000);
    expect(await cache.load(second.key, 'two')).toBeUndefined();
    expect(await cache.load(first.key, 'one')).toBeDefined();
    expect(await cache.load(third.key, 'three')).toBeDefined();
  });
});
