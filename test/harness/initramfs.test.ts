import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { initramfsFromDir } from '../../src/harness/initramfs.js';

function tree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'diverge-tree-'));
  mkdirSync(path.join(root, 'bin'));
  writeFileSync(path.join(root, 'init'), '#!/bin/sh\necho hi\n');
  chmodSync(path.join(root, 'init'), 0o755);
  writeFileSync(path.join(root, 'bin', 'data.bin'), Buffer.from([0, 1, 2, 3, 4]));
  symlinkSync('data.bin', path.join(root, 'bin', 'link'));
  return root;
}

describe('initramfsFromDir', () => {
  it('writes an archive that GNU cpio lists and extracts with the same contents', async () => {
    const root = tree();
    const { bytes } = await initramfsFromDir(root);
    const cpio = gunzipSync(bytes);
    const listing = execFileSync('cpio', ['-t', '--quiet'], { input: cpio })
      .toString()
      .trim()
      .split('\n');
    expect(listing).toEqual(['bin', 'bin/data.bin', 'bin/link', 'init', 'dev', 'dev/console']);
    const verbose = execFileSync('cpio', ['-tv', '--quiet'], { input: cpio }).toString();
    expect(verbose).toMatch(/^-rwxr-xr-x .* root +root +\d+ .* init$/m);
    expect(verbose).toMatch(/^lrwxrwxrwx .* bin\/link -> data.bin$/m);
    expect(verbose).toMatch(/^crw------- .* 5, +1 .* dev\/console$/m);

    const out = mkdtempSync(path.join(tmpdir(), 'diverge-extract-'));
    execFileSync(
      'cpio',
      ['-id', '--quiet', '--no-absolute-filenames', '--nonmatching', 'dev/console'],
      { input: cpio, cwd: out },
    );
    expect(execFileSync('cat', [path.join(out, 'init')]).toString()).toBe('#!/bin/sh\necho hi\n');
    expect([...execFileSync('cat', [path.join(out, 'bin', 'data.bin')])]).toEqual([0, 1, 2, 3, 4]);
  });

  it('is deterministic: the same tree gives the same bytes, a change gives another digest', async () => {
    const a = await initramfsFromDir(tree());
    const b = await initramfsFromDir(tree()); // other inode numbers and mtimes, same content
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.digest).toBe(a.digest);
    const changed = tree();
    writeFileSync(path.join(changed, 'init'), '#!/bin/sh\necho bye\n');
    expect((await initramfsFromDir(changed)).digest).not.toBe(a.digest);
  });

  it('keeps a /dev/console the tree already has instead of adding one', async () => {
    const root = tree();
    mkdirSync(path.join(root, 'dev'));
    writeFileSync(path.join(root, 'dev', 'console'), '');
    const listing = execFileSync('cpio', ['-t', '--quiet'], {
      input: gunzipSync((await initramfsFromDir(root)).bytes),
    })
      .toString()
      .trim()
      .split('\n');
    expect(listing.filter((name) => name === 'dev/console')).toHaveLength(1);
  });

  it('reuses a cached archive for an unchanged tree and packs again when a file changes', async () => {
    const root = tree();
    const cache = { dir: mkdtempSync(path.join(tmpdir(), 'diverge-cache-')), buildId: 'build-a' };
    const first = await initramfsFromDir(root, cache);
    expect(readdirSync(cache.dir)).toHaveLength(1);
    const again = await initramfsFromDir(root, cache);
    expect(again.digest).toBe(first.digest);
    writeFileSync(path.join(root, 'init'), '#!/bin/sh\necho changed and longer\n');
    const changed = await initramfsFromDir(root, cache);
    expect(changed.digest).not.toBe(first.digest);
    expect(changed.digest).toBe((await initramfsFromDir(root)).digest);
    expect(readdirSync(cache.dir)).toHaveLength(2);
  });

  it('packs again when a cached archive is cut, corrupted or swapped for another tree', async () => {
    const root = tree();
    const other = tree();
    writeFileSync(path.join(other, 'init'), '#!/bin/sh\necho another harness\n');
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-cache-'));
    const fresh = await initramfsFromDir(root, { dir, buildId: 'build-a' });
    const [entry] = readdirSync(dir).map((f) => path.join(dir, f));
    const good = readFileSync(entry as string);
    writeFileSync(entry as string, good.subarray(0, good.length - 40));
    expect((await initramfsFromDir(root, { dir, buildId: 'build-a' })).digest).toBe(fresh.digest);
    const otherDir = mkdtempSync(path.join(tmpdir(), 'diverge-cache-'));
    await initramfsFromDir(other, { dir: otherDir, buildId: 'build-a' });
    const [otherEntry] = readdirSync(otherDir).map((f) => path.join(otherDir, f));
    copyFileSync(otherEntry as string, entry as string);
    expect((await initramfsFromDir(root, { dir, buildId: 'build-a' })).digest).toBe(fresh.digest);
  });

  it('does not reuse an archive packed by another build of diverge', async () => {
    const root = tree();
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-cache-'));
    await initramfsFromDir(root, { dir, buildId: 'build-a' });
    await initramfsFromDir(root, { dir, buildId: 'build-b' });
    expect(readdirSync(dir)).toHaveLength(2);
  });
});
