import { describe, expect, it } from '@jest/globals';
import type { Settings } from '../../src/config/settings.js';
import { RESULTS_FORMATS } from '../../src/model/results.js';
import { splitKernelMessages } from '../../src/results/common.js';
import { RESULTS_FORMAT_TABLE } from '../../src/results/formats.js';
import { parseResults } from '../../src/results/index.js';
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

describe('the results-format table', () => {
  it('has a row for each name harness.results.format takes, in order', () => {
    expect(Object.keys(RESULTS_FORMAT_TABLE)).toEqual(RESULTS_FORMATS);
  });

  it('makes an unknown format a TypeError', () => {
    expect(() => parseResults('constructor' as never, [])).toThrow(
      'unknown results format "constructor"',
    );
  });
});

describe('each tracker reads lines as its parser does', () => {
  const signals = (format: 'ktap' | 'tap', lines: string[]) => {
    const feed = harnessProgress(results(format), 10_000)();
    return lines.map((line) => feed(line));
  };

  it('KTAP: a result is numbered, `not` may be followed by any spaces', () => {
    const lines = ['KTAP version 1', '1..2', 'ok unnumbered', 'not  ok 1 a', 'ok 2 b'];
    expect(signals('ktap', lines)).toEqual(['started', 'started', 'none', 'started', 'complete']);
    const parsed = parseResults('ktap', lines);
    expect(parsed.tests.map((t) => [t.id, t.status])).toEqual([
      ['a', 'fail'],
      ['b', 'pass'],
    ]);
    expect(parsed.complete).toBe(true);
  });

  it('TAP: a result needs no number, `okay` is no result', () => {
    const lines = ['TAP version 14', 'okay then', 'ok - a', '1..1'];
    expect(signals('tap', lines)).toEqual(['started', 'none', 'started', 'complete']);
    expect(parseResults('tap', lines).tests.map((t) => t.id)).toEqual(['a']);
  });

  it('ignores a plan the parser ignores', () => {
    const lines = ['TAP version 14', '1..2 tests', '1..9999999', 'ok 1 a', 'ok 2 b'];
    expect(signals('tap', lines)).toEqual(['started', 'none', 'started', 'started', 'started']);
    expect(parseResults('tap', lines).problems).toContain('implausible plan 1..9999999 ignored');
  });

  it("regex: a line is a test when the parser's rules make it one", () => {
    const regex = { pass: '^PASS (?<id>\\S+)', fail: '^FAIL: (?<id>\\S+)' };
    const lines = ['<6>[    1.000000] PASS a', 'FAIL b', 'FAIL: c'];
    const feed = harnessProgress({ format: 'regex', channel: 'console', regex }, 10)();
    expect(lines.map((line) => feed(line))).toEqual(['started', 'none', 'started']);
    expect(parseResults('regex', lines, { regex }).tests.map((t) => t.id)).toEqual(['a', 'c']);
  });

  it("regex: a start line says the harness runs, before a slow test's result", () => {
    const regex = {
      start: "^Executing '",
      pass: "^Execution of '(?<id>[^']+)' complete",
      fail: 'x(?<id>y)',
    };
    const feed = harnessProgress({ format: 'regex', channel: 'console', regex }, 10)();
    expect(
      [
        'Boot complete.',
        "Executing 'mlfqs-load-60':",
        "Execution of 'mlfqs-load-60' complete.",
      ].map((line) => feed(line)),
    ).toEqual(['none', 'started', 'started']);
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
