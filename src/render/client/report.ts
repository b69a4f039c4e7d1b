/**
 * report.html's script. It builds every element from the page's JSON with textContent (through
 * `el`/`show`), never from markup, and renders only the grid rows and log lines in view, so a
 * report of 10,000 tests opens as fast as one of ten.
 */
import type {
  PageBootLog,
  ReportPageBoot,
  ReportPageData,
  ReportPageExtras,
} from '../page-data.js';
import { $, closest, el, pageData, show } from './common.js';

interface Test extends ReportPageExtras {
  id: string;
  class: string;
  severity: string;
  blame: string;
  failing: boolean;
  cells: string[];
  reason: string;
  counts: string;
  agreeing: string[];
  confidence: number;
}

/** Lines `from`–`to` (1-based, of the whole log) of one boot. */
interface Range {
  from: number;
  to: number;
}

/** A test's lines in a boot's log; `tail` for the lines after the boot's last result. */
interface Mark extends Range {
  boot: number;
  tail: boolean;
}

const data = pageData<ReportPageData>();
const ROW = 24;
const ID_CHARS = 200;
const LINE = 17;
const cols = data.tests;
// The columns are parallel: entry i of each is test i's.
const tests: Test[] = cols.id.map((id, i) =>
  Object.assign(
    {
      id,
      class: cols.class[i] as string,
      severity: cols.severity[i] as string,
      blame: cols.blame[i] as string,
      failing: cols.failing[i] as boolean,
      cells: cols.cells[i] as string[],
      reason: cols.reason[i] as string,
      counts: cols.counts[i] as string,
      agreeing: cols.agreeing[i] as string[],
      confidence: cols.confidence[i] as number,
    },
    data.extras[i],
  ),
);
/** Test i, boot b: indices the page took from its own lists. */
const test = (i: number) => tests[i] as Test;
const bootAt = (b: number) => data.boots[b] as ReportPageBoot;
const candidate = data.kernels[0];
const classInfo = new Map(data.classes.map((c) => [c.name, c]));
const colour = (cls: string) => (classInfo.get(cls) ?? { color: '#cf222e' }).color;
const enabled = new Set(data.classes.filter((c) => c.count > 0).map((c) => c.name));
let shown = tests.map((_, i) => i);
let selected = -1;
let lowered: string[] | undefined;
let marksByTest: Map<number, Mark[]> | undefined;
let logBoot = -1;
let logMark: Range | undefined;
let logView: { band: Uint8Array; tags: Map<number, number>; splats: Set<number> } | undefined;

const isDivergence = (t: Test) => {
  const c = classInfo.get(t.class);
  return (!c || c.divergent) && t.severity !== 'none';
};
const statusOf = (cell: string) => {
  const w = cell.split(' ')[0] ?? '';
  return cell === '\u2014' ? 'none' : /^\d/.test(w) ? 'mixed' : w;
};

/** A log's marks, (test index, first line, last line) at a time. */
function triples(marks: readonly number[]): [number, number, number][] {
  const list: [number, number, number][] = [];
  for (let j = 0; j + 2 < marks.length; j += 3)
    list.push([marks[j] as number, marks[j + 1] as number, marks[j + 2] as number]);
  return list;
}

function badge(cls: string) {
  const b = el('span', 'cls', cls);
  b.style.background = colour(cls);
  return b;
}

function fact(dl: HTMLDListElement, term: string, value: unknown) {
  dl.append(el('dt', '', term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value);
  else dd.append(show(value));
  dl.append(dd);
  return dd;
}

function renderHead() {
  const h = data.head;
  const head = $('head');
  const h1 = el('h1', '', 'diverge report');
  if (h.variant !== 'default') h1.append(' \u2014 ', show(h.variant));
  const known = ['success', 'failure', 'neutral'].includes(h.conclusion);
  const c = el('span', 'badge conclusion-' + (known ? h.conclusion : 'failure'), h.conclusion);
  c.id = 'conclusion';
  h1.append(' ', c);
  const dl = el('dl', 'facts');
  fact(dl, 'candidate', h.candidate.name + '  ' + h.candidate.digest.slice(0, 19));
  const refs = el('span');
  h.references.forEach((r, i) => {
    if (i) refs.append(', ');
    refs.append(show(r.name));
    if (r.broken) refs.append(el('span', 'bad', ' (broken: ' + r.broken + ')'));
  });
  if (!h.references.length) refs.append('none');
  fact(dl, 'references', refs);
  fact(dl, 'machine', h.machine);
  fact(dl, 'accelerator', h.accel + ' (QEMU ' + h.qemu + ')');
  fact(dl, 'harness', h.harness);
  fact(dl, 'run', h.startedAt + ', ' + (h.durationMs / 1000).toFixed(1) + ' s, ' + h.tool);
  const note = h.note ? ': ' + h.note : '';
  fact(
    dl,
    'summary',
    h.tests + ' tests, ' + h.divergences + ' divergences (' + h.failing + ' failing)' + note,
  );
  head.append(h1, dl);
}

function renderChips() {
  const chips = $('chips');
  for (const c of data.classes) {
    if (!c.count) continue;
    const label = el('label');
    label.title = c.meaning;
    const box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.class = c.name;
    label.append(box, ' ', badge(c.name), ' ' + c.count);
    chips.append(label);
  }
  chips.addEventListener('change', (e) => {
    const box = closest<HTMLInputElement>(e, 'input');
    const cls = box?.dataset.class;
    if (!box || cls === undefined) return;
    if (box.checked) enabled.add(cls);
    else enabled.delete(cls);
    applyFilter();
  });
}

function applyFilter() {
  const q = $<HTMLInputElement>('search').value.toLowerCase();
  if (q && !lowered) lowered = tests.map((t) => t.id.toLowerCase());
  shown = [];
  tests.forEach((t, i) => {
    if (enabled.has(t.class) && (!q || lowered?.[i]?.includes(q))) shown.push(i);
  });
  $('shown').textContent = shown.length + ' of ' + tests.length + ' tests';
  $('grid-space').style.height = shown.length * ROW + 'px';
  renderRows();
}

const columns = () =>
  '8.5em minmax(10em, 1fr) repeat(' + data.kernels.length + ', minmax(5.5em, 7em))';

function renderGridHeader() {
  const h = $('grid-header');
  h.style.gridTemplateColumns = columns();
  h.append(el('span', '', 'class'), el('span', '', 'test'));
  for (const k of data.kernels) {
    const s = el('span', 'cell', k);
    s.title = k;
    h.append(s);
  }
}

function rowFor(i: number) {
  const t = test(i);
  const r = el('div', 'row' + (i === selected ? ' selected' : ''));
  r.style.gridTemplateColumns = columns();
  r.dataset.test = String(i);
  // The detail pane holds the whole id; a row shows its start (a 1 MB id would stall layout).
  const id = el('span', 'id', t.id.length > ID_CHARS ? t.id.slice(0, ID_CHARS) + '\u2026' : t.id);
  id.title = t.id.slice(0, 1000);
  r.append(badge(t.class), id);
  t.cells.forEach((cell, k) => {
    const s = el('span', 'cell st-' + statusOf(cell), cell);
    s.dataset.kernel = String(k);
    if (k === 0 && isDivergence(t)) {
      s.classList.add('diverges');
      s.style.setProperty('--cls', colour(t.class));
    }
    r.append(s);
  });
  return r;
}

function renderRows() {
  const g = $('grid');
  const top = g.scrollTop;
  const first = Math.max(0, Math.floor(top / ROW) - 10);
  const last = Math.min(shown.length, Math.ceil((top + (g.clientHeight || 600)) / ROW) + 10);
  const rows = $('grid-rows');
  rows.style.transform = 'translateY(' + first * ROW + 'px)';
  const frag = document.createDocumentFragment();
  for (const i of shown.slice(first, last)) frag.append(rowFor(i));
  rows.replaceChildren(frag);
}

function marksOf(i: number): Mark[] {
  if (!marksByTest) {
    const byTest = new Map<number, Mark[]>();
    data.boots.forEach((b, bi) => {
      for (const [t, from, to] of triples(b.log.marks)) {
        const list = byTest.get(t) ?? [];
        list.push({ boot: bi, from, to, tail: t < 0 });
        byTest.set(t, list);
      }
    });
    const first = (m: Mark) => (bootAt(m.boot).kernel === candidate ? 0 : 1);
    for (const list of byTest.values()) list.sort((a, b) => first(a) - first(b) || a.boot - b.boot);
    marksByTest = byTest;
  }
  const own = marksByTest.get(i) ?? [];
  const t = test(i);
  // A crash or hang has no result line: the candidate's lines after its last result stand for it.
  if (t.cells[0] === '\u2014' && (t.class === 'crash' || t.class === 'hang'))
    return own.concat(
      (marksByTest.get(-1) ?? []).filter((m) => bootAt(m.boot).kernel === candidate),
    );
  return own;
}

function select(i: number, kernel?: number) {
  selected = i;
  const p = shown.indexOf(i);
  const g = $('grid');
  if (p >= 0 && (p * ROW < g.scrollTop || (p + 1) * ROW > g.scrollTop + g.clientHeight))
    g.scrollTop = Math.max(0, p * ROW - g.clientHeight / 3);
  renderRows();
  renderDetail(i);
  const marks = marksOf(i);
  const name = data.kernels[kernel === undefined ? 0 : kernel];
  const mark = marks.find((m) => bootAt(m.boot).kernel === name) ?? marks[0];
  if (mark) showLog(mark.boot, mark);
  else if (kernel !== undefined) {
    const b = data.boots.findIndex((x) => x.kernel === name);
    if (b >= 0) showLog(b);
  } else if (logBoot >= 0) showLog(logBoot);
}

function sideBySide(diff: string) {
  const lines = diff.replace(/\n$/, '').split('\n');
  let left = 'consensus';
  let right = 'candidate';
  let start = 0;
  const minusHeader = lines[0];
  if (minusHeader !== undefined && minusHeader.startsWith('--- ')) {
    left = minusHeader.slice(4);
    start = 1;
  }
  const plusHeader = lines[start];
  if (plusHeader !== undefined && plusHeader.startsWith('+++ ')) {
    right = plusHeader.slice(4);
    start++;
  }
  const table = el('table', 'diff');
  const head = el('tr');
  head.append(el('th', '', left), el('th', '', right));
  table.append(head);
  let minus: string[] = [];
  let plus: string[] = [];
  const row = (a: string | undefined, b: string | undefined, ca: string, cb: string) => {
    const tr = el('tr');
    const ta = el('td', a === undefined ? 'gap' : ca, a === undefined ? '' : a);
    const tb = el('td', b === undefined ? 'gap' : cb, b === undefined ? '' : b);
    tr.append(ta, tb);
    table.append(tr);
  };
  const flush = () => {
    for (let j = 0; j < Math.max(minus.length, plus.length); j++)
      row(minus[j], plus[j], 'del', 'ins');
    minus = [];
    plus = [];
  };
  for (const line of lines.slice(start)) {
    if (line.startsWith('@@')) {
      flush();
      const tr = el('tr');
      const td = el('td', 'hunk', line);
      td.colSpan = 2;
      tr.append(td);
      table.append(tr);
    } else if (line.startsWith('-')) minus.push(line.slice(1));
    else if (line.startsWith('+')) plus.push(line.slice(1));
    else if (line.startsWith('\\')) continue;
    else {
      flush();
      const text = line.startsWith(' ') ? line.slice(1) : line;
      row(text, text, 'ctx', 'ctx');
    }
  }
  flush();
  return table;
}

function renderDetail(i: number) {
  const t = test(i);
  const d = $('detail');
  d.replaceChildren();
  const h = el('h2', 'id', t.id);
  h.id = 'detail-id';
  d.append(h);
  const line = el('div');
  line.append(badge(t.class));
  if (t.failing) line.append(el('span', 'flag', 'fails the run'));
  if (t.blame !== 'kernel') line.append(el('span', 'flag', 'blamed on ' + t.blame));
  d.append(line);
  const dl = el('dl', 'facts');
  fact(dl, 'reason', t.reason).id = 'detail-reason';
  fact(dl, 'severity', t.severity);
  fact(dl, 'confidence', Math.round(t.confidence * 100) + '%');
  fact(dl, 'agreeing', t.agreeing.length ? t.agreeing.join(', ') : 'none').id = 'detail-agreeing';
  fact(dl, 'fail:runs', el('span', 'mono', t.counts));
  if (t.expected) {
    const e = el('span');
    e.append(badge(t.expected.class), ' ', show(t.expected.reason));
    if (t.expected.link) e.append(' ', el('span', 'muted', t.expected.link));
    fact(dl, 'expectation', e).id = 'detail-expected';
  }
  if (t.cluster !== undefined) {
    const c = data.clusters.find((x) => x.id === t.cluster);
    fact(dl, 'cluster', c ? c.signature + ' (' + c.tests.length + ' tests)' : t.cluster);
  }
  const links = el('div', 'loglinks');
  // One line per kernel and range, the candidate first: its runs as #1 #2 …
  const groups = new Map<string, { kernel: string; m: Mark; runs: Mark[] }>();
  for (const m of marksOf(i)) {
    const b = bootAt(m.boot);
    const key = JSON.stringify([b.kernel, m.from, m.to, m.tail]);
    let group = groups.get(key);
    if (!group) {
      group = { kernel: b.kernel, m, runs: [] };
      groups.set(key, group);
    }
    group.runs.push(m);
  }
  for (const g of groups.values()) {
    const where = (g.m.tail ? ', after its last result' : '') + ', lines ';
    const div = el('div', '', g.kernel + where + g.m.from + '\u2013' + g.m.to + ': ');
    for (const m of g.runs) {
      const btn = el('button', 'link', '#' + bootAt(m.boot).attempt);
      btn.dataset.boot = String(m.boot);
      btn.addEventListener('click', () => showLog(m.boot, m));
      div.append(btn);
    }
    links.append(div);
  }
  fact(dl, 'serial log', links);
  d.append(dl);
  if (t.diff) {
    d.append(el('h3', '', 'Output against the consensus'));
    const table = sideBySide(t.diff);
    table.id = 'detail-diff';
    d.append(table);
  }
}

// A log line's number in the file (0 for the note where lines were cut), and back.
function lineNumber(log: PageBootLog, j: number) {
  if (!log.cut) return j + 1;
  const [head, tailFrom] = log.cut;
  return j < head ? j + 1 : j === head ? 0 : tailFrom + (j - head - 1);
}
function lineIndex(log: PageBootLog, n: number) {
  if (!log.cut) return n - 1;
  const [head, tailFrom] = log.cut;
  return n <= head ? n - 1 : n >= tailFrom ? head + 1 + (n - tailFrom) : head;
}

// Only the lines in view are in the DOM, like the grid's rows.
function renderLog() {
  if (logBoot < 0 || !logView) return;
  const view = logView;
  const boot = bootAt(logBoot);
  const box = $('log');
  const first = Math.max(0, Math.floor(box.scrollTop / LINE) - 20);
  const bottom = Math.ceil((box.scrollTop + (box.clientHeight || 500)) / LINE) + 20;
  const last = Math.min(boot.log.lines.length, bottom);
  const rows = $('log-rows');
  rows.style.top = first * LINE + 'px';
  const frag = document.createDocumentFragment();
  for (let j = first; j < last; j++) {
    const n = lineNumber(boot.log, j);
    const marked = !!logMark && n >= logMark.from && n <= logMark.to;
    const classes =
      'll' +
      (n === 0 ? ' note' : '') +
      (view.splats.has(n) ? ' splat' : '') +
      (view.band[j] ? ' band' : '') +
      (marked ? ' mark' : '');
    const line = el('div', classes);
    line.dataset.no = String(n);
    line.append(el('span', 'no', n ? n : '\u2026'), el('span', 'tx', boot.log.lines[j]));
    const tagged = view.tags.get(j);
    if (tagged !== undefined) {
      const tag = el('button', 'link tag', test(tagged).id.slice(0, 200));
      tag.dataset.test = String(tagged);
      line.append(tag);
    }
    frag.append(line);
  }
  rows.replaceChildren(frag);
}

function showLog(b: number, mark?: Range) {
  const boot = bootAt(b);
  const box = $('log');
  if (logBoot !== b) {
    logBoot = b;
    $<HTMLSelectElement>('log-boot').value = String(b);
    // Each test's lines on alternate bands, its result line tagged with its id.
    const band = new Uint8Array(boot.log.lines.length);
    const tags = new Map<number, number>();
    triples(boot.log.marks).forEach(([t, from, to], k) => {
      if (t >= 0) tags.set(lineIndex(boot.log, to), t);
      if (k % 2) for (let n = from; n <= to; n++) band[lineIndex(boot.log, n)] = 1;
    });
    logView = { band, tags, splats: new Set(boot.splats.map((s) => s.line)) };
    $('log-space').style.height = boot.log.lines.length * LINE + 'px';
    const notes = [boot.file];
    if (boot.log.note) notes.push(boot.log.note);
    $('log-note').textContent = notes.join(' \u2014 ');
  }
  logMark = mark;
  // The mark's first lines in view, or its result line if the mark is taller than the box.
  const fits = Math.floor((box.clientHeight || 500) / LINE) - 3;
  if (mark)
    box.scrollTop =
      Math.max(0, lineIndex(boot.log, mark.from) - 2, lineIndex(boot.log, mark.to) - fits) * LINE;
  renderLog();
}

function renderBootChoice() {
  const s = $<HTMLSelectElement>('log-boot');
  data.boots.forEach((b, i) => {
    const o = el('option');
    o.value = String(i);
    o.textContent = b.kernel + ' #' + b.attempt + ' (' + b.outcome + ')';
    s.append(o);
  });
  s.addEventListener('change', () => showLog(Number(s.value)));
  $('log').addEventListener('scroll', renderLog, { passive: true });
  $('log').addEventListener('click', (e) => {
    const tag = closest(e, '.tag');
    if (tag) select(Number(tag.dataset.test), data.kernels.indexOf(bootAt(logBoot).kernel));
  });
}

function renderClusters() {
  const box = $('clusters');
  if (!data.clusters.length)
    box.append(el('p', 'muted', 'No clusters: no divergences share a signature.'));
  for (const c of data.clusters) {
    const div = el('div', 'cluster');
    const title = el('div');
    const count = el('span', 'muted', '  ' + c.tests.length + ' tests');
    title.append(badge(c.class), ' ', el('code', '', c.signature), count);
    const list = el('div', 'tests');
    for (const i of c.tests) {
      const b = el('button', 'link mono', test(i).id);
      b.dataset.test = String(i);
      list.append(b);
    }
    div.append(title, list);
    box.append(div);
  }
  box.addEventListener('click', (e) => {
    const b = closest(e, 'button');
    if (b) select(Number(b.dataset.test));
  });
}

function renderBoots() {
  const t = $('boots');
  const h = el('tr');
  const titles = ['kernel', 'attempt', 'outcome', 'stage', 'duration', 'splats', 'message', 'log'];
  for (const title of titles) h.append(el('th', '', title));
  t.append(h);
  data.boots.forEach((b, i) => {
    const tr = el('tr');
    const duration = (b.durationMs / 1000).toFixed(2) + ' s' + (b.cached ? ' (cached)' : '');
    tr.append(
      el('td', '', b.kernel),
      el('td', '', b.attempt),
      el('td', b.outcome === 'completed' ? '' : 'bad', b.outcome),
      el('td', '', b.stage),
      el('td', '', duration),
    );
    const splats = el('td');
    for (const s of b.splats) {
      const btn = el('button', 'link', s.kind + ': ' + s.message + ' (line ' + s.line + ')');
      btn.addEventListener('click', () => showLog(i, { from: s.line, to: s.line }));
      splats.append(btn, el('br'));
    }
    const open = el('button', 'link', b.file);
    open.addEventListener('click', () => showLog(i));
    const logCell = el('td');
    logCell.append(open);
    tr.append(splats, el('td', '', b.message ?? ''), logCell);
    t.append(tr);
  });
}

function step(direction: 1 | -1) {
  let p = shown.indexOf(selected);
  if (p < 0) p = direction > 0 ? -1 : shown.length;
  for (let q = p + direction; q >= 0 && q < shown.length; q += direction) {
    const i = shown[q] as number;
    if (isDivergence(test(i))) {
      select(i);
      return;
    }
  }
}

renderHead();
renderChips();
renderGridHeader();
renderBootChoice();
renderClusters();
renderBoots();
$('search').addEventListener('input', applyFilter);
$('grid').addEventListener('scroll', renderRows, { passive: true });
$('grid-rows').addEventListener('click', (e) => {
  const row = closest(e, '.row');
  if (!row) return;
  const cell = closest(e, '.cell');
  select(Number(row.dataset.test), cell ? Number(cell.dataset.kernel) : undefined);
});
document.addEventListener('keydown', (e) => {
  const target = e.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) {
    if (e.key === 'Escape') target.blur();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'j') step(1);
  else if (e.key === 'k') step(-1);
  else if (e.key === '/') {
    e.preventDefault();
    $('search').focus();
  }
});
applyFilter();
if (data.boots.length) showLog(0);
document.body.dataset.ready = 'true';
