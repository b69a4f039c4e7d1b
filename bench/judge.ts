/**
 * Benchmark: judging and rendering a large run. 10,000 tests × 5 kernels (a candidate and four
 * references) × 3 runs, with pids and timestamps in the output so normalisation has work, and
 * a few hundred divergences. Measures judge + report + Markdown + terminal + JSON, the work
 * `diverge compare` does. Target: under 1 s. Run with `npm run bench`.
 */
import { appendFileSync } from 'node:fs';
import type { KernelObservation } from '../src/results/observe.js';
import { renderMarkdown } from '../src/render/markdown.js';
import { renderTerminal } from '../src/render/terminal.js';
import { bootRecord, judgedReport } from '../test/helpers/observations.js';

const TESTS = 10_000;
const RUNS = 3;
const kernels = ['candidate', 'staff', 'v1', 'v2', 'v3'];

function observations(): KernelObservation[] {
  const all: KernelObservation[] = [];
  for (const kernel of kernels) {
    for (let attempt = 1; attempt <= RUNS; attempt++) {
      const tests = [];
      for (let i = 0; i < TESTS; i++) {
        const diverges = kernel === 'candidate' && i % 97 === 0;
        const status = diverges && i % 2 === 0 ? 'fail' : 'pass';
        const output = [
          `[ ${(attempt * 1.234567 + i / 1000).toFixed(6)}] suite${i % 50}.case${i}: pid ${1000 + attempt * 7 + i}`,
          diverges ? `got ${i + 1}` : `got ${i}`,
        ];
        if (!(kernel === 'candidate' && i % 1000 === 999))
          tests.push({ id: `suite${i % 50}.case${i}`, status, output } as const);
      }
      all.push({
        kernel,
        attempt,
        boot: bootRecord(kernel, attempt),
        tests,
        complete: true,
        problems: [],
      });
    }
  }
  return all;
}

const input = observations();
const times: number[] = [];
let summary = '';
for (let round = 0; round < 5; round++) {
  const start = performance.now();
  const report = judgedReport(input, kernels.slice(1));
  const markdown = renderMarkdown(report, {});
  const terminal = renderTerminal(report, { color: false });
  const json = JSON.stringify(report);
  times.push(performance.now() - start);
  summary = `${report.summary.tests} tests, ${report.summary.divergences} divergences, ${report.clusters.length} clusters; markdown ${markdown.length} B, terminal ${terminal.length} B, json ${(json.length / 1e6).toFixed(1)} MB`;
}
times.sort((a, b) => a - b);
const median = times[2] as number;
console.log(summary);
console.log(
  `judge + report + render, median of 5: ${median.toFixed(0)} ms (min ${times[0]?.toFixed(0)} ms) — target < 1000 ms`,
);
if (process.env.BENCH_RECORD !== '0') {
  appendFileSync(
    new URL('../../bench/judge.md', import.meta.url),
    `| ${new Date().toISOString().slice(0, 10)} | judge.ts | ${TESTS} tests × ${kernels.length} kernels × ${RUNS} runs | ${median.toFixed(0)} ms | Node ${process.version} |\n`,
  );
}
process.exitCode = median < 1000 ? 0 : 1;
