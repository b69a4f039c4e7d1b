/**
 * Benchmark: report.html for 10,000 tests × 5 kernels × 3 runs, with a 10,000-result KTAP serial
 * log per boot. Measures the page's size, the time to render it, the time headless Chromium
 * takes from opening the file to the page being interactive, and a search plus a click.
 * Targets: under 10 MB, interactive in under 2 s. Run with `npm run bench`.
 */
import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KernelObservation } from '../src/results/observe.js';
import { renderHtml } from '../src/render/html.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { bootRecord, judgedReport } from '../test/helpers/observations.js';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, performance: any, Event: any;

const TESTS = 10_000;
const RUNS = 3;
const kernels = ['candidate', 'staff', 'v1', 'v2', 'v3'];
const id = (i: number) => `suite${i % 50}.case${i}`;

const observations: KernelObservation[] = [];
const logs = new Map<string, string>();
for (const kernel of kernels)
  for (let attempt = 1; attempt <= RUNS; attempt++) {
    const tests = [];
    const log = ['KTAP version 1', `1..${TESTS}`];
    for (let i = 0; i < TESTS; i++) {
      const diverges = kernel === 'candidate' && i % 97 === 0;
      const status = diverges && i % 2 === 0 ? 'fail' : 'pass';
      const output = [`${id(i)}: got ${diverges ? i + 1 : i}`];
      tests.push({ id: id(i), status, output } as const);
      log.push(`# ${output[0]}`, `${status === 'pass' ? 'ok' : 'not ok'} ${i + 1} ${id(i)}`);
    }
    observations.push({
      kernel,
      attempt,
      boot: bootRecord(kernel, attempt),
      tests,
      complete: true,
      problems: [],
    });
    logs.set(`logs/${kernel}-${attempt}.log`, `${log.join('\n')}\n`);
  }
const report = judgedReport(observations, kernels.slice(1));
report.boots.forEach((b) => (b.log = `logs/${b.kernel}-${b.attempt}.log`));

const renderStart = performance.now();
const html = renderHtml(report, logs);
const renderMs = performance.now() - renderStart;
const dir = path.resolve('build/bench/html');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'report.html');
writeFileSync(file, html);
const megabytes = statSync(file).size / 1e6;

const browser = await launchBrowser();
const opens: number[] = [];
const interactions: number[] = [];
for (let round = 0; round < 5; round++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const start = performance.now();
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  opens.push(performance.now() - start);
  interactions.push(
    await page.evaluate((target: string) => {
      const t = performance.now();
      const search = document.querySelector('#search');
      search.value = target;
      search.dispatchEvent(new Event('input'));
      document.querySelector('#grid-rows .row .id').click();
      void document.querySelector('#log').scrollTop; // force layout
      if (document.querySelector('#detail-id').textContent !== target) throw new Error('no detail');
      return performance.now() - t;
    }, id(9991)),
  );
  await page.close();
}
await browser.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[2] as number;
const open = median(opens);
const interaction = median(interactions);
console.log(
  `${TESTS} tests × ${kernels.length} kernels × ${RUNS} runs: ${megabytes.toFixed(1)} MB, rendered in ${renderMs.toFixed(0)} ms; interactive in ${open.toFixed(0)} ms (median of 5, target < 2000 ms); search + click ${interaction.toFixed(0)} ms`,
);
if (process.env.BENCH_RECORD !== '0') {
  appendFileSync(
    new URL('../../bench/html.md', import.meta.url),
    `| ${new Date().toISOString().slice(0, 10)} | ${TESTS} × ${kernels.length} × ${RUNS}, ${report.boots.length} logs | ${megabytes.toFixed(1)} MB | ${renderMs.toFixed(0)} ms | ${open.toFixed(0)} ms | ${interaction.toFixed(0)} ms | Node ${process.version}, ${browser.version()} |\n`,
  );
}
process.exitCode = open < 2000 && megabytes < 10 ? 0 : 1;
