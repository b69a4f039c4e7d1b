import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isDivergence } from '../model/classes.js';
import { type Expectation, loadExpectations } from '../compare/expectations.js';
import { judge, type Judgement } from '../compare/judge.js';
import type { DockerAccess } from '../docker/docker.js';
import type { RunContext } from '../context.js';
import { ObservationCache } from '../results/observation-cache.js';
import type { Settings } from '../config/settings.js';
import { sha256File } from '../util/digest.js';
import { writeOutput } from '../util/storage.js';
import { prepareBoots } from './boots.js';
import { CANDIDATE, type ResolvedKernel } from '../references/resolve.js';
import { buildReport } from '../report/build.js';
import { readBootLogs, renderHtml } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Report, ReportKernel } from '../model/report.js';
import { validateReport } from '../report/validate.js';
import type { KernelObservation } from '../results/observe.js';
import { readSavedRun, SavedRunError, type SavedRun } from './saved-run.js';

export interface DifferentialOptions {
  outDir: string;
  docker?: DockerAccess;
  variant: string;
  jobs?: number;
  progress: (line: string) => void;
  /** YYYY-MM-DD, for expectation expiry; default the context clock's today (UTC). */
  today?: string;
  /** False: always boot the references, even when the observation cache has their boots. */
  observationCache?: boolean;
}

/** The digest of a kernel whose file diverge no longer has (a run judged again from disk). */
const UNKNOWN_DIGEST = `sha256:${'0'.repeat(64)}`;

export function judgeRun(
  settings: Settings,
  roles: SavedRun['roles'],
  observations: readonly KernelObservation[],
  expectations: readonly Expectation[],
  options: { variant: string; today: string },
): Judgement {
  return judge({
    observations,
    candidate: roles.candidate.name,
    references: roles.references.map((r) => r.name),
    normalize: settings.normalize,
    compareOutput: settings.compare.output,
    expectations,
    failOn: settings.failOn,
    scope: { arch: settings.machine.arch, variant: options.variant, today: options.today },
  });
}

const diverged = (judgement: Judgement) => judgement.tests.some((t) => isDivergence(t.verdict));

/**
 * Kernels as reports show them: name, source and the digest of the file that will boot. A
 * digest known from fetching must still hold: the file booted is the one the report names.
 */
export async function describeKernels(kernels: readonly ResolvedKernel[]): Promise<ReportKernel[]> {
  const digests = await Promise.all(
    kernels.map(async (k) => {
      const actual = await sha256File(k.path).catch(() => undefined);
      if (actual === undefined) return k.digest ?? UNKNOWN_DIGEST;
      if (k.digest !== undefined && actual !== k.digest)
        throw new Error(
          `kernel "${k.name}": ${k.path} changed after it was fetched (${k.digest}, now ${actual}); run again`,
        );
      return actual;
    }),
  );
  return kernels.map((k, i) => ({ name: k.name, source: k.source, digest: digests[i] as string }));
}

/** The boots of one judged run, in two rounds; how they happen is the orchestrator's business. */
export interface BootRounds {
  /** Every kernel `harness.repeat` times. */
  first(): Promise<KernelObservation[]>;
  /**
   * These kernels `harness.rerun-divergent` more times (attempts after `repeat`); with per-test
   * boots, only `tests`, the ones that diverged.
   */
  again(kernels: readonly string[], tests?: readonly string[]): Promise<KernelObservation[]>;
}

/**
 * Boots, judges, and when anything diverged boots again every kernel that is not broken, to
 * tell flaky from real. Returns every observation; the report judges them all.
 */
export async function observeForVerdict(
  settings: Settings,
  roles: SavedRun['roles'],
  expectations: readonly Expectation[],
  scope: { variant: string; today: string },
  rounds: BootRounds,
  progress: (line: string) => void,
): Promise<KernelObservation[]> {
  const observations = await rounds.first();
  // Judged here only to decide on extra boots; the report judges the final set of boots.
  const judgement = judgeRun(settings, roles, observations, expectations, scope);
  const { rerunDivergent } = settings.harness;
  if (rerunDivergent === 0 || !diverged(judgement)) return observations;
  const again = [roles.candidate, ...roles.references]
    .map((k) => k.name)
    .filter((name) => !judgement.broken.has(name));
  progress(
    `divergences found: booting ${again.join(', ')} ${rerunDivergent} more time(s) to tell flaky from real`,
  );
  // Per-test boots: only the tests that diverged boot again.
  const divergent = new Set(
    judgement.tests.filter((t) => isDivergence(t.verdict)).map((t) => t.id),
  );
  const tests = settings.harness.tests?.filter((test) => divergent.has(test));
  return [...observations, ...(await rounds.again(again, tests))];
}

/**
 * The whole local pipeline: boot candidate and references, judge, boot again the kernels of a
 * run that diverged (to tell flaky from real), and write report.json and report.md.
 */
export async function runDifferential(
  context: RunContext,
  settings: Settings,
  kernels: { candidate: ResolvedKernel; references: ResolvedKernel[] },
  options: DifferentialOptions,
): Promise<Report> {
  const startedAt = context.clock.now();
  const all = [kernels.candidate, ...kernels.references];
  const [candidate, ...references] = await describeKernels(all);
  const roles = { candidate: candidate as ReportKernel, references };
  const expectations = await loadExpectations(settings.expectations);
  const today = options.today ?? context.clock.today();
  const scope = { variant: options.variant, today };

  const booter = await prepareBoots(context, settings, all, {
    outDir: options.outDir,
    progress: options.progress,
    ...(options.observationCache !== false
      ? { cached: referenceCache(context, references, options.progress) }
      : {}),
    ...(options.docker ? { docker: options.docker } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  const { repeat, rerunDivergent } = settings.harness;
  const observations = await observeForVerdict(
    settings,
    roles,
    expectations,
    scope,
    {
      first: () => booter.boot(all, repeat, 1),
      again: (names, tests) =>
        booter.boot(
          all.filter((k) => names.includes(k.name)),
          rerunDivergent,
          repeat + 1,
          tests,
        ),
    },
    options.progress,
  );
  const saved: SavedRun = {
    host: booter.host,
    harness: booter.harness,
    observations,
    roles,
    startedAt: new Date(startedAt).toISOString(),
  };
  const durationMs = context.clock.now() - startedAt;
  return finishRun(settings, saved, expectations, { ...options, today }, durationMs);
}

/** The observation cache for the references (the candidate is always booted). */
export function referenceCache(
  context: RunContext,
  references: readonly ReportKernel[],
  say: (line: string) => void,
) {
  const digests = new Map(
    references.filter((r) => r.digest !== UNKNOWN_DIGEST).map((r) => [r.name, r.digest]),
  );
  const cache = new ObservationCache(context.cache.observations, context.buildId, say);
  return { cache, digests };
}

/** Saves a run's boots (for `diverge compare`), judges them and writes its report. */
export async function finishRun(
  settings: Settings,
  saved: SavedRun,
  expectations: readonly Expectation[],
  options: DifferentialOptions & { today: string },
  durationMs: number,
): Promise<Report> {
  // The report first: on a full disk it is what matters most, and boots.json is the bigger file.
  const report = await reportRun(settings, saved, expectations, options, durationMs);
  await writeOutput(
    path.join(options.outDir, 'boots.json'),
    `${JSON.stringify(saved, null, 2)}\n`,
    'the saved run',
  );
  return report;
}

/** Judges a saved run again (new config, expectations or normalisation) without booting. */
export async function compareSaved(
  context: RunContext,
  settings: Settings,
  fromDir: string,
  options: DifferentialOptions & { candidate?: string },
): Promise<Report> {
  const file = path.join(fromDir, 'boots.json');
  const saved = await readSavedRun(file, fromDir);
  const names = [...new Set(saved.observations.map((o) => o.kernel))];
  const candidateName = options.candidate ?? saved.roles?.candidate.name ?? CANDIDATE;
  if (!names.includes(candidateName))
    throw new SavedRunError(
      `${file}: no kernel named "${candidateName}" (kernels: ${names.join(', ')}); pass --candidate NAME`,
    );
  const unknown = (name: string): ReportKernel => ({
    name,
    source: { saved: fromDir },
    digest: UNKNOWN_DIGEST,
  });
  const known = new Map(
    [saved.roles?.candidate, ...(saved.roles?.references ?? [])]
      .filter((k) => k !== undefined)
      .map((k) => [k.name, k]),
  );
  const roles = {
    candidate: known.get(candidateName) ?? unknown(candidateName),
    references: names.filter((n) => n !== candidateName).map((n) => known.get(n) ?? unknown(n)),
  };
  await mkdir(options.outDir, { recursive: true });
  return reportRun(
    settings,
    { ...saved, roles, startedAt: saved.startedAt ?? new Date(context.clock.now()).toISOString() },
    await loadExpectations(settings.expectations),
    { ...options, today: options.today ?? context.clock.today() },
    0,
  );
}

/** Judges a run's observations and writes its report. */
export async function reportRun(
  settings: Settings,
  saved: SavedRun,
  expectations: readonly Expectation[],
  options: DifferentialOptions & { today: string },
  durationMs: number,
): Promise<Report> {
  const scope = { variant: options.variant, today: options.today };
  const judgement = judgeRun(settings, saved.roles, saved.observations, expectations, scope);
  const report = buildReport({
    settings,
    variant: options.variant,
    startedAt: new Date(saved.startedAt),
    durationMs,
    host: { qemu: saved.host.qemu, accel: saved.host.accel, cpus: saved.host.cpus },
    harnessDigest: saved.harness.digest,
    candidate: saved.roles.candidate,
    references: saved.roles.references,
    observations: saved.observations,
    judgement,
    expectations: {
      file: path.relative(options.outDir, settings.expectations),
      entries: expectations,
    },
    today: scope.today,
    outDir: options.outDir,
  });
  await writeReport(report, options.outDir);
  return report;
}

/**
 * Writes report.json (checked against the schema first), report.md and report.html, in that
 * order: on a full disk what fits is the most useful part, and each file is whole or absent.
 */
export async function writeReport(report: Report, outDir: string): Promise<void> {
  validateReport(report, path.join(outDir, 'report.json'));
  await writeOutput(
    path.join(outDir, 'report.json'),
    `${JSON.stringify(report, null, 2)}\n`,
    'the report',
  );
  await writeOutput(
    path.join(outDir, 'report.md'),
    renderMarkdown(report, { reportUrl: 'report.html' }),
    'the report',
  );
  await writeOutput(
    path.join(outDir, 'report.html'),
    renderHtml(report, await readBootLogs(report, outDir)),
    'the report',
  );
}
