/**
 * `diverge grade`: every submission of a course against the references, which are resolved,
 * booted and observed once and shared. Only wires stages: config (settings given), build (one
 * image per distinct source, in the queue the boots share), references, boots, judge and report
 * (the steps `diverge run` takes, from run/candidate.ts), and the gradebook (grade/).
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import type { BuiltKernel, DockerKernelSettings } from '../docker/kernel.js';
import { type SubmissionBuilder, submissionBuilder } from '../docker/submission.js';
import { loadExpectations } from '../compare/expectations.js';
import type { Settings } from '../config/settings.js';
import { TOOL_VERSION } from '../model/constants.js';
import type { RunContext } from '../context.js';
import type { GitHub, GitHubRun } from '../github/client.js';
import { checkKernelFile, KernelFileError } from '../qemu/kernel-image.js';
import { defaultParallelism } from '../qemu/pool.js';
import { CANDIDATE, resolveReferences, type ResolvedKernel } from '../references/resolve.js';
import type { Report } from '../model/report.js';
import type { KernelObservation } from '../results/observe.js';
import { sha256, sha256File } from '../util/digest.js';
import { inParallel, limiter } from '../util/parallel.js';
import { configDigest, gradebookOf, gradeKey } from '../grade/gradebook.js';
import type { GradeProgress } from '../grade/progress.js';
import { maxPoints, rubricOf, scoreReport } from '../grade/rubric.js';
import {
  keepsGrade,
  loadStudent,
  saveStudent,
  studentPath,
  writeGradebook,
} from '../grade/store.js';
import { type Shard, selectShard, type Submission, SubmissionError } from '../grade/submissions.js';
import { prepareBoots } from './boots.js';
import { describeKernels, finishRun, observeForVerdict, referenceCache } from './candidate.js';
import type { GradingBasis, GradebookStudent, Gradebook } from '../model/gradebook.js';

export interface GradeOptions {
  outDir: string;
  docker: DockerAccess;
  variant: string;
  /** Builds and boots at once, in one queue; default from cores and memory. */
  jobs?: number;
  shard?: Shard;
  /** False: boot the references even when the observation cache has their boots. */
  observationCache?: boolean;
  github?: GitHub;
  run?: GitHubRun;
  progress: GradeProgress;
}

/** How much of a build's or a boot's message a gradebook row keeps. */
const REASON_CAP = 2000;
const capped = (text: string) =>
  text.length > REASON_CAP ? `${text.slice(0, REASON_CAP - 1)}…` : text;

type Row = Omit<GradebookStudent, 'name' | 'key' | 'max'>;

/** The kernel a submission gave, or the row saying why there is none. */
type Kernel =
  { ok: true; kernel: ResolvedKernel; build: GradebookStudent['build'] } | { ok: false; row: Row };

/** The row of a submission that was not booted: it earns nothing, and says why. */
const unbooted = (
  conclusion: 'failure' | 'neutral',
  reason: string,
  build: GradebookStudent['build'],
): Row => ({
  score: 0,
  conclusion,
  reason: capped(reason),
  tests: {},
  build,
  boot: { outcome: 'not-booted' },
  report: null,
});

const noKernel = (...args: Parameters<typeof unbooted>): Kernel => ({
  ok: false,
  row: unbooted(...args),
});

export async function gradeCourse(
  context: RunContext,
  settings: Settings,
  submissions: readonly Submission[],
  options: GradeOptions,
): Promise<Gradebook> {
  const { outDir, progress } = options;
  const log = (line: string) => progress.log(line);
  const selected = options.shard ? selectShard(submissions, options.shard) : [...submissions];
  const recipe = settings.kernel?.build ? (settings.kernel as DockerKernelSettings) : undefined;
  const sources = selected.filter((s) => s.kind === 'dir');
  if (sources.length > 0 && !recipe)
    throw new SubmissionError(
      `${settings.configPath}: kernel.build is missing, and directory submissions (${sources
        .slice(0, 3)
        .map((s) => JSON.stringify(s.name))
        .join(', ')}${sources.length > 3 ? ', …' : ''}) are built with it`,
    );
  if (settings.references.length === 0)
    throw new SubmissionError(
      `${settings.configPath}: references: grading needs at least one reference (the staff kernel)`,
    );
  await mkdir(outDir, { recursive: true });
  const jobs =
    options.jobs ?? defaultParallelism(settings.machine.memoryMiB, settings.machine.cpus);
  const queue = limiter(jobs);
  // Submissions build with no network: the staff's part of the recipe first, trusted, in a slot
  // of the queue beside the references.
  const builder =
    recipe && sources.length > 0
      ? submissionBuilder(options.docker, recipe, settings.grading.build, {
          variant: options.variant,
          outDir: path.join(outDir, 'builds', 'staff'),
          contextCache: context.cache.contexts,
          clock: context.clock,
          slot: (work) => queue(() => progress.running('building', work)),
        })
      : undefined;
  // A stage that does not build ends the run, but only once the references are done (below).
  builder?.prepared.then(log, () => undefined);

  // The references: fetched, booted and observed once for every submission.
  const referencesDir = path.join(outDir, 'references');
  const referenceKernels = await resolveReferences(settings, undefined, {
    docker: options.docker,
    variant: options.variant,
    outDir: referencesDir,
    progress: log,
    cache: context.cache,
    clock: context.clock,
    waits: context.waits,
    ...(options.github ? { github: options.github } : {}),
    ...(options.run ? { run: options.run } : {}),
  });
  const references = await describeKernels(referenceKernels);
  const booter = await prepareBoots(context, settings, referenceKernels, {
    outDir: referencesDir,
    docker: options.docker,
    jobs,
    limit: (work) => queue(() => progress.running('booting', work)),
    progress: log,
    ...(options.observationCache !== false
      ? { cached: referenceCache(context, references, log) }
      : {}),
  });
  const { repeat, rerunDivergent } = settings.harness;
  const referenceRuns = await booter.boot(referenceKernels, repeat + rerunDivergent, 1);
  const expectations = await loadExpectations(settings.expectations);
  const basis: GradingBasis = {
    config: configDigest(settings, expectations),
    references: references.map((r) => ({ name: r.name, digest: r.digest })),
    harness: booter.harness.digest,
    tool: context.buildId,
  };
  const tests = [...new Set(referenceRuns.flatMap((o) => o.tests.map((t) => t.id)))];
  const head = {
    tool: { name: 'diverge' as const, version: TOOL_VERSION },
    basis,
    grading: rubricOf(settings.grading),
    tests,
    ...(options.shard ? { shard: options.shard } : {}),
  };
  const rows = new Map<string, GradebookStudent>();
  // Gradebook writes follow one another, each with every row so far.
  let written = Promise.resolve();
  const record = (student: GradebookStudent) => {
    rows.set(student.name, student);
    written = written.then(() => writeGradebook(outDir, gradebookOf(head, rows.values())));
    return written;
  };

  const today = context.clock.today();
  const scope = { variant: options.variant, today };
  // One build per distinct source: students who hand in the same files share an image.
  const builds = new Map<string, Promise<BuiltKernel>>();

  const digestOf = async (submission: Submission): Promise<string> => {
    if (submission.kind === 'file') return sha256File(submission.path);
    if (submission.kind === 'missing') return sha256(`missing ${submission.path}`);
    return (await (builder as SubmissionBuilder).scan(submission.path)).digest;
  };

  const kernelOf = async (submission: Submission, digest: string, dir: string): Promise<Kernel> => {
    if (submission.kind === 'missing')
      return noKernel('failure', `no such file or directory: ${submission.path}`, {
        outcome: 'failed',
        message: 'the submission is missing',
      });
    if (submission.kind === 'file')
      return {
        ok: true,
        kernel: { name: CANDIDATE, path: submission.path, source: { file: submission.path } },
        build: { outcome: 'file' },
      };
    const buildDir = path.join(
      outDir,
      'builds',
      digest.slice('sha256:'.length, 'sha256:'.length + 16),
    );
    let build = builds.get(digest);
    if (!build) {
      build = (builder as SubmissionBuilder).build(submission.path, buildDir);
      builds.set(digest, build);
    }
    const log = path.join(dir, 'logs', 'build-kernel.log');
    // The build's log, or (an image built before from the same source) a line saying so.
    const keepLog = async (image?: string) => {
      await mkdir(path.dirname(log), { recursive: true });
      await copyFile(path.join(buildDir, 'logs', 'build-kernel.log'), log).catch(() =>
        writeFile(
          log,
          `not built again: image ${image ?? '(none)'} was built from the same source\n`,
        ),
      );
      return path.relative(outDir, log);
    };
    try {
      const built = await build;
      const logFile = await keepLog(built.image.tag);
      return {
        ok: true,
        kernel: {
          name: CANDIDATE,
          path: built.kernel.path,
          digest: built.kernel.digest,
          ...(built.extra.length ? { disks: built.extra.map((f) => f.path) } : {}),
          source: { build: { context: submission.path }, image: built.image.tag },
        },
        build: { outcome: 'built', log: logFile },
      };
    } catch (error) {
      const logFile = await keepLog();
      // The first line says which step failed and why; the lines after it (the build's last
      // output) change with Docker's layer cache and are in the log. It names the build's log:
      // name the student's copy, which OUT carries along.
      const message = ((error as Error).message.split('\n')[0] ?? '')
        .split(path.join(buildDir, 'logs', 'build-kernel.log'))
        .join(logFile);
      const build = { outcome: 'failed' as const, message: capped(message), log: logFile };
      // A build the student's source breaks is theirs; a Docker engine that fails is not.
      return error instanceof BuildError
        ? noKernel('failure', `did not build: ${message}`, build)
        : noKernel('neutral', `not graded: the build could not run: ${message}`, build);
    }
  };

  const judgeKernel = async (kernel: ResolvedKernel, dir: string): Promise<Report> => {
    const started = context.clock.now();
    const [candidate] = await describeKernels([kernel]);
    const roles = { candidate: candidate as (typeof references)[number], references };
    const refs = (attempts: (a: number) => boolean, names?: readonly string[]) =>
      referenceRuns.filter(
        (o: KernelObservation) => attempts(o.attempt) && (!names || names.includes(o.kernel)),
      );
    const observations = await observeForVerdict(
      settings,
      roles,
      expectations,
      scope,
      {
        first: async () => [
          ...refs((a) => a <= repeat),
          ...(await booter.boot([kernel], repeat, 1, undefined, dir)),
        ],
        again: async (names, tests) => [
          ...refs((a) => a > repeat, names),
          ...(names.includes(CANDIDATE)
            ? await booter.boot([kernel], rerunDivergent, repeat + 1, tests, dir)
            : []),
        ],
      },
      () => undefined,
    );
    return finishRun(
      settings,
      {
        host: booter.host,
        harness: booter.harness,
        observations,
        roles,
        startedAt: new Date(started).toISOString(),
      },
      expectations,
      { outDir: dir, variant: options.variant, today, progress: () => undefined },
      context.clock.now() - started,
    );
  };

  const gradeOne = async (submission: Submission): Promise<void> => {
    const { name } = submission;
    const dir = studentPath(outDir, name);
    const max = maxPoints(tests, settings.grading);
    let key = gradeKey(sha256(`unreadable ${submission.path}`), basis);
    try {
      key = gradeKey(await digestOf(submission), basis);
      const saved = await loadStudent(outDir, name);
      if (saved && keepsGrade(saved, key)) {
        await record(saved);
        progress.finished(saved, true);
        return;
      }
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const found = await kernelOf(submission, key, dir);
      let student: GradebookStudent;
      if (!found.ok) student = { name, key, max, ...found.row };
      else {
        const problem = await checkKernelFile(CANDIDATE, found.kernel.path, settings.machine.arch)
          .then(() => undefined)
          .catch((error: Error) => error);
        if (problem)
          student = {
            name,
            key,
            max,
            ...(
              noKernel(
                problem instanceof KernelFileError ? 'failure' : 'neutral',
                `not a kernel diverge can boot: ${problem.message}`,
                found.build,
              ) as Extract<Kernel, { ok: false }>
            ).row,
          };
        else
          student = studentOf(
            name,
            key,
            await judgeKernel(found.kernel, dir),
            found.build,
            outDir,
            dir,
            settings,
          );
      }
      await saveStudent(outDir, student);
      await record(student);
      progress.finished(student, false);
    } catch (error) {
      // Never lose the run to one submission: the row says what went wrong, and, being
      // neutral, is graded again by the next run with this OUT.
      const student: GradebookStudent = {
        name,
        key,
        max,
        ...(
          noKernel('neutral', `not graded: ${(error as Error).message}`, {
            outcome: 'failed',
          }) as Extract<Kernel, { ok: false }>
        ).row,
      };
      await record(student);
      progress.finished(student, false);
    }
  };

  await builder?.prepared;
  // More pipelines than slots, so a build or boot is always waiting when a slot frees up.
  await inParallel(selected, Math.max(2, jobs * 2), gradeOne);
  await written;
  const gradebook = gradebookOf(head, rows.values());
  await writeGradebook(outDir, gradebook);
  return gradebook;
}

/** A judged student's row: the rubric's score of the report, and how the first boot ended. */
function studentOf(
  name: string,
  key: string,
  report: Report,
  build: GradebookStudent['build'],
  outDir: string,
  dir: string,
  settings: Settings,
): GradebookStudent {
  const { score, max } = scoreReport(report, settings.grading);
  const first = report.boots.find((b) => b.kernel === CANDIDATE && b.attempt === 1);
  const boot: GradebookStudent['boot'] = first
    ? {
        outcome: first.outcome,
        stage: first.stage,
        ...(first.message ? { message: capped(first.message) } : {}),
      }
    : { outcome: 'not-booted' };
  const reason =
    report.summary.conclusion === 'neutral'
      ? `not graded: ${report.summary.note ?? 'the infrastructure failed'}`
      : first && first.outcome !== 'completed'
        ? `boot ended: ${first.outcome} at stage ${first.stage}${first.message ? ` (${first.message})` : ''}`
        : undefined;
  return {
    name,
    score,
    max,
    conclusion: report.summary.conclusion,
    ...(reason ? { reason: capped(reason) } : {}),
    tests: Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])),
    build,
    boot,
    report: path.relative(outDir, path.join(dir, 'report.json')),
    key,
  };
}
