/**
 * What one bisect step's judgement says about its commit: bad when a selected test diverges in
 * a selected class (the kernel to blame), skipped when the infrastructure or the harness got in
 * the way, good otherwise. A commit whose selected tests came out bad or flaky is booted again
 * before its reading is trusted: one unlucky boot of a flaky kernel must not be blamed.
 */
import { type Blame, type DivergenceClass } from '../model/classes.js';
import { compileGlob, unmatchedGlobs } from '../util/glob.js';
import type { StepVerdict } from '../model/bisect.js';

export interface Selection {
  /** Test-id globs; empty: every test. */
  tests: readonly string[];
  /** Classes that make a commit bad (default: the config's fail-on). */
  classes: readonly DivergenceClass[];
}

export interface JudgedTest {
  id: string;
  /** `counts`: failing runs : runs, for `candidate` and each reference by name. */
  verdict: { class: DivergenceClass; blame: Blame; counts: Record<string, string> };
}

export interface StepReading {
  verdict: StepVerdict;
  /** Selected tests whose runs disagreed (class `flaky`). */
  flaky: string[];
  /** The selected tests that make the commit bad. */
  diverging: string[];
  /** Why a commit was skipped. */
  reason?: string;
}

/** A `--test` glob that matches none of the tests the references report: exit 2. */
export class SelectionError extends Error {}

/**
 * Checks that each --test glob matches one of `ids` (the tests judged: every test a reference or
 * the kernel reported), naming the nearest ids of one that does not. With no test at all there
 * is nothing to compare with, and the boots' own outcomes say why.
 */
export function checkSelection(selection: Selection, ids: readonly string[]): void {
  if (ids.length === 0) return;
  const problems = unmatchedGlobs(selection.tests, ids).map((m) => `--test ${m}`);
  if (problems.length > 0) throw new SelectionError(problems.join('\n'));
}

export const selects = (selection: Selection, id: string): boolean =>
  selection.tests.length === 0 || selection.tests.some((glob) => compileGlob(glob)(id));

/**
 * A test whose runs disagree only in how it failed (it failed in some boots and the boot died
 * before it in others, a boot starved on a loaded machine) never passed on the candidate: when
 * every reference run passed it, that is a regression, not flakiness.
 */
function neverPassed({ verdict }: JudgedTest): boolean {
  const parse = (count: string | undefined) => (count ?? '').split(':').map(Number);
  const [failing, runs] = parse(verdict.counts.candidate);
  const references = Object.entries(verdict.counts).filter(([name]) => name !== 'candidate');
  return (
    verdict.class === 'flaky' &&
    runs !== undefined &&
    runs > 0 &&
    failing === runs &&
    references.length > 0 &&
    references.every(([, count]) => parse(count)[0] === 0)
  );
}

/** Reads a judged step; a --test glob that matches no judged test throws a SelectionError. */
export function readStep(tests: readonly JudgedTest[], selection: Selection): StepReading {
  checkSelection(
    selection,
    tests.map((t) => t.id),
  );
  const selected = tests.filter((t) => selects(selection, t.id));
  const diverging = selected
    .filter(
      (t) =>
        t.verdict.blame === 'kernel' &&
        (selection.classes.includes(t.verdict.class) ||
          (selection.classes.includes('regression') && neverPassed(t))),
    )
    .map((t) => t.id);
  const flaky = selected
    .filter((t) => t.verdict.class === 'flaky' && !diverging.includes(t.id))
    .map((t) => t.id);
  if (diverging.length > 0) return { verdict: 'bad', flaky, diverging };
  const blocked = selected.filter(
    (t) => t.verdict.blame === 'infrastructure' || t.verdict.blame === 'harness',
  );
  if (blocked.length > 0)
    return {
      verdict: 'skip',
      flaky,
      diverging,
      reason: `${blocked.length} selected test(s) not judged: the ${blocked[0]?.verdict.blame} is to blame`,
    };
  return { verdict: 'good', flaky, diverging };
}

/** Whether a first reading must be confirmed by more boots before it is trusted. */
export const needsRecheck = (reading: StepReading): boolean =>
  reading.verdict === 'bad' || reading.flaky.length > 0;

/**
 * How a bisect step settles doubt (the judging session's recheck): a commit whose selected tests
 * read bad or flaky boots again, at least once, before it is trusted; the references' first
 * boots stay the yardstick.
 */
export const confirmation = (selection: Selection) => ({
  doubtful: ({ tests }: { tests: readonly JudgedTest[] }): string[] => {
    const reading = readStep(tests, selection);
    return needsRecheck(reading) ? [...reading.diverging, ...reading.flaky] : [];
  },
  atLeast: 1,
  references: false,
  announce: ({ tests }: { tests: readonly JudgedTest[] }, _kernels: unknown, times: number) =>
    `${readStep(tests, selection).verdict === 'bad' ? 'diverges' : 'flaky'}; booting it ${times} more time(s) before trusting it`,
});
