/**
 * The browser side of report.html: its static markup, style and script. The script builds every
 * element from the page's JSON with textContent (through `el`/`show`), never from markup, and
 * renders only the grid rows in view, so a report of 10,000 tests opens as fast as one of ten.
 */
import { CLIENT_COMMON } from './html-page.js';

export const REPORT_BODY = `<header id="head"></header>
<nav id="toolbar">
<input id="search" type="search" placeholder="search test ids ( / )" aria-label="search test ids" autocomplete="off">
<span id="chips"></span>
<span id="shown"></span>
<span class="hint">j / k: next / previous divergence</span>
</nav>
<main>
<section id="grid-section" aria-label="tests by kernel">
<div id="grid-header" class="row header"></div>
<div id="grid" tabindex="0"><div id="grid-space"><div id="grid-rows"></div></div></div>
</section>
<section id="detail" aria-live="polite"><p class="empty">Select a test: click a row, or press j for the next divergence.</p></section>
</main>
<section id="log-section">
<h2>Serial log</h2>
<div id="log-bar"><select id="log-boot" aria-label="boot"></select> <span id="log-note"></span></div>
<div id="log" tabindex="0"><div id="log-space"><div id="log-rows"></div></div></div>
</section>
<section id="clusters-section"><h2>Clusters</h2><div id="clusters"></div></section>
<section id="boots-section"><h2>Boots</h2><table id="boots"></table></section>`;

export const REPORT_CSS = `
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --mark: #fff8c5; --sel: #ddf4ff; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
header, nav, main, section { padding: 0 16px; }
h1 { font-size: 20px; margin: 12px 0 4px; }
h2 { font-size: 16px; margin: 16px 0 6px; }
code, .id, .mono, #log, .diff td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.badge, .cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; white-space: nowrap; }
.conclusion-success { background: #1a7f37; } .conclusion-failure { background: #cf222e; } .conclusion-neutral { background: #57606a; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
#toolbar { position: sticky; top: 0; background: #fff; z-index: 2; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding-top: 8px; padding-bottom: 8px; border-bottom: 1px solid var(--line); }
#search { width: 18em; padding: 4px 8px; }
#chips label { margin-right: 6px; cursor: pointer; white-space: nowrap; }
#chips input { vertical-align: middle; }
.hint, #shown, .muted { color: var(--muted); font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
.row { display: grid; height: 24px; align-items: center; gap: 0 6px; border-bottom: 1px solid #eaeef2; cursor: pointer; white-space: nowrap; }
.row > span { overflow: hidden; text-overflow: ellipsis; }
.row.header { cursor: default; font-weight: 600; border-bottom: 1px solid var(--line); margin-top: 8px; }
.row.selected { background: var(--sel); }
.row:hover { background: #f6f8fa; }
#grid { max-height: 62vh; overflow-y: auto; position: relative; border-bottom: 1px solid var(--line); }
#grid:focus { outline: 2px solid #0969da; }
#grid-space { position: relative; }
#grid-rows { position: absolute; left: 0; right: 0; top: 0; }
.cell { text-align: center; border-radius: 3px; font-size: 12px; line-height: 20px; }
.st-pass { background: #dafbe1; } .st-fail { background: #ffcecb; } .st-error { background: #f5d0ff; }
.st-skip { background: #eaeef2; } .st-missing, .st-none { background: #fff; color: #8c959f; }
.st-mixed { background: repeating-linear-gradient(45deg, #ffcecb 0 6px, #dafbe1 6px 12px); }
.cell.diverges { outline: 2px solid var(--cls); outline-offset: -2px; font-weight: 600; }
#detail { border-left: 1px solid var(--line); min-width: 0; }
#detail .empty { color: var(--muted); }
#detail h2 { overflow-wrap: anywhere; }
.flag { font-size: 12px; margin-left: 6px; color: #cf222e; }
.diff { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: 6px; }
.diff th { text-align: left; font-weight: 600; background: #f6f8fa; border: 1px solid var(--line); padding: 2px 6px; overflow-wrap: anywhere; }
.diff td { border: 1px solid #eaeef2; padding: 0 6px; white-space: pre-wrap; overflow-wrap: anywhere; vertical-align: top; }
.diff td.del { background: #ffebe9; } .diff td.ins { background: #dafbe1; } .diff td.gap { background: #f6f8fa; }
.diff td.hunk { color: var(--muted); background: #ddf4ff; }
button.link { border: 0; background: none; padding: 0; color: #0969da; cursor: pointer; font: inherit; text-align: left; }
button.link:hover { text-decoration: underline; }
.loglinks button { margin: 2px 6px 2px 0; }
#log { height: 50vh; overflow: auto; position: relative; border: 1px solid var(--line); background: #f6f8fa; }
#log-space { position: relative; min-width: 100%; }
#log-rows { position: absolute; left: 0; min-width: 100%; }
.ll { display: flex; white-space: pre; height: 17px; line-height: 17px; }
.ll .no { flex: none; width: 5em; text-align: right; padding-right: 8px; color: #8c959f; user-select: none; }
.ll .tx { flex: 1; }
.ll.band { background: #eef1f4; }
.ll.mark { background: var(--mark); }
.ll.splat { background: #ffebe9; }
.ll .tag { flex: none; margin-left: 12px; font-size: 11px; }
.ll.note { color: var(--muted); font-style: italic; }
.cluster { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.cluster .tests button { margin-right: 10px; }
table#boots { border-collapse: collapse; font-size: 13px; margin-bottom: 24px; }
#boots th, #boots td { border: 1px solid var(--line); padding: 2px 8px; text-align: left; vertical-align: top; }
.bad { color: #cf222e; font-weight: 600; }
`;

export const REPORT_SCRIPT = `(() => {
'use strict';
${CLIENT_COMMON}
const ROW = 24;
const ID_CHARS = 200;
const LINE = 17;
const cols = data.tests;
const tests = cols.id.map((id, i) => Object.assign({
  id, class: cols.class[i], severity: cols.severity[i], blame: cols.blame[i], failing: cols.failing[i],
  cells: cols.cells[i], reason: cols.reason[i], counts: cols.counts[i], agreeing: cols.agreeing[i],
  confidence: cols.confidence[i],
}, data.extras[i]));
const classInfo = new Map(data.classes.map((c) => [c.name, c]));
const colour = (cls) => (classInfo.get(cls) || { color: '#cf222e' }).color;
const enabled = new Set(data.classes.filter((c) => c.count > 0).map((c) => c.name));
let shown = tests.map((_, i) => i);
let selected = -1;
let lowered;
let marksByTest;
let logBoot = -1;
let logMark;
let logView;

const isDivergence = (t) => { const c = classInfo.get(t.class); return (!c || c.divergent) && t.severity !== 'none'; };
const statusOf = (cell) => { const w = cell.split(' ')[0]; return cell === '\u2014' ? 'none' : /^\\d/.test(w) ? 'mixed' : w; };

function badge(cls) {
  const b = el('span', 'cls', cls);
  b.style.background = colour(cls);
  return b;
}

function fact(dl, term, value) {
  dl.append(el('dt', '', term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value); else dd.append(show(value));
  dl.append(dd);
  return dd;
}

function renderHead() {
  const h = data.head;
  const head = $('head');
  const h1 = el('h1', '', 'diverge report');
  if (h.variant !== 'default') h1.append(' \u2014 ', show(h.variant));
  const c = el('span', 'badge conclusion-' + (['success', 'failure', 'neutral'].includes(h.conclusion) ? h.conclusion : 'failure'), h.conclusion);
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
  fact(dl, 'summary', h.tests + ' tests, ' + h.divergences + ' divergences (' + h.failing + ' failing)' + (h.note ? ': ' + h.note : ''));
  head.append(h1, dl);
}

function renderChips() {
  const chips = $('chips');
  for (const c of data.classes) {
    if (!c.count) continue;
    const label = el('label');
    label.title = c.meaning;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.class = c.name;
    label.append(box, ' ', badge(c.name), ' ' + c.count);
    chips.append(label);
  }
  chips.addEventListener('change', (e) => {
    const box = e.target;
    if (box.checked) enabled.add(box.dataset.class); else enabled.delete(box.dataset.class);
    applyFilter();
  });
}

function applyFilter() {
  const q = $('search').value.toLowerCase();
  if (q && !lowered) lowered = tests.map((t) => t.id.toLowerCase());
  shown = [];
  for (let i = 0; i < tests.length; i++)
    if (enabled.has(tests[i].class) && (!q || lowered[i].includes(q))) shown.push(i);
  $('shown').textContent = shown.length + ' of ' + tests.length + ' tests';
  $('grid-space').style.height = shown.length * ROW + 'px';
  renderRows();
}

const columns = () => '8.5em minmax(10em, 1fr) repeat(' + data.kernels.length + ', minmax(5.5em, 7em))';

function renderGridHeader() {
  const h = $('grid-header');
  h.style.gridTemplateColumns = columns();
  h.append(el('span', '', 'class'), el('span', '', 'test'));
  data.kernels.forEach((k) => { const s = el('span', 'cell', k); s.title = k; h.append(s); });
}

function rowFor(i) {
  const t = tests[i];
  const r = el('div', 'row' + (i === selected ? ' selected' : ''));
  r.style.gridTemplateColumns = columns();
  r.dataset.test = i;
  // The detail pane holds the whole id; a row shows its start (a 1 MB id would stall layout).
  const id = el('span', 'id', t.id.length > ID_CHARS ? t.id.slice(0, ID_CHARS) + '\u2026' : t.id);
  id.title = t.id.slice(0, 1000);
  r.append(badge(t.class), id);
  t.cells.forEach((cell, k) => {
    const s = el('span', 'cell st-' + statusOf(cell), cell);
    s.dataset.kernel = k;
    if (k === 0 && isDivergence(t)) { s.classList.add('diverges'); s.style.setProperty('--cls', colour(t.class)); }
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
  for (let p = first; p < last; p++) frag.append(rowFor(shown[p]));
  rows.replaceChildren(frag);
}

function marksOf(i) {
  if (!marksByTest) {
    marksByTest = new Map();
    data.boots.forEach((b, bi) => {
      const m = b.log.marks;
      for (let j = 0; j < m.length; j += 3) {
        const list = marksByTest.get(m[j]) || [];
        list.push({ boot: bi, from: m[j + 1], to: m[j + 2], tail: m[j] < 0 });
        marksByTest.set(m[j], list);
      }
    });
    const first = (m) => (data.boots[m.boot].kernel === data.kernels[0] ? 0 : 1);
    for (const list of marksByTest.values()) list.sort((a, b) => first(a) - first(b) || a.boot - b.boot);
  }
  const own = marksByTest.get(i) || [];
  const t = tests[i];
  // A crash or hang has no result line: the candidate's lines after its last result stand for it.
  if (t.cells[0] === '\u2014' && (t.class === 'crash' || t.class === 'hang'))
    return own.concat((marksByTest.get(-1) || []).filter((m) => data.boots[m.boot].kernel === data.kernels[0]));
  return own;
}

function select(i, kernel) {
  selected = i;
  const p = shown.indexOf(i);
  const g = $('grid');
  if (p >= 0 && (p * ROW < g.scrollTop || (p + 1) * ROW > g.scrollTop + g.clientHeight))
    g.scrollTop = Math.max(0, p * ROW - g.clientHeight / 3);
  renderRows();
  renderDetail(i);
  const marks = marksOf(i);
  const name = data.kernels[kernel === undefined ? 0 : kernel];
  const mark = marks.find((m) => data.boots[m.boot].kernel === name) || marks[0];
  if (mark) showLog(mark.boot, mark);
  else if (kernel !== undefined) {
    const b = data.boots.findIndex((x) => x.kernel === name);
    if (b >= 0) showLog(b);
  } else if (logBoot >= 0) showLog(logBoot);
}

function sideBySide(diff) {
  const lines = diff.replace(/\\n$/, '').split('\\n');
  let left = 'consensus', right = 'candidate', start = 0;
  if (lines[0] !== undefined && lines[0].startsWith('--- ')) { left = lines[0].slice(4); start = 1; }
  if (lines[start] !== undefined && lines[start].startsWith('+++ ')) { right = lines[start].slice(4); start++; }
  const table = el('table', 'diff');
  const head = el('tr');
  head.append(el('th', '', left), el('th', '', right));
  table.append(head);
  let minus = [], plus = [];
  const row = (a, b, ca, cb) => {
    const tr = el('tr');
    const ta = el('td', a === undefined ? 'gap' : ca, a === undefined ? '' : a);
    const tb = el('td', b === undefined ? 'gap' : cb, b === undefined ? '' : b);
    tr.append(ta, tb);
    table.append(tr);
  };
  const flush = () => {
    for (let j = 0; j < Math.max(minus.length, plus.length); j++) row(minus[j], plus[j], 'del', 'ins');
    minus = []; plus = [];
  };
  for (const line of lines.slice(start)) {
    if (line.startsWith('@@')) { flush(); const tr = el('tr'); const td = el('td', 'hunk', line); td.colSpan = 2; tr.append(td); table.append(tr); }
    else if (line.startsWith('-')) minus.push(line.slice(1));
    else if (line.startsWith('+')) plus.push(line.slice(1));
    else if (line.startsWith('\\\\')) continue;
    else { flush(); const text = line.startsWith(' ') ? line.slice(1) : line; row(text, text, 'ctx', 'ctx'); }
  }
  flush();
  return table;
}

function renderDetail(i) {
  const t = tests[i];
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
  const marks = marksOf(i);
  const links = el('div', 'loglinks');
  // One line per kernel and range, the candidate first: its runs as #1 #2 …
  const groups = new Map();
  for (const m of marks) {
    const b = data.boots[m.boot];
    const key = JSON.stringify([b.kernel, m.from, m.to, m.tail]);
    if (!groups.has(key)) groups.set(key, { kernel: b.kernel, m, runs: [] });
    groups.get(key).runs.push(m);
  }
  for (const g of groups.values()) {
    const div = el('div', '', g.kernel + (g.m.tail ? ', after its last result' : '') + ', lines ' + g.m.from + '\u2013' + g.m.to + ': ');
    for (const m of g.runs) {
      const btn = el('button', 'link', '#' + data.boots[m.boot].attempt);
      btn.dataset.boot = m.boot;
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
function lineNumber(log, j) {
  if (!log.cut) return j + 1;
  const [head, tailFrom] = log.cut;
  return j < head ? j + 1 : j === head ? 0 : tailFrom + (j - head - 1);
}
function lineIndex(log, n) {
  if (!log.cut) return n - 1;
  const [head, tailFrom] = log.cut;
  return n <= head ? n - 1 : n >= tailFrom ? head + 1 + (n - tailFrom) : head;
}

// Only the lines in view are in the DOM, like the grid's rows.
function renderLog() {
  if (logBoot < 0) return;
  const boot = data.boots[logBoot];
  const box = $('log');
  const first = Math.max(0, Math.floor(box.scrollTop / LINE) - 20);
  const last = Math.min(boot.log.lines.length, Math.ceil((box.scrollTop + (box.clientHeight || 500)) / LINE) + 20);
  const rows = $('log-rows');
  rows.style.top = first * LINE + 'px';
  const frag = document.createDocumentFragment();
  for (let j = first; j < last; j++) {
    const n = lineNumber(boot.log, j);
    const marked = !!logMark && n >= logMark.from && n <= logMark.to;
    const line = el('div', 'll' + (n === 0 ? ' note' : '') + (logView.splats.has(n) ? ' splat' : '') + (logView.band[j] ? ' band' : '') + (marked ? ' mark' : ''));
    line.dataset.no = n;
    line.append(el('span', 'no', n ? n : '\u2026'), el('span', 'tx', boot.log.lines[j]));
    const test = logView.tags.get(j);
    if (test !== undefined) {
      const tag = el('button', 'link tag', tests[test].id.slice(0, 200));
      tag.dataset.test = test;
      line.append(tag);
    }
    frag.append(line);
  }
  rows.replaceChildren(frag);
}

function showLog(b, mark) {
  const boot = data.boots[b];
  const box = $('log');
  if (logBoot !== b) {
    logBoot = b;
    $('log-boot').value = String(b);
    // Each test's lines on alternate bands, its result line tagged with its id.
    const band = new Uint8Array(boot.log.lines.length);
    const tags = new Map();
    const m = boot.log.marks;
    for (let j = 0; j < m.length; j += 3) {
      if (m[j] >= 0) tags.set(lineIndex(boot.log, m[j + 2]), m[j]);
      if ((j / 3) % 2) for (let n = m[j + 1]; n <= m[j + 2]; n++) band[lineIndex(boot.log, n)] = 1;
    }
    logView = { band, tags, splats: new Set(boot.splats.map((s) => s.line)) };
    $('log-space').style.height = boot.log.lines.length * LINE + 'px';
    const notes = [boot.file];
    if (boot.log.note) notes.push(boot.log.note);
    $('log-note').textContent = notes.join(' \u2014 ');
  }
  logMark = mark;
  // The mark's first lines in view, or its result line if the mark is taller than the box.
  const fits = Math.floor((box.clientHeight || 500) / LINE) - 3;
  if (mark) box.scrollTop = Math.max(0, lineIndex(boot.log, mark.from) - 2, lineIndex(boot.log, mark.to) - fits) * LINE;
  renderLog();
}

function renderBootChoice() {
  const s = $('log-boot');
  data.boots.forEach((b, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = b.kernel + ' #' + b.attempt + ' (' + b.outcome + ')';
    s.append(o);
  });
  s.addEventListener('change', () => showLog(Number(s.value)));
  $('log').addEventListener('scroll', renderLog, { passive: true });
  $('log').addEventListener('click', (e) => {
    const tag = e.target.closest('.tag');
    if (tag) select(Number(tag.dataset.test), data.kernels.indexOf(data.boots[logBoot].kernel));
  });
}

function renderClusters() {
  const box = $('clusters');
  if (!data.clusters.length) box.append(el('p', 'muted', 'No clusters: no divergences share a signature.'));
  for (const c of data.clusters) {
    const div = el('div', 'cluster');
    const title = el('div');
    title.append(badge(c.class), ' ', el('code', '', c.signature), el('span', 'muted', '  ' + c.tests.length + ' tests'));
    const list = el('div', 'tests');
    for (const i of c.tests) {
      const b = el('button', 'link mono', tests[i].id);
      b.dataset.test = i;
      list.append(b);
    }
    div.append(title, list);
    box.append(div);
  }
  box.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (b) select(Number(b.dataset.test));
  });
}

function renderBoots() {
  const t = $('boots');
  const h = el('tr');
  for (const title of ['kernel', 'attempt', 'outcome', 'stage', 'duration', 'splats', 'message', 'log']) h.append(el('th', '', title));
  t.append(h);
  data.boots.forEach((b, i) => {
    const tr = el('tr');
    tr.append(el('td', '', b.kernel), el('td', '', b.attempt), el('td', b.outcome === 'completed' ? '' : 'bad', b.outcome), el('td', '', b.stage),
      el('td', '', (b.durationMs / 1000).toFixed(2) + ' s' + (b.cached ? ' (cached)' : '')));
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
    tr.append(splats, el('td', '', b.message || ''), logCell);
    t.append(tr);
  });
}

function step(direction) {
  let p = shown.indexOf(selected);
  if (p < 0) p = direction > 0 ? -1 : shown.length;
  for (let q = p + direction; q >= 0 && q < shown.length; q += direction)
    if (isDivergence(tests[shown[q]])) { select(shown[q]); return; }
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
  const row = e.target.closest('.row');
  if (!row) return;
  const cell = e.target.closest('.cell');
  select(Number(row.dataset.test), cell ? Number(cell.dataset.kernel) : undefined);
});
document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
  if (typing) { if (e.key === 'Escape') e.target.blur(); return; }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === 'j') step(1);
  else if (e.key === 'k') step(-1);
  else if (e.key === '/') { e.preventDefault(); $('search').focus(); }
});
applyFilter();
if (data.boots.length) showLog(0);
document.body.dataset.ready = 'true';
})();
`;
