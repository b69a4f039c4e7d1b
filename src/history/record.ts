/**
 * A run's history record, made from its report.json files (one per variant or shard) and where
 * and when the run was made.
 */
import {
  HISTORY_EVENTS,
  HISTORY_SCHEMA,
  type HistoryEvent,
  type HistoryRecord,
  type HistoryReport,
  type HistoryStatus,
  type HistoryTest,
} from '../model/history.js';
import type { Report, ReportObservation } from '../model/report.js';

export class HistoryError extends Error {}

/** Where and when the run was made, as `add` was told or found it. */
export interface RunPlace {
  commit: string;
  ref: string;
  time: string;
  event: HistoryEvent;
}

/** A report and where it was read from (errors name the file) and where its HTML is shown. */
export interface AddedReport {
  file: string;
  report: Report;
  link?: string;
}

/** One kernel's status of a test: its runs' status when they agree. */
function statusOf(observations: readonly ReportObservation[] | undefined): HistoryStatus {
  const statuses = new Set((observations ?? []).map((o) => o.status));
  if (statuses.size === 0) return 'missing';
  const [only] = statuses;
  return statuses.size === 1 && only ? only : 'varies';
}

function historyReport({ report, link }: AddedReport): HistoryReport {
  const kernels = [report.candidate.name, ...report.references.map((r) => r.name)];
  const tests: Record<string, HistoryTest> = {};
  for (const test of report.tests)
    tests[test.id] = [test.verdict.class, kernels.map((k) => statusOf(test.observations[k]))];
  return {
    variant: report.variant,
    candidate: report.candidate.digest,
    references: report.references.map((r) => ({ name: r.name, digest: r.digest })),
    harness: report.harness.digest,
    conclusion: report.summary.conclusion,
    ...(link ? { link } : {}),
    tests,
    failing: report.tests.filter((t) => t.verdict.failing).map((t) => t.id),
  };
}

/** The build image of the candidate, when its source names one (`{ image: … }`). */
function imageOf(report: Report): string | undefined {
  const image = report.candidate.source['image'];
  return typeof image === 'string' && image !== '' ? image : undefined;
}

/**
 * The record of a run. Its reports must come from one diverge and one QEMU (one run), and no
 * two may judge the same variant (a test would be counted twice).
 */
export function historyRecord(place: RunPlace, reports: readonly AddedReport[]): HistoryRecord {
  const [first, ...rest] = reports;
  if (!first) throw new HistoryError('history add: no report given');
  if (Number.isNaN(Date.parse(place.time)))
    throw new HistoryError(`history add: --time ${place.time} is not an ISO 8601 time`);
  if (!HISTORY_EVENTS.includes(place.event))
    throw new HistoryError(
      `history add: --event ${place.event} is not one of ${HISTORY_EVENTS.join(', ')}`,
    );
  const variants = new Map<string, string>([[first.report.variant, first.file]]);
  for (const added of rest) {
    const seen = variants.get(added.report.variant);
    if (seen)
      throw new HistoryError(
        `${added.file}: variant ${added.report.variant} is also ${seen}'s: one report per variant in a run`,
      );
    variants.set(added.report.variant, added.file);
    for (const field of ['version', 'qemu'] as const) {
      const value = (r: Report) => (field === 'version' ? r.run.tool.version : r.run.host.qemu);
      if (value(added.report) !== value(first.report))
        throw new HistoryError(
          `${added.file}: run.${field === 'version' ? 'tool.version' : 'host.qemu'} ${value(added.report)} differs from ${first.file}'s ${value(first.report)}: add reports of one run together`,
        );
    }
  }
  const image = imageOf(first.report);
  return {
    schema: HISTORY_SCHEMA,
    commit: place.commit,
    ref: place.ref,
    time: new Date(place.time).toISOString(),
    event: place.event,
    toolchain: {
      diverge: first.report.run.tool.version,
      qemu: first.report.run.host.qemu,
      ...(image ? { image } : {}),
    },
    reports: reports.map(historyReport),
  };
}

/**
 * The event of a GitHub run as history records it; undefined for events that are not the
 * default branch's own runs (pull requests and the like), which history does not record.
 */
export function eventOf(githubEvent: string | undefined): HistoryEvent | undefined {
  if (!githubEvent) return 'manual';
  if (githubEvent === 'push' || githubEvent === 'schedule') return githubEvent;
  if (githubEvent === 'workflow_dispatch' || githubEvent === 'repository_dispatch') return 'manual';
  return undefined;
}
