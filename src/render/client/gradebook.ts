/**
 * gradebook.html's script: the heading, the score distribution, the legend, and the students ×
 * tests table, sorted by score or by a test when its heading is clicked.
 */
import type { GradebookPageData, GradebookPageStudent, PageStatus } from '../page-data.js';
import { $, closest, el, pageData, setHref } from './common.js';

const data = pageData<GradebookPageData>();
const students = data.students;
/** Student i: an index the page took from its own list. */
const student = (i: number) => students[i] as GradebookPageStudent;
const colours = new Map(data.classes.map((c) => [c.name, c.color]));
const rank = new Map(data.classes.map((c, i) => [c.name, i]));
const share = (s: GradebookPageStudent) => (s.score !== null && s.max > 0 ? s.score / s.max : 0);
/** The students with a score: one not graded counts in no mean and no distribution. */
const graded = students.filter((s) => s.score !== null);
const order = students.map((_, i) => i);
let sortKey = 'score';
let descending = true;

function renderHead() {
  const head = $('head');
  head.append(el('h1', '', data.title));
  const mean = graded.length ? graded.reduce((a, s) => a + share(s), 0) / graded.length : 0;
  const ungraded = students.length - graded.length;
  const failing = students.filter((s) => s.conclusion !== 'success').length;
  const counts = students.length + ' ' + data.noun + 's, ' + data.tests.length + ' tests';
  const summary =
    '; mean score ' +
    Math.round(mean * 100) +
    '%; ' +
    failing +
    ' not successful' +
    (ungraded ? ', ' + ungraded + ' not graded (infrastructure)' : '');
  head.append(el('p', 'muted', counts + summary));
}

function renderDistribution() {
  const bins = new Array<number>(10).fill(0);
  for (const s of graded) {
    const bin = Math.min(9, Math.floor(share(s) * 10));
    bins[bin] = (bins[bin] ?? 0) + 1;
  }
  const top = Math.max(1, ...bins);
  const box = $('distribution');
  const labels = el('div', 'bins');
  bins.forEach((n, i) => {
    const bin = el('div', 'bin');
    bin.dataset.count = String(n);
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
  const sortable = (label: string, key: string, cls: string) => {
    const th = el('th', cls);
    const b = el('button', '', label);
    b.dataset.sort = key;
    th.append(b);
    if (key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    return th;
  };
  tr.append(
    el('th', '', data.noun),
    sortable('score', 'score', ''),
    el('th', '', 'conclusion'),
    el('th', '', 'build'),
    el('th', '', 'boot'),
  );
  data.tests.forEach((id, j) => {
    const th = sortable(id, String(j), 'test');
    th.title = id;
    tr.append(th);
  });
  $('book-head').replaceChildren(tr);
}

/** A build or boot: its short text, the whole message on hover, a link to its log. */
function statusCell(status: PageStatus) {
  const td = el('td', status.ok ? 'status' : 'status bad');
  // The text in a box of its own: cut to the column's width, the log link always in view.
  td.append(el('span', 'why', status.text));
  if (status.message !== undefined) td.title = status.message;
  if (status.log !== undefined) {
    const a = el('a', 'log', 'log');
    setHref(a, status.log);
    td.append(' ', a);
  }
  return td;
}

function renderRows() {
  const body = document.createDocumentFragment();
  for (const i of order) {
    const s = student(i);
    const tr = el('tr');
    tr.dataset.student = String(i);
    const name = el('td', 'name');
    // A student without a report (nothing was booted) has no link.
    const a = el('a', 'who', s.name);
    a.title = s.name; // the column cuts a long name
    setHref(a, s.href);
    name.append(a);
    const conclusion = el('td', s.conclusion === 'success' ? '' : 'bad', s.conclusion);
    if (s.reason !== undefined) conclusion.title = s.reason;
    tr.append(
      name,
      el('td', 'score', s.score === null ? 'not graded' : s.score + ' / ' + s.max),
      conclusion,
      statusCell(s.build),
      statusCell(s.boot),
    );
    s.cells.forEach((cls, j) => {
      const td = el('td', 'heat');
      td.dataset.class = cls;
      td.title = data.tests[j] + ': ' + (cls || (s.score === null ? 'not graded' : 'not reported'));
      if (cls) td.style.background = colours.get(cls) ?? '#cf222e';
      tr.append(td);
    });
    body.append(tr);
  }
  $('book-body').replaceChildren(body);
}

function sortBy(key: string) {
  descending = key === sortKey ? !descending : true;
  sortKey = key;
  const name = (i: number) => student(i).name;
  const byName = (a: number, b: number) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
  const sign = descending ? 1 : -1;
  if (key === 'score')
    order.sort((a, b) => sign * (share(student(b)) - share(student(a))) || byName(a, b));
  else {
    const j = Number(key);
    // Most severe class first: the class table's order; a test not reported last.
    const r = (i: number) => {
      const c = student(i).cells[j];
      return c ? (rank.get(c) ?? -1) : 1e9;
    };
    order.sort((a, b) => sign * (r(a) - r(b)) || byName(a, b));
  }
  header();
  renderRows();
}

renderHead();
renderDistribution();
renderLegend();
$('book-head').addEventListener('click', (e) => {
  const b = closest(e, 'button');
  if (b) sortBy(b.dataset.sort ?? '');
});
sortKey = '';
sortBy('score');
document.body.dataset.ready = 'true';
