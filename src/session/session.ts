/**
 * One judging session: the references resolved, described and observed once, and each kernel
 * evaluated against them: booted, booted again while its verdicts are in doubt, judged, and its
 * report written. `run` is one evaluation, `grade` one per submission, `bisect` one per commit.
 */
import path from 'node:path';
import { isDivergence } from '../model/classes.js';
import { type Expectation, loadExpectations } from '../compare/expectations.js';
import type { Judgement } from '../compare/judge.js';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import type { Report, ReportKernel } from '../model/report.js';
import {
  type ResolvedKernel,
  type ResolveOptions,
  resolveReferences,
} from '../references/resolve.js';
import { ObservationCache } from '../results/observation-cache.js';
import type { KernelObservation } from '../results/observe.js';
import type { Limiter } from '../util/parallel.js';
import { writeOutput } from '../util/storage.js';
import { type Booter, type KernelInput, prepareBoots } from './boots.js';
import { describeKernels, judgeRun, reportRun, UNKNOWN_DIGEST } from './report.js';
import type { SavedRun } from './saved-run.js';
import { prettyJson } from '../util/json-text.js';

export interface SessionOptions {
  /** Where the references' harness, observations and serial logs go. */
  outDir: string;
  variant: string;
  /** YYYY-MM-DD, for expectation expiry; default the context clock's today (UTC). */
  today?: string;
  /** Docker, for a harness given as an image. */
  docker?: DockerAccess;
  /** Boots at once; default from cores and memory. */
  jobs?: number;
  /** A queue shared with other work (grade: the builds) that every boot waits in. */
  limit?: Limiter;
  progress: (line: string) => void;
  /** False: always boot the references, even when the observation cache has their boots. */
  observationCache?: boolean;
  /**
   * The references' boots made as the session opens: `repeat` (bisect), or `repeat` and
   * `rerun-divergent` (grade: every submission shares them). Default none: the references boot
   * beside the first kernel evaluated (run; evaluate one kernel at a time then), and again
   * beside a kernel in doubt.
   */
  preboot?: 'repeat' | 'reruns';
  /** Kernels about to be evaluated: checked with the references, so every problem is told at once. */
  candidates?: readonly KernelInput[];
}

/**
 * When a kernel's first boots leave verdicts in doubt, it boots
 * `max(atLeast, harness.rerun-divergent)` more times and is judged over all its boots.
 */
export interface Recheck {
  /** The tests in doubt after the first boots; with per-test boots only these boot again. */
  doubtful(judgement: Judgement): readonly string[];
  /** The fewest boots again (bisect blames no commit on its first boots alone). */
  atLeast: number;
  /**
   * Whether the working references boot again too, to tell a flaky reference from a real
   * divergence; else their first boots are the yardstick (bisect).
   */
  references: boolean;
  /** The progress line saying that `kernels` boot `times` more times, and why. */
  announce(judgement: Judgement, kernels: readonly string[], times: number): string;
}

/** `run` and `grade`: any divergence boots every working kernel `rerun-divergent` more times. */
const RERUN_DIVERGENT: Recheck = {
  doubtful: (judgement) => judgement.tests.filter((t) => isDivergence(t.verdict)).map((t) => t.id),
  atLeast: 0,
  references: true,
  announce: (_judgement, kernels, times) =>
    `divergences found: booting ${kernels.join(', ')} ${times} more time(s) to tell flaky from real`,
};

export interface EvaluateOptions {
  /** Where the kernel's report goes, and its boots unless `bootDir` says otherwise. */
  outDir: string;
  /** Where its observations and serial logs go: a bisect keeps every commit's in one place. */
  bootDir?: string;
  /** Also write boots.json, for `diverge compare` (run, grade); a bisect step keeps its report. */
  saveBoots: boolean;
  /** Default `RERUN_DIVERGENT`. */
  recheck?: Recheck;
  /** When the kernel's run began (default now): a bisect step's includes its build. */
  startedAt?: number;
  /** Who the kernel is, for people (a student's name): its report's title. */
  subject?: string;
  /** The tree its report's page may read logs from (grade: OUT, for the references' logs). */
  root?: string;
  /** Where the line saying a kernel boots again goes (default nowhere). */
  progress?: (line: string) => void;
}

export interface Evaluation {
  /** What boots.json holds: every boot judged, with the kernels' roles. */
  saved: SavedRun;
  report: Report;
}

export interface Session {
  /** The references as reports name them. */
  references: readonly ReportKernel[];
  expectations: readonly Expectation[];
  host: Booter['host'];
  harness: Booter['harness'];
  /** The references' boots so far. */
  readonly observations: readonly KernelObservation[];
  /** Judges boots of a candidate against references, with the session's config and expectations. */
  judge(roles: SavedRun['roles'], observations: readonly KernelObservation[]): Judgement;
  evaluate(kernel: ResolvedKernel, options: EvaluateOptions): Promise<Evaluation>;
}

/**
 * The config's references, fetched (or taken from the kernel cache) under `outDir`; or, when
 * given, the `--reference` kernels that replace them (files, or directories built).
 */
export function fetchReferences(
  context: RunContext,
  settings: Settings,
  options: Pick<ResolveOptions, 'docker' | 'variant' | 'outDir' | 'progress' | 'github' | 'run'>,
  flagged?: readonly KernelInput[],
): Promise<ResolvedKernel[]> {
  return resolveReferences(settings, flagged, {
    ...options,
    cache: context.cache,
    clock: context.clock,
    waits: context.waits,
  });
}

/**
 * Describes the references, prepares the boots (QEMU, accelerator, harness) and makes the
 * references' boots `preboot` asks for. Only the references' boots go to and come from the
 * observation cache: a kernel under test always boots.
 */
export async function openSession(
  context: RunContext,
  settings: Settings,
  referenceKernels: readonly ResolvedKernel[],
  options: SessionOptions,
): Promise<Session> {
  const references = await describeKernels(referenceKernels, settings.harness.tests);
  const expectations = await loadExpectations(settings.expectations);
  const scope = { variant: options.variant, today: options.today ?? context.clock.today() };
  const cache = new ObservationCache(context.cache.observations, context.buildId, options.progress);
  const digests = new Map(
    references.filter((r) => r.digest !== UNKNOWN_DIGEST).map((r) => [r.name, r.digest]),
  );
  const booter = await prepareBoots(
    context,
    settings,
    [...(options.candidates ?? []), ...referenceKernels],
    {
      outDir: options.outDir,
      progress: options.progress,
      ...(options.observationCache !== false ? { cached: { cache, digests } } : {}),
      ...(options.docker ? { docker: options.docker } : {}),
      ...(options.jobs ? { jobs: options.jobs } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
    },
  );
  const { repeat, rerunDivergent } = settings.harness;
  // Attempts 1..booted of every reference, all tests: what later kernels are judged against.
  let booted = { repeat, reruns: repeat + rerunDivergent, none: 0 }[options.preboot ?? 'none'];
  let referenceRuns = booted > 0 ? await booter.boot(referenceKernels, booted, 1) : [];
  const judge = (roles: SavedRun['roles'], observations: readonly KernelObservation[]) =>
    judgeRun(settings, roles, observations, expectations, scope);

  const evaluate = async (kernel: ResolvedKernel, evaluation: EvaluateOptions) => {
    const started = evaluation.startedAt ?? context.clock.now();
    const bootDir = evaluation.bootDir ?? evaluation.outDir;
    const [candidate] = await describeKernels([kernel], settings.harness.tests);
    const roles = { candidate: candidate as ReportKernel, references };
    // Boots of `names`, `attempts` times from `first`: the references' boots the session has
    // are taken, the rest boot now, in one round with the kernel's.
    const round = async (
      names: readonly string[],
      first: number,
      attempts: number,
      tests?: readonly string[],
    ) => {
      const made = first + attempts - 1 <= booted;
      const kept = made
        ? referenceRuns.filter(
            (o) => names.includes(o.kernel) && o.attempt >= first && o.attempt < first + attempts,
          )
        : [];
      const now = [kernel, ...(made ? [] : referenceKernels)].filter((k) => names.includes(k.name));
      const fresh = now.length > 0 ? await booter.boot(now, attempts, first, tests, bootDir) : [];
      return [...kept, ...fresh];
    };

    const observations = await round(
      [kernel, ...referenceKernels].map((k) => k.name),
      1,
      repeat,
    );
    if (booted < repeat) {
      referenceRuns = observations.filter((o) => o.kernel !== kernel.name);
      booted = repeat;
    }
    // Judged here only to decide on more boots; the report judges the final set of boots.
    const judgement = judge(roles, observations);
    const recheck = evaluation.recheck ?? RERUN_DIVERGENT;
    const doubtful = recheck.doubtful(judgement);
    const again = Math.max(recheck.atLeast, rerunDivergent);
    if (again > 0 && doubtful.length > 0) {
      const names = [kernel, ...(recheck.references ? referenceKernels : [])]
        .map((k) => k.name)
        .filter((name) => !judgement.broken.has(name));
      evaluation.progress?.(recheck.announce(judgement, names, again));
      const tests = settings.harness.tests?.filter((test) => doubtful.includes(test));
      observations.push(...(await round(names, repeat + 1, again, tests)));
    }

    const saved: SavedRun = {
      host: booter.host,
      harness: booter.harness,
      observations,
      roles,
      startedAt: new Date(started).toISOString(),
    };
    const durationMs = context.clock.now() - started;
    const report = await reportRun(
      settings,
      saved,
      expectations,
      { ...scope, outDir: evaluation.outDir, subject: evaluation.subject, root: evaluation.root },
      durationMs,
    );
    // The report first: on a full disk it is what matters most, and boots.json is the bigger file.
    if (evaluation.saveBoots)
      await writeOutput(
        path.join(evaluation.outDir, 'boots.json'),
        prettyJson(saved),
        'the saved run',
      );
    return { saved, report };
  };

  return {
    references,
    expectations,
    host: booter.host,
    harness: booter.harness,
    get observations() {
      return referenceRuns;
    },
    judge,
    evaluate,
  };
}

/**
 * One kernel against references in a session of its own, the references booting beside it
 * (`diverge run`, each variant of the demo); its report and boots.json go to `outDir`.
 */
export async function evaluateOne(
  context: RunContext,
  settings: Settings,
  kernels: { candidate: ResolvedKernel; references: readonly ResolvedKernel[] },
  options: SessionOptions,
): Promise<Evaluation> {
  const startedAt = context.clock.now();
  const session = await openSession(context, settings, kernels.references, {
    ...options,
    candidates: [kernels.candidate],
  });
  return session.evaluate(kernels.candidate, {
    outDir: options.outDir,
    saveBoots: true,
    startedAt,
    progress: options.progress,
  });
}
