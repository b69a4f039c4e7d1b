/**
 * A report as GitHub Markdown (check-run summary, PR comment, job summary). Everything taken from
 * the report goes through `escape.ts`: ids, outputs and even reference names are untrusted, and the
 * report may come from a fork's workflow.
 */
import {
  byteLength,
  codeBlock,
  htmlText,
  inlineCode,
  inlineText,
  link,
  splitLines,
  truncateUtf8,
} from './escape.js';
import {
  CLASS_ORDER,
  type DivergenceClass,
  isShownDivergence,
  SEVERITY_ORDER,
} from '../model/classes.js';
import type { Report, ReportKernel, ReportTest, Verdict } from '../model/report.js';

export interface MarkdownOptions {
  /** Hard limit on the output's UTF-8 bytes (GitHub's comment limit is 65536). */
  budgetBytes?: number;
  /** Where the full report is, linked from the note when entries had to be left out. */
  reportUrl?: string;
  /** Name in the heading, e.g. the check name without the variant (added when not `default`). */
  title?: string;
  /**
   * Where report.html is: a line under the heading says so, linking the artifact itself when
   * its address is known (`url`).
   */
  htmlReport?: { artifact: string; runUrl: string; url?: string };
  /** The command that reproduces the run on a person's own machine, said last. */
  reproduce?: string;
}

export const DEFAULT_BUDGET_BYTES = 60_000;
/** Size of one diff block once the report does not fit whole. */
const DIFF_BYTES = 4000;
/** Items shown of the compact lists (expected verdicts, stale expectations) and of learned masks. */
const LIST_LIMIT = 50;
const MASK_LIMIT = 5;

/** One divergence as shown: a lone test, or the tests of a cluster (one bug, N tests). */
export interface DivergenceEntry {
  /** Most severe first; the first stands for the entry (its reason, counts and diff are shown). */
  tests: ReportTest[];
  /** The cluster's signature, when the entry groups several tests. */
  signature?: string;
}

function rank(order: readonly string[], value: string): number {
  const index = order.indexOf(value);
  return index < 0 ? order.length : index;
}

/** Failing first, then by severity, then by class. */
export function compareVerdicts(a: Verdict, b: Verdict): number {
  return (
    Number(b.failing === true) - Number(a.failing === true) ||
    rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
    rank(CLASS_ORDER, a.class) - rank(CLASS_ORDER, b.class)
  );
}

/** The divergences, most severe first, tests of one cluster grouped into one entry. */
export function divergenceEntries(report: Report): DivergenceEntry[] {
  const shown = report.tests
    .filter((test) => isShownDivergence(test.verdict))
    .sort((a, b) => compareVerdicts(a.verdict, b.verdict));
  const signatures = new Map(report.clusters.map((cluster) => [cluster.id, cluster.signature]));
  const members = new Map<string, ReportTest[]>();
  for (const test of shown) {
    const cluster = test.verdict.cluster;
    if (cluster !== undefined && signatures.has(cluster)) {
      members.set(cluster, [...(members.get(cluster) ?? []), test]);
    }
  }
  const entries: DivergenceEntry[] = [];
  const grouped = new Set<string>();
  for (const test of shown) {
    const cluster = test.verdict.cluster;
    const tests = cluster === undefined ? undefined : members.get(cluster);
    if (cluster === undefined || tests === undefined || tests.length < 2) {
      entries.push({ tests: [test] });
    } else if (!grouped.has(cluster)) {
      grouped.add(cluster);
      entries.push({ tests, signature: signatures.get(cluster) });
    }
  }
  return entries;
}

export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/** A number from the report; anything else (a tampered field) counts as 0. */
export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function percent(share: unknown): string {
  return `${Math.round(num(share) * 100)}%`;
}

/** Prose joined as "a, b and c". */
function joinAnd(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

// Maps, not objects: a tampered value such as `constructor` must find nothing.
const CONCLUSION_ICON = new Map([
  ['success', '✅'],
  ['failure', '❌'],
  ['neutral', '⚪'],
]);
const SEVERITY_ICON = new Map([
  ['error', '🔴'],
  ['warning', '🟡'],
  ['notice', '🔵'],
]);

function renderHead(
  report: Report,
  title: string,
  htmlReport?: MarkdownOptions['htmlReport'],
): string {
  const { summary } = report;
  const working = report.references.filter((ref) => ref.broken === undefined);
  const against = working.map((ref) => inlineText(ref.name)).join(', ') || 'no working reference';
  const failing = num(summary.failing);
  const divergences = num(summary.divergences);
  let headline: string;
  if (summary.conclusion === 'failure') {
    headline =
      failing > 0 ? `${plural(failing, 'failing divergence')} against ${against}` : 'failed';
  } else if (summary.conclusion === 'success') {
    headline =
      divergences === 0
        ? `no divergences against ${against}`
        : `${plural(divergences, 'divergence')}, none failing, against ${against}`;
  } else {
    headline = 'no conclusion';
  }
  const variant = report.variant === 'default' ? '' : ` (${inlineText(report.variant)})`;
  const icon = CONCLUSION_ICON.get(summary.conclusion) ?? '⚪';
  // Where a kernel came from, when its name alone does not say (e.g. `candidate`).
  const origin = (kernel: ReportKernel) => {
    const from = Object.values(kernel.source).find((v): v is string => typeof v === 'string');
    const file = from?.split('/').pop();
    return file && file !== kernel.name ? ` (${inlineText(file)})` : '';
  };

  const references = report.references.map((ref) =>
    ref.broken === undefined
      ? inlineText(ref.name)
      : `${inlineText(ref.name)} (⚠️ broken: ${inlineText(ref.broken)})`,
  );
  const context = [
    `candidate: ${inlineText(report.subject ?? report.candidate.name)}${origin(report.candidate)}`,
    `references: ${references.join(', ') || 'none'}`,
    plural(num(summary.tests), 'test'),
    `${inlineText(report.machine.arch)} ${inlineText(report.machine.profile)}`,
    `accelerator ${inlineText(report.run.host.accel)}`,
  ].join(' · ');

  const parts = [`### ${icon} ${inlineText(title)}${variant}: ${headline}`];
  if (htmlReport) {
    const page = htmlReport.url ? link('report.html', htmlReport.url) : inlineCode('report.html');
    parts.push(
      `The full report (tests × kernels grid, side-by-side diffs, serial logs): ${page} in the artifact ${inlineCode(htmlReport.artifact)} of ${link('this run', htmlReport.runUrl)}.`,
    );
  }
  if (summary.note !== undefined) parts.push(`**Note:** ${inlineText(summary.note)}`);
  // Said at the top: the discarded results leave only `missing` tests to tell of it.
  const forged = report.boots.filter((boot) => boot.outcome === 'not-from-harness');
  const [first] = forged;
  if (first) {
    const boots = forged.slice(0, 5).map((boot) => `${inlineText(boot.kernel)} #${boot.attempt}`);
    if (forged.length > 5) boots.push(`${forged.length - 5} more`);
    const why = (first.message ?? '').replace(/^results not from the harness: /, '');
    parts.push(
      `**⚠️ Results not from the harness**, discarded (${boots.join(', ')}): ${inlineText(why)}`,
    );
  }
  const table = classTable(report);
  if (table !== '') parts.push(table);
  // Which kernels, machine and accelerator: diverge's words, for whoever looks closer.
  parts.push(details('about this run', context));
  return parts.join('\n\n');
}

/** Tests of a class, from the summary (`same` may only be counted in `summary.same`). */
export function classCount(summary: Report['summary'], cls: DivergenceClass): number {
  return num(summary.byClass[cls] ?? (cls === 'same' ? summary.same : 0));
}

function classTable(report: Report): string {
  const rows: string[] = [];
  for (const cls of CLASS_ORDER) {
    const count = classCount(report.summary, cls);
    if (count === 0) continue;
    const failing = report.tests.filter((t) => t.verdict.class === cls && t.verdict.failing).length;
    const fails = failing === 0 ? 'no' : failing >= count ? 'yes' : `${failing} of ${count}`;
    rows.push(`| ${cls} | ${count} | ${fails} |`);
  }
  if (rows.length === 0) return '';
  return ['| class | tests | fails the run? |', '| :-- | --: | :-- |', ...rows].join('\n');
}

/** `lines` cut to about `maxBytes`, with a `… N more lines` marker when some are left out. */
function cutLines(lines: string[], maxBytes: number): string[] {
  const room = maxBytes - 32; // the marker
  const kept: string[] = [];
  let used = 0;
  let partial = false;
  for (const line of lines) {
    const size = byteLength(line) + 1;
    if (used + size > room) {
      // One long line would leave the block empty: show its start.
      if (kept.length === 0 && room > 0) {
        kept.push(`${truncateUtf8(line, room - 4)}…`);
        partial = true;
      }
      break;
    }
    kept.push(line);
    used += size;
  }
  const more = lines.length - kept.length + (partial ? 1 : 0);
  return more > 0 ? [...kept, `… ${plural(more, 'more line')}`] : kept;
}

/** A `diff` code block of at most about `maxBytes`, long fences included. */
function diffBlock(lines: string[], maxBytes: number): string {
  let room = maxBytes;
  for (;;) {
    const block = codeBlock(cutLines(lines, room), 'diff');
    const size = byteLength(block);
    if (size <= maxBytes || room <= 0) return block;
    // Backtick runs made the fence long; shrinking the content shrinks it too, by up to 3 times.
    room -= Math.max(1, Math.ceil((size - maxBytes) / 3));
  }
}

function verdictFacts(verdict: Verdict, diffShown: boolean): string {
  const counts = Object.entries(verdict.counts ?? {})
    .map(([kernel, count]) => `${inlineText(kernel)} ${inlineText(count)}`)
    .join(', ');
  const facts = [
    `fail:runs ${counts || 'none'}`,
    `agreeing: ${(verdict.agreeing ?? []).map(inlineText).join(', ') || 'none'}`,
    `confidence ${percent(verdict.confidence)}`,
  ];
  if (verdict.blame !== 'kernel') facts.push(`blamed on ${inlineText(verdict.blame)}`);
  if (!verdict.failing) facts.push('does not fail the run');
  if (verdict.diff && !diffShown) facts.push('diff in the full report');
  return facts.join(' · ');
}

/**
 * A collapsed block (raw HTML up to the blank line: the summary is HTML context, hence
 * htmlText); `body` is Markdown.
 */
const details = (summary: string, body: string) =>
  [`<details><summary>${htmlText(summary)}</summary>`, '', body, '', '</details>'].join('\n');

/** One entry; `diffBytes` caps its diff block (0: no diff block). */
function renderEntry(entry: DivergenceEntry, diffBytes: number): string {
  const [first] = entry.tests;
  if (first === undefined) return '';
  const { verdict } = first;
  const icon = verdict.failing ? '❌' : (SEVERITY_ICON.get(verdict.severity) ?? '⚪');
  const cls = `**${inlineText(verdict.class)}**`;
  const showDiff = Boolean(verdict.diff) && diffBytes > 0;
  const lines =
    entry.tests.length > 1
      ? [
          `${icon} ${cls} · ${entry.tests.length} tests: ${inlineCode(entry.signature ?? '')}`,
          `tests: ${entry.tests.map((test) => inlineCode(test.id)).join(', ')}`,
          `${inlineCode(first.id)}: ${inlineText(verdict.reason)}`,
        ]
      : [`${icon} ${cls} · ${inlineCode(first.id)}: ${inlineText(verdict.reason)}`];
  // The run counts, agreeing references and confidence are how diverge decided: folded away.
  const text = [
    lines.join('\\\n'), // a backslash at the end of a line is a hard line break
    '',
    details('how diverge decided', verdictFacts(verdict, showDiff)),
  ].join('\n');
  if (!showDiff) return text;
  const diff = splitLines(verdict.diff ?? '');
  if (diff.at(-1) === '') diff.pop();
  return [
    text,
    '',
    // Raw HTML up to the blank line: the summary is HTML context, hence htmlText.
    `<details><summary>diff of <code>${htmlText(first.id)}</code> (${plural(diff.length, 'line')})</summary>`,
    '',
    diffBlock(diff, diffBytes),
    '',
    '</details>',
  ].join('\n');
}

/** A piece of the output that is kept or left out whole, and what the cut note calls it. */
interface Unit {
  render(diffBytes: number): string;
  count: number;
  noun: string;
}

/** The `same` tests whose references vary on them (verdict.varying): judged within what they showed. */
export function sameThoughVarying(report: Report): ReportTest[] {
  return report.tests.filter(
    (test) => test.verdict.class === 'same' && (test.verdict.varying ?? []).length > 0,
  );
}

function tailUnits(report: Report): Unit[] {
  const units: Unit[] = [];
  const expected = report.tests.filter((test) => test.verdict.class === 'expected');
  if (expected.length > 0) {
    const items = expected.slice(0, LIST_LIMIT).map(({ id, verdict }) => {
      const match = verdict.expected;
      if (match === undefined) return `- ${inlineCode(id)}`;
      const see = match.link === undefined ? '' : ` (${inlineCode(match.link)})`;
      return `- ${inlineCode(id)}, would be ${inlineText(match.class)}: ${inlineText(match.reason)}${see}`;
    });
    if (expected.length > LIST_LIMIT) items.push(`- … ${expected.length - LIST_LIMIT} more`);
    const text = [`#### Expected divergences (${expected.length})`, '', ...items].join('\n');
    units.push({ render: () => text, count: expected.length, noun: 'expected divergence' });
  }
  const varying = sameThoughVarying(report);
  if (varying.length > 0) {
    const items = varying
      .slice(0, LIST_LIMIT)
      .map(
        ({ id, verdict }) =>
          `- ${inlineCode(id)}: ${(verdict.varying ?? []).map(inlineText).join(', ')}`,
      );
    if (varying.length > LIST_LIMIT) items.push(`- … ${varying.length - LIST_LIMIT} more`);
    const text = [
      `#### Tests the references vary on, judged same (${varying.length})`,
      '',
      "The named references' own runs of these tests differ; every run of the candidate is an outcome every reference showed:",
      '',
      ...items,
    ].join('\n');
    units.push({ render: () => text, count: varying.length, noun: 'varying test' });
  }
  const { stale } = report.expectations;
  if (stale.length > 0) {
    const items = stale
      .slice(0, LIST_LIMIT)
      .map((entry) => `- ${inlineCode(entry.test)}: ${inlineText(entry.reason)}`);
    if (stale.length > LIST_LIMIT) items.push(`- … ${stale.length - LIST_LIMIT} more`);
    const text = [
      `#### Stale expectations (${stale.length})`,
      '',
      'These entries of the expectations file matched no divergence:',
      '',
      ...items,
    ].join('\n');
    units.push({ render: () => text, count: stale.length, noun: 'stale expectation' });
  }
  const { learned } = report.normalization;
  if (learned.length > 0) {
    const items = learned
      .slice(0, MASK_LIMIT)
      .map(
        (mask) =>
          `- ${inlineCode(mask.template)} in ${inlineCode(mask.test)}, learned from ${inlineText(mask.reference)}`,
      );
    if (learned.length > MASK_LIMIT) items.push(`- … ${learned.length - MASK_LIMIT} more`);
    const text = [`#### Learned normalisation masks (${learned.length})`, '', ...items].join('\n');
    units.push({ render: () => text, count: learned.length, noun: 'learned mask' });
  }
  return units;
}

function cutNote(dropped: Unit[], reportUrl: string | undefined): string {
  const counts = new Map<string, number>();
  for (const unit of dropped) counts.set(unit.noun, (counts.get(unit.noun) ?? 0) + unit.count);
  const what = [...counts].map(([noun, count]) => plural(count, noun));
  const see =
    reportUrl === undefined ? 'see the full report' : link('see the full report', reportUrl);
  return what.length === 0
    ? `… long diffs are cut; ${see}`
    : `… ${joinAnd(what)} not shown; ${see}`;
}

const joinBlocks = (blocks: string[]): string => `${blocks.join('\n\n')}\n`;

/** The report as Markdown of at most `budgetBytes` UTF-8 bytes. */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const budget = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
  const head = renderHead(report, options.title ?? 'diverge', options.htmlReport);
  const units: Unit[] = [
    ...divergenceEntries(report).map((entry) => ({
      render: (diffBytes: number) => renderEntry(entry, diffBytes),
      count: entry.tests.length,
      noun: 'more divergence',
    })),
    ...tailUnits(report),
  ];
  if (options.reproduce !== undefined) {
    const text = ['#### Reproduce it locally', '', codeBlock([options.reproduce], 'sh')].join('\n');
    units.push({ render: () => text, count: 1, noun: 'command to reproduce' });
  }
  const full = joinBlocks([head, ...units.map((unit) => unit.render(Infinity))]);
  if (byteLength(full) <= budget) return full;

  // Too long: cap the diffs, keep the most severe entries that fit, and say what is left out.
  const reserve = byteLength(cutNote(units, options.reportUrl)) + 2; // the longest note possible
  const blocks = [head];
  let used = byteLength(head) + 1;
  let kept = 0;
  for (const unit of units) {
    const fits = (text: string) => used + 2 + byteLength(text) + reserve <= budget;
    let text = unit.render(DIFF_BYTES);
    if (!fits(text)) text = unit.render(0); // without its diff, if that is what is too long
    if (!fits(text)) break;
    blocks.push(text);
    used += 2 + byteLength(text);
    kept++;
  }
  const note = cutNote(units.slice(kept), options.reportUrl);
  if (used + 2 + byteLength(note) <= budget) return joinBlocks([...blocks, note]);
  // A budget too small for the head itself: keep the head's lines that fit, and the note if it
  // fits too. Whole lines only: a line cut in the middle can open emphasis or split an escape.
  const room = budget - byteLength(note) - 3;
  if (room <= 0) return wholeLines(head, budget);
  const cutHead = wholeLines(head, room);
  return cutHead === '' ? note : joinBlocks([cutHead, note]);
}

/**
 * The leading lines of `text` that fit in `maxBytes`, without a fold whose end was cut off (an
 * open `<details>` would swallow whatever GitHub shows after it).
 */
function wholeLines(text: string, maxBytes: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of text.split('\n')) {
    used += byteLength(line) + (kept.length > 0 ? 1 : 0);
    if (used > maxBytes) break;
    kept.push(line);
  }
  const whole = kept.join('\n');
  const open = whole.lastIndexOf('<details>');
  return (open > whole.lastIndexOf('</details>') ? whole.slice(0, open) : whole).trimEnd();
}
