/**
 * The history contract, schema `diverge.history/v1` (docs/history.md; JSON Schema in
 * schema/history.v1.json): one record per run on the default branch, kept as JSON lines, one
 * file per month, and the facts derived from them per test.
 */
import type { DivergenceClass } from './classes.js';
import type { Conclusion } from './report.js';
import { TEST_STATUSES } from './results.js';

export const HISTORY_SCHEMA = 'diverge.history/v1';

/** What started the run: a push, a schedule, or a person (workflow_dispatch, or a local run). */
export const HISTORY_EVENTS = ['push', 'schedule', 'manual'] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

/**
 * A kernel's status of a test in a run: the status of its runs when they agree, `varies` when
 * they do not, `missing` when it has none.
 */
export const HISTORY_STATUSES = [...TEST_STATUSES, 'varies'] as const;
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

/** A test in a run: its class, then the status per kernel (the candidate, then the report's references in order). */
export type HistoryTest = [DivergenceClass, HistoryStatus[]];

/** One report added to a run: one per variant (or per shard) of the run. */
export interface HistoryReport {
  variant: string;
  /** The candidate kernel's digest. */
  candidate: string;
  references: { name: string; digest: string }[];
  /** The harness's digest. */
  harness: string;
  conclusion: Conclusion;
  /** Where the run's report.html is (a URL or a path), when `add` was told. */
  link?: string;
  /** Per test id. */
  tests: Record<string, HistoryTest>;
  /** The tests whose verdict failed the run (their class is in fail-on, the kernel to blame). */
  failing: string[];
}

export interface HistoryRecord {
  schema: typeof HISTORY_SCHEMA;
  /** The commit as given to `add` (a full SHA from git or the event). */
  commit: string;
  ref: string;
  /** When the run was made, ISO 8601 (UTC): it names the month file. */
  time: string;
  event: HistoryEvent;
  /** What ran the kernels: a change of any of these alone can break a test ("broke with no commit"). */
  toolchain: { diverge: string; qemu: string; image?: string };
  reports: HistoryReport[];
}

/** A test's state in one run, and its current state (`absent`: not in the latest run). */
export const TEST_STATES = ['broken', 'flaky', 'good', 'absent'] as const;
export type TestState = (typeof TEST_STATES)[number];

/** Which change came with the run that broke a test, against the run before it. */
export const BREAK_CAUSES = ['commit', 'references', 'toolchain', 'nothing', 'unknown'] as const;
export type BreakCause = (typeof BREAK_CAUSES)[number];

/** A run as the facts name it. */
export interface RunRef {
  commit: string;
  time: string;
  link?: string;
}

/** What the history says about one test (history/facts.ts). */
export interface TestFacts {
  id: string;
  state: TestState;
  /** The first run of the current broken streak; null unless broken. */
  brokenSince: RunRef | null;
  /** The latest run in which the test was good. */
  lastGood: RunRef | null;
  /** Share of the last N runs that had the test in which its class was `flaky`, 0..1. */
  flakeRate: number;
  /** With brokenSince: what changed at the break; `commit` unless it "broke with no commit". */
  cause: BreakCause | null;
  /** The latest run in which the test was broken, for a test that is good again (a fix). */
  fixedAt: RunRef | null;
}

/**
 * A test's name across runs: its id, prefixed with its variant unless that is `default`, so the
 * variants of one run are told apart.
 */
export const testKey = (variant: string, id: string) =>
  variant === 'default' ? id : `${variant}/${id}`;
