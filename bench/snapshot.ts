/**
 * Benchmark: boot once, test many (src/qemu/snapshot.ts). Per-test boots of a console-script
 * harness, one at a time, cold (`harness.snapshot: false`) and restored from the VM saved at the
 * first prompt, on Debian Linux 6.1 (BusyBox shell; TESTS tests, default 8), upstream
 * xv6-riscv (fixtures/xv6-riscv built in Docker; its five tests) and the fixture course's riscv
 * kernel (fixtures/course/riscv; its four tests). Per test: the wall time of the
 * whole round divided by its tests (the restored round pays its one saving boot in it), and the
 * median of the boots' own durations. Both rounds must judge every test alike, or the bench
 * ends (exit 2) without figures. The course's x86 per-test mode (pintos.yml) chooses the test at
 * boot (Pintos' command line): no saved VM applies, so it is not measured. Then a grade of
 * STUDENTS (default 100, 0: none) generated students of the riscv course with per-test boots,
 * cold and restored (JOBS at once, default 2). The bench keeps its own caches, so every restored
 * round pays its saving boot. The per-test rows are appended to bench/snapshot.md
 * (BENCH_RECORD=0: not appended; BENCH_NOTE: the rows' note); the grade's row is printed, for
 * the grade table there. ONLY_GRADE=1 skips the course's per-test rows. Run after
 * `rollup -c --configBench` with `bash scripts/node24 build/bench/snapshot.js`.
 */
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { cacheDirs, createRunContext } from '../src/context.js';
import { dockerAccess } from '../src/docker/docker.js';
import { GradeProgress } from '../src/grade/progress.js';
import { listSubmissions } from '../src/grade/submissions.js';
import { gradeCourse } from '../src/run/grade.js';
import type { KernelObservation } from '../src/results/observe.js';
import { bootKernels } from '../src/session/boots.js';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../src/run/fixtures.js';
import { buildFile, layOutFamily, TEACHING_FAMILIES } from '../test/helpers/teaching.js';

const TESTS = Number(process.env.TESTS ?? 8);
const work = mkdtempSync(path.join(tmpdir(), 'diverge-bench-snapshot-'));
// A cache of its own: every restored round pays its saving boot (no VM saved by an earlier run).
const context = { ...createRunContext(process.env), cache: cacheDirs(path.join(work, 'cache')) };
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
const VARIANTS = ['staff', 'staff-alt', 'wrong-result', 'panic', 'hang'];
const courseConfig = await layOutFamily(context, family, VARIANTS, courseDir);
const courseYaml = readFileSync(courseConfig, 'utf8')
  .replaceAll('file: out/', `file: ${courseDir}/out/`)
  .trimEnd();
if (process.env.ONLY_GRADE !== '1')
  results.push(
    await compare(
      'course-riscv',
      courseYaml,
      path.join(courseDir, 'out/variants/staff/kernel.elf'),
    ),
  );

/**
 * `diverge grade` of STUDENTS (default 100) generated students of the course's riscv kernel with
 * per-test boots (four tests each), cold and restored: each student a kernel file, a copy of one
 * variant's kernel (staff, wrong-result, panic, hang in turn) with bytes of its own appended (a
 * digest of its own: nothing is shared between students). Both gradings must give every student
 * the same classes and score, or the bench ends (exit 2).
 */
const STUDENTS = Number(process.env.STUDENTS ?? 100);
const JOBS = Number(process.env.JOBS ?? 2);
const gradeRows: string[] = [];
if (STUDENTS > 0) {
  const submissions = path.join(work, 'students');
  mkdirSync(submissions);
  const kinds = ['staff', 'wrong-result', 'panic', 'hang'];
  for (let i = 0; i < STUDENTS; i++) {
    const file = path.join(submissions, `student-${String(i + 1).padStart(3, '0')}`);
    copyFileSync(
      path.join(courseDir, 'out/variants', kinds[i % kinds.length] as string, 'kernel.elf'),
      file,
    );
    appendFileSync(file, `student ${i + 1}\n`);
  }
  const docker = dockerAccess(context.dockerHost);
  const grade = async (snapshot: boolean) => {
    const dir = path.join(work, `grade-${snapshot ? 'restored' : 'cold'}`);
    mkdirSync(dir, { recursive: true });
    const config = path.join(courseDir, `grade-${snapshot}.yml`);
    writeFileSync(config, `${courseYaml}\n  snapshot: ${snapshot}\n`);
    const settings = await loadConfig(config);
    const quiet = () => undefined;
    const progress = new GradeProgress(0, { tty: false, write: quiet, now: () => Date.now() });
    const started = performance.now();
    const gradebook = await gradeCourse(
      { ...context, cache: cacheDirs(path.join(dir, 'cache')) },
      settings,
      await listSubmissions({ dir: submissions }),
      { outDir: dir, docker, variant: 'staff', jobs: JOBS, progress, observationCache: false },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      graded: gradebook.students.length,
      verdicts: gradebook.students
        .map((s) => `${s.name}:${s.score}:${JSON.stringify(s.tests)}`)
        .sort()
        .join('\n'),
    };
  };
  const load = loadavg()[0] as number;
  const cold = await grade(false);
  const restored = await grade(true);
  if (cold.verdicts !== restored.verdicts) {
    log(`grade: cold and restored gradings differ:\n${cold.verdicts}\n---\n${restored.verdicts}`);
    process.exit(2);
  }
  gradeRows.push(
    `| ${new Date().toISOString().slice(0, 10)} | ${STUDENTS} students × 4 tests, --jobs ${JOBS} | ${cold.seconds.toFixed(0)} s | ${restored.seconds.toFixed(0)} s | ${(restored.seconds / cold.seconds).toFixed(3)} | ${cold.graded}/${restored.graded} graded alike | load ${load.toFixed(1)} → ${(loadavg()[0] as number).toFixed(1)}${process.env.BENCH_NOTE ? `; ${process.env.BENCH_NOTE}` : ''} |`,
  );
}
const loadAfter = loadavg()[0] as number;

const rows = results.map(
  ({ label, cold, restored, ratio }) =>
    `| ${new Date().toISOString().slice(0, 10)} | ${label} | ${label.startsWith('linux') ? TESTS : label === 'xv6-riscv' ? 5 : 4} | ${cold.perTestS.toFixed(2)} s | ${restored.perTestS.toFixed(2)} s | ${cold.medianBootS.toFixed(2)} s | ${restored.medianBootS.toFixed(2)} s | ${ratio.toFixed(3)} | ${restored.restored} | load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}${process.env.BENCH_NOTE ? `; ${process.env.BENCH_NOTE}` : ''} |`,
);
process.stdout.write(`${[...rows, ...gradeRows].join('\n')}\n`);
if (process.env.BENCH_RECORD !== '0')
  appendFileSync(path.join(REPO_ROOT, 'bench/snapshot.md'), `${rows.join('\n')}\n`);
