/**
 * `diverge run`: one candidate against the references, one evaluation of a session of its own;
 * and `diverge compare`: a saved run judged again without booting.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadExpectations } from '../compare/expectations.js';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import type { Report, ReportKernel } from '../model/report.js';
import { CANDIDATE, type ResolvedKernel } from '../references/resolve.js';
import { reportRun, UNKNOWN_DIGEST } from '../session/report.js';
import { readSavedRun, SavedRunError } from '../session/saved-run.js';
import { evaluateOne, type SessionOptions } from '../session/session.js';

export type DifferentialOptions = Pick<
  SessionOptions,
  'outDir' | 'docker' | 'variant' | 'jobs' | 'progress' | 'today' | 'observationCache'
>;

/**
 * The whole local pipeline: boot candidate and references, judge, boot again the kernels of a
 * run that diverged (to tell flaky from real), and write the report and boots.json.
 */
export async function runDifferential(
  context: RunContext,
  settings: Settings,
  kernels: { candidate: ResolvedKernel; references: ResolvedKernel[] },
  options: DifferentialOptions,
): Promise<Report> {
  return (await evaluateOne(context, settings, kernels, options)).report;
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
    {
      outDir: options.outDir,
      variant: options.variant,
      today: options.today ?? context.clock.today(),
    },
    0,
  );
}
