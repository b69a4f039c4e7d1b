/** History records made by hand, for the history tests and the benchmark. */
import { HISTORY_SCHEMA, type HistoryRecord, type HistoryTest } from '../../src/model/history.js';

/** A test in a run as people say it: good, broken (a regression that fails the run) or flaky. */
export type Said = 'good' | 'broken' | 'flaky';

const TESTS: Record<Said, HistoryTest> = {
  good: ['same', ['pass', 'pass']],
  broken: ['regression', ['fail', 'pass']],
  flaky: ['flaky', ['varies', 'pass']],
};

export interface RunSketch {
  commit: string;
  /** Hours after 2026-11-01T00:00Z. */
  hour: number;
  tests: Record<string, Said>;
  /** The staff reference's digest (default sha256:staff). */
  staff?: string;
  /** QEMU's version (default 7.2.0). */
  qemu?: string;
  event?: HistoryRecord['event'];
  link?: string;
}

export function historyRun(run: RunSketch): HistoryRecord {
  const ids = Object.keys(run.tests);
  return {
    schema: HISTORY_SCHEMA,
    commit: run.commit,
    ref: 'refs/heads/main',
    time: new Date(Date.UTC(2026, 10, 1) + run.hour * 3_600_000).toISOString(),
    event: run.event ?? 'push',
    toolchain: { diverge: '0.1.0', qemu: run.qemu ?? '7.2.0' },
    reports: [
      {
        variant: 'default',
        candidate: `sha256:${run.commit}`,
        references: [{ name: 'staff', digest: run.staff ?? 'sha256:staff' }],
        harness: 'sha256:harness',
        conclusion: ids.some((id) => run.tests[id] === 'broken') ? 'failure' : 'success',
        ...(run.link ? { link: run.link } : {}),
        tests: Object.fromEntries(ids.map((id) => [id, TESTS[run.tests[id] as Said]])),
        failing: ids.filter((id) => run.tests[id] === 'broken'),
      },
    ],
  };
}
