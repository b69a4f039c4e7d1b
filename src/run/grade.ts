/**
 * `diverge grade`: every submission of a course against the references, which are resolved,
 * booted and observed once and shared. Only wires stages: the submissions (grade/submissions),
 * their kernels built in the queue the boots share (grade/kernel), the judging session
 * (session/), and each student's row in the gradebook (grade/student, grade/store).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import type { GitHub, GitHubRun } from '../github/client.js';
import type { Gradebook } from '../model/gradebook.js';
import { defaultParallelism } from '../qemu/pool.js';
import { inParallel, limiter } from '../util/parallel.js';
import { gradebookHead } from '../grade/gradebook.js';
import { checkRubric } from '../grade/rubric.js';
import { submissionKernels } from '../grade/kernel.js';
import type { GradeProgress } from '../grade/progress.js';
import { gradebookWriter } from '../grade/store.js';
import { studentGrader } from '../grade/student.js';
import { type Shard, selectSubmissions, type Submission } from '../grade/submissions.js';
import type { KernelInput } from '../session/boots.js';
import { fetchReferences, openSession } from '../session/session.js';

export interface GradeOptions {
  outDir: string;
  docker: DockerAccess;
  variant: string;
  /** Builds and boots at once, in one queue; default from cores and memory. */
  jobs?: number;
  shard?: Shard;
  /** `--reference` kernels (files, or directories built) instead of the config's references. */
  references?: readonly KernelInput[];
  /** False: boot the references even when the observation cache has their boots. */
  observationCache?: boolean;
  github?: GitHub;
  run?: GitHubRun;
  progress: GradeProgress;
}

export async function gradeCourse(
  context: RunContext,
  settings: Settings,
  submissions: readonly Submission[],
  options: GradeOptions,
): Promise<Gradebook> {
  const { outDir, docker, variant, progress } = options;
  const log = (line: string) => progress.log(line);
  const selected = selectSubmissions(
    settings,
    submissions,
    options.shard,
    options.references?.length ?? 0,
  );
  await mkdir(outDir, { recursive: true });
  const jobs =
    options.jobs ?? defaultParallelism(settings.machine.memoryMiB, settings.machine.cpus);
  const queue = limiter(jobs);
  const kernels = submissionKernels(settings, selected, docker, {
    variant,
    outDir,
    contextCache: context.cache.contexts,
    clock: context.clock,
    slot: (work) => queue(() => progress.running('building', work)),
  });
  // A stage that does not build ends the run, but only once the references are done (below).
  kernels.prepared?.then(log, () => undefined);

  // The references: fetched, booted and observed once for every submission, with their
  // reruns: a submission that diverges is judged against them without booting them again.
  const referencesDir = path.join(outDir, 'references');
  const references = await fetchReferences(
    context,
    settings,
    {
      docker,
      variant,
      outDir: referencesDir,
      progress: log,
      github: options.github,
      run: options.run,
    },
    options.references,
  );
  const session = await openSession(context, settings, references, {
    outDir: referencesDir,
    docker,
    variant,
    jobs,
    limit: (work) => queue(() => progress.running('booting', work)),
    progress: log,
    observationCache: options.observationCache,
    preboot: 'reruns',
  });
  const head = gradebookHead(settings, session, context.buildId, options.shard);
  // The rubric's globs, against the tests the references reported (inputs.ts checked them
  // before --out was taken only when the harness lists its tests), before any student is graded.
  // With no test at all, the references' boots say why (as for bisect's checkSelection).
  if (head.tests.length > 0) checkRubric(settings.grading, head.tests, settings.configPath);
  const gradebook = gradebookWriter(outDir, head);
  const grade = studentGrader({
    settings,
    outDir,
    head,
    kernels,
    evaluate: async (kernel, dir, name) =>
      (
        await session.evaluate(kernel, {
          outDir: dir,
          saveBoots: true,
          subject: name,
          root: outDir,
        })
      ).report,
    record: (student) => gradebook.record(student),
    progress,
  });
  await kernels.prepared;
  // More pipelines than slots, so a build or boot is always waiting when a slot frees up.
  await inParallel(selected, Math.max(2, jobs * 2), grade);
  return gradebook.close();
}
