import path from 'node:path';
import { DIVERGENCE_CLASSES, type DivergenceClass, isDivergence } from '../model/classes.js';
import type { Judgement } from '../compare/judge.js';
import type { Expectation } from '../compare/expectations.js';
import { staleExpectations } from '../compare/expectations.js';
import type { Settings } from '../config/settings.js';
import { TOOL_NAME, TOOL_VERSION } from '../model/constants.js';
import { type Accel, isInfrastructureOutcome } from '../model/boot.js';
import type { KernelObservation } from '../results/observe.js';
import { type Conclusion, type Report, REPORT_SCHEMA, type ReportKernel } from '../model/report.js';

export interface ReportInput {
  settings: Settings;
  variant: string;
  subject?: string;
  startedAt: Date;
  durationMs: number;
  host: { qemu: string; accel: Accel; cpus: number };
  harnessDigest: string;
  candidate: Omit<ReportKernel, 'broken'>;
  references: Omit<ReportKernel, 'broken'>[];
  observations: readonly KernelObservation[];
  judgement: Judgement;
  expectations: { file?: string; entries: readonly Expectation[] };
  today: string;
  /** Log paths in the report are relative to this directory (where report.json goes). */
  outDir: string;
}

/** Assembles `report.json` (schema diverge.report/v1) from a judged run. */
export function buildReport(input: ReportInput): Report {
  const { judgement, settings } = input;
  const byClass: Partial<Record<DivergenceClass, number>> = {};
  for (const test of judgement.tests)
    byClass[test.verdict.class] = (byClass[test.verdict.class] ?? 0) + 1;
  const ordered = Object.fromEntries(
    DIVERGENCE_CLASSES.filter((c) => byClass[c]).map((c) => [c, byClass[c]]),
  );
  const divergences = judgement.tests.filter((t) => isDivergence(t.verdict)).length;
  const failing = judgement.tests.filter((t) => t.verdict.failing).length;

  const working = input.references.filter((r) => !judgement.broken.has(r.name));
  const candidateBoots = input.observations.filter((o) => o.kernel === input.candidate.name);
  // Tests the course checker could not judge, on the candidate or a working reference: each
  // leaves a test without a verdict, so the run as a whole has none (a grade without it would
  // be unfair).
  const judgedKernels = new Set([input.candidate.name, ...working.map((r) => r.name)]);
  const unchecked = input.observations
    .filter((o) => judgedKernels.has(o.kernel))
    .flatMap((o) => o.tests.filter((t) => t.unchecked !== undefined).map((t) => ({ o, t })));
  let conclusion: Conclusion = failing > 0 ? 'failure' : 'success';
  let note: string | undefined;
  if (working.length === 0) {
    conclusion = 'neutral';
    note =
      input.references.length === 0
        ? 'no references to compare with'
        : 'every reference is broken: nothing to compare with';
  } else if (
    candidateBoots.length > 0 &&
    candidateBoots.every((o) => isInfrastructureOutcome(o.boot.outcome))
  ) {
    conclusion = 'neutral';
    note = `QEMU could not boot the candidate: an infrastructure problem, not a divergence${candidateBoots[0]?.boot.message ? ` (${candidateBoots[0].boot.message})` : ''}`;
  } else if (unchecked[0]) {
    const { o, t } = unchecked[0];
    const kernels = [...new Set(unchecked.map((u) => u.o.kernel))].join(', ');
    conclusion = 'neutral';
    note = `the course checker (harness.checker) could not judge ${unchecked.length} run(s) of a test (${kernels}): an infrastructure problem, not a divergence (${o.kernel} ${t.id}: ${t.unchecked})`;
  }

  return {
    schema: REPORT_SCHEMA,
    run: {
      startedAt: input.startedAt.toISOString(),
      durationMs: input.durationMs,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      host: input.host,
    },
    variant: input.variant,
    ...(input.subject ? { subject: input.subject } : {}),
    candidate: input.candidate,
    references: input.references.map((r) => {
      const broken = judgement.broken.get(r.name);
      return broken ? { ...r, broken } : r;
    }),
    machine: {
      arch: settings.machine.arch,
      profile: settings.machine.profile,
      memory: `${settings.machine.memoryMiB}M`,
      cpus: settings.machine.cpus,
    },
    harness: { digest: input.harnessDigest, format: settings.harness.results.format },
    boots: input.observations.map(({ boot }) => ({
      kernel: boot.kernel,
      attempt: boot.attempt,
      ...(boot.test !== undefined ? { test: boot.test } : {}),
      outcome: boot.outcome,
      stage: boot.stage,
      durationMs: boot.durationMs,
      log: path.relative(input.outDir, boot.log),
      splats: boot.splats,
      ...(boot.message ? { message: boot.message } : {}),
      ...(boot.cached ? { cached: true } : {}),
      ...(boot.restored ? { restored: true } : {}),
    })),
    tests: judgement.tests,
    clusters: judgement.clusters,
    normalization: {
      builtin: [...settings.normalize.builtin],
      rules: settings.normalize.rules.length,
      learned: judgement.learned,
    },
    expectations: {
      ...(input.expectations.file ? { file: input.expectations.file } : {}),
      matched: judgement.matched.size,
      stale: staleExpectations(
        [...input.expectations.entries],
        judgement.matched,
        input.today,
        judgement.tests.map((t) => t.id),
      ),
    },
    summary: {
      tests: judgement.tests.length,
      same: byClass.same ?? 0,
      divergences,
      failing,
      byClass: ordered,
      conclusion,
      ...(note ? { note } : {}),
    },
  };
}
