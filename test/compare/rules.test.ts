/**
 * One row per rule of compare/classify.ts: what the candidate's runs and the references' runs
 * were, and the class (and blame) that makes. Every class of the table has a row.
 */
import { describe, expect, it } from '@jest/globals';
import { type Blame, DIVERGENCE_CLASSES, type DivergenceClass } from '../../src/model/classes.js';
import { classify } from '../../src/compare/classify.js';
import { judge } from '../../src/compare/judge.js';
import type { RunView } from '../../src/compare/runs.js';
import type { BootOutcome } from '../../src/model/boot.js';
import { boot, bootRecord } from '../helpers/observations.js';

/** How a boot that did not report the test ended. */
const ENDED: Record<string, BootOutcome> = {
  crashed: 'panic',
  hung: 'timeout',
  absent: 'completed',
  infra: 'qemu-error',
};

/** Runs separated by `, `, each `status`, `status:line|line`, or crashed / hung / absent / infra. */
function runs(kernel: string, specs: string): RunView[] {
  return specs.split(', ').map((spec, i) => {
    const attempt = i + 1;
    const [what = '', output] = spec.split(':');
    const outcome = ENDED[what];
    if (outcome !== undefined) {
      const kind = what as 'crashed' | 'hung' | 'absent' | 'infra';
      return { attempt, kind, boot: bootRecord(kernel, attempt, outcome) };
    }
    const status = what as 'pass' | 'fail' | 'skip' | 'error';
    return { attempt, kind: 'observed', status, output: output ? output.split('|') : [] };
  });
}

type Rule = [
  situation: string,
  candidate: string,
  references: Record<string, string>,
  cls: DivergenceClass,
];

const RULES: Rule[] = [
  ['same status and output as the references', 'pass:ok', { staff: 'pass:ok' }, 'same'],
  [
    'failing the same way as every reference',
    'fail:boom',
    { staff: 'fail:boom', v1: 'fail:boom' },
    'same',
  ],
  [
    'in the set of outcomes every reference run allowed',
    'fail',
    { staff: 'pass, fail', v1: 'fail, pass' },
    'same',
  ],
  ['passing on the references, failing on the candidate', 'fail', { staff: 'pass' }, 'regression'],
  [
    'passing on the references, erroring on the candidate',
    'error',
    { staff: 'pass' },
    'regression',
  ],
  ['passing on the references, skipped on the candidate', 'skip', { staff: 'pass' }, 'regression'],
  ['skipped on the references, failing on the candidate', 'fail', { staff: 'skip' }, 'regression'],
  [
    'skipped on the references, erroring on the candidate',
    'error',
    { staff: 'skip' },
    'regression',
  ],
  ['failing on the references, passing on the candidate', 'pass', { staff: 'fail' }, 'fix'],
  ['erroring on the references, passing on the candidate', 'pass', { staff: 'error' }, 'fix'],
  ['skipped on the references, passing on the candidate', 'pass', { staff: 'skip' }, 'fix'],
  ['same status, different output', 'pass:got 41', { staff: 'pass:got 42' }, 'output'],
  ['fail on the references, error on the candidate', 'error', { staff: 'fail' }, 'output'],
  ['error on the references, fail on the candidate', 'fail', { staff: 'error' }, 'output'],
  ['failing on the references, skipped on the candidate', 'skip', { staff: 'fail' }, 'output'],
  ['erroring on the references, skipped on the candidate', 'skip', { staff: 'error' }, 'output'],
  ["the candidate's boot panicked before the test", 'crashed', { staff: 'pass' }, 'crash'],
  ["the candidate's boot hung before the test", 'hung', { staff: 'pass' }, 'hang'],
  ["the candidate's boot finished without the test", 'absent', { staff: 'pass' }, 'missing'],
  ['no reference reports the test', 'pass', { staff: 'absent' }, 'new'],
  ["the candidate's runs disagree", 'pass, fail', { staff: 'pass' }, 'flaky'],
  [
    "the candidate's runs disagree, one of them crashed",
    'pass, crashed',
    { staff: 'pass' },
    'flaky',
  ],
  [
    'the candidate matches some references only',
    'pass',
    { staff: 'pass', v1: 'fail' },
    'ambiguous',
  ],
  ['references that share no status', 'error', { staff: 'pass', v1: 'fail' }, 'ambiguous'],
  [
    'references that share a status judge by it',
    'error',
    { staff: 'pass, fail', v1: 'pass' },
    'regression',
  ],
  // References that vary on the test (docs/report.md, "Runs that disagree").
  [
    'runs that differ as the references do, each an outcome every reference showed',
    'pass:a|b, pass:b|a',
    { staff: 'pass:b|a, pass:a|b, pass:a|b' },
    'same',
  ],
  [
    'runs that differ, each an outcome every varying reference showed',
    'pass, fail, pass',
    { staff: 'fail, pass', v1: 'pass, fail' },
    'same',
  ],
  [
    'runs that differ, each shown by some reference but not all by every one',
    'pass, fail',
    { staff: 'pass, fail', v1: 'pass' },
    'ambiguous',
  ],
  [
    'runs that match the varying references only sometimes',
    'pass:a|b, pass:a|c',
    { staff: 'pass:a|b, pass:b|a' },
    'flaky',
  ],
  [
    'failing on every run, varying as the references do',
    'fail:b|a, fail:a',
    { staff: 'pass:a|b, pass:b|a' },
    'regression',
  ],
  [
    'other output on every run, varying as the references do',
    'pass:a|c, pass:c|a',
    { staff: 'pass:a|b, pass:b|a' },
    'output',
  ],
  [
    'outside what the varying references showed on every run, but not alike',
    'fail:a, pass:c',
    { staff: 'pass:a|b, pass:b|a' },
    'flaky',
  ],
  [
    'crashing on one run and hanging on another, the references varying',
    'crashed, hung',
    { staff: 'pass:a, pass:b' },
    'flaky',
  ],
  [
    'failing on every run in another way, on references that never vary',
    'fail:x, fail:y',
    { staff: 'pass, pass' },
    'flaky',
  ],
];

/** Rules whose verdict the candidate is not to blame for. */
const BLAMED: [...Rule, Blame][] = [
  ['QEMU could not boot the candidate', 'infra', { staff: 'pass' }, 'ambiguous', 'infrastructure'],
  ['no reference finished the test', 'pass', { staff: 'crashed' }, 'ambiguous', 'reference'],
];

function classifyRuns(candidate: string, references: Record<string, string>) {
  const refs = new Map(
    Object.entries(references).map(([name, specs]) => [name, runs(name, specs)]),
  );
  return classify(runs('candidate', candidate), refs, true);
}

describe('classify: one class per situation', () => {
  it.each(RULES)('%s: candidate %s, references %j → %s', (_, candidate, references, cls) => {
    expect(classifyRuns(candidate, references)).toMatchObject({ class: cls, blame: 'kernel' });
  });

  it.each(BLAMED)(
    '%s: candidate %s, references %j → %s, blamed on %s',
    (_, candidate, references, cls, blame) => {
      expect(classifyRuns(candidate, references)).toMatchObject({ class: cls, blame });
    },
  );

  it('a divergence an expectations entry accepts is expected', () => {
    const { tests } = judge({
      observations: [boot('staff', 1, ['a:pass']), boot('candidate', 1, ['a:fail'])],
      candidate: 'candidate',
      references: ['staff'],
      normalize: { builtin: [], rules: [] },
      compareOutput: true,
      expectations: [{ test: 'a', classes: ['regression'], reason: 'known bug' }],
      failOn: [],
      scope: { arch: 'x86_64', variant: 'default', today: '2026-11-22' },
    });
    expect(tests[0]?.verdict).toMatchObject({
      class: 'expected',
      expected: { class: 'regression' },
    });
  });

  it('every class has a rule above', () => {
    const covered = new Set([...RULES, ...BLAMED].map((rule) => rule[3]));
    covered.add('expected');
    expect([...covered].sort()).toEqual([...DIVERGENCE_CLASSES].sort());
  });
});

describe('classify: references that vary', () => {
  it('names them in varying and says so at the end of the reason, whatever the class', () => {
    const same = classifyRuns('pass:a|b, pass:b|a', { staff: 'pass:a|b, pass:b|a, pass:a|b' });
    expect(same).toMatchObject({ class: 'same', varying: ['staff'], agreeing: ['staff'] });
    expect(same?.reason).toBe(
      'each of its runs matches a run of staff: it passes (2/2 runs); the references vary on this test (staff: 2 outcomes in 3 runs)',
    );
    const regression = classifyRuns('fail:x', { staff: 'pass:a, pass:b', v1: 'pass:a' });
    expect(regression).toMatchObject({ class: 'regression', varying: ['staff'] });
    expect(regression?.reason).toMatch(
      /; the references vary on this test \(staff: 2 outcomes in 2 runs\)$/,
    );
    const infra = classifyRuns('infra', { staff: 'pass, fail' });
    expect(infra).toMatchObject({
      class: 'ambiguous',
      blame: 'infrastructure',
      varying: ['staff'],
    });
  });

  it('a reference that varies only in runs that did not report the test does not vary', () => {
    const result = classifyRuns('pass, crashed', { staff: 'pass, crashed' });
    expect(result).toMatchObject({ class: 'flaky' });
    expect(result?.varying).toBeUndefined();
    expect(result?.reason).toBe(
      "the candidate's runs disagree: it passes (1/2 runs), crashes before it (1/2 runs)",
    );
  });

  it('references that never vary leave no note', () => {
    const result = classifyRuns('pass, pass', { staff: 'pass, pass', v1: 'pass' });
    expect(result).toMatchObject({ class: 'same', reason: 'matches staff, v1' });
    expect(result).not.toHaveProperty('varying');
  });

  it('without output comparison only the status can vary', () => {
    const refs = new Map([['staff', runs('staff', 'pass:a, pass:b')]]);
    const result = classify(runs('candidate', 'pass:c, pass:d'), refs, false);
    expect(result).toMatchObject({ class: 'same', reason: 'matches staff' });
    expect(result?.varying).toBeUndefined();
  });

  it('a flaky candidate on varying references: how many of its runs no reference showed', () => {
    const result = classifyRuns('pass:a|b, pass:a|c, pass:b|a', { staff: 'pass:a|b, pass:b|a' });
    expect(result?.reason).toBe(
      "the candidate's runs disagree: it passes (3/3 runs); 1 of its 3 runs matches no reference run; the references vary on this test (staff: 2 outcomes in 2 runs)",
    );
  });
});
