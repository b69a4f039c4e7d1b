/**
 * Benchmark: `diverge grade` over generated submissions of the fixture course (staff and
 * staff-alt references, rubric of the generated config), prebuilt (each submission a kernel
 * file) and from source (each a source directory with a file of its own, so no two share an
 * image: every one is a Docker build, its layers found in Docker's cache). Measures the wall
 * time and the time the queue's slots spent building and booting; judging (verdicts, reports,
 * gradebook) is the rest. Sizes from the command line (default 100). Run with `npm run bench`;
 * figures go to bench/grade.md.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerAccess } from '../src/build/docker.js';
import { buildKernel } from '../src/build/kernel.js';
import { loadConfig } from '../src/config/load.js';
import { cacheDirs, createRunContext } from '../src/context.js';
import { GradeProgress } from '../src/grade/progress.js';
import { listSubmissions } from '../src/grade/submissions.js';
import { generateCourse } from '../src/run/course-submissions.js';
import { buildCourseHarness } from '../src/run/demo.js';
import { COURSE_DIR, REPO_ROOT } from '../src/run/fixtures.js';
import { gradeCourse } from '../src/run/grade.js';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
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
  const started = performance.now();
  const gradebook = await gradeCourse(
    context,
    settings,
    await listSubmissions({ dir: submissions }),
    { outDir: path.join(dir, label), docker, variant: 'staff', jobs: JOBS, progress },
  );
  const wall = (performance.now() - started) / 1000;
  const build = progress.busyMs.building / 1000 / JOBS;
  const boot = progress.busyMs.booting / 1000 / JOBS;
  return { students: gradebook.students.length, wall, build, boot, judge: wall - build - boot };
}

const rows: string[] = [];
for (const count of sizes.length ? sizes : [100]) {
  const generated = await generateCourse(path.join(dir, `course-${count}`), {
    count,
    seed: 1,
    unique: true,
    references,
  });
  const fromSource = await grade(`source-${count}`, generated.config, generated.submissions);
  // Prebuilt: each student's kernel as a file (the kinds that build), built once per kind.
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
  const fromFiles = await grade(`prebuilt-${count}-out`, generated.config, prebuilt);
  for (const [how, r] of [
    ['from source', fromSource],
    ['prebuilt', fromFiles],
  ] as const)
    rows.push(
      `| ${count} | ${how} | ${r.students} | ${r.wall.toFixed(0)} | ${r.build.toFixed(0)} | ${r.boot.toFixed(0)} | ${r.judge.toFixed(0)} |`,
    );
}
const line = `\n${new Date().toISOString()} (${JOBS} jobs)\n\n| submissions | how | graded | wall s | build s | boot s | judge and rest s |\n|---:|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}\n`;
appendFileSync(path.join(REPO_ROOT, 'bench', 'grade.md'), line);
process.stdout.write(line);
