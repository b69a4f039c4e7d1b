/**
 * The history dashboard's pages (history/site.ts writes them): the grid pages (index.html with
 * the latest runs, a page per month) and a page per test. Same shell as report.html: one file
 * each, a CSP that loads nothing, the data as JSON, every test id and commit through
 * textContent. Their script is client/history.ts.
 */
import { DIVERGENCE_CLASSES } from '../model/classes.js';
import { HISTORY_STATUSES } from '../model/history.js';
import { classColour, htmlPage } from './html-page.js';
import { HISTORY_SCRIPT } from './html-scripts.js';
import type { HistoryCodes, HistoryGridPageData, HistoryTestPageData } from './page-data.js';

/** How the pages read a cell's code: the class and status tables, in their order. */
export const HISTORY_CODES: HistoryCodes = {
  classes: DIVERGENCE_CLASSES.map((name) => ({ name, color: classColour(name) })),
  statuses: [...HISTORY_STATUSES],
};

const GRID_BODY = `<header id="head"></header>
<section id="lists"></section>
<nav id="months"></nav>
<section id="controls"><input id="search" type="search" placeholder="filter tests" aria-label="filter tests">
<span id="states"></span> <span id="shown" class="muted"></span></section>
<section id="legend"></section>
<div id="grid-box"><table id="grid"><thead id="grid-head"></thead><tbody id="grid-body"></tbody></table></div>`;

const TEST_BODY = `<header id="head"></header>
<dl id="facts" class="facts"></dl>
<section id="legend"></section>
<h2>Timeline</h2>
<p id="older" class="muted"></p>
<div id="timeline-box"><table id="timeline"><thead><tr><th>state</th><th>class</th><th>candidate</th><th>runs</th><th>from</th><th>to</th></tr></thead><tbody id="timeline-body"></tbody></table></div>`;

const CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 12px 0 4px; } h2 { font-size: 16px; margin: 14px 0 6px; }
a { color: #0969da; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.muted { color: #57606a; font-size: 12px; }
.mono { font-family: ui-monospace, Menlo, Consolas, monospace; }
#lists { display: flex; flex-wrap: wrap; gap: 8px 24px; }
#lists section { flex: 1 1 300px; min-width: 0; }
#lists ul { margin: 0; padding-left: 18px; max-height: 14em; overflow: auto; }
#lists li { overflow-wrap: anywhere; }
#months a { margin-right: 8px; }
#controls { margin: 10px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
#search { width: 20em; max-width: 100%; }
.cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; margin: 0 6px 4px 0; }
#grid-box, #timeline-box { max-width: 100%; overflow-x: auto; }
table#grid { border-collapse: collapse; font-size: 12px; }
#grid th, #grid td { border: 1px solid #eaeef2; padding: 0; }
#grid th.run { writing-mode: vertical-rl; transform: rotate(180deg); font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 400; font-size: 10px; height: 6em; }
#grid td.id { padding: 1px 6px; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
#grid td.c { width: 14px; min-width: 14px; height: 18px; }
#grid td.c.fails { box-shadow: inset 0 0 0 2px #1f2328; }
#grid td.c.absent { background: #f6f8fa; }
.state { font-size: 11px; padding: 0 6px; white-space: nowrap; }
.state-broken { color: #cf222e; font-weight: 600; } .state-flaky { color: #bf8700; } .state-good { color: #1a7f37; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; }
dl.facts dt { color: #57606a; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
#timeline { border-collapse: collapse; font-size: 12.5px; }
#timeline th, #timeline td { border: 1px solid #eaeef2; padding: 2px 6px; text-align: left; }
h1.id { overflow-wrap: anywhere; font-family: ui-monospace, Menlo, Consolas, monospace; }
`;

export const renderHistoryGridPage = (data: HistoryGridPageData): string =>
  htmlPage({ title: data.title, css: CSS, script: HISTORY_SCRIPT, body: GRID_BODY, data });

export const renderHistoryTestPage = (data: HistoryTestPageData): string =>
  htmlPage({
    title: `diverge history: ${data.id.slice(0, 200)}`,
    css: CSS,
    script: HISTORY_SCRIPT,
    body: TEST_BODY,
    data,
  });
