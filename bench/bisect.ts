/**
 * Benchmark: `diverge bisect` over generated histories of the course kernel (32 and 256
 * commits; a culprit, a commit that does not build, a harmless kernel change and a racy commit),
 * each step built in real Docker from a git worktree and booted in real QEMU. Records rounds,
 * steps, builds (built, reused, skipped) and wall time against the log2(N) steps of a plain
 * one-at-a-time `git bisect run`, with one slot and with one slot per core. Every history has
 * a fresh salt, so its builds are really built. Run with `npm run bench` (or, after
 * `rollup -c --configBench`, `node build/bench/bisect.js [N...]`); figures go to bench/bisect.md.
 */
import { appendFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { dockerAccess } from '../src/docker/docker.js';
import { loadConfig } from '../src/config/load.js';
import { cacheDirs, createRunContext } from '../src/context.js';
import { runBisect } from '../src/run/bisect.js';
import { buildCourseHarness } from '../src/run/demo.js';
import { REPO_ROOT } from '../src/run/fixtures.js';
import { courseHistory } from '../test/helpers/course-history.js';

const sizes = process.argv.slice(2).map(Number);
const cores = availableParallelism();
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-bench-bisect-'));
const context = { ...createRunContext(process.env), cache: cacheDirs(path.join(dir, 'cache')) };
const docker = dockerAccess(context.dockerHost, undefined, () => undefined);
const harness = await buildCourseHarness(context, docker, dir, () => undefined);

const rows: string[] = [];
for (const commits of sizes.length ? sizes : [32, 256]) {
  // The same shape at every size: the culprit at 5/6, the others just before it.
  const culprit = Math.round((commits * 5) / 6);
  const plan = {
    commits,
    culprit,
    harmless: culprit - 1,
    flaky: culprit - 5,
    broken: Math.round(commits / 2),
  };
  for (const slots of [...new Set([1, cores])]) {
    const salt = `${process.pid}-${commits}-${slots}-${Date.now()}`;
    const history = courseHistory(
      path.join(dir, `repo-${commits}-${slots}`),
      { ...plan, salt },
      'harness.bin',
    );
    copyFileSync(harness, path.join(history.dir, 'harness.bin'));
    const settings = await loadConfig(history.config);
    const started = performance.now();
    const result = await runBisect(context, settings, {
      good: history.shas[0] as string,
      bad: history.shas.at(-1) as string,
      tests: [],
      firstParent: false,
      jobs: slots,
      outDir: path.join(dir, `out-${commits}-${slots}`),
      docker,
      progress: (line) => process.stderr.write(`[${commits}/${slots}] ${line}\n`),
    });
    const seconds = (performance.now() - started) / 1000;
    const right = result.culprit?.sha === history.shas[culprit] ? 'yes' : 'NO';
    const row = `| ${new Date().toISOString().slice(0, 10)} | ${commits} | ${slots} | ${result.rounds} | ${result.steps.length} | ${result.plainSteps} | ${result.builds.built} / ${result.builds.reused} / ${result.builds.skipped} | ${seconds.toFixed(0)} s | ${right} |`;
    console.log(row);
    rows.push(row);
  }
}
appendFileSync(path.join(REPO_ROOT, 'bench', 'bisect.md'), `${rows.join('\n')}\n`);
// A bisection that named the wrong commit (or none) measured nothing worth a figure.
if (rows.some((row) => row.endsWith('| NO |'))) {
  console.error('bisect: a bisection did not find the planted culprit (rows marked NO)');
  process.exitCode = 1;
}
