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
      builtin: ['timestamps', 'addresses', 'pids', 'kernel-release', 'durations', 'network'],
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
      class: 'ambiguous',
      blame: 'infrastructure',
      failing: false,
      confidence: 0,
    });
    expect(j.tests[0]?.verdict.reason).toBe(
      'not judged: QEMU could not boot the candidate (QEMU exited with status 1)',
    );
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

  it('learns only between runs of one status: a pass and a fail differ by their outcome', () => {
    const j = run([
      boot('staff', 1, ['t:pass:seed 1|end']),
      boot('staff', 2, ['t:fail:begin|timer too slow']),
      boot('staff', 3, ['t:pass:seed 2|end']),
      boot('candidate', 1, ['t:pass:seed 3|wrong']),
    ]);
    expect(j.learned).toEqual([{ test: 't', template: 'seed <learned>', reference: 'staff' }]);
    expect(classes(j)).toEqual({ t: 'output' });
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

describe('judge: tests compared in any order (normalize.unordered)', () => {
  const normalize = (unordered: string[]) => ({ builtin: [], rules: [], unordered });

  it('compares the lines of the tests it names as a multiset, and says so', () => {
    const observations = [
      boot('staff', 1, ['priority-equal:pass:thread a|thread b', 'order:pass:one|two']),
      boot('candidate', 1, ['priority-equal:pass:thread b|thread a', 'order:pass:two|one']),
    ];
    const j = run(observations, { normalize: normalize(['priority-*']) });
    expect(classes(j)).toEqual({ 'priority-equal': 'same', order: 'output' });
    const equal = j.tests[0];
    expect(equal?.verdict.reason).toBe('matches staff (lines compared in any order)');
    expect(equal?.observations.candidate?.[0]?.output).toEqual(['thread a', 'thread b']);
    expect(j.tests[1]?.verdict.reason).not.toContain('any order');
    expect(classes(run(observations))).toEqual({ 'priority-equal': 'output', order: 'output' });
  });

  it('still counts each line: one line twice is not two lines', () => {
    const j = run(
      [
        boot('staff', 1, ['priority-equal:pass:thread a|thread b|done']),
        boot('candidate', 1, ['priority-equal:pass:done|thread a|thread a']),
      ],
      { normalize: normalize(['priority-equal']) },
    );
    expect(j.tests[0]?.verdict).toMatchObject({ class: 'output' });
    expect(j.tests[0]?.verdict.reason).toBe(
      'same status (pass) as staff, different output (lines compared in any order)',
    );
  });

  it('sorts before masks are learned: a reference that varies only in order learns none', () => {
    const staff = [
      boot('staff', 1, ['p:pass:thread 2 woke|thread 1 woke']),
      boot('staff', 2, ['p:pass:thread 1 woke|thread 2 woke']),
    ];
    const candidate = boot('candidate', 1, ['p:pass:thread 1 woke|thread 3 woke']);
    const sorted = run([...staff, candidate], { normalize: normalize(['p']) });
    expect(sorted.learned).toEqual([]);
    expect(classes(sorted)).toEqual({ p: 'output' });
    // In order, the reference's two orders are learned as masks, which hide the candidate's bug.
    const inOrder = run([...staff, candidate], { normalize: normalize([]) });
    expect(inOrder.learned).toEqual([
      { test: 'p', template: 'thread <learned> woke', reference: 'staff' },
    ]);
    expect(classes(inOrder)).toEqual({ p: 'same' });
  });

  it('sorts again after the masks, which can move a line', () => {
    // The mask `x <learned>` sorts after `x 7 y` ('<' > '7'); the lines it replaced sorted before.
    const j = run(
      [
        boot('staff', 1, ['p:pass:x 1|x 7 y']),
        boot('staff', 2, ['p:pass:x 2|x 7 y']),
        boot('candidate', 1, ['p:pass:x 9|x 7 y']),
      ],
      { normalize: normalize(['p']) },
    );
    expect(j.learned).toEqual([{ test: 'p', template: 'x <learned>', reference: 'staff' }]);
    expect(classes(j)).toEqual({ p: 'same' });
    expect(j.tests[0]?.observations.candidate?.[0]?.output).toEqual(['x 7 y', 'x <learned>']);
  });

  it('leaves the order alone when output is not compared', () => {
    const j = run([boot('staff', 1, ['p:pass:a|b']), boot('candidate', 1, ['p:pass:b|a'])], {
      normalize: normalize(['p']),
      compareOutput: false,
    });
    expect(j.tests[0]?.verdict.reason).toBe('matches staff');
  });
});

describe('judge: references that vary on a test', () => {
  // Pintos' mlfqs tests are timing-sensitive under TCG: the staff kernel fails one now and then.
  const staff = [
    boot('staff', 1, ['mlfqs:pass:begin|end']),
    boot('staff', 2, ['mlfqs:fail:begin|FAIL load average too high']),
    boot('staff', 3, ['mlfqs:pass:begin|end']),
  ];

  it('a candidate that varies as the reference does is same, with the note in its verdict', () => {
    const j = run([
      ...staff,
      boot('candidate', 1, ['mlfqs:fail:begin|FAIL load average too high']),
      boot('candidate', 2, ['mlfqs:pass:begin|end']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({
      class: 'same',
      varying: ['staff'],
      failing: false,
      counts: { candidate: '1:2', staff: '1:3' },
    });
    expect(j.tests[0]?.verdict.reason).toMatch(
      /; the references vary on this test \(staff: 2 outcomes in 3 runs\)$/,
    );
    expect(j.clusters).toEqual([]);
  });

  it('a candidate that fails another way on every run is a regression, still noted', () => {
    const j = run([
      ...staff,
      boot('candidate', 1, ['mlfqs:fail:begin|FAIL load average 9.1']),
      boot('candidate', 2, ['mlfqs:fail:FAIL no threads ran']),
    ]);
    expect(j.tests[0]?.verdict).toMatchObject({
      class: 'regression',
      varying: ['staff'],
      failing: true,
    });
  });

  it('no note where the references never vary', () => {
    const j = run([boot('staff', 1, ['a:pass']), boot('candidate', 1, ['a:pass'])]);
    expect(j.tests[0]?.verdict).not.toHaveProperty('varying');
  });
});
