/**
 * gradebook.html: a whole class at once. Students × tests as a heat map coloured by class,
 * sortable by score or by any test, the score distribution, and each row linking to the
 * student's own report.html. The same page shows `diverge demo`'s variants (see demo.ts).
 */
import { CLASS_ORDER } from '../model/classes.js';
import { CLIENT_COMMON, classColour, htmlPage } from './html-page.js';

export const GRADEBOOK_SCHEMA = 'diverge.gradebook/v1';

/** One student of gradebook.json (design.md: `name, score, max, conclusion, tests, build, boot, report`). */
export interface GradebookStudent {
  name: string;
  score: number;
  max: number;
  conclusion: string;
  /** Each test's class, by test id. */
  tests: Record<string, string>;
  /** How the submission's build went (e.g. `ok`, `failed: …`). */
  build?: unknown;
  /** How the candidate's boot went (e.g. `completed`, `panic`). */
  boot?: unknown;
  /** The student's report.json, relative to the gradebook. */
  report?: string;
}

export interface Gradebook {
  schema: typeof GRADEBOOK_SCHEMA;
  students: GradebookStudent[];
}

export interface GradebookHtmlOptions {
  /** Heading and title; default "diverge gradebook". */
  title?: string;
  /** Where a student's report.html is, relative to the page; default `students/NAME/report.html`. */
  reportHref?: (student: GradebookStudent) => string;
  /** The first column's heading; default "student". */
  noun?: string;
}

/** A relative link made only of URL-encoded path segments: never a scheme, never a way out of the page's folder. */
export const relativeHref = (...segments: string[]) =>
  segments.map((s) => encodeURIComponent(s)).join('/');

const asText = (value: unknown): string =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);

export function renderGradebookHtml(
  gradebook: Gradebook,
  options: GradebookHtmlOptions = {},
): string {
  const href =
    options.reportHref ??
    ((s: GradebookStudent) => relativeHref('students', s.name, 'report.html'));
  const tests: string[] = [];
  const seen = new Set<string>();
  for (const student of gradebook.students)
    for (const id of Object.keys(student.tests))
      if (!seen.has(id)) {
        seen.add(id);
        tests.push(id);
      }
  const present = new Set(gradebook.students.flatMap((s) => Object.values(s.tests)));
  const classes = [
    ...CLASS_ORDER,
    ...[...present].filter((c) => !(CLASS_ORDER as string[]).includes(c)).sort(),
  ]
    .filter((c) => present.has(c))
    .map((name) => ({ name, color: classColour(name) }));
  const data = {
    title: options.title ?? 'diverge gradebook',
    noun: options.noun ?? 'student',
    tests,
    classes,
    students: gradebook.students.map((s) => ({
      name: s.name,
      score: s.score,
      max: s.max,
      conclusion: s.conclusion,
      build: asText(s.build),
      boot: asText(s.boot),
      href: href(s),
      cells: tests.map((id) => s.tests[id] ?? ''),
    })),
  };
  return htmlPage({
    title: data.title,
    css: GRADEBOOK_CSS,
    script: GRADEBOOK_SCRIPT,
    body: GRADEBOOK_BODY,
    data,
  });
}

const GRADEBOOK_BODY = `<header id="head"></header>
<section id="distribution-section"><h2>Score distribution</h2><div id="distribution"></div></section>
<section id="legend"></section>
<section id="table-section"><table id="book"><thead id="book-head"></thead><tbody id="book-body"></tbody></table></section>`;

const GRADEBOOK_CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 12px 0 4px; } h2 { font-size: 16px; margin: 12px 0 6px; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.muted { color: #57606a; font-size: 12px; }
#distribution { display: flex; align-items: flex-end; gap: 4px; height: 120px; border-bottom: 1px solid #d0d7de; padding-top: 16px; }
.bin { flex: 1; max-width: 60px; display: flex; flex-direction: column; justify-content: flex-end; align-items: center; height: 100%; font-size: 11px; }
.bar { width: 100%; background: #0969da; border-radius: 3px 3px 0 0; min-height: 1px; }
.bins { display: flex; gap: 4px; font-size: 11px; color: #57606a; }
.bins span { flex: 1; max-width: 60px; text-align: center; }
#legend { margin: 10px 0; }
.cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; margin-right: 6px; }
table#book { border-collapse: collapse; font-size: 12.5px; }
#book th, #book td { border: 1px solid #eaeef2; padding: 2px 6px; white-space: nowrap; }
#book th { background: #f6f8fa; position: sticky; top: 0; z-index: 1; }
#book th.test { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 14em; overflow: hidden; text-overflow: ellipsis; font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 500; }
#book th button { border: 0; background: none; font: inherit; cursor: pointer; padding: 0; }
#book th[aria-sort] button { text-decoration: underline; }
#book td.heat { width: 22px; min-width: 22px; padding: 0; }
#book td.score { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #cf222e; font-weight: 600; }
`;

const GRADEBOOK_SCRIPT = `(() => {
'use strict';
${CLIENT_COMMON}
const students = data.students;
const colours = new Map(data.classes.map((c) => [c.name, c.color]));
const rank = new Map(data.classes.map((c, i) => [c.name, i]));
const share = (s) => (s.max > 0 ? s.score / s.max : 0);
let order = students.map((_, i) => i);
let sortKey = 'score';
let descending = true;

function renderHead() {
  const head = $('head');
  head.append(el('h1', '', data.title));
  const mean = students.length ? students.reduce((a, s) => a + share(s), 0) / students.length : 0;
  const failing = students.filter((s) => s.conclusion !== 'success').length;
  head.append(el('p', 'muted', students.length + ' ' + data.noun + 's, ' + data.tests.length + ' tests; mean score ' + Math.round(mean * 100) + '%; ' + failing + ' not successful'));
}

function renderDistribution() {
  const bins = new Array(10).fill(0);
  for (const s of students) bins[Math.min(9, Math.floor(share(s) * 10))]++;
  const top = Math.max(1, ...bins);
  const box = $('distribution');
  const labels = el('div', 'bins');
  bins.forEach((n, i) => {
    const bin = el('div', 'bin');
    bin.dataset.count = n;
    const bar = el('div', 'bar');
    bar.style.height = (n / top) * 100 + '%';
    bin.append(el('span', '', n ? n : ''), bar);
    box.append(bin);
    labels.append(el('span', '', i * 10 + '\u2013' + (i + 1) * 10 + '%'));
  });
  box.after(labels);
}

function renderLegend() {
  for (const c of data.classes) {
    const b = el('span', 'cls', c.name);
    b.style.background = c.color;
    $('legend').append(b);
  }
}

function header() {
  const tr = el('tr');
  const sortable = (label, key, cls) => {
    const th = el('th', cls);
    const b = el('button', '', label);
    b.dataset.sort = key;
    th.append(b);
    if (key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    return th;
  };
  tr.append(el('th', '', data.noun), sortable('score', 'score', ''), el('th', '', 'conclusion'), el('th', '', 'build'), el('th', '', 'boot'));
  data.tests.forEach((id, j) => { const th = sortable(id, String(j), 'test'); th.title = id; tr.append(th); });
  $('book-head').replaceChildren(tr);
}

function renderRows() {
  const body = document.createDocumentFragment();
  for (const i of order) {
    const s = students[i];
    const tr = el('tr');
    tr.dataset.student = i;
    const name = el('td', 'name');
    const a = el('a', '', s.name);
    if (!/^[a-z][a-z0-9+.-]*:/i.test(s.href)) a.href = s.href;
    name.append(a);
    tr.append(name, el('td', 'score', s.score + ' / ' + s.max), el('td', s.conclusion === 'success' ? '' : 'bad', s.conclusion), el('td', '', s.build), el('td', '', s.boot));
    s.cells.forEach((cls, j) => {
      const td = el('td', 'heat');
      td.dataset.class = cls;
      td.title = data.tests[j] + ': ' + (cls || 'not reported');
      if (cls) td.style.background = colours.get(cls) || '#cf222e';
      tr.append(td);
    });
    body.append(tr);
  }
  $('book-body').replaceChildren(body);
}

function sortBy(key) {
  descending = key === sortKey ? !descending : true;
  sortKey = key;
  const byName = (a, b) => (students[a].name < students[b].name ? -1 : students[a].name > students[b].name ? 1 : 0);
  const sign = descending ? 1 : -1;
  if (key === 'score') order.sort((a, b) => sign * (share(students[b]) - share(students[a])) || byName(a, b));
  else {
    const j = Number(key);
    // Most severe class first: the class table's order; a test not reported last.
    const r = (i) => { const c = students[i].cells[j]; return c ? (rank.has(c) ? rank.get(c) : -1) : 1e9; };
    order.sort((a, b) => sign * (r(a) - r(b)) || byName(a, b));
  }
  header();
  renderRows();
}

renderHead();
renderDistribution();
renderLegend();
$('book-head').addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (b) sortBy(b.dataset.sort);
});
sortKey = '';
sortBy('score');
document.body.dataset.ready = 'true';
})();
`;
