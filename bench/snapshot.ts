/**
 * Benchmark: boot once, test many (src/qemu/snapshot.ts). Per-test boots of a console-script
 * harness, one at a time, cold (`harness.snapshot: false`) and restored from the VM saved at the
 * first prompt, on Debian Linux 6.1 (BusyBox shell; TESTS tests, default 8), upstream
 * xv6-riscv (fixtures/xv6-riscv built in Docker; its five tests) and the fixture course's riscv
 * kernel (fixtures/course/riscv; its four tests). Per test: the wall time of the
 * whole round divided by its tests (the restored round pays its one saving boot in it), and the
 * median of the boots' own durations. Both rounds must judge every test alike, or the bench
 * ends (exit 2) without figures. The course's x86 per-test mode (pintos.yml) chooses the test at
 * boot (Pintos' command line): no saved VM applies, so it is not measured. Figures are appended to
 * bench/snapshot.md (BENCH_RECORD=0: not appended; BENCH_NOTE: the row's note). Run after
 * `rollup -c --configBench` with `bash scripts/node24 build/bench/snapshot.js`.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createRunContext } from '../src/context.js';
import type { KernelObservation } from '../src/results/observe.js';
import { bootKernels } from '../src/session/boots.js';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../src/run/fixtures.js';
import { buildFile, layOutFamily, TEACHING_FAMILIES } from '../test/helpers/teaching.js';

const TESTS = Number(process.env.TESTS ?? 8);
const work = mkdtempSync(path.join(tmpdir(), 'diverge-bench-snapshot-'));
const context = createRunContext(process.env);
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Round {
  /** How many boots started from the saved VM: the others booted cold (and say why). */
  restored: string;
  perTestS: number;
  medianBootS: number;
  judged: string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** One round of per-test boots, one at a time; its cost per test and what it judged. */
async function round(label: string, yaml: string, kernel: string, snapshot: boolean) {
  const dir = path.join(work, `${label}-${snapshot ? 'restored' : 'cold'}`);
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'diverge.yml');
  writeFileSync(config, `${yaml}\n  snapshot: ${snapshot}\n`);
  const settings = await loadConfig(config);
  const started = performance.now();
  const run = await bootKernels(context, settings, [{ name: label, path: kernel }], {
    outDir: dir,
    jobs: 1,
    progress: (line) => log(`[${label}/${snapshot ? 'restored' : 'cold'}] ${line}`),
  });
  const seconds = (performance.now() - started) / 1000;
  const tests = run.observations.length;
  const judged = (o: KernelObservation) =>
    `${o.test}:${o.boot.outcome}:${o.tests.map((t) => t.status).join(',')}`;
  const restored = run.observations.filter((o) => o.boot.restored).length;
  return {
    restored: `${restored}/${tests}`,
    perTestS: seconds / tests,
    medianBootS: median(run.observations.map((o) => o.boot.durationMs / 1000)),
    judged: run.observations.map(judged).sort().join(' '),
  } satisfies Round;
}

async function compare(label: string, yaml: string, kernel: string) {
  const cold = await round(label, yaml, kernel, false);
  const restored = await round(label, yaml, kernel, true);
  if (cold.judged !== restored.judged) {
    log(
      `${label}: cold and restored boots judged differently:\n  ${cold.judged}\n  ${restored.judged}`,
    );
    process.exit(2);
  }
  return { label, cold, restored, ratio: restored.perTestS / cold.perTestS };
}

const loadBefore = loadavg()[0] as number;
const results = [];

// Debian Linux 6.1 with the fixture family's BusyBox shell: a command per test.
const kernels = await fixtureKernels();
const root = path.join(work, 'root');
await buildLinuxHarness(root);
const linuxTests = Array.from({ length: TESTS }, (_, i) => `t${i + 1}`);
results.push(
  await compare(
    'linux-6.1',
    [
      'machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=shell" }',
      'harness:',
      `  tests: [${linuxTests.join(', ')}]`,
      '  script:',
      '    - { expect: "^/ # ", send: "echo {test} $((6 * 7))\\n", pass: " 42$", timeout: 30s }',
      '  timeouts: { boot: 120s, stall: 60s, total: 180s }',
      `  dir: ${root}`,
    ].join('\n'),
    kernels.X86_61_A as string,
  ),
);

// Upstream xv6-riscv, its fixture's own harness (five programs on fs.img).
const xv6 = path.join(REPO_ROOT, 'fixtures/xv6-riscv');
const recipe = { context: xv6, dockerfile: 'Dockerfile' };
await buildFile(context, { ...recipe, target: 'disk', args: {} }, '/out/fs.img', `${work}/fs.img`);
await buildFile(
  context,
  { ...recipe, target: 'kernel', args: { VARIANT: 'staff' } },
  '/out/kernel',
  `${work}/xv6-kernel`,
);
results.push(
  await compare(
    'xv6-riscv',
    [
      'machine: { arch: riscv64, memory: 128M, cpus: 1, firmware: none, append: "" }',
      'harness:',
      `  disks: [{ file: ${work}/fs.img, interface: virtio-mmio, format: raw }]`,
      '  tests: [forktest, trunctest, sbrktest, faulttest, killtest]',
      '  script:',
      "    - { expect: '^\\$ ', send: \"{test}\\n\", pass: '^(fork test )?OK$', fail: FAILED, timeout: 60s }",
      '  timeouts: { boot: 120s, stall: 60s, total: 5m }',
    ].join('\n'),
    `${work}/xv6-kernel`,
  ),
);
// The fixture course's riscv kernel: its own disk driver, whose modern virtio-mmio disk restores.
const family = TEACHING_FAMILIES.find((f) => f.name === 'xv6');
if (!family) throw new Error('no course riscv family');
const courseDir = path.join(work, 'course');
const courseConfig = await layOutFamily(context, family, ['staff'], courseDir);
const courseYaml = readFileSync(courseConfig, 'utf8')
  .replaceAll('file: out/', `file: ${courseDir}/out/`)
  .trimEnd();
results.push(
  await compare('course-riscv', courseYaml, path.join(courseDir, 'out/variants/staff/kernel.elf')),
);
const loadAfter = loadavg()[0] as number;

const rows = results.map(
  ({ label, cold, restored, ratio }) =>
    `| ${new Date().toISOString().slice(0, 10)} | ${label} | ${label.startsWith('linux') ? TESTS : label === 'xv6-riscv' ? 5 : 4} | ${cold.perTestS.toFixed(2)} s | ${restored.perTestS.toFixed(2)} s | ${cold.medianBootS.toFixed(2)} s | ${restored.medianBootS.toFixed(2)} s | ${ratio.toFixed(3)} | ${restored.restored} | load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}${process.env.BENCH_NOTE ? `; ${process.env.BENCH_NOTE}` : ''} |`,
);
process.stdout.write(`${rows.join('\n')}\n`);
if (process.env.BENCH_RECORD !== '0')
  appendFileSync(path.join(REPO_ROOT, 'bench/snapshot.md'), `${rows.join('\n')}\n`);
