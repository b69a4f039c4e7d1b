import { describe, expect, it } from '@jest/globals';
import type { Settings } from '../../src/config/settings.js';
import { splitKernelMessages } from '../../src/results/common.js';
import { harnessProgress } from '../../src/results/progress.js';

const results = (format: Settings['harness']['results']['format']) => ({
  format,
  channel: 'console' as const,
});

describe('harnessProgress', () => {
  it('tells when a KTAP stream starts and when its top-level plan is met', () => {
    const feed = harnessProgress(results('ktap'), 10_000)();
    expect(feed('[    0.5] Run /init as init process')).toBe('none');
    expect(feed('KTAP version 1')).toBe('started');
    expect(feed('1..2')).toBe('started');
    expect(feed('    KTAP version 1')).toBe('none'); // nested: not a top-level result
    expect(feed('    ok 1 child')).toBe('none');
    expect(feed('ok 1 suite')).toBe('started');
    expect(feed('[    1.2] not ok 2 other')).toBe('complete');
  });

  it('knows a TAP plan at the end', () => {
    const feed = harnessProgress(results('tap'), 10_000)();
    expect(feed('ok 1 a')).toBe('started');
    expect(feed('1..1')).toBe('complete');
  });

  it('calls the result past harness.max-tests too-many, nested results included', () => {
    const feed = harnessProgress(results('ktap'), 2)();
    expect(feed('KTAP version 1')).toBe('started');
    expect(feed('    ok 1 child')).toBe('none');
    expect(feed('ok 1 suite')).toBe('started');
    expect(feed('# diagnostic')).toBe('none');
    expect(feed('not ok 2 other')).toBe('too-many');
    const regex = harnessProgress(
      {
        format: 'regex',
        channel: 'console',
        regex: { pass: '^PASS (?<id>\\S+)', fail: '^FAIL (?<id>\\S+)' },
      },
      1,
    )();
    expect(regex('PASS a')).toBe('started');
    expect(regex('PASS b')).toBe('too-many');
  });

  it('never calls a transcript complete', () => {
    expect(harnessProgress(results('transcript'), 10_000)()('ok 1 a')).toBe('none');
  });
});

describe('splitKernelMessages', () => {
  it('gives a result line back when a kernel message interrupted it on the console', () => {
    expect(
      splitKernelMessages([
        'ok 14 mseal_probe[    2.295511] tsc: Refined TSC clocksource calibration: 2599.979 MHz',
        '[    0.000000] Linux version 6.1.0',
        'a[    1.000000] b[    2.000000] c',
        'array[3] = 4',
      ]),
    ).toEqual([
      'ok 14 mseal_probe',
      '[    2.295511] tsc: Refined TSC clocksource calibration: 2599.979 MHz',
      '[    0.000000] Linux version 6.1.0',
      'a',
      '[    1.000000] b',
      '[    2.000000] c',
      'array[3] = 4',
    ]);
  });
});
