/**
 * The store's records folded into columns: the runs, the tests, and per run one byte per test
 * that says its class, whether it failed the run and the candidate's status. 10,000 runs of
 * 1,000 tests take 10 MB this way, where the records as objects would not fit in memory.
 */
import { DIVERGENCE_CLASSES, type DivergenceClass } from '../model/classes.js';
import {
  HISTORY_STATUSES,
  type HistoryRecord,
  type HistoryStatus,
  type HistoryTest,
  type RunRef,
  type TestState,
  testKey,
} from '../model/history.js';

export interface TimelineRun extends RunRef {
  ref: string;
  event: HistoryRecord['event'];
  /** What ran the kernels besides the commit: diverge, QEMU, build image, harness, the candidate's digest. */
  toolchain: string;
  /** The references' names and digests. */
  references: string;
}

export interface Timeline {
  runs: TimelineRun[];
  /** Test keys (testKey), in the order first seen. */
  tests: string[];
  /** Per run, per test index: its code (0: not in the run; shorter than `tests`: the rest absent). */
  codes: Uint8Array[];
}

const CLASS_BITS = 0x0f;
const FAILING = 0x10;
const STATUS_SHIFT = 5;

const CLASS_INDEX = new Map<string, number>(DIVERGENCE_CLASSES.map((c, i) => [c, i]));
const STATUS_INDEX = new Map<string, number>(HISTORY_STATUSES.map((s, i) => [s, i]));

/** One byte: 1 + the class's index, the failing bit, the candidate's status index. */
export function encode(cls: DivergenceClass, failing: boolean, status: HistoryStatus): number {
  const c = CLASS_INDEX.get(cls) ?? 0;
  const s = STATUS_INDEX.get(status) ?? 0;
  return (1 + c) | (failing ? FAILING : 0) | (s << STATUS_SHIFT);
}

export const classOfCode = (code: number): DivergenceClass | undefined =>
  code === 0 ? undefined : DIVERGENCE_CLASSES[(code & CLASS_BITS) - 1];
export const statusOfCode = (code: number): HistoryStatus | undefined =>
  code === 0 ? undefined : HISTORY_STATUSES[code >> STATUS_SHIFT];
export const failingCode = (code: number) => (code & FAILING) !== 0;

/** A test's state in one run: broken when it failed the run, flaky when its runs disagreed. */
export function stateOfCode(code: number): TestState {
  if (code === 0) return 'absent';
  if (failingCode(code)) return 'broken';
  return classOfCode(code) === 'flaky' ? 'flaky' : 'good';
}

export const emptyTimeline = (): Timeline => ({ runs: [], tests: [], codes: [] });

/**
 * Adds a record (the next run in time) to the timeline. Plain loops over the record's objects:
 * this runs for every test of every run, 10 million times at 10,000 runs × 1,000 tests.
 */
export function addRun(
  timeline: Timeline,
  record: HistoryRecord,
  index: Map<string, number>,
): void {
  const keys: number[][] = [];
  for (const report of record.reports) {
    const ts: number[] = [];
    for (const id in report.tests) {
      const key = testKey(report.variant, id);
      let t = index.get(key);
      if (t === undefined) {
        t = timeline.tests.length;
        index.set(key, t);
        timeline.tests.push(key);
      }
      ts.push(t);
    }
    keys.push(ts);
  }
  const codes = new Uint8Array(timeline.tests.length);
  record.reports.forEach((report, r) => {
    const failed = new Set(report.failing);
    const ts = keys[r] ?? [];
    let i = 0;
    for (const id in report.tests) {
      const entry = report.tests[id] as HistoryTest;
      codes[ts[i++] ?? 0] = encode(entry[0], failed.has(id), entry[1][0] ?? 'missing');
    }
  });
  const first = record.reports[0];
  timeline.codes.push(codes);
  timeline.runs.push({
    commit: record.commit,
    time: record.time,
    ...(first?.link ? { link: first.link } : {}),
    ref: record.ref,
    event: record.event,
    toolchain: JSON.stringify([
      record.toolchain,
      record.reports.map((r) => [r.variant, r.harness, r.candidate]),
    ]),
    references: JSON.stringify(record.reports.map((r) => r.references)),
  });
}

/** The timeline of records given oldest first. */
export function timelineOf(records: Iterable<HistoryRecord>): Timeline {
  const timeline = emptyTimeline();
  const index = new Map<string, number>();
  for (const record of records) addRun(timeline, record, index);
  return timeline;
}

/** The code of test `t` in run `r`. */
export const codeAt = (timeline: Timeline, r: number, t: number): number =>
  timeline.codes[r]?.[t] ?? 0;
