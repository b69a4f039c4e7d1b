/**
 * The commits of a bisect: each one's kernel built in a worktree, judged against the references
 * (by the judging session, passed in) and read as good, bad or skipped, round after round of
 * the search; and the good revision's kernel, a reference when it builds and does not diverge.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Judgement } from '../compare/judge.js';
import type { DockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import type { BuiltKernel, DockerKernelSettings } from '../docker/kernel.js';
import { buildCommitKernel, removeLeftWorktrees, type WorktreeBuild } from '../docker/worktree.js';
import type { BisectStep, Commit } from '../model/bisect.js';
import type { Arch, BootMode } from '../model/machines.js';
import { defaultParallelism } from '../qemu/pool.js';
import type { Report, ReportKernel } from '../model/report.js';
import { checkKernelFile, KernelFileError } from '../qemu/kernel-image.js';
import type { ResolvedKernel } from '../references/resolve.js';
import type { KernelObservation } from '../results/observe.js';
import { inParallel } from '../util/parallel.js';
import { BisectInputError } from './history.js';
import { short, stepLine } from './render.js';
import { search, type SearchRun } from './search.js';
import { readStep, type Selection } from './verdict.js';
import type { RunContext } from '../context.js';

/** The name the good revision's kernel has as a reference. */
export const GOOD_REFERENCE = 'good';

/** Builds a commit's kernel, its log and files under `dir`. */
export type BuildCommit = (sha: string, dir: string) => Promise<BuiltKernel>;

/** Judges the boots of a candidate against references. */
export type Judge = (
  roles: { candidate: ReportKernel; references: ReportKernel[] },
  observations: readonly KernelObservation[],
) => Judgement;

/** Boots and judges a commit's kernel, its report written to `dir`; its run began `startedAt`. */
export type EvaluateCommit = (
  kernel: ResolvedKernel,
  dir: string,
  startedAt: number,
) => Promise<{ report: Report; saved: { observations: readonly KernelObservation[] } }>;

/** A tested commit: its step, and when it booted, its kernel and boots. */
export interface Tested {
  step: BisectStep;
  role?: ReportKernel;
  observations: KernelObservation[];
}

/** Builds commits' kernels with the config's recipe, each in a worktree under `outDir/work`. */
export async function commitBuilder(
  context: Pick<RunContext, 'cache' | 'clock'>,
  docker: DockerAccess,
  kernel: DockerKernelSettings,
  options: Omit<WorktreeBuild, 'workDir' | 'contextCache' | 'clock'>,
): Promise<BuildCommit> {
  const workDir = path.join(options.outDir, 'work');
  await mkdir(workDir, { recursive: true });
  const left = await removeLeftWorktrees(kernel.build.context, workDir);
  if (left > 0)
    options.progress(
      `removed ${left} git worktree(s) an earlier run left in ${workDir} (it was killed)`,
    );
  return (sha, dir) =>
    buildCommitKernel(docker, kernel, sha, {
      ...options,
      contextCache: context.cache.contexts,
      clock: context.clock,
      workDir,
      outDir: dir,
      progress: (line) => options.progress(`${short(sha)}: ${line}`),
    });
}

/** The boots at once for one commit: the commits of a round boot side by side, `slots` of them. */
export const bootShare = (machine: { memoryMiB: number; cpus: number }, slots: number): number =>
  Math.max(1, Math.floor(defaultParallelism(machine.memoryMiB, machine.cpus) / slots));

/**
 * The references of a bisect: the config's and, unless `good` is undefined, the good
 * revision's kernel, built; a good revision that does not build is bad input.
 */
export async function bisectReferences(
  configured: readonly ResolvedKernel[],
  good: Commit | undefined,
  options: {
    build: BuildCommit;
    outDir: string;
    configPath: string;
    progress: (line: string) => void;
  },
): Promise<ResolvedKernel[]> {
  const references = [...configured];
  if (good) {
    options.progress(
      `building the good revision ${short(good.sha)} (reference "${GOOD_REFERENCE}")`,
    );
    const built = await options
      .build(good.sha, path.join(options.outDir, 'steps', 'good'))
      .catch((error: unknown) => {
        if (error instanceof BuildError)
          throw new BisectInputError(`--good ${short(good.sha)} does not build: ${error.message}`);
        throw error;
      });
    references.push({
      name: GOOD_REFERENCE,
      path: built.kernel.path,
      digest: built.kernel.digest,
      source: { commit: good.sha, image: built.image.tag },
    });
  }
  if (references.length === 0)
    throw new BisectInputError(
      `${options.configPath}: no references: add references to the config or keep the good revision's kernel as one`,
    );
  return references;
}

/**
 * Refuses a good revision that already diverges from the configured references: the session's
 * references end with the good revision's kernel.
 */
export function checkGoodRevision(
  session: {
    judge: Judge;
    references: readonly ReportKernel[];
    observations: readonly KernelObservation[];
  },
  selection: Selection,
  good: Commit,
): void {
  const configured = session.references.slice(0, -1);
  const goodKernel = session.references.at(-1) as ReportKernel;
  const judgement = session.judge(
    { candidate: goodKernel, references: configured },
    session.observations,
  );
  const reading = readStep(judgement.tests, selection);
  if (reading.verdict === 'bad')
    throw new BisectInputError(
      `--good ${short(good.sha)} already diverges from ${configured.map((r) => r.name).join(', ')}: ${reading.diverging.slice(0, 10).join(', ')}`,
    );
}

/**
 * Builds and judges a commit's kernel in `outDir/steps/SHA12`: skipped when it does not build
 * (or builds no kernel diverge can boot), else good or bad as its selected tests read.
 */
export async function testCommit(
  commit: Commit,
  round: number,
  how: {
    build: BuildCommit;
    evaluate: EvaluateCommit;
    machine: { arch: Arch; boot: BootMode };
    selection: Selection;
    outDir: string;
    now: () => number;
  },
): Promise<Tested> {
  const started = how.now();
  const name = short(commit.sha);
  const stepDir = path.join(how.outDir, 'steps', name);
  const base = { sha: commit.sha, subject: commit.subject, round, flaky: [], diverging: [] };
  let built: BuiltKernel;
  try {
    built = await how.build(commit.sha, stepDir);
    await checkKernelFile(name, built.kernel.path, how.machine);
  } catch (error) {
    if (!(error instanceof BuildError || error instanceof KernelFileError)) throw error;
    const reason = `does not build: ${error.message.split('\n')[0]?.slice(0, 300)}`;
    const step = { ...base, verdict: 'skip', build: 'skipped', boots: 0, reason };
    return { step: { ...step, durationMs: how.now() - started } as BisectStep, observations: [] };
  }
  const kernel = {
    name,
    path: built.kernel.path,
    digest: built.kernel.digest,
    source: { commit: commit.sha, image: built.image.tag },
  };
  const { report, saved } = await how.evaluate(kernel, stepDir, started);
  const observations = saved.observations.filter((o) => o.kernel === name);
  const reading = readStep(report.tests, how.selection);
  const step: BisectStep = {
    ...base,
    verdict: reading.verdict,
    build: built.image.cached ? 'reused' : 'built',
    boots: observations.length,
    flaky: reading.flaky,
    diverging: reading.diverging,
    ...(reading.reason ? { reason: reading.reason } : {}),
    durationMs: how.now() - started,
    report: path.relative(how.outDir, path.join(stepDir, 'report.json')),
  };
  return { step, role: report.candidate, observations };
}

/** The search over `commits`, `slots` of them tested at once in a round; each step is a line. */
export async function searchCommits(
  commits: readonly Commit[],
  slots: number,
  progress: (line: string) => void,
  test: (commit: Commit, round: number) => Promise<Tested>,
): Promise<{ result: SearchRun; tested: Map<number, Tested> }> {
  const tested = new Map<number, Tested>();
  let round = 0;
  const result = await search(commits.length, slots, (indices) => {
    round++;
    progress(
      `round ${round}: testing ${indices.map((i) => short(commits[i]?.sha ?? '')).join(' ')}`,
    );
    return inParallel(indices, slots, async (index) => {
      const commit = await test(commits[index] as Commit, round);
      tested.set(index, commit);
      progress(stepLine(commit.step));
      return commit.step.verdict;
    });
  });
  return { result, tested };
}
