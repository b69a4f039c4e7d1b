/**
 * `diverge history show`: what is broken, since when and why, what is flaky and what was fixed,
 * for a terminal; and the same facts for machines.
 */
import type { BreakCause, RunRef, TestFacts } from '../model/history.js';
import { singleLine } from '../render/escape.js';
import { brokeWithNoCommit, isFlaky } from './facts.js';
import type { Timeline } from './timeline.js';

/** A test id (kernel output) as one line of at most this many characters. */
export const ID_CHARS = 200;

export function shownId(id: string): string {
  const line = [...singleLine(id)];
  return line.length > ID_CHARS ? `${line.slice(0, ID_CHARS - 1).join('')}…` : line.join('');
}

const shortRun = (run: RunRef) => `${singleLine(run.commit).slice(0, 12)} (${run.time})`;

export const CAUSE_WORDS: Record<BreakCause, string> = {
  commit: 'with a commit',
  references: 'with no commit: the references changed',
  toolchain: 'with no commit: the toolchain changed (diverge, QEMU, build image or harness)',
  nothing: 'with no commit and nothing else changed',
  unknown: 'in the first run that had it',
};

type Broken = TestFacts & { brokenSince: RunRef };
type Fixed = TestFacts & { fixedAt: RunRef };

/** The tests people look at first: broken (newest break first), then flaky, then fixed. */
export function sections(facts: readonly TestFacts[]) {
  return {
    // The newest break first: it is the one people have not heard of yet.
    broken: facts
      .filter((f): f is Broken => f.state === 'broken' && f.brokenSince !== null)
      .sort((a, b) => Date.parse(b.brokenSince.time) - Date.parse(a.brokenSince.time)),
    flaky: facts.filter((f) => f.state !== 'broken' && isFlaky(f)),
    fixed: facts.filter((f): f is Fixed => f.fixedAt !== null),
  };
}

export function historyText(timeline: Timeline, facts: readonly TestFacts[]): string {
  const { runs } = timeline;
  const latest = runs.at(-1);
  if (!latest) return 'No runs recorded yet.\n';
  const { broken, flaky, fixed } = sections(facts);
  const lines = [
    `${runs.length} runs, ${facts.length} tests; latest ${shortRun(latest)}, ${singleLine(latest.ref)}`,
    broken.length === 0 ? 'Nothing is broken.' : `${broken.length} broken:`,
  ];
  for (const f of broken) {
    lines.push(`  ${shownId(f.id)}`);
    lines.push(`    broken since ${shortRun(f.brokenSince)}, ${CAUSE_WORDS[f.cause ?? 'unknown']}`);
    lines.push(`    last good ${f.lastGood ? shortRun(f.lastGood) : 'never'}`);
  }
  if (flaky.length > 0) lines.push(`${flaky.length} flaky:`);
  for (const f of flaky)
    lines.push(`  ${shownId(f.id)}  ${Math.round(f.flakeRate * 100)}% of its latest runs`);
  if (fixed.length > 0) lines.push(`${fixed.length} fixed:`);
  for (const f of fixed) lines.push(`  ${shownId(f.id)}  good again since ${shortRun(f.fixedAt)}`);
  const noCommit = broken.filter(brokeWithNoCommit).length;
  if (noCommit > 0)
    lines.push(
      `${noCommit} broke with no commit: the toolchain or the references moved under them.`,
    );
  return `${lines.join('\n')}\n`;
}

/** `--json`: every test's facts, commits as given to `add`. */
export const historySummary = (facts: readonly TestFacts[]) => ({
  tests: facts.map((f) => ({
    id: f.id,
    state: f.state,
    brokenSince: f.brokenSince,
    lastGood: f.lastGood,
    flakeRate: f.flakeRate,
    cause: f.cause,
    fixedAt: f.fixedAt,
  })),
});
