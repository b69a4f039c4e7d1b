/**
 * Benchmark: `diverge grade` over generated submissions of the fixture course (staff and
 * staff-alt references, rubric of the generated config), three ways (`--how=`, default all):
 * prebuilt (each submission a kernel file), from source with the staff's Dockerfile (each a
 * Docker build, its toolchain layers found in Docker's cache) and from source with one command
 * (`grading.build`: `make kernel` in one container of the toolchain stage). Every source carries
 * a mark of the run, so every submission compiles. Measures the wall time and the time the
 * queue's slots spent building and booting; judging (verdicts, reports, gradebook) is the rest.
 * Then the QEMU command lines the grading ran are replayed by a plain shell (`xargs -P` with as
 * many at once as grade's jobs): the boot part over the shell's wall time is the boot ratio.
 * Sizes from the command line (default 100). Run with `npm run bench`; figures go to
 * bench/grade.md. */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
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
import { buildKernel } from '../src/docker/kernel.js';
import { loadConfig } from '../src/config/load.js';
import { cacheDirs, createRunContext } from '../src/context.js';
import { GradeProgress } from '../src/grade/progress.js';
import { listSubmissions } from '../src/grade/submissions.js';
import { generateCourse } from '../src/run/course-submissions.js';
import { buildCourseHarness } from '../src/run/demo.js';
import { COURSE_DIR, REPO_ROOT } from '../src/run/fixtures.js';
import { gradeCourse } from '../src/run/grade.js';
import type { SavedRun } from '../src/session/saved-run.js';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
/** Which gradings to run (`--how=prebuilt,dockerfile,command`; default all three). */
const HOWS = ['prebuilt', 'dockerfile', 'command'] as const;
const howArg = process.argv.find((arg) => arg.startsWith('--how='));
const hows = howArg ? howArg.slice('--how='.length).split(',') : [...HOWS];
for (const how of hows)
  if (!(HOWS as readonly string[]).includes(how))
    throw new Error(`--how: ${how} is not one of ${HOWS.join(', ')}`);
const JOBS = 2;
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-bench-grade-'));
const context = { ...createRunContext(process.env), cache: cacheDirs(path.join(dir, 'cache')) };
const docker = dockerAccess(context.dockerHost);
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
  const gradebook = await gradeCourse(
    context,
    settings,
    await listSubmissions({ dir: submissions }),
    { outDir, docker, variant: 'staff', jobs: JOBS, progress, observationCache: false },
  );
  const wall = (performance.now() - started) / 1000;
  const build = progress.busyMs.building / 1000 / JOBS;
  const boot = progress.busyMs.booting / 1000 / JOBS;
  process.stdout.write(`${label}: ${gradebook.students.length} graded in ${wall.toFixed(0)} s\n`);
  const { boots, shell } = replay(
    outDir,
    settings.harness.repeat + settings.harness.rerunDivergent,
  );
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
 * A boot's QEMU command line as a shell runs it: the same machine, kernel and harness, with the
 * serial ports written to plain files (diverge's own serial files are gone with its run: they
 * are unlinked once QEMU has them open) and without the machine protocol diverge holds on an
 * inherited descriptor (`-S` and the QMP chardev, which the shell has no end of), so QEMU runs
 * the guest at once and the guest's own exit ends it.
 */
function forShell(command: readonly string[], serialBase: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const arg = command[i] as string;
    const next = command[i + 1] ?? '';
    if (arg === '-S') continue;
    if (arg === '-chardev' && next.startsWith('socket,id=qmp,')) i++;
    else if (arg === '-mon' && next.startsWith('chardev=qmp,')) i++;
    else if (arg === '-chardev' && /^(pipe|file),id=(\w+),path=/.test(next)) {
      const id = /id=(\w+)/.exec(next)?.[1] ?? 'serial';
      out.push(arg, `file,id=${id},path=${serialBase}.${id}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Runs every QEMU command line the grading in `outDir` ran — each student's boots, and each
 * reference's `referenceBoots` boots — from a shell script of its own, JOBS at once through
 * `xargs -P`, and returns the wall time. A boot diverge ended (a hang: timeout or stall, or a
 * panic it stopped) is ended by `timeout` at the time diverge took; the others end by
 * themselves, as they did under diverge.
 */
function replay(outDir: string, referenceBoots: number): { boots: number; shell: number } {
  const scripts = path.join(outDir, 'replay');
  mkdirSync(scripts);
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const commands: string[] = [];
  const references = new Map<string, string>();
  let serials = 0;
  const students = path.join(outDir, 'students');
  for (const student of readdirSync(students).sort()) {
    const file = path.join(students, student, 'boots.json');
    if (!existsSync(file)) continue;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedRun;
    for (const { boot } of saved.observations) {
      const ended =
        boot.outcome === 'timeout' || boot.outcome === 'stalled' || boot.outcome === 'panic';
      const line = `${ended ? `timeout -s KILL ${(boot.durationMs / 1000).toFixed(3)} ` : ''}${forShell(
        boot.command,
        path.join(scripts, `serial-${serials++}`),
      )
        .map(quote)
        .join(' ')}`;
      if (boot.kernel === 'candidate') commands.push(line);
      else references.set(boot.kernel, line);
    }
  }
  for (const line of references.values())
    for (let i = 0; i < referenceBoots; i++) commands.push(line);
  const list = commands.map((line, i) => {
    const script = path.join(scripts, `${i}.sh`);
    writeFileSync(script, `${line} </dev/null >${quote(`${script}.log`)} 2>&1\n`);
    return script;
  });
  writeFileSync(path.join(scripts, 'list'), `${list.join('\n')}\n`);
  const started = performance.now();
  const xargs = spawnSync(
    'sh',
    ['-c', `xargs -P ${JOBS} -n 1 sh < ${quote(path.join(scripts, 'list'))}`],
    {
      stdio: 'inherit',
    },
  );
  const shell = (performance.now() - started) / 1000;
  if (xargs.status === null) throw new Error(`the replay was killed (${xargs.signal})`);
  return { boots: commands.length, shell };
}

// Each row is written down as soon as it is measured: a long run cut short keeps what it found.
const write = (text: string) => {
  appendFileSync(path.join(REPO_ROOT, 'bench', 'grade.md'), text);
  process.stdout.write(text);
};
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
  for (const how of ['dockerfile', 'command'] as const) {
    if (!hows.includes(how)) continue;
    const generated = await generate(how);
    const label = how === 'dockerfile' ? 'from source, Dockerfile' : 'from source, command';
    row(
      count,
      label,
      await grade(`source-${count}-${how}`, generated.config, generated.submissions),
    );
  }
}
