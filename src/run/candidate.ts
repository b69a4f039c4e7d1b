import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDivergence } from '../compare/classes.js';
import { type Expectation, loadExpectations } from '../compare/expectations.js';
import { judge, type Judgement } from '../compare/judge.js';
import type { DockerAccess } from '../build/docker.js';
import type { RunContext } from '../context.js';
import { ObservationCache } from '../results/observation-cache.js';
import type { Settings } from '../config/settings.js';
import { sha256File } from '../util/digest.js';
import { type BootRun, prepareBoots } from './boots.js';
import { CANDIDATE, type ResolvedKernel } from '../references/resolve.js';
import { buildReport } from '../report/build.js';
import { readBootLogs, renderHtml } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Report, ReportKernel } from '../report/types.js';
import { validateReport } from '../report/validate.js';
import type { KernelObservation } from '../results/observe.js';

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

/** What `diverge run` saves beside the report, so `diverge compare` can judge again without booting. */
export interface SavedRun extends BootRun {
  roles: { candidate: ReportKernel; references: ReportKernel[] };
  startedAt: string;
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
  const digests = await Promise.all(
    all.map((k) => k.digest ?? sha256File(k.path).catch(() => UNKNOWN_DIGEST)),
  );
  const [candidate, ...references] = all.map((k, i) => ({
    name: k.name,
    source: k.source,
    digest: digests[i] as string,
  }));
  const roles = { candidate: candidate as ReportKernel, references };
  const expectations = await loadExpectations(settings.expectations);
  const today = options.today ?? context.clock.today();
  const scope = { variant: options.variant, today };

  const referenceDigests = new Map(
    references.filter((r) => r.digest !== UNKNOWN_DIGEST).map((r) => [r.name, r.digest]),
  );
  const observationCache = new ObservationCache(context.cache.observations, context.buildId);
  const booter = await prepareBoots(context, settings, all, {
    outDir: options.outDir,
    progress: options.progress,
    ...(options.observationCache !== false
      ? { cached: { cache: observationCache, digests: referenceDigests } }
      : {}),
    ...(options.docker ? { docker: options.docker } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  const { repeat, rerunDivergent } = settings.harness;
  let observations = await booter.boot(all, repeat, 1);
  // Judged here only to decide on extra boots; the report judges the final set of boots.
  const judgement = judgeRun(settings, roles, observations, expectations, scope);
  if (rerunDivergent > 0 && diverged(judgement)) {
    const again = all.filter((k) => !judgement.broken.has(k.name));
    options.progress(
      `divergences found: booting ${again.map((k) => k.name).join(', ')} ${rerunDivergent} more time(s) to tell flaky from real`,
    );
    // Per-test boots: only the tests that diverged boot again.
    const divergent = new Set(
      judgement.tests.filter((t) => isDivergence(t.verdict)).map((t) => t.id),
    );
    const tests = settings.harness.tests?.filter((test) => divergent.has(test));
    observations = [
      ...observations,
      ...(await booter.boot(again, rerunDivergent, repeat + 1, tests)),
    ];
  }
  const saved: SavedRun = {
    host: booter.host,
    harness: booter.harness,
    observations,
    roles,
    startedAt: new Date(startedAt).toISOString(),
  };
  await writeFile(path.join(options.outDir, 'boots.json'), `${JSON.stringify(saved, null, 2)}\n`);
  const durationMs = context.clock.now() - startedAt;
  return reportRun(settings, saved, expectations, { ...options, today }, durationMs);
}

/** Judges a saved run again (new config, expectations or normalisation) without booting. */
export async function compareSaved(
  context: RunContext,
  settings: Settings,
  fromDir: string,
  options: DifferentialOptions & { candidate?: string },
): Promise<Report> {
  const file = path.join(fromDir, 'boots.json');
  const saved = JSON.parse(
    await readFile(file, 'utf8').catch(() => {
      throw new Error(
        `${file}: no saved run here (run \`diverge run\` or \`diverge boot\` with --out ${fromDir} first)`,
      );
    }),
  ) as Partial<SavedRun> & BootRun;
  const names = [...new Set(saved.observations.map((o) => o.kernel))];
  const candidateName = options.candidate ?? saved.roles?.candidate.name ?? CANDIDATE;
  if (!names.includes(candidateName))
    throw new Error(
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

/** Writes report.json (checked against the schema first), report.md and report.html. */
export async function writeReport(report: Report, outDir: string): Promise<void> {
  validateReport(report, path.join(outDir, 'report.json'));
  await writeFile(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(
    path.join(outDir, 'report.md'),
    renderMarkdown(report, { reportUrl: 'report.html' }),
  );
  await writeFile(
    path.join(outDir, 'report.html'),
    renderHtml(report, await readBootLogs(report, outDir)),
  );
}
