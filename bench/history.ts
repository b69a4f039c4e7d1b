/**
 * Benchmark: `diverge history` at scale. Appends RUNS generated records of TESTS tests each (one
 * an hour, so about 14 month files at 10,000 runs) through the store's real append (lock file,
 * one write, fsync), then reads the store into a timeline, derives every test's facts and
 * renders the site. Records the store's size, add time per record, read, facts and render
 * times: cold (a fresh checkout: every month read from the columns add kept next to it),
 * rebuild (a store without columns: every month parsed) and warm (one more run added: the
 * nightly case), index.html's size (target: under 1 MB) and the whole
 * site's; render target: under 10 s. Run with `npm run bench` (or, after `rollup -c --configBench`,
 * `node build/bench/history.js [RUNS TESTS]`); figures go to bench/history.md.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { allFacts } from '../src/history/facts.js';
import { renderSite } from '../src/history/site.js';
import { appendRecord, readTimeline } from '../src/history/store.js';
import { historyRun, type Said } from '../test/helpers/history.js';

const [runs = 10_000, tests = 1_000] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-bench-history-'));
const store = path.join(dir, 'store');
const site = path.join(dir, 'site');
const ids = Array.from(
  { length: tests },
  (_, t) => `suite${t % 40}.case${String(t).padStart(5, '0')}`,
);

/**
 * The shape of a long-lived project: test t breaks for a stretch of runs now and then (a tenth
 * of the tests, each for 50 runs starting at a run of its own), one test in 50 is flaky one run
 * in 7, and the references move every 1,000 runs.
 */
function said(t: number, r: number): Said {
  if (t % 10 === 0) {
    const start = (t * 97) % runs;
    if (r >= start && r < start + 50) return 'broken';
  }
  if (t % 50 === 1 && (r + t) % 7 === 0) return 'flaky';
  return 'good';
}

const clock = () => performance.now();
const du = (root: string): number =>
  readdirSync(root, { withFileTypes: true }).reduce((sum, entry) => {
    const file = path.join(root, entry.name);
    return sum + (entry.isDirectory() ? du(file) : statSync(file).size);
  }, 0);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

let added = 0;
const record = (r: number) =>
  historyRun({
    commit: `${r.toString(16).padStart(8, '0')}${'0'.repeat(32)}`,
    hour: r,
    tests: Object.fromEntries(ids.map((id, t) => [id, said(t, r)])),
    staff: `sha256:staff-${Math.floor(r / 1000)}`,
    link: `https://example.org/runs/${r}/report.html`,
  });
const addStart = clock();
for (let r = 0; r < runs; r++) {
  const next = record(r);
  const start = clock();
  await appendRecord(store, next);
  added += clock() - start;
  if ((r + 1) % 1000 === 0) console.error(`added ${r + 1} of ${runs}`);
}
const generateAndAdd = clock() - addStart;
const storeBytes = du(store);

/** Read, facts, site: what `history render` does; seconds of each. */
async function render() {
  const t0 = clock();
  const timeline = await readTimeline(store, (line) => console.error(line));
  const t1 = clock();
  const facts = allFacts(timeline);
  const t2 = clock();
  const { pages } = await renderSite(timeline, facts, site);
  const t3 = clock();
  return { read: t1 - t0, facts: t2 - t1, site: t3 - t2, total: t3 - t0, pages };
}

// Cold: a fresh checkout of the history branch (the action's case): no cache, every month read
// from the columns `add` kept next to it.
const cold = await render();
// Rebuild: a store without columns (written by an earlier diverge): every month parsed, and its
// columns written.
for (const name of readdirSync(store))
  if (name.includes('.columns.')) rmSync(path.join(store, name));
const rebuild = await render();
// Warm: the nightly case. One more run is added (its month's columns extended) and read again.
await appendRecord(store, record(runs));
const warm = await render();
const index = statSync(path.join(site, 'index.html')).size;
const siteBytes = du(site);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const row = [
  new Date().toISOString().slice(0, 10),
  `${runs} × ${tests}`,
  mb(storeBytes),
  `${(added / runs).toFixed(1)} ms`,
  `${(generateAndAdd / 1000).toFixed(0)} s`,
  s(cold.read),
  s(cold.facts),
  s(cold.site),
  s(cold.total),
  s(rebuild.read),
  s(rebuild.total),
  s(warm.read),
  s(warm.total),
  `${(index / 1e3).toFixed(0)} KB`,
  `${mb(siteBytes)}, ${warm.pages} pages`,
  `Node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'cpu'}, load ${loadavg()[0]?.toFixed(1)}`,
];
console.log(row.join(' | '));
// The new row goes at the end of the first table (the file's earlier rows are below it).
const md = new URL('../../bench/history.md', import.meta.url);
const text = readFileSync(md, 'utf8');
const end = text.indexOf('\n\n', text.indexOf('|---|'));
writeFileSync(md, `${text.slice(0, end)}\n| ${row.join(' | ')} |${text.slice(end)}`);
rmSync(dir, { recursive: true, force: true });
