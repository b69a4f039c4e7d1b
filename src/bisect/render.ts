/**
 * bisect.md and the terminal's lines for a bisect. Commit subjects and authors come from the
 * repository and test output from kernels: both are escaped wherever they are shown.
 */
import { codeBlock, inlineCode, inlineText, singleLine, stripControls } from '../render/escape.js';
import type { Commit, BisectStep, Bisect } from '../model/bisect.js';

/** A commit as lines name it. */
export const short = (sha: string) => sha.slice(0, 12);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** Most lines of one test's diff shown in bisect.md; the whole diff is in bisect.json. */
const DIFF_LINES = 60;

/** One line per step, as the terminal shows it when the step ends. */
export function stepLine(step: BisectStep): string {
  const notes = [
    step.build,
    `${step.boots} boot(s)`,
    ...(step.diverging.length ? [`diverging: ${step.diverging.slice(0, 5).join(', ')}`] : []),
    ...(step.flaky.length ? [`flaky: ${step.flaky.slice(0, 5).join(', ')}`] : []),
    ...(step.reason ? [step.reason] : []),
  ];
  return singleLine(
    `round ${step.round}: ${short(step.sha)} ${step.verdict.toUpperCase()} (${notes.join('; ')}, ${seconds(step.durationMs)}) ${step.subject.slice(0, 72)}`,
  );
}

const commitLine = (c: Commit) =>
  `${short(c.sha)} ${c.subject.slice(0, 100)} (${c.author}, ${c.date})`;

/** The result, as the terminal shows it at the end. */
export function resultText(bisect: Bisect): string {
  const lines: string[] = [];
  if (bisect.culprit) {
    lines.push(
      bisect.undecided.length
        ? `first bad commit (or one of ${bisect.undecided.length} skipped commit(s) before it: ${bisect.undecided.map((c) => short(c.sha)).join(' ')}):`
        : 'first bad commit:',
      `  ${commitLine(bisect.culprit)}`,
    );
    for (const test of bisect.tests) lines.push(`  ${test.id}: ${test.class}`);
  } else {
    lines.push(
      `the bad revision ${short(bisect.bad.sha)} ${bisect.outcome === 'bad-revision-good' ? 'does not diverge' : 'could not be built or booted'}: nothing to blame`,
    );
  }
  lines.push(
    `${bisect.steps.length} step(s) in ${bisect.rounds} round(s) of up to ${bisect.slots} over ${bisect.range.commits} commit(s) (a plain bisect: ${bisect.plainSteps} steps); ${bisect.builds.built} built, ${bisect.builds.reused} reused, ${bisect.builds.skipped} skipped; ${seconds(bisect.run.durationMs)}`,
  );
  return `${lines.map((line) => stripControls(line)).join('\n')}\n`;
}

const commitCell = (c: Commit) => `${inlineCode(short(c.sha))} ${inlineText(c.subject)}`;

export function renderBisectMarkdown(bisect: Bisect): string {
  const out: string[] = ['# diverge bisect', ''];
  out.push(
    `Between good ${commitCell(bisect.good)} and bad ${commitCell(bisect.bad)}: ${bisect.range.commits} commit(s)${bisect.range.firstParent ? ' (first parents only)' : ''}, judged against ${bisect.references.map(inlineCode).join(', ')}; a commit is bad when ${bisect.selection.tests.length ? bisect.selection.tests.map(inlineCode).join(', ') : 'any test'} diverges as ${bisect.selection.classes.map(inlineCode).join(', ')}.`,
    '',
  );
  if (bisect.culprit) {
    const c = bisect.culprit;
    out.push(
      '## First bad commit',
      '',
      `${inlineCode(c.sha)} ${inlineText(c.subject)}`,
      '',
      `Author: ${inlineText(c.author)}, ${inlineText(c.date)}`,
      '',
    );
    if (bisect.undecided.length)
      out.push(
        `Skipped commits just before it could be the first bad one instead: ${bisect.undecided.map((u) => commitCell(u)).join('; ')}.`,
        '',
      );
    if (bisect.tests.length) {
      out.push('### Tests that diverge there (against its parent)', '');
      for (const test of bisect.tests) {
        out.push(`- ${inlineCode(test.id)}: ${inlineCode(test.class)}`);
        if (test.diff) {
          const lines = test.diff.split('\n');
          const shown = lines.slice(0, DIFF_LINES);
          if (lines.length > DIFF_LINES)
            shown.push(`... ${lines.length - DIFF_LINES} more line(s)`);
          out.push('', codeBlock(shown, 'diff').replace(/^/gm, '  '), '');
        }
      }
      out.push('');
    }
  } else {
    out.push(
      '## No culprit',
      '',
      `The bad revision ${inlineCode(short(bisect.bad.sha))} ${bisect.outcome === 'bad-revision-good' ? 'does not diverge from the references' : 'could not be built or booted'}.`,
      '',
    );
  }
  out.push(
    '## Steps',
    '',
    '| round | commit | verdict | build | boots | time | note |',
    '|---:|---|---|---|---:|---:|---|',
  );
  for (const step of bisect.steps) {
    const note = [
      ...(step.diverging.length ? [`diverging: ${step.diverging.join(', ')}`] : []),
      ...(step.flaky.length ? [`flaky: ${step.flaky.join(', ')}`] : []),
      ...(step.reason ? [step.reason] : []),
    ].join('; ');
    out.push(
      `| ${step.round} | ${inlineCode(short(step.sha))} ${inlineText(step.subject.slice(0, 80))} | ${step.verdict} | ${step.build} | ${step.boots} | ${seconds(step.durationMs)} | ${inlineText(note.slice(0, 300))} |`,
    );
  }
  out.push('');
  if (bisect.skipped.length)
    out.push('## Skipped commits', '', ...bisect.skipped.map((c) => `- ${commitCell(c)}`), '');
  out.push(
    `${bisect.steps.length} step(s) in ${bisect.rounds} round(s) of up to ${bisect.slots} commit(s) (a plain one-at-a-time bisect: ${bisect.plainSteps} steps); builds: ${bisect.builds.built} built, ${bisect.builds.reused} reused, ${bisect.builds.skipped} skipped. Total time ${seconds(bisect.run.durationMs)}.`,
    '',
  );
  return out.join('\n');
}
