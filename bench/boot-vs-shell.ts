/**
 * Benchmark: `diverge boot` of three Debian kernels against a plain shell running the very same
 * QEMU command lines (taken from that boot's saved observations, made runnable from a shell and
 * checked to have run by bench/replay.ts) with as many at once as diverge. Both run in the same
 * session, alternating, ROUNDS times (default 5); the median ratio is reported and appended to
 * bench/boot-vs-shell.md (BENCH_RECORD=0: not appended; BENCH_NOTE: the row's note). Target:
 * ratio ≤ 1.15. A round whose diverge run or replay did not boot every kernel to the end ends
 * the bench (exit 2) without a ratio. Run with `npm run bench`, or after `rollup -c
 * --configBench`, `bash scripts/node24 build/bench/boot-vs-shell.js`.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { readSavedRun } from '../src/session/saved-run.js';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../src/run/fixtures.js';
import { ReplayError, replayBoots } from './replay.js';

const TARGET = 1.15;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`ROUNDS: ${process.env.ROUNDS}`);

const work = mkdtempSync(path.join(tmpdir(), 'diverge-bench-boot-vs-shell-'));
const kernels = await fixtureKernels();
await buildLinuxHarness(path.join(work, 'root'));
const config = path.join(work, 'diverge.yml');
writeFileSync(config, `harness:\n  dir: ${path.join(work, 'root')}\n  results: { format: ktap }\n`);
const settings = await loadConfig(config);
const kernelArgs = (['X86_61_A', 'X86_61_B', 'X86_612'] as const).flatMap((key, i) => {
  const file = kernels[key];
  if (!file) throw new Error(`.cache/kernels/manifest.env names no ${key}: run scripts/setup.sh`);
  return ['-k', `${'abc'[i]}=${file}`];
});

/** One `diverge boot` of the three kernels; throws unless every kernel booted to the end. */
async function divergeBoot(out: string) {
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'dist', 'cli.js'), 'boot', '-c', config, ...kernelArgs, '-o', out],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const seconds = (performance.now() - started) / 1000;
  const said = `; diverge said:\n${run.stderr ?? ''}`;
  if (run.error) throw new ReplayError(`diverge did not start: ${run.error.message}`);
  if (run.status !== 0)
    throw new ReplayError(`diverge boot ended with ${run.signal ?? `status ${run.status}`}${said}`);
  const saved = await readSavedRun(path.join(out, 'boots.json'), out);
  const wrong = saved.observations.filter(
    (o) => o.boot.cached || o.boot.outcome !== 'completed' || o.boot.stage !== 'done',
  );
  if (saved.observations.length !== 3 || wrong.length > 0)
    throw new ReplayError(
      `diverge boot did not boot the three kernels to the end (${saved.observations.length} boots, ${wrong.map((o) => `${o.kernel}: ${o.boot.outcome} at stage ${o.boot.stage}${o.boot.cached ? ', cached' : ''}`).join('; ')})${said}`,
    );
  return { seconds, saved };
}

const replayOf = (saved: Awaited<ReturnType<typeof divergeBoot>>['saved'], dir: string) =>
  replayBoots(saved.observations, {
    dir,
    jobs: saved.host.jobs,
    results: settings.harness.results,
    verbatim: process.env.BENCH_REPLAY_VERBATIM === '1',
  });

try {
  // Warm-up (page cache, the per-boot KVM probe cache), not measured; its replay shows early
  // that the baseline runs.
  const warm = await divergeBoot(path.join(work, 'out-warm'));
  replayOf(warm.saved, path.join(work, 'replay-warm'));
  const ratios: number[] = [];
  let accel = warm.saved.host.accel;
  for (let round = 1; round <= ROUNDS; round++) {
    const diverge = await divergeBoot(path.join(work, `out-${round}`));
    const shell = replayOf(diverge.saved, path.join(work, `replay-${round}`));
    const ratio = diverge.seconds / shell.seconds;
    ratios.push(ratio);
    accel = diverge.saved.host.accel;
    console.log(
      `round ${round}: diverge ${diverge.seconds.toFixed(2)} s, shell ${shell.seconds.toFixed(2)} s (${shell.boots} boots, ${diverge.saved.host.jobs} at once), ratio ${ratio.toFixed(3)}`,
    );
  }
  const median = [...ratios].sort((a, b) => a - b)[Math.floor((ROUNDS - 1) / 2)] as number;
  console.log(`median ratio diverge/shell: ${median.toFixed(3)} (target ≤ ${TARGET})`);
  if (process.env.BENCH_RECORD !== '0')
    appendFileSync(
      path.join(REPO_ROOT, 'bench', 'boot-vs-shell.md'),
      `| ${new Date().toISOString().slice(0, 10)} | ${accel} | ${ROUNDS} | ${median.toFixed(3)} | ${availableParallelism()} cores | ${process.env.BENCH_NOTE ?? ''} |\n`,
    );
  process.exitCode = median <= TARGET ? 0 : 1;
  rmSync(work, { recursive: true, force: true });
} catch (error) {
  // The scripts, serial files and diverge's output stay for a look.
  console.error(
    `boot-vs-shell: no ratio: ${error instanceof ReplayError ? error.message : String((error as Error).stack ?? error)}\n(files kept in ${work})`,
  );
  process.exitCode = 2;
}
