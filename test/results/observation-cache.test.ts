import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  canonicalCommand,
  namedFiles,
  ObservationCache,
} from '../../src/results/observation-cache.js';
import { boot } from '../helpers/observations.js';

const BUILD = '0.1.0+0123456789abcdef';
const identity = {
  kernelDigest: 'sha256:k',
  harnessDigest: 'sha256:h',
  command: ['qemu-system-x86_64', '-drive', 'file=<sha256:d>,format=raw'],
  machine: { memory: 256 },
};

function observed(
  kernel: string,
  outcome: 'completed' | 'timeout' | 'infrastructure',
  dir: string,
) {
  const log = path.join(dir, `${kernel}-1.log`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(log, 'KTAP version 1\nok 1 a\n');
  return boot(kernel, 1, ['a:pass'], outcome, { log });
}

describe('ObservationCache', () => {
  it("gives an earlier boot back under the run's own kernel name, with its log copied", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD);
    await cache.save(identity, observed('staff', 'completed', path.join(dir, 'run1')));
    const again = await cache.load(identity, 'v1.2', 1, path.join(dir, 'run2', 'logs'));
    expect(again?.kernel).toBe('v1.2');
    expect(again?.boot).toMatchObject({ kernel: 'v1.2', cached: true, outcome: 'completed' });
    expect(again?.boot.log).toBe(path.join(dir, 'run2', 'logs', 'v1.2-1.log'));
    expect(readFileSync(again?.boot.log ?? '', 'utf8')).toContain('ok 1 a');
    expect(again?.tests).toEqual([{ id: 'a', status: 'pass', output: [] }]);
  });

  it('misses on any change to the kernel, harness, machine or attempt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD);
    await cache.save(identity, observed('staff', 'completed', path.join(dir, 'run1')));
    const logs = path.join(dir, 'logs');
    expect(await cache.load({ ...identity, kernelDigest: 'sha256:x' }, 'staff', 1, logs)).toBe(
      undefined,
    );
    expect(await cache.load({ ...identity, harnessDigest: 'sha256:x' }, 'staff', 1, logs)).toBe(
      undefined,
    );
    expect(await cache.load({ ...identity, machine: { memory: 512 } }, 'staff', 1, logs)).toBe(
      undefined,
    );
    expect(await cache.load(identity, 'staff', 2, logs)).toBeUndefined();
    const otherDisk = ['qemu-system-x86_64', '-drive', 'file=<sha256:e>,format=raw'];
    expect(await cache.load({ ...identity, command: otherDisk }, 'staff', 1, logs)).toBe(undefined);
    expect(await cache.load({ ...identity, test: 'alarm' }, 'staff', 1, logs)).toBe(undefined);
  });

  it('keeps the boots of a per-test harness apart, with logs named by kernel, test and attempt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD);
    const alarm = { ...observed('staff', 'completed', path.join(dir, 'run1')), test: 'alarm' };
    await cache.save({ ...identity, test: 'alarm' }, alarm);
    const logs = path.join(dir, 'logs');
    const again = await cache.load({ ...identity, test: 'alarm' }, 'v1', 1, logs, 'alarm');
    expect(again?.boot.log).toBe(path.join(logs, 'v1-alarm-1.log'));
    expect(await cache.load({ ...identity, test: 'sleep' }, 'v1', 1, logs, 'sleep')).toBe(
      undefined,
    );
  });

  it('misses when only the build of diverge differs: another build may parse a boot otherwise', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    await new ObservationCache(path.join(dir, 'cache'), BUILD).save(
      identity,
      observed('staff', 'completed', path.join(dir, 'run1')),
    );
    const logs = path.join(dir, 'logs');
    const newer = new ObservationCache(path.join(dir, 'cache'), '0.1.0+fedcba9876543210');
    expect(await newer.load(identity, 'staff', 1, logs)).toBeUndefined();
    // The same build still finds it: the miss above is the build id's doing.
    const same = new ObservationCache(path.join(dir, 'cache'), BUILD);
    expect(await same.load(identity, 'staff', 1, logs)).toBeDefined();
  });

  it('does not keep a boot that timed out: that may have been a busy host', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD);
    await cache.save(identity, observed('staff', 'timeout', path.join(dir, 'run1')));
    expect(await cache.load(identity, 'staff', 1, path.join(dir, 'logs'))).toBeUndefined();
  });

  it('does not keep an infrastructure outcome: it says nothing about the kernel', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD);
    await cache.save(identity, observed('staff', 'infrastructure', path.join(dir, 'run1')));
    expect(existsSync(path.join(dir, 'cache'))).toBe(false);
  });

  it.each([
    ['an edited result', (e: string) => e.replace('"pass"', '"fail"'), 'checksum'],
    ['garbled bytes', (e: string) => e.slice(0, 40), 'is not JSON'],
    ['a wrong shape', () => '{"schema":"diverge.observation-cache/v1"}', 'does not hold'],
  ])('discards an entry with %s, says so, and stores the next boot', async (_, edit, said) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const lines: string[] = [];
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD, (l) => lines.push(l));
    await cache.save(identity, observed('staff', 'completed', path.join(dir, 'run1')));
    const [key] = readdirSync(path.join(dir, 'cache'));
    const entry = path.join(dir, 'cache', key as string, 'entry.json');
    writeFileSync(entry, edit(readFileSync(entry, 'utf8')));
    expect(await cache.load(identity, 'staff', 1, path.join(dir, 'logs'))).toBeUndefined();
    expect(lines).toEqual([expect.stringContaining(said)]);
    expect(lines[0]).toContain('discarded, booting staff again');
    await cache.save(identity, observed('staff', 'completed', path.join(dir, 'run2')));
    expect((await cache.load(identity, 'staff', 1, path.join(dir, 'logs')))?.tests).toEqual([
      { id: 'a', status: 'pass', output: [] },
    ]);
  });

  it('discards an entry moved under another key (a swapped entry)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-obs-'));
    const lines: string[] = [];
    const cache = new ObservationCache(path.join(dir, 'cache'), BUILD, (l) => lines.push(l));
    const other = { ...identity, kernelDigest: 'sha256:other' };
    await cache.save(identity, observed('staff', 'completed', path.join(dir, 'run1')));
    await cache.save(other, observed('other', 'completed', path.join(dir, 'run1')));
    const [a, b] = readdirSync(path.join(dir, 'cache')).map((k) => path.join(dir, 'cache', k));
    renameSync(a as string, `${a}.x`);
    renameSync(b as string, a as string);
    renameSync(`${a}.x`, b as string);
    expect(await cache.load(identity, 'staff', 1, path.join(dir, 'logs'))).toBeUndefined();
    expect(lines[0]).toContain('is stored under another key');
  });
});

describe('the command line in a cache key', () => {
  it('names every file by its content digest, a longer path before its prefix', () => {
    const files = new Map([
      ['/run1/disk', 'sha256:a'],
      ['/run1/disk.img', 'sha256:b'],
    ]);
    expect(
      canonicalCommand(['-drive', 'file=/run1/disk.img,if=none', '-kernel', '/run1/disk'], files),
    ).toEqual(['-drive', 'file=<sha256:b>,if=none', '-kernel', '<sha256:a>']);
  });

  it('finds the existing files qemu-args name, whole or inside an option', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-args-'));
    writeFileSync(path.join(dir, 'fs.img'), 'disk');
    writeFileSync(path.join(dir, 'fw.bin'), 'firmware');
    const found = await namedFiles(
      [
        '-drive',
        'file=fs.img,if=none,format=raw',
        '-bios',
        'fw.bin',
        '-rtc',
        'base=utc',
        '-m',
        '64',
      ],
      dir,
    );
    expect(found).toEqual([
      { written: 'fs.img', resolved: path.join(dir, 'fs.img') },
      { written: 'fw.bin', resolved: path.join(dir, 'fw.bin') },
    ]);
  });
});
