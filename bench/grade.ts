/**
 * Benchmark: `diverge grade` over generated submissions of the fixture course (staff and
 * staff-alt references, rubric of the generated config), three ways (`--how=`, default all):
 * prebuilt (each submission a kernel file), from source with the staff's Dockerfile (each a
 * Docker build, its toolchain layers found in Docker's cache) and from source with one command
 * (`grading.build`: `make kernel` in one container of the toolchain stage). Every source carries
 * a mark of the run, so every submission compiles. Measures the wall time and the time the
 * queue's slots spent building and booting; judging (verdicts, reports, gradebook) is the rest.
 * Then the QEMU command lines the grading ran are replayed by a plain shell (bench/replay.ts:
 * `xargs -P` with as many at once as grade's jobs): the boot part over the shell's wall time is
 * the boot ratio. A grading that leaves a submission ungraded, or a replay that does not run as
 * the grading's boots did, ends the bench with the reason and no row. Sizes from the command
 * line (default 100). Run with `npm run bench`; figures go to bench/grade.md. */
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { dockerAccess } from '../src/docker/docker.js';
import { buildImage } from '../src/docker/image.js';
import { buildKernel, kernelRecipe } from '../src/docker/kernel.js';
import { loadConfig } from '../src/config/load.js';
import type { Settings } from '../src/config/settings.js';
import { cacheDirs, createRunContext } from '../src/context.js';
import { GradeProgress } from '../src/grade/progress.js';
import { listSubmissions } from '../src/grade/submissions.js';
import { generateCourse } from '../test/helpers/course-submissions.js';
import { buildCourseHarness } from '../src/run/demo.js';
import { COURSE_DIR, REPO_ROOT } from '../src/run/fixtures.js';
import { gradeCourse } from '../src/run/grade.js';
import type { KernelObservation } from '../src/results/observe.js';
import type { SavedRun } from '../src/session/saved-run.js';
import { observationsIn, type ReplayResult, replayBoots } from './replay.js';

type ResultsSettings = Settings['harness']['results'];

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
/**
 * Which gradings to run (`--how=prebuilt,dockerfile,command`; default those three), and two
 * more: `dockerfile-base` (the course's Dockerfile with its networked step in a base image, see
 * baseCourse) and `warm` (rebuilds of the unchanged staff tree through the engine).
 */
const HOWS = ['prebuilt', 'dockerfile', 'command', 'dockerfile-base', 'warm'] as const;
const howArg = process.argv.find((arg) => arg.startsWith('--how='));
const hows = howArg ? howArg.slice('--how='.length).split(',') : [...HOWS.slice(0, 3)];
for (const how of hows)
  if (!(HOWS as readonly string[]).includes(how))
    throw new Error(`--how: ${how} is not one of ${HOWS.join(', ')}`);
const JOBS = 2;
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-bench-grade-'));
const context = { ...createRunContext(process.env), cache: cacheDirs(path.join(dir, 'cache')) };
const docker = dockerAccess(context.dockerHost, undefined, undefined, undefined, context.builder);
/** The builder the Dockerfile gradings use (DIVERGE_BUILDER), as the rows name it. */
const BUILDER =
  context.builder === 'buildkit' ? 'BuildKit' : context.builder === 'classic' ? 'classic' : 'auto';
const quiet = () => undefined;

const harness = await buildCourseHarness(context, docker, path.join(dir, 'staff'), quiet);
const course = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
const recipe = course.kernel as Parameters<typeof buildKernel>[1];
const build = async (variant: string, source?: string) =>
  (
    await buildKernel(docker, recipe, {
      variant,
      outDir: path.join(dir, 'kernels', path.basename(source ?? variant)),
      progress: quiet,
      contextCache: context.cache.contexts,
      clock: context.clock,
      ...(source ? { source } : {}),
    })
  ).kernel.path;
const references = { staff: await build('staff'), staffAlt: await build('staff-alt'), harness };

async function grade(label: string, config: string, submissions: string) {
  const settings = await loadConfig(config);
  const progress = new GradeProgress(0, { tty: false, write: quiet, now: () => Date.now() });
  const outDir = path.join(dir, label);
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const started = performance.now();
  // The references are booted in every grading (not taken from the observation cache), as the
  // replay boots them.
  const listed = await listSubmissions({ dir: submissions });
  const gradebook = await gradeCourse(context, settings, listed, {
    outDir,
    docker,
    variant: 'staff',
    jobs: JOBS,
    progress,
    observationCache: false,
  });
  const wall = (performance.now() - started) / 1000;
  // A grading that did not grade every submission is not the grading measured: no row.
  const ungraded = gradebook.students.filter((s) => s.conclusion === 'neutral');
  if (gradebook.students.length !== listed.length || ungraded.length > 0)
    throw new Error(
      `${label}: ${gradebook.students.length} of ${listed.length} submissions in the gradebook, ${ungraded.length} kept from grading by the infrastructure${ungraded
        .slice(0, 5)
        .map((s) => `\n  ${s.name}: ${s.reason ?? 'no reason given'}`)
        .join('')} (output in ${outDir})`,
    );
  const build = progress.busyMs.building / 1000 / JOBS;
  const boot = progress.busyMs.booting / 1000 / JOBS;
  process.stdout.write(`${label}: ${gradebook.students.length} graded in ${wall.toFixed(0)} s\n`);
  const { boots, seconds: shell } = replay(outDir, settings.harness.results);
  return {
    students: gradebook.students.length,
    wall,
    build,
    boot,
    judge: wall - build - boot,
    boots,
    shell,
    load,
  };
}

/**
 * Replays every boot the grading in `outDir` ran — each student's boots (their `boots.json`)
 * and the references' (`references/observations/`) — from a plain shell, JOBS at once
 * (bench/replay.ts), and returns the wall time. A replay that did not run as the grading's boot
 * did throws, and the bench ends there: no row, no ratio.
 */
function replay(outDir: string, results: ResultsSettings): ReplayResult {
  const observations: KernelObservation[] = [];
  const students = path.join(outDir, 'students');
  for (const student of readdirSync(students).sort()) {
    const file = path.join(students, student, 'boots.json');
    if (!existsSync(file)) continue;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedRun;
    observations.push(...saved.observations.filter((o) => o.kernel === 'candidate'));
  }
  observations.push(...observationsIn(path.join(outDir, 'references', 'observations')));
  return replayBoots(observations, {
    dir: path.join(outDir, 'replay'),
    jobs: JOBS,
    results,
    verbatim: process.env.BENCH_REPLAY_VERBATIM === '1',
  });
}

/**
 * The course's Dockerfile with its one networked step (the toolchain stage's apt-get) moved into
 * a base image built first, trusted, with the network: the form a course graded with BuildKit
 * needs. BuildKit keys a step's cache on its network mode, and a submission builds with none,
 * so it cannot reuse a step the staff's build ran with the network (the classic builder can).
 * Returns the copy of the course directory whose Dockerfile starts from that image.
 */
async function baseCourse(): Promise<string> {
  const copy = path.join(dir, 'course-base');
  cpSync(COURSE_DIR, copy, { recursive: true });
  const file = path.join(copy, 'Dockerfile');
  const text = readFileSync(file, 'utf8');
  const networked =
    /^FROM (\S+) AS toolchain\n(RUN apt-get [^\n]*\\\n(?:[^\n]*\\\n)*[^\n]*\n)/m.exec(text);
  if (!networked) throw new Error(`${file}: no toolchain stage with an apt-get step to move`);
  const baseDir = path.join(dir, 'toolchain-base');
  mkdirSync(baseDir);
  writeFileSync(path.join(baseDir, 'Dockerfile'), `FROM ${networked[1]}\n${networked[2]}`);
  const base = await buildImage(await docker.client(), {
    recipe: { context: baseDir, dockerfile: 'Dockerfile', args: {} },
    field: 'bench.toolchain',
    role: 'bench-toolchain',
    logFile: path.join(baseDir, 'build.log'),
    progress: quiet,
    contextCache: context.cache.contexts,
    clock: context.clock,
  });
  writeFileSync(file, text.replace(networked[0], `FROM ${base.tag} AS toolchain\n`));
  return copy;
}

/**
 * A warm rebuild of an unchanged tree: the staff's recipe built through the engine again (as
 * grade's staff part is, `throughEngine`), every step found in the builder's cache; the median
 * of `runs` after one build that fills the cache.
 */
async function warmRebuild(runs: number): Promise<{ median: number; runs: number[] }> {
  const client = await docker.client();
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const built = await buildImage(client, {
      recipe: kernelRecipe(recipe, 'staff'),
      field: 'kernel.build',
      role: 'kernel',
      logFile: path.join(dir, 'warm', `build-${i}.log`),
      progress: quiet,
      contextCache: context.cache.contexts,
      clock: context.clock,
      limits: recipe.build.limits,
      throughEngine: true,
      builder: docker.builder,
    });
    if (i > 0) times.push(built.durationMs / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, runs: times };
}

// Each row is written down as soon as it is measured: a long run cut short keeps what it found
// (BENCH_RECORD=0: printed only).
const write = (text: string) => {
  if (process.env.BENCH_RECORD !== '0')
    appendFileSync(path.join(REPO_ROOT, 'bench', 'grade.md'), text);
  process.stdout.write(text);
};
// The warm rebuilds first, so that the table's rows follow its header.
if (hows.includes('warm')) {
  const warm = await warmRebuild(5);
  write(
    `\nwarm rebuild of the unchanged staff tree through the engine (${BUILDER}): median ${warm.median.toFixed(2)} s of ${warm.runs.map((t) => t.toFixed(2)).join(', ')} s; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
}
write(
  `\n${new Date().toISOString()} (${JOBS} jobs)\n\n| submissions | how | graded | wall s | build s | boot s | judge and rest s | boots | shell s | boot ratio | load before |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n`,
);
const row = (count: number, how: string, r: Awaited<ReturnType<typeof grade>>) =>
  write(
    `| ${count} | ${how} | ${r.students} | ${r.wall.toFixed(0)} | ${r.build.toFixed(0)} | ${r.boot.toFixed(0)} | ${r.judge.toFixed(0)} | ${r.boots} | ${r.shell.toFixed(0)} | ${(r.boot / r.shell).toFixed(2)} | ${r.load} |\n`,
  );
for (const count of sizes.length ? sizes : [100]) {
  const generate = (build: 'dockerfile' | 'command') =>
    generateCourse(path.join(dir, `course-${count}-${build}`), {
      count,
      seed: 1,
      unique: path.basename(dir),
      references,
      build,
    });
  if (hows.includes('prebuilt')) {
    // Prebuilt: each student's kernel as a file (the kinds that build), built once per kind.
    const generated = await generate('dockerfile');
    const prebuilt = path.join(dir, `prebuilt-${count}`);
    mkdirSync(prebuilt);
    const perKind = new Map<string, string>();
    for (const [name, truth] of Object.entries(generated.students)) {
      if (!truth.builds) continue;
      let kernel = perKind.get(truth.kind);
      if (!kernel) {
        kernel = await build('staff', path.join(generated.submissions, name));
        perKind.set(truth.kind, kernel);
      }
      copyFileSync(kernel, path.join(prebuilt, name));
    }
    row(count, 'prebuilt', await grade(`prebuilt-${count}-out`, generated.config, prebuilt));
  }
  if (hows.includes('dockerfile-base')) {
    const generated = await generate('dockerfile');
    const course = await baseCourse();
    writeFileSync(
      generated.config,
      readFileSync(generated.config, 'utf8').replace(
        JSON.stringify(COURSE_DIR),
        JSON.stringify(course),
      ),
    );
    row(
      count,
      `from source, Dockerfile on a base image (${BUILDER})`,
      await grade(`source-${count}-dockerfile-base`, generated.config, generated.submissions),
    );
  }
  for (const how of ['dockerfile', 'command'] as const) {
    if (!hows.includes(how)) continue;
    const generated = await generate(how);
    const label =
      how === 'dockerfile' ? `from source, Dockerfile (${BUILDER})` : 'from source, command';
    row(
      count,
      label,
      await grade(`source-${count}-${how}`, generated.config, generated.submissions),
    );
  }
}
