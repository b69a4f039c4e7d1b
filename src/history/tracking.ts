/**
 * `track-issues`: one issue per broken test (docs/history.md). Pure: the history's timeline and
 * the tracked issues found on GitHub in, what to write out. An issue is known by a hidden marker
 * holding a digest of the test's key (test ids are kernel output: never raw in an HTML
 * comment), so it is found again whatever its title became.
 */
import { codeBlock, inlineCode, inlineText, link, singleLine } from '../render/escape.js';
import { plural } from '../render/markdown.js';
import type { RunRef, TestFacts, TestState } from '../model/history.js';
import { testDigest } from './site.js';
import { classOfCode, codeAt, stateOfCode, statusOfCode, type Timeline } from './timeline.js';

/** The label every tracked issue carries; the issues are listed by it. */
export const TRACK_LABEL = 'diverge';
/** Good runs in a row after which a tracked issue is closed, unless told otherwise. */
export const CLOSE_AFTER = 3;
/** Issues opened in one run at most: a toolchain break of every test opens the rest later. */
export const MAX_NEW_ISSUES = 20;

const MARKER = /<!-- diverge-track: ([0-9a-f]{16}) -->/;
export const trackMarker = (test: string) => `<!-- diverge-track: ${testDigest(test)} -->`;
/** The digest in an issue body's marker, if it has one. */
export const markerOf = (body: string): string | undefined => MARKER.exec(body)?.[1];

/** A tracked issue as found on GitHub. */
export interface TrackedIssue {
  number: number;
  open: boolean;
  /** The marker's digest. */
  digest: string;
}

/** The first commit of a push that diverges, when the action's bisect ran in the same job. */
export interface BisectCulprit {
  sha: string;
  subject: string;
  /** The tests that diverge at it (empty: not said). */
  tests: string[];
}

export interface TrackingInput {
  timeline: Timeline;
  facts: readonly TestFacts[];
  issues: readonly TrackedIssue[];
  closeAfter: number;
  /** The default branch, for the words. */
  branch: string;
  culprit?: BisectCulprit;
  /** The test's page of the history (the branch's site). */
  historyLink: (test: string) => string;
}

export type IssueWrite =
  | { kind: 'open'; test: string; title: string; body: string }
  | { kind: 'flip'; test: string; number: number; comment: string; title?: string; body?: string }
  | { kind: 'close'; test: string; number: number; comment: string; reason: 'completed' }
  | { kind: 'duplicate'; test: string; number: number; comment: string; reason: 'duplicate' };

const short = (commit: string) => commit.slice(0, 12);
const runLink = (run: RunRef) =>
  run.link ? link(short(run.commit), run.link) : inlineCode(short(run.commit));

/** The test's state in each run that had it, newest first. */
function presentStates(timeline: Timeline, t: number): { r: number; state: TestState }[] {
  const states: { r: number; state: TestState }[] = [];
  for (let r = timeline.runs.length - 1; r >= 0; r--) {
    const state = stateOfCode(codeAt(timeline, r, t));
    if (state !== 'absent') states.push({ r, state });
  }
  return states;
}

/** The culprit: the bisect's when it ran over this very break, else the first broken run's commit. */
function culpritOf(input: TrackingInput, facts: TestFacts, brokeNow: boolean) {
  const bisect = input.culprit;
  if (bisect && brokeNow && (bisect.tests.length === 0 || bisect.tests.includes(facts.id)))
    return { sha: bisect.sha, how: `found by bisect: ${inlineText(bisect.subject)}` };
  return {
    sha: facts.brokenSince?.commit ?? '',
    how: 'the commit of the first broken run',
  };
}

function issueText(
  input: TrackingInput,
  facts: TestFacts,
  t: number,
  streak: number[],
  brokeNow: boolean,
) {
  const { timeline } = input;
  const culprit = culpritOf(input, facts, brokeNow);
  const classes = [
    ...new Set(
      streak.map((r) => {
        const code = codeAt(timeline, r, t);
        return `${classOfCode(code) ?? '?'} (${statusOfCode(code) ?? '?'})`;
      }),
    ),
  ];
  const since = facts.brokenSince;
  const good = facts.lastGood;
  const name = singleLine(facts.id).slice(0, 200);
  const title = `diverge: ${name} broken since ${short(culprit.sha)}`;
  const body = [
    trackMarker(facts.id),
    `${inlineCode(name)} is broken on ${inlineCode(input.branch)}.`,
    '',
    '| | |',
    '| --- | --- |',
    `| culprit | ${inlineCode(culprit.sha)} (${culprit.how}) |`,
    `| classes | ${classes.join(', ')} |`,
    `| first bad run | ${since ? `${runLink(since)}, ${since.time}` : 'unknown'} |`,
    `| cause | ${facts.cause ?? 'unknown'}${facts.cause === 'commit' || facts.cause === null ? '' : ' (broke with no commit)'} |`,
    `| last good run | ${good ? `${runLink(good)}, ${good.time}` : 'none'} |`,
    `| history | ${link('the test in the dashboard', input.historyLink(facts.id))} |`,
    '',
    ...(good && since && good.commit !== since.commit
      ? [
          'The commits between, bisected locally:',
          '',
          codeBlock([`diverge bisect --good ${good.commit} --bad ${since.commit}`], 'sh'),
          '',
        ]
      : []),
    `diverge closes this issue when the test has been good for ${input.closeAfter} runs in a row.`,
  ].join('\n');
  return { title, body };
}

/** What to write for one test, given its tracked issues. */
function planTest(
  input: TrackingInput,
  facts: TestFacts,
  t: number,
  issues: readonly TrackedIssue[],
): IssueWrite[] {
  const states = presentStates(input.timeline, t);
  const now = states[0];
  if (!now) return [];
  const before = states[1]?.state;
  const open = issues.filter((i) => i.open).sort((a, b) => a.number - b.number);
  const [issue, ...extra] = open;
  const writes: IssueWrite[] = extra.map((dup) => ({
    kind: 'duplicate',
    test: facts.id,
    number: dup.number,
    comment: `Duplicate of #${issue?.number ?? ''}: diverge keeps one issue per test.`,
    reason: 'duplicate',
  }));
  const word = `${inlineCode(singleLine(facts.id).slice(0, 200))}`;
  const at = runLink(input.timeline.runs[now.r] as RunRef);
  if (now.state === 'broken') {
    const end = states.findIndex((s) => s.state !== 'broken');
    const streak = (end < 0 ? states : states.slice(0, end)).map((s) => s.r);
    const brokeNow = before !== 'broken';
    const text = issueText(input, facts, t, streak, brokeNow);
    if (!issue) {
      // A test broken before tracking began (or before a human closed its issue) is opened
      // only when no issue ever tracked it.
      if (brokeNow || issues.length === 0) writes.push({ kind: 'open', test: facts.id, ...text });
    } else if (brokeNow)
      writes.push({
        kind: 'flip',
        test: facts.id,
        number: issue.number,
        comment: `${word} is broken again at ${at} (was ${before ?? 'absent'}).`,
        ...text,
      });
    return writes;
  }
  if (!issue) return writes;
  const good = states.findIndex((s) => s.state !== 'good');
  const goodRuns = good < 0 ? states.length : good;
  if (goodRuns >= input.closeAfter)
    writes.push({
      kind: 'close',
      test: facts.id,
      number: issue.number,
      comment: `${word} has been good for ${plural(goodRuns, 'run')} in a row (the latest: ${at}): closing.`,
      reason: 'completed',
    });
  else if (before === 'broken')
    writes.push({
      kind: 'flip',
      test: facts.id,
      number: issue.number,
      comment: `${word} is ${now.state} at ${at}${now.state === 'good' ? ` (the issue closes after ${input.closeAfter} good runs in a row)` : ''}.`,
    });
  return writes;
}

/** Every write the tracked issues need after the latest run; new issues capped at MAX_NEW_ISSUES. */
export function planIssues(input: TrackingInput): IssueWrite[] {
  const byDigest = new Map<string, TrackedIssue[]>();
  for (const issue of input.issues)
    byDigest.set(issue.digest, [...(byDigest.get(issue.digest) ?? []), issue]);
  const writes: IssueWrite[] = [];
  let opened = 0;
  input.timeline.tests.forEach((test, t) => {
    const facts = input.facts[t];
    if (!facts) return;
    for (const write of planTest(input, facts, t, byDigest.get(testDigest(test)) ?? [])) {
      if (write.kind === 'open' && opened++ >= MAX_NEW_ISSUES) continue;
      writes.push(write);
    }
  });
  return writes;
}
