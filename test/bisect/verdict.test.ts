/**
 * A step's reading: bad on a selected test in a selected class, skipped when the
 * infrastructure is to blame, and a flaky-looking step checked again before it is trusted.
 */
import { describe, expect, it } from '@jest/globals';
import { judge } from '../../src/compare/judge.js';
import { defaultSettings } from '../../src/config/load.js';
import {
  checkSelection,
  confirmation,
  needsRecheck,
  readStep,
  type Selection,
  SelectionError,
} from '../../src/bisect/verdict.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { boot } from '../helpers/observations.js';

const settings = defaultSettings('/tmp');
const selection: Selection = { tests: [], classes: settings.failOn };

function judged(observations: KernelObservation[]) {
  return judge({
    observations,
    candidate: 'c0ffee',
    references: ['good'],
    normalize: settings.normalize,
    compareOutput: true,
    expectations: [],
    failOn: settings.failOn,
    scope: { arch: 'x86_64', variant: 'default', today: '2026-11-30' },
  }).tests;
}

const good = [boot('good', 1, ['alloc:pass', 'sleep:pass', 'getpid:pass'])];

describe('readStep', () => {
  it('is bad when a selected test diverges in a selected class', () => {
    const tests = judged([...good, boot('c0ffee', 1, ['alloc:fail', 'sleep:pass', 'getpid:pass'])]);
    expect(readStep(tests, selection)).toMatchObject({ verdict: 'bad', diverging: ['alloc'] });
    expect(readStep(tests, { ...selection, tests: ['sleep', 'get*'] }).verdict).toBe('good');
    expect(readStep(tests, { ...selection, tests: ['al*'] }).verdict).toBe('bad');
    expect(readStep(tests, { ...selection, classes: ['crash', 'output'] }).verdict).toBe('good');
  });

  it('refuses a --test glob that matches no judged test, naming the nearest ids', () => {
    const tests = judged([...good, boot('c0ffee', 1, ['alloc:fail', 'sleep:pass', 'getpid:pass'])]);
    const typo = { ...selection, tests: ['al*', 'slep'] };
    expect(() => readStep(tests, typo)).toThrow(
      new SelectionError('--test "slep" matches no test (nearest: sleep, alloc)'),
    );
    // No test at all: the boots' outcomes say why, not the glob.
    expect(() => checkSelection(typo, [])).not.toThrow();
  });

  it('is good when nothing selected diverges', () => {
    const tests = judged([...good, boot('c0ffee', 1, ['alloc:pass', 'sleep:pass', 'getpid:pass'])]);
    expect(readStep(tests, selection)).toEqual({
      verdict: 'good',
      flaky: [],
      diverging: [],
    });
  });

  it('skips a commit whose boot the infrastructure spoiled', () => {
    const tests = judged([
      ...good,
      boot('c0ffee', 1, [], 'qemu-error', { message: 'QEMU was killed by SIGKILL' }),
    ]);
    const reading = readStep(tests, selection);
    expect(reading.verdict).toBe('skip');
    expect(reading.reason).toMatch(/infrastructure is to blame/);
  });

  it('checks a flaky-looking step again: one failing boot, then runs that disagree, is good', () => {
    const first = [...good, boot('c0ffee', 1, ['alloc:pass', 'sleep:fail', 'getpid:pass'])];
    const once = readStep(judged(first), selection);
    expect(once.verdict).toBe('bad');
    expect(needsRecheck(once)).toBe(true);
    const again = [
      ...first,
      boot('c0ffee', 2, ['alloc:pass', 'sleep:pass', 'getpid:pass']),
      boot('c0ffee', 3, ['alloc:pass', 'sleep:fail', 'getpid:pass']),
    ];
    const checked = readStep(judged(again), selection);
    expect(checked).toMatchObject({ verdict: 'good', flaky: ['sleep'] });
    // Unless flaky is a class the user asked to bisect.
    expect(readStep(judged(again), { ...selection, classes: ['flaky'] }).verdict).toBe('bad');
  });

  it('blames a test that failed in every boot, though one boot died before it', () => {
    const boots = [
      boot('c0ffee', 1, ['alloc:pass', 'sleep:fail', 'getpid:pass']),
      boot('c0ffee', 2, ['alloc:pass', 'sleep:fail', 'getpid:pass']),
      boot('c0ffee', 3, [], 'stalled', { stage: 'firmware' }),
    ];
    const tests = judged([...good, ...boots]);
    expect(tests.find((t) => t.id === 'sleep')?.verdict.class).toBe('flaky');
    expect(readStep(tests, selection)).toMatchObject({
      verdict: 'bad',
      diverging: ['sleep'],
      flaky: ['alloc', 'getpid'],
    });
    // A test that fails on the references too is no regression however the boots end.
    const failingEverywhere = judged([
      boot('good', 1, ['alloc:pass', 'sleep:fail', 'getpid:pass']),
      ...boots,
    ]);
    expect(readStep(failingEverywhere, selection).verdict).toBe('good');
  });

  it('keeps a failure that every boot repeats bad', () => {
    const boots = [1, 2, 3].map((n) =>
      boot('c0ffee', n, ['alloc:fail', 'sleep:pass', 'getpid:pass']),
    );
    const reading = readStep(judged([...good, ...boots]), selection);
    expect(reading).toMatchObject({ verdict: 'bad', diverging: ['alloc'], flaky: [] });
  });

  it('does not check a plainly good step again', () => {
    expect(needsRecheck({ verdict: 'good', flaky: [], diverging: [] })).toBe(false);
    expect(needsRecheck({ verdict: 'skip', flaky: [], diverging: [] })).toBe(false);
  });
});

describe('confirmation: the recheck a bisect step asks of the judging session', () => {
  it('boots the commit alone again, at least once, while a selected test reads bad or flaky', () => {
    const recheck = confirmation(selection);
    expect(recheck).toMatchObject({ atLeast: 1, references: false });
    const bad = judged([...good, boot('c0ffee', 1, ['alloc:fail', 'sleep:pass', 'getpid:pass'])]);
    expect(recheck.doubtful({ tests: bad })).toEqual(['alloc']);
    expect(recheck.announce({ tests: bad }, ['c0ffee'], 2)).toBe(
      'diverges; booting it 2 more time(s) before trusting it',
    );
    // Outside the selection a divergence raises no doubt.
    expect(confirmation({ ...selection, tests: ['sleep'] }).doubtful({ tests: bad })).toEqual([]);
    const fine = judged([...good, boot('c0ffee', 1, ['alloc:pass', 'sleep:pass', 'getpid:pass'])]);
    expect(recheck.doubtful({ tests: fine })).toEqual([]);
  });
});
