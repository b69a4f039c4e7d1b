/**
 * A report for a terminal: a line per divergence, capped diffs, a summary line. Text from the
 * report is stripped of control characters and escape sequences first: a saved report may have
 * been tampered with, and kernel output can hold anything.
 */
import { styleText } from 'node:util';
import { expandTabs, singleLine, splitLines } from './escape.js';
import { CLASS_ORDER, CLASSES, DIVERGENCE_CLASSES, SEVERITIES } from '../model/classes.js';
import {
  classCount,
  divergenceEntries,
  num,
  percent,
  plural,
  sameThoughVarying,
  type DivergenceEntry,
} from './markdown.js';
import type { Report, Verdict } from '../model/report.js';

export interface TerminalOptions {
  /** ANSI colours (node:util's styleText); the entry decides (NO_COLOR, FORCE_COLOR, a TTY). */
  color: boolean;
  /** Diff lines shown per entry (default 20). */
  maxDiffLines?: number;
  /**
   * Divergences shown, most severe first (default 50): a run of a million tests can diverge on
   * tens of thousands, and every one is in report.md and report.html.
   */
  maxEntries?: number;
}

/** Test ids listed on one line (a cluster's, the expected ones) before "… N more". */
const MAX_IDS = 20;

type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'bold' | 'dim';

// Maps, not objects: a tampered class such as `constructor` must find no style.
const CLASS_STYLE = new Map<string, Style>(
  DIVERGENCE_CLASSES.map((cls) => [cls, SEVERITIES[CLASSES[cls].severity].style]),
);
const CONCLUSION_STYLE = new Map<string, Style>([
  ['success', 'green'],
  ['failure', 'red'],
  ['neutral', 'yellow'],
]);
const INDENT = '    ';
/** Width of the class column: the longest class names (`regression`, `ambiguous`). */
const CLASS_WIDTH = 10;

/** Untrusted text as one printable line. */
const line = (text: string): string => expandTabs(singleLine(text));

function diffStyle(diffLine: string): Style | undefined {
  if (diffLine.startsWith('+++') || diffLine.startsWith('---')) return 'bold';
  if (diffLine.startsWith('@@')) return 'cyan';
  if (diffLine.startsWith('+')) return 'green';
  if (diffLine.startsWith('-')) return 'red';
  return undefined;
}

export function renderTerminal(report: Report, options: TerminalOptions): string {
  const paint = (style: Style | undefined, text: string) =>
    // Whether to colour is the caller's decision, made once from the environment.
    options.color && style !== undefined ? styleText(style, text, { validateStream: false }) : text;
  const maxDiffLines = options.maxDiffLines ?? 20;
  const maxEntries = options.maxEntries ?? 50;
  const out: string[] = [];

  const references = report.references.map((ref) =>
    ref.broken === undefined
      ? line(ref.name)
      : `${line(ref.name)} ${paint('yellow', `(broken: ${line(ref.broken)})`)}`,
  );
  const variant = report.variant === 'default' ? '' : ` (${line(report.variant)})`;
  out.push(
    `${paint('bold', `diverge${variant}`)}: ${line(report.candidate.name)} vs ${references.join(', ') || 'no references'}` +
      ` · ${line(report.machine.arch)} ${line(report.machine.profile)} · ${line(report.run.host.accel)}`,
  );

  const facts = (verdict: Verdict) => {
    const counts = Object.entries(verdict.counts ?? {})
      .map(([kernel, count]) => `${line(kernel)} ${line(count)}`)
      .join(', ');
    const parts = [
      `fail:runs ${counts || 'none'}`,
      `agreeing ${(verdict.agreeing ?? []).map(line).join(', ') || 'none'}`,
      `confidence ${percent(verdict.confidence)}`,
    ];
    if (verdict.blame !== 'kernel') parts.push(`blamed on ${line(verdict.blame)}`);
    if (!verdict.failing) parts.push('does not fail the run');
    return paint('dim', parts.join(' · '));
  };

  const entry = ({ tests, signature }: DivergenceEntry) => {
    const [first] = tests;
    if (first === undefined) return;
    const { verdict } = first;
    const cls = line(verdict.class);
    const label = `${verdict.failing ? '✗' : '•'} ${paint(CLASS_STYLE.get(cls), cls.padEnd(CLASS_WIDTH))}`;
    if (tests.length > 1) {
      out.push(`${label} ${tests.length} tests: ${line(signature ?? '')}`);
      const more = tests.length > MAX_IDS ? [`… ${tests.length - MAX_IDS} more`] : [];
      const ids = [...tests.slice(0, MAX_IDS).map((test) => line(test.id)), ...more];
      out.push(INDENT + ids.join(', '));
      out.push(`${INDENT}${line(first.id)}: ${line(verdict.reason)}`);
    } else {
      out.push(`${label} ${line(first.id)}: ${line(verdict.reason)}`);
    }
    out.push(INDENT + facts(verdict));
    if (!verdict.diff) return;
    const diff = splitLines(verdict.diff).map((diffLine) => expandTabs(diffLine));
    if (diff.at(-1) === '') diff.pop();
    for (const diffLine of diff.slice(0, maxDiffLines)) {
      out.push(INDENT + paint(diffStyle(diffLine), diffLine));
    }
    if (diff.length > maxDiffLines) {
      out.push(INDENT + paint('dim', `… ${plural(diff.length - maxDiffLines, 'more line')}`));
    }
  };

  const entries = divergenceEntries(report);
  if (entries.length > 0) out.push('');
  entries.slice(0, maxEntries).forEach(entry);
  const unshown = entries.slice(maxEntries);
  if (unshown.length > 0) {
    const tests = unshown.reduce((sum, { tests }) => sum + tests.length, 0);
    const what = `${plural(unshown.length, 'more divergence')} (${plural(tests, 'test')})`;
    out.push(paint('dim', `… ${what}: every one is in report.md and report.html`));
  }

  const expected = report.tests.filter((test) => test.verdict.class === 'expected');
  const stale = report.expectations.stale;
  const learned = report.normalization.learned;
  const varying = sameThoughVarying(report);
  if (expected.length + stale.length + learned.length + varying.length > 0) out.push('');
  for (const { id, verdict } of expected.slice(0, MAX_IDS)) {
    const match = verdict.expected;
    const was =
      match === undefined ? '' : ` (would be ${line(match.class)}): ${line(match.reason)}`;
    out.push(paint('dim', `• ${'expected'.padEnd(CLASS_WIDTH)} ${line(id)}${was}`));
  }
  if (expected.length > MAX_IDS)
    out.push(paint('dim', `• ${plural(expected.length - MAX_IDS, 'more expected test')}`));
  for (const item of stale) {
    out.push(paint('yellow', `stale expectation ${line(item.test)}: ${line(item.reason)}`));
  }
  if (varying.length > 0) {
    const shown = varying.slice(0, 5).map((test) => line(test.id));
    if (varying.length > 5) shown.push('…');
    const what = `${plural(varying.length, 'test')} the references vary on`;
    out.push(paint('dim', `${what}, the candidate within what they showed: ${shown.join(', ')}`));
  }
  if (learned.length > 0) {
    const [mask] = learned;
    const example = mask === undefined ? '' : `, e.g. ${line(mask.template)} in ${line(mask.test)}`;
    out.push(paint('dim', `${plural(learned.length, 'learned normalisation mask')}${example}`));
  }

  const { summary } = report;
  const byClass = (['same', ...CLASS_ORDER.filter((cls) => cls !== 'same')] as const)
    .filter((cls) => classCount(summary, cls) > 0)
    .map((cls) => `${classCount(summary, cls)} ${cls}`);
  const conclusion = line(summary.conclusion);
  const failing = num(summary.failing);
  let last = `${plural(num(summary.tests), 'test')}: ${byClass.join(', ') || 'none'} — `;
  last += paint(CONCLUSION_STYLE.get(conclusion) ?? 'yellow', conclusion);
  if (failing > 0) last += ` (${failing} failing)`;
  if (summary.note !== undefined) last += ` — ${line(summary.note)}`;
  out.push('', last);
  return `${out.join('\n')}\n`;
}
