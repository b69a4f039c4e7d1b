/**
 * What the history says about each test (docs/history.md): its current state, since when it is
 * broken and what changed then, when it was last good, how flaky it has been lately, and
 * whether it was fixed. Pure: a timeline in, facts out.
 */
import type { BreakCause, RunRef, TestFacts, TestState } from '../model/history.js';
import { codeAt, classOfCode, stateOfCode, type Timeline, type TimelineRun } from './timeline.js';

/** The flake rate is over this many of the test's latest runs unless told otherwise. */
export const FLAKE_WINDOW = 20;

const refOf = (run: TimelineRun): RunRef => ({
  commit: run.commit,
  time: run.time,
  ...(run.link ? { link: run.link } : {}),
});

/** What changed from `before` to `at`: the commit first, then the references, then the toolchain. */
export function causeOf(before: TimelineRun | undefined, at: TimelineRun): BreakCause {
  if (!before) return 'unknown';
  if (before.commit !== at.commit) return 'commit';
  if (before.references !== at.references) return 'references';
  if (before.toolchain !== at.toolchain) return 'toolchain';
  return 'nothing';
}

/**
 * The first run of the streak of `state` that ends with the latest run in which the test is
 * present (runs without the test neither end nor extend it), and the run before the streak.
 */
function streakStart(
  timeline: Timeline,
  t: number,
  state: TestState,
): { first: number; before: number } {
  let first = -1;
  for (let r = timeline.runs.length - 1; r >= 0; r--) {
    const here = stateOfCode(codeAt(timeline, r, t));
    if (here === 'absent') continue;
    if (here !== state) return { first, before: r };
    first = r;
  }
  return { first, before: -1 };
}

export function testFacts(timeline: Timeline, t: number, window = FLAKE_WINDOW): TestFacts {
  const { runs } = timeline;
  const run = (r: number) => runs[r] as TimelineRun;
  const last = runs.length - 1;
  const state = last < 0 ? 'absent' : stateOfCode(codeAt(timeline, last, t));
  let lastGood: RunRef | null = null;
  let present = 0;
  let flaky = 0;
  for (let r = last; r >= 0 && (lastGood === null || present < window); r--) {
    const code = codeAt(timeline, r, t);
    if (code === 0) continue;
    if (present < window) {
      present++;
      if (classOfCode(code) === 'flaky') flaky++;
    }
    if (lastGood === null && stateOfCode(code) === 'good') lastGood = refOf(run(r));
  }
  let brokenSince: RunRef | null = null;
  let cause: BreakCause | null = null;
  let fixedAt: RunRef | null = null;
  if (state === 'broken') {
    const { first, before } = streakStart(timeline, t, 'broken');
    brokenSince = refOf(run(first));
    cause = causeOf(runs[before], run(first));
  } else if (state === 'good') {
    const { first, before } = streakStart(timeline, t, 'good');
    if (before >= 0 && stateOfCode(codeAt(timeline, before, t)) === 'broken')
      fixedAt = refOf(run(first));
  }
  return {
    id: timeline.tests[t] as string,
    state,
    brokenSince,
    lastGood,
    flakeRate: present === 0 ? 0 : flaky / present,
    cause,
    fixedAt,
  };
}

/** Every test's facts, in the order tests were first seen. */
export const allFacts = (timeline: Timeline, window = FLAKE_WINDOW): TestFacts[] =>
  timeline.tests.map((_, t) => testFacts(timeline, t, window));

/** A test is flaky when its latest state is, or when it was flaky in some of its latest runs. */
export const isFlaky = (facts: TestFacts) => facts.state === 'flaky' || facts.flakeRate > 0;

/** Whether a test broke with no commit: the run that broke it had the same commit as the one before. */
export const brokeWithNoCommit = (facts: TestFacts) =>
  facts.cause !== null && facts.cause !== 'commit' && facts.cause !== 'unknown';
