import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import type { Settings } from '../../src/config/settings.js';
import { cacheDirs, systemClock } from '../../src/context.js';
import { prepareHarness } from '../../src/harness/payload.js';

const dir = mkdtempSync(path.join(tmpdir(), 'diverge-payload-'));
const harness = (yaml: string) => parseConfig(yaml, path.join(dir, 'diverge.yml')).harness;
const prepare = (settings: Settings['harness'], workDir: string) =>
  prepareHarness(settings, workDir, {
    cache: cacheDirs(path.join(dir, 'cache')),
    buildId: 'test',
    clock: systemClock,
  });

describe('prepareHarness', () => {
  it('uses a prebuilt initrd as it is, and its digest changes with its bytes', async () => {
    writeFileSync(path.join(dir, 'a.cpio.gz'), 'first');
    writeFileSync(path.join(dir, 'b.cpio.gz'), 'second');
    const a = await prepare(harness('harness: { initrd: a.cpio.gz }'), path.join(dir, 'work'));
    const b = await prepare(harness('harness: { initrd: b.cpio.gz }'), path.join(dir, 'work'));
    expect(a.initrd).toBe(path.join(dir, 'a.cpio.gz'));
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.digest).not.toBe(a.digest);
  });

  it('counts shared disks and the console script in the digest', async () => {
    writeFileSync(path.join(dir, 'disk.img'), Buffer.alloc(4096, 1));
    const plain = await prepare(harness('harness: { none: true }'), dir);
    const withDisk = await prepare(harness('harness: { none: true, disks: [disk.img] }'), dir);
    const withScript = await prepare(
      harness('harness: { none: true, script: [{ expect: "x" }] }'),
      dir,
    );
    expect(withDisk.disks).toEqual([{ file: path.join(dir, 'disk.img'), format: 'raw' }]);
    expect(new Set([plain.digest, withDisk.digest, withScript.digest]).size).toBe(3);
  });

  it('names the field and the file when something is missing', async () => {
    await expect(prepare(harness('harness: { initrd: gone.cpio.gz }'), dir)).rejects.toThrow(
      `harness.initrd: cannot read ${path.join(dir, 'gone.cpio.gz')}`,
    );
    await expect(
      prepare(harness('harness: { none: true, disks: [gone.img] }'), dir),
    ).rejects.toThrow(`harness.disks[0]: cannot read ${path.join(dir, 'gone.img')}`);
    writeFileSync(path.join(dir, 'file'), '');
    await expect(prepare(harness('harness: { dir: file }'), dir)).rejects.toThrow(
      `harness.dir: ${path.join(dir, 'file')} is not a directory`,
    );
  });

  it('packs a directory into the work directory', async () => {
    mkdirSync(path.join(dir, 'root'), { recursive: true });
    writeFileSync(path.join(dir, 'root', 'init'), '#!/bin/sh\n');
    const payload = await prepare(harness('harness: { dir: root }'), path.join(dir, 'out'));
    expect(payload.initrd).toBe(path.join(dir, 'out', 'harness.cpio.gz'));
    // Packed once, into the given cache rather than the user's.
    expect(readdirSync(path.join(dir, 'cache', 'initramfs'))).toHaveLength(1);
  });
});
