/**
 * A judged run's report: kernels as reports name them, the judgement of their boots, and
 * report.json, report.md and report.html written from it.
 */
import path from 'node:path';
import type { Expectation } from '../compare/expectations.js';
import { judge, type Judgement } from '../compare/judge.js';
import type { Settings } from '../config/settings.js';
import type { Report, ReportKernel } from '../model/report.js';
import type { ResolvedKernel } from '../references/resolve.js';
import { buildReport } from '../report/build.js';
import { writeReport } from '../report/write.js';
import type { KernelObservation } from '../results/observe.js';
import { sha256File } from '../util/digest.js';
import { isManyImages } from '../model/images.js';
import { imagesDigest } from '../qemu/kernel-image.js';
import type { SavedRun } from './saved-run.js';

/** The digest of a kernel whose file diverge no longer has (a run judged again from disk). */
export const UNKNOWN_DIGEST = `sha256:${'0'.repeat(64)}`;

/** What a judgement is scoped by: expectations are per variant and expire. */
export interface JudgeScope {
  variant: string;
  /** YYYY-MM-DD. */
  today: string;
}

/**
 * Kernels as reports show them: name, source and the digest of the file that will boot. A
 * digest known from fetching must still hold: the file booted is the one the report names.
 */
export async function describeKernels(
  kernels: readonly ResolvedKernel[],
  /** `harness.tests`: the images of a kernel of many images (model/images.ts). */
  tests?: readonly string[],
): Promise<ReportKernel[]> {
  const digests = await Promise.all(
    kernels.map(async (k) => {
      const actual = await (
        isManyImages(k.path) ? imagesDigest(k.name, k.path, tests) : sha256File(k.path)
      ).catch(() => undefined);
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

/** Judges the boots of a candidate against references, as the config says. */
export function judgeRun(
  settings: Settings,
  roles: SavedRun['roles'],
  observations: readonly KernelObservation[],
  expectations: readonly Expectation[],
  scope: JudgeScope,
): Judgement {
  return judge({
    observations,
    candidate: roles.candidate.name,
    references: roles.references.map((r) => r.name),
    normalize: settings.normalize,
    compareOutput: settings.compare.output,
    expectations,
    failOn: settings.failOn,
    scope: { arch: settings.machine.arch, variant: scope.variant, today: scope.today },
  });
}

/** Judges a run's observations and writes its report to `outDir`. */
export async function reportRun(
  settings: Settings,
  saved: SavedRun,
  expectations: readonly Expectation[],
  options: JudgeScope & { outDir: string; subject?: string; root?: string },
  durationMs: number,
): Promise<Report> {
  const judgement = judgeRun(settings, saved.roles, saved.observations, expectations, options);
  const report = buildReport({
    settings,
    variant: options.variant,
    subject: options.subject,
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
    today: options.today,
    outDir: options.outDir,
  });
  await writeReport(report, options.outDir, options.root);
  return report;
}
