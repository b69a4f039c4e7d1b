/**
 * The history pages' script (render/history-html.ts): the grid pages (lists of broken, flaky
 * and fixed tests, the tests × runs grid with a search filter and a state filter) and a test's
 * page (its facts and its timeline of streaks). A cell's code is one byte (history/timeline.ts):
 * 1 + the class's index, 16 when it failed the run, the candidate's status index times 32.
 */
import type {
  HistoryCodes,
  HistoryGridPageData,
  HistoryPageRun,
  HistoryTestPageData,
} from '../page-data.js';
import { $, el, pageData } from './common.js';

const data = pageData<HistoryGridPageData | HistoryTestPageData>();
const ID_CHARS = 200;
const STATES = ['broken', 'flaky', 'good', 'absent'];

/** A link the page may follow: relative, or to a web page (never `javascript:` and the like). */
function link(text: unknown, href: string | undefined, cls = ''): HTMLElement {
  if (href === undefined || (/^[a-z][a-z0-9+.-]*:/i.test(href) && !/^https?:\/\//i.test(href)))
    return el('span', cls, text);
  const a = el('a', cls, text);
  a.href = href;
  return a;
}

const clip = (id: string) => (id.length > ID_CHARS ? id.slice(0, ID_CHARS) + '\u2026' : id);

function decode(codes: HistoryCodes, code: number) {
  const cls = codes.classes[(code & 15) - 1];
  return {
    cls: cls?.name ?? '',
    color: cls?.color ?? '#cf222e',
    fails: (code & 16) !== 0,
    status: codes.statuses[code >> 5] ?? '',
  };
}

const runWords = (run: HistoryPageRun) =>
  run.commit.slice(0, 12) + ' ' + run.time + ' ' + run.event;

function legend(codes: HistoryCodes) {
  const box = $('legend');
  for (const c of codes.classes) {
    const b = el('span', 'cls', c.name);
    b.style.background = c.color;
    box.append(b);
  }
  box.append(el('span', 'muted', 'a dark frame: the test failed the run; grey: not in the run'));
}

function gridPage(d: HistoryGridPageData) {
  const head = $('head');
  head.append(el('h1', '', d.title), el('p', 'muted', d.summary));
  if (d.home) head.append(link('\u2190 the latest runs', d.home));
  else {
    const more = el('p', 'muted');
    more.append(
      link('Atom feed of state changes', 'feed.xml'),
      ' \u00b7 ',
      link('badge.json', 'badge.json'),
    );
    head.append(more);
  }
  const lists = $('lists');
  const section = (title: string, items: HistoryGridPageData['lists']['broken'], id: string) => {
    const s = el('section');
    s.id = id;
    s.append(el('h2', '', title + ' (' + items.length + ')'));
    const ul = el('ul');
    for (const item of items) {
      const li = el('li');
      li.append(link(clip(item.id), item.href, 'mono'), el('span', 'muted', ' ' + item.note));
      ul.append(li);
    }
    if (!items.length) ul.append(el('li', 'muted', 'none'));
    s.append(ul);
    lists.append(s);
  };
  // Month pages are grids only: the lists are about now.
  if (!d.home) {
    section('Broken', d.lists.broken, 'broken');
    section('Flaky', d.lists.flaky, 'flaky');
    section('Fixed', d.lists.fixed, 'fixed');
  }
  const months = $('months');
  if (d.months.length) months.append(el('span', 'muted', 'runs by month: '));
  for (const m of d.months) months.append(link(m.name, m.href));

  const enabled = new Set(STATES);
  const states = $('states');
  for (const state of STATES) {
    const label = el('label', 'state state-' + state);
    const box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.dataset.state = state;
    label.append(box, ' ' + state + ' ' + d.rows.filter((r) => r.state === state).length);
    states.append(label);
  }
  const tr = el('tr');
  tr.append(el('th', '', 'test'), el('th', '', 'state'));
  for (const run of d.runs) {
    const th = el('th', 'run');
    th.append(link(run.commit.slice(0, 7), run.link));
    th.title = runWords(run);
    tr.append(th);
  }
  $('grid-head').append(tr);
  const body = $('grid-body');
  const rows = d.rows.map((row) => {
    const r = el('tr');
    const id = el('td', 'id');
    id.append(link(clip(row.id), row.href));
    id.title = row.id.slice(0, 1000);
    r.append(id, el('td', 'state state-' + row.state, row.state));
    for (let i = 0; i < d.runs.length; i++) {
      const code = parseInt(row.cells.slice(2 * i, 2 * i + 2), 16) || 0;
      const run = d.runs[i] as HistoryPageRun;
      if (code === 0) {
        const td = el('td', 'c absent');
        td.title = runWords(run) + ': not in this run';
        r.append(td);
        continue;
      }
      const c = decode(d, code);
      const td = el('td', 'c' + (c.fails ? ' fails' : ''));
      td.style.background = c.color;
      td.dataset.class = c.cls;
      td.title =
        runWords(run) +
        ': ' +
        c.cls +
        ', candidate ' +
        c.status +
        (c.fails ? ', fails the run' : '');
      r.append(td);
    }
    body.append(r);
    return r;
  });
  const lowered = d.rows.map((row) => row.id.toLowerCase());
  const filter = () => {
    const q = ($('search') as HTMLInputElement).value.toLowerCase();
    let shown = 0;
    rows.forEach((r, i) => {
      const visible = enabled.has(d.rows[i]?.state ?? '') && (!q || (lowered[i] ?? '').includes(q));
      r.hidden = !visible;
      if (visible) shown++;
    });
    $('shown').textContent = shown + ' of ' + rows.length + ' tests';
  };
  $('search').addEventListener('input', filter);
  states.addEventListener('change', (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.state) return;
    if (box.checked) enabled.add(box.dataset.state);
    else enabled.delete(box.dataset.state);
    filter();
  });
  filter();
}

function testPage(d: HistoryTestPageData) {
  const head = $('head');
  head.append(link('\u2190 dashboard', d.home), el('h1', 'id', d.id));
  const facts = $('facts');
  for (const f of d.facts) {
    facts.append(el('dt', '', f.term));
    const dd = el('dd');
    dd.append(link(f.value, f.link));
    facts.append(dd);
  }
  if (d.older) $('older').textContent = d.older + ' older changes are not shown.';
  const body = $('timeline-body');
  for (const s of d.streaks) {
    const c = decode(d, s.code);
    const tr = el('tr');
    const state = c.fails ? 'broken' : c.cls === 'flaky' ? 'flaky' : 'good';
    const cls = el('td');
    const badge = el('span', 'cls', c.cls);
    badge.style.background = c.color;
    cls.append(badge);
    const from = el('td', 'mono');
    from.append(link(runWords(s.from), s.from.link));
    const to = el('td', 'mono');
    to.append(link(runWords(s.to), s.to.link));
    tr.append(
      el('td', 'state state-' + state, state),
      cls,
      el('td', '', c.status),
      el('td', '', s.runs),
      from,
      to,
    );
    body.append(tr);
  }
}

legend(data);
if (data.kind === 'grid') gridPage(data);
else testPage(data);
document.body.dataset.ready = 'true';
