import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ObservationCache } from '../../src/results/observation-cache.js';
import { boot } from '../helpers/observations.js';

const BUILD = '0.1.0+0123456789abcdef';
const identity = { kernelDigest: 'sha256:k', harnessDigest: 'sha256:h', machine: { memory: 256 } };

function observed(kernel: string, outcome: 'completed' | 'timeout', dir: string) {
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
});
