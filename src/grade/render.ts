/**
 * The gradebook for people and spreadsheets: gradebook.csv (RFC 4180), gradebook.md (a summary
 * table and the distribution of scores) and the terminal's final table. Student names, test ids
 * and reasons are untrusted: quoted, escaped and capped wherever they are shown.
 */
import { CLASS_ORDER, type DivergenceClass } from '../model/classes.js';
import { inlineText, link, singleLine } from '../render/escape.js';
import { studentDir } from './submissions.js';
import type { GradebookStudent, Gradebook } from '../model/gradebook.js';

/** The tests of the gradebook, then any other test a student reported (a `new` one), in order. */
export function testColumns(gradebook: Gradebook): string[] {
  const columns = new Set(gradebook.tests);
  for (const student of gradebook.students)
    for (const id of Object.keys(student.tests)) columns.add(id);
  return [...columns];
}

export function classCounts(student: GradebookStudent): Record<DivergenceClass, number> {
  const counts = Object.fromEntries(CLASS_ORDER.map((c) => [c, 0])) as Record<
    DivergenceClass,
    number
  >;
  for (const cls of Object.values(student.tests)) counts[cls] += 1;
  return counts;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled.
 * Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading `'`.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * gradebook.csv: `student,score,max,conclusion`, a count per class, a column per test. A row not
 * graded (neutral) has an empty score: a spreadsheet or LMS import must not read it as 0.
 */
export function renderCsv(gradebook: Gradebook): string {
  const tests = testColumns(gradebook);
  const rows = [
    ['student', 'score', 'max', 'conclusion', ...CLASS_ORDER, ...tests],
    ...gradebook.students.map((s) => {
      const counts = classCounts(s);
      return [
        s.name,
        s.score,
        s.max,
        s.conclusion,
        ...CLASS_ORDER.map((c) => counts[c]),
        ...tests.map((id) => s.tests[id] ?? ''),
      ];
    }),
  ];
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

const REASON_CHARS = 200;
const cap = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** Divergences by class, most severe first: `2 regression, 1 crash`. */
function divergenceSummary(student: GradebookStudent): string {
  const counts = classCounts(student);
  return CLASS_ORDER.filter((c) => c !== 'same' && counts[c] > 0)
    .map((c) => `${counts[c]} ${c}`)
    .join(', ');
}

const median = (sorted: readonly number[]) =>
  sorted.length === 0
    ? 0
    : sorted.length % 2
      ? (sorted[(sorted.length - 1) / 2] as number)
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;

/** A graded row's share of the maximum, in percent. */
const percent = (s: GradebookStudent & { score: number }) =>
  s.max > 0 ? (100 * s.score) / s.max : 0;
const fixed = (n: number) => String(Math.round(n * 100) / 100);
/** The rows with a score: a row not graded counts in no total and no distribution. */
const graded = (students: readonly GradebookStudent[]) =>
  students.filter((s): s is GradebookStudent & { score: number } => s.score !== null);
/** A row's score as shown: `not graded` when it has none. */
const shownScore = (s: GradebookStudent) =>
  s.score === null ? 'not graded' : `${fixed(s.score)}/${fixed(s.max)}`;

/** Graded students per tenth of the maximum (the last bucket holds 90–100 %). */
export function scoreDistribution(students: readonly GradebookStudent[]): number[] {
  const buckets = new Array<number>(10).fill(0);
  for (const student of graded(students)) {
    const bucket = Math.min(9, Math.floor(percent(student) / 10));
    buckets[bucket] = (buckets[bucket] ?? 0) + 1;
  }
  return buckets;
}

/** gradebook.md: the summary, the distribution of scores and a row per student. */
export function renderGradebookMarkdown(gradebook: Gradebook): string {
  const { students } = gradebook;
  const scores = graded(students)
    .map(percent)
    .sort((a, b) => a - b);
  const by = (c: string) => students.filter((s) => s.conclusion === c).length;
  const mean = scores.reduce((a, b) => a + b, 0) / (scores.length || 1);
  const lines = [
    '# Gradebook',
    '',
    `${students.length} student(s) graded against ${gradebook.basis.references.map((r) => inlineText(r.name)).join(', ')}` +
      (gradebook.shard ? ` (shard ${gradebook.shard.index}/${gradebook.shard.count})` : '') +
      `: ${by('success')} without a failing divergence, ${by('failure')} with one or without a kernel, ${by('neutral')} not graded (infrastructure).`,
    '',
    `Score (share of the maximum, over the ${scores.length} graded): mean ${fixed(mean)} %, median ${fixed(median(scores))} %, lowest ${fixed(scores[0] ?? 0)} %, highest ${fixed(scores.at(-1) ?? 0)} %.`,
    '',
    '## Distribution of scores',
    '',
    '| score | students | |',
    '|---|---:|---|',
    ...scoreDistribution(students).map(
      (n, i) => `| ${i * 10}–${i === 9 ? 100 : i * 10 + 9} % | ${n} | ${'█'.repeat(n)} |`,
    ),
    '',
    '## Students',
    '',
    '| student | score | max | conclusion | divergences | why |',
    '|---|---:|---:|---|---|---|',
    ...students.map((s) => {
      const name = inlineText(cap(s.name, 80));
      const shown = s.report ? link(name, `students/${studentDir(s.name)}/report.md`) : name;
      const why = s.reason ? inlineText(cap(s.reason, REASON_CHARS)) : '';
      return `| ${shown} | ${s.score === null ? 'not graded' : fixed(s.score)} | ${fixed(s.max)} | ${s.conclusion} | ${divergenceSummary(s)} | ${why} |`;
    }),
    '',
  ];
  return lines.join('\n');
}

/** The final table on the terminal: one line per student, names and reasons made inert. */
export function renderGradebookText(gradebook: Gradebook): string {
  const rows = gradebook.students.map((s) => [
    cap(singleLine(s.name), 40),
    shownScore(s),
    s.conclusion,
    cap(singleLine(s.reason ?? divergenceSummary(s)), 100),
  ]);
  const header = ['student', 'score', 'conclusion', 'divergences / why'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
