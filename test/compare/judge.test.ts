import { describe, expect, it } from '@jest/globals';
import { judge, type JudgeInput } from '../../src/compare/judge.js';
import type { DivergenceClass } from '../../src/model/classes.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { boot } from '../helpers/observations.js';

const FAIL_ON: DivergenceClass[] = ['regression', 'crash', 'hang', 'missing', 'output'];

function run(observations: KernelObservation[], overrides: Partial<JudgeInput> = {}) {
  return judge({
    observations,
    candidate: 'candidate',
    references: [...new Set(observations.map((o) => o.kernel).filter((k) => k !== 'candidate'))],
    normalize: {
      builtin: ['timestamps', 'addresses', 'pids', 'kernel-release', 'durations'],
      rules: [],
    },
    compareOutput: true,
    expectations: [],
    failOn: FAIL_ON,
    scope: { arch: 'x86_64', variant: 'default', today: '2026-11-22' },
    ...overrides,
  });
}

const classes = (j: ReturnType<typeof judge>) =>
  Object.fromEntries(j.tests.map((t) => [t.id, t.verdict.class]));

describe('judge: one class per situation', () => {
  it('same, regression, fix and output against one reference', () => {
    const j = run([
      boot('staff', 1, ['a:pass', 'b:pass', 'c:fail', 'd:pass:got 42']),
      boot('candidate', 1, ['a:pass', 'b:fail', 'c:pass', 'd:pass:got 41']),
    ]);
    expect(classes(j)).toEqual({ a: 'same', b: 'regression', c: 'fix', d: 'output' });
    const d = j.tests.find((t) => t.id === 'd')?.verdict;
    expect(d?.diff).toContain('-got 42');
    expect(d?.diff).toContain('+got 41');
    expect(d?.severity).toBe('warning');
    expect(d?.failing).toBe(true);
    const c = j.tests.find((t) => t.id === 'c')?.verdict;
    expect(c).toMatchObject({
      severity: 'notice',
      failing: false,
      counts: { candidate: '0:1', staff: '1:1' },
    });
  });

  it('a test failing the same way everywhere is not a divergence', () => {
    const j = run([
      boot('staff', 1, ['a:fail:boom']),
      boot('v1', 1, ['a:fail:boom']),
      boot('candidate', 1, ['a:fail:boom']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({
      class: 'same',
      confidence: 1,
      agreeing: ['staff', 'v1'],
    });
  });

  it('outputs that differ only in pids, timestamps and releases are the same', () => {
    const j = run([
      boot('staff', 1, ['a:pass:pid 84|release 6.1.0-55-cloud-amd64|[    1.234567] done']),
      boot('candidate', 1, ['a:pass:pid 91|release 6.1.0-56-cloud-amd64|[    2.000001] done']),
    ]);
    expect(classes(j)).toEqual({ a: 'same' });
  });

  it('crash and hang for the tests after the point where the candidate died; the tests before are judged', () => {
    const splat = {
      kind: 'panic' as const,
      message: 'Kernel panic - not syncing: oops',
      fingerprint: 'panic: oops',
      line: 40,
    };
    const crashed = run([
      boot('staff', 1, ['a:pass', 'b:pass', 'c:pass']),
      boot('candidate', 1, ['a:pass'], 'panic', { splats: [splat], message: 'kernel panic: oops' }),
    ]);
    expect(classes(crashed)).toEqual({ a: 'same', b: 'crash', c: 'crash' });
    expect(crashed.clusters).toEqual([
      {
        id: expect.stringMatching(/^c[0-9a-f]{8}$/),
        class: 'crash',
        signature: 'panic: oops',
        tests: ['b', 'c'],
      },
    ]);
    const hung = run([
      boot('staff', 1, ['a:pass', 'b:pass']),
      boot('candidate', 1, ['a:pass'], 'stalled'),
    ]);
    expect(classes(hung)).toEqual({ a: 'same', b: 'hang' });
  });

  it('missing when the candidate finished without the test, new when only the candidate has it', () => {
    const j = run([
      boot('staff', 1, ['a:pass', 'b:pass']),
      boot('candidate', 1, ['a:pass', 'z:pass']),
    ]);
    expect(classes(j)).toEqual({ a: 'same', b: 'missing', z: 'new' });
    // Lacking a test is not failing it: the fail:runs counts say so.
    expect(j.tests.find((t) => t.id === 'z')?.verdict.counts).toEqual({
      candidate: '0:1',
      staff: '0:1',
    });
    expect(j.tests.find((t) => t.id === 'b')?.verdict.counts).toEqual({
      candidate: '0:1',
      staff: '0:1',
    });
  });

  it('flaky when the candidate disagrees with itself, with fail:runs counts', () => {
    const j = run([
      boot('staff', 1, ['a:pass']),
      boot('staff', 2, ['a:pass']),
      boot('staff', 3, ['a:pass']),
      boot('candidate', 1, ['a:pass']),
      boot('candidate', 2, ['a:fail']),
      boot('candidate', 3, ['a:pass']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({
      class: 'flaky',
      counts: { candidate: '1:3', staff: '0:3' },
    });
  });

  it('a flaky reference allows both of its outcomes', () => {
    const j = run([
      boot('staff', 1, ['a:pass']),
      boot('staff', 2, ['a:fail']),
      boot('candidate', 1, ['a:fail']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({ class: 'same', confidence: 0.5 });
  });

  it('ambiguous when references disagree, naming the ones the candidate matches', () => {
    const j = run([
      boot('staff', 1, ['a:pass']),
      boot('v1', 1, ['a:fail']),
      boot('candidate', 1, ['a:fail']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({ class: 'ambiguous', agreeing: ['v1'] });
    expect(j.tests[0]?.verdict.reason).toBe(
      'the references disagree: the candidate matches v1, not staff',
    );
  });

  it('expected when an expectation covers the divergence', () => {
    const expectations = [
      {
        test: 'b',
        classes: ['regression' as const],
        reason: 'known bug',
        link: 'https://example.org/1',
      },
    ];
    const j = run(
      [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:fail'])],
      { expectations },
    );
    expect(j.tests[1]?.verdict).toMatchObject({
      class: 'expected',
      severity: 'none',
      failing: false,
      expected: { class: 'regression', reason: 'known bug', link: 'https://example.org/1' },
    });
    expect(j.matched.size).toBe(1);
  });
});

describe('judge: blame and edges', () => {
  it('a reference whose every boot failed is broken and left out, not held against the candidate', () => {
    const j = run([
      boot('staff', 1, ['a:pass', 'b:pass']),
      boot('old', 1, [], 'panic', { message: 'kernel panic: VFS' }),
      boot('candidate', 1, ['a:pass', 'b:pass']),
    ]);
    expect(j.broken.get('old')).toBe('no boot reported a test: panic (kernel panic: VFS)');
    expect(classes(j)).toEqual({ a: 'same', b: 'same' });
    expect(j.tests[0]?.verdict.counts).toEqual({ candidate: '0:1', staff: '0:1' });
  });

  it('every reference broken: nothing is a kernel divergence', () => {
    const j = run([boot('staff', 1, [], 'qemu-error'), boot('candidate', 1, ['a:pass'])]);
    expect(j.broken.has('staff')).toBe(true);
    expect(classes(j)).toEqual({ a: 'new' });
    expect(j.tests[0]?.verdict.failing).toBe(false);
  });

  it('a candidate QEMU could not boot is blamed on the infrastructure', () => {
    const j = run([
      boot('staff', 1, ['a:pass']),
      boot('candidate', 1, [], 'qemu-error', { message: 'QEMU exited with status 1' }),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({
      class: 'missing',
      blame: 'infrastructure',
      failing: false,
    });
    expect(j.clusters).toEqual([]);
  });

  it('references that died before a test are blamed, not the candidate', () => {
    const j = run([
      boot('staff', 1, ['a:pass'], 'panic'),
      boot('candidate', 1, ['a:pass', 'b:pass']),
    ]);
    expect(j.tests[1]?.verdict).toMatchObject({
      class: 'ambiguous',
      blame: 'reference',
      failing: false,
    });
  });

  it('an empty harness judges nothing', () => {
    const j = run([boot('staff', 1, []), boot('candidate', 1, [])]);
    expect(j.tests).toEqual([]);
  });

  it('duplicate ids from the parser (~2) are judged as separate tests', () => {
    const j = run([
      boot('staff', 1, ['a:pass', 'a~2:fail']),
      boot('candidate', 1, ['a:pass', 'a~2:pass']),
    ]);
    expect(classes(j)).toEqual({ a: 'same', 'a~2': 'fix' });
  });

  it('placeholders for an unmet plan (#N, missing) are not tests of their own', () => {
    const j = run([
      boot('staff', 1, ['a:pass', 'b:pass']),
      boot('candidate', 1, ['a:pass', '#2:missing'], 'stalled'),
    ]);
    expect(classes(j)).toEqual({ a: 'same', b: 'hang' });
  });

  it('one regression bug across many tests is one cluster', () => {
    const refs = Array.from({ length: 5 }, (_, i) => `t${i}:pass:ok`);
    const cand = Array.from({ length: 5 }, (_, i) => `t${i}:fail:EINVAL from mmap`);
    const j = run([boot('staff', 1, refs), boot('candidate', 1, cand)]);
    expect(j.clusters).toHaveLength(1);
    expect(j.clusters[0]).toMatchObject({
      class: 'regression',
      signature: 'regression: EINVAL from mmap',
      tests: ['t0', 't1', 't2', 't3', 't4'],
    });
  });

  it('output comparison can be switched off', () => {
    const j = run([boot('staff', 1, ['d:pass:got 42']), boot('candidate', 1, ['d:pass:got 41'])], {
      compareOutput: false,
    });
    expect(classes(j)).toEqual({ d: 'same' });
  });
});

describe('judge: learned masks', () => {
  it('masks what differs between runs of one reference and applies it to every kernel', () => {
    const j = run([
      boot('staff', 1, ['t:pass:seed 8812 ok|done']),
      boot('staff', 2, ['t:pass:seed 1290 ok|done']),
      boot('candidate', 1, ['t:pass:seed 5555 ok|done']),
    ]);
    expect(j.learned).toEqual([{ test: 't', template: 'seed <learned> ok', reference: 'staff' }]);
    expect(classes(j)).toEqual({ t: 'same' });
    expect(j.tests[0]?.observations.candidate?.[0]?.output).toEqual(['seed <learned> ok', 'done']);
  });

  it('still tells a real change in a masked line apart', () => {
    const j = run([
      boot('staff', 1, ['t:pass:seed 8812 ok']),
      boot('staff', 2, ['t:pass:seed 1290 ok']),
      boot('candidate', 1, ['t:pass:seed 5555 FAILED']),
    ]);
    expect(classes(j)).toEqual({ t: 'output' });
  });
});
