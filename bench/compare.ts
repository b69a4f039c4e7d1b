/**
 * Benchmark: `diverge compare` on a saved run of a million results and more. The fixture course's
 * run (the demo's `wrong-result` variant) is booted once, its boots.json grown to N tests on the
 * candidate and the staff kernel (one run each, every 20th test a regression), and judged again
 * by the bundled CLI. A million results pretty-print to a report.json over V8's 512 MiB string
 * cap, which used to end `compare` with "Invalid string length" and no report. Target: the
 * report written, exit 1 (the regressions), in under 2 minutes. Run with `npm run bench` or
 * `node build/bench/compare.js [N…]`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COURSE_DIR, REPO_ROOT } from '../src/run/fixtures.js';
import { prettyJson } from '../src/util/json-text.js';

const sizes = process.argv.slice(2).map(Number);
const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
const work = mkdtempSync(path.join(tmpdir(), 'diverge-bench-compare-'));

interface SavedTest {
  id: string;
  status: string;
  output: string[];
}
interface Saved {
  observations: { kernel: string; attempt: number; tests: SavedTest[] }[];
}

try {
  execFileSync(process.execPath, [cli, 'demo', '--out', path.join(work, 'demo')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const template = JSON.parse(
    readFileSync(path.join(work, 'demo', 'wrong-result', 'boots.json'), 'utf8'),
  ) as Saved;
  for (const tests of sizes.length > 0 ? sizes : [700_000]) {
    const from = path.join(work, `run-${tests}`);
    mkdirSync(from, { recursive: true });
    const observations = template.observations
      .filter((o) => ['candidate', 'staff'].includes(o.kernel) && o.attempt === 1)
      .map((o) => ({
        ...o,
        tests: Array.from({ length: tests }, (_, i) => {
          const wrong = o.kernel === 'candidate' && i % 20 === 0;
          const output = [`case ${i}: got ${wrong ? i + 1 : i}`];
          return { id: `suite${i % 50}.case${i}`, status: wrong ? 'fail' : 'pass', output };
        }),
      }));
    await writeFile(path.join(from, 'boots.json'), prettyJson({ ...template, observations }));
    const start = performance.now();
    const config = path.join(COURSE_DIR, 'diverge.yml');
    const judged = spawnSync(
      process.execPath,
      [cli, 'compare', '--from', from, '-c', config, '--variant', 'wrong-result', '--quiet'],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    const seconds = (performance.now() - start) / 1000;
    const mb = (file: string) => (statSync(path.join(from, file)).size / 1e6).toFixed(0);
    const line =
      `${(tests * 2).toLocaleString('en')} results: exit ${judged.status}, ${seconds.toFixed(1)} s; ` +
      `boots.json ${mb('boots.json')} MB, report.json ${mb('report.json')} MB`;
    console.log(line);
    if (judged.status !== 1) console.error(judged.stderr.slice(-2000));
    if (process.env.BENCH_RECORD !== '0')
      appendFileSync(
        new URL('../../bench/compare.md', import.meta.url),
        `| ${new Date().toISOString().slice(0, 10)} | ${line} | Node ${process.version} |\n`,
      );
    if (judged.status !== 1 || seconds > 120) process.exitCode = 1;
    rmSync(from, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
