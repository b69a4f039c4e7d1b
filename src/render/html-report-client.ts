/**
 * The browser side of report.html: its static markup and style. Its script is
 * client/report.ts (inlined from html-scripts.ts).
 */

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
