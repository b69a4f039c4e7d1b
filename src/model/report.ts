/**
 * The report contract, schema `diverge.report/v1` (docs/report.md; JSON Schema in
 * schema/report.v1.json). Everything a renderer or the GitHub stage shows comes from here.
 */
import type { DivergenceClass } from './classes.js';
import type { Cluster, ReportTest } from './verdict.js';
import type { Accel, BootRecord } from './boot.js';

// The verdict vocabulary belongs to compare/, which produces it; the report carries it as is.
export type { Blame, DivergenceClass, DivergentClass, Severity } from './classes.js';
export type { Cluster, ReportObservation, ReportTest, Verdict } from './verdict.js';

/** An entry to clean up, as report.json lists it. */
export interface StaleExpectation {
  test: string;
  reason: string;
}

/** A line of a reference's output that differed between its own runs, masked when comparing. */
export interface LearnedMask {
  test: string;
  /** The line as masked, e.g. `monotonic <learned>`. */
  template: string;
  /** Learned from the repeated runs of this reference. */
  reference: string;
}

export const REPORT_SCHEMA = 'diverge.report/v1';

export interface ReportKernel {
  name: string;
  /** Where the kernel came from, e.g. `{ "file": "build/kernel.elf" }`. */
  source: Record<string, unknown>;
  digest: string;
  /** Set when no boot of this reference observed any test: it is left out of every oracle. */
  broken?: string;
}

export interface ReportSplat {
  kind: string;
  message: string;
  fingerprint: string;
  line: number;
}

/** A boot as report.json keeps it: the record's own fields, with its log where the report is. */
export interface ReportBoot extends Pick<
  BootRecord,
  | 'kernel'
  | 'attempt'
  | 'test'
  | 'outcome'
  | 'stage'
  | 'durationMs'
  | 'message'
  | 'cached'
  | 'restored'
> {
  /** Serial log path, relative to the report's directory. */
  log: string;
  splats: ReportSplat[];
}

/** When and where a run was made, and by which diverge: report.json's and bisect.json's `run`. */
export interface RunHead {
  startedAt: string;
  durationMs: number;
  tool: { name: string; version: string };
  host: { qemu: string; accel: Accel; cpus: number };
}

/**
 * `success`: nothing fails the run; `failure`: divergences do; `neutral`: the run could not
 * judge (every reference broken, the infrastructure failed).
 */
export const CONCLUSIONS = ['success', 'failure', 'neutral'] as const;
export type Conclusion = (typeof CONCLUSIONS)[number];

/**
 * The built-in normalisations (`normalize.builtin`, report.json's `normalization.builtin`), in
 * the order the config's default lists them; compare/normalize.ts applies them in its own order.
 */
export const BUILTIN_NORMALIZATIONS = [
  'timestamps',
  'addresses',
  'pids',
  'kernel-release',
  'durations',
  'network',
] as const;
export type BuiltinNormalization = (typeof BUILTIN_NORMALIZATIONS)[number];

export interface Report {
  schema: typeof REPORT_SCHEMA;
  run: RunHead;
  variant: string;
  /** Who the candidate is, for people: a student's name in `grade` (their report's title). */
  subject?: string;
  candidate: ReportKernel;
  references: ReportKernel[];
  machine: { arch: string; profile: string; memory: string; cpus: number };
  harness: { digest: string; format: string };
  boots: ReportBoot[];
  tests: ReportTest[];
  clusters: Cluster[];
  normalization: { builtin: string[]; rules: number; learned: LearnedMask[] };
  expectations: { file?: string; matched: number; stale: StaleExpectation[] };
  summary: {
    tests: number;
    same: number;
    divergences: number;
    /** Divergences that fail the run. */
    failing: number;
    byClass: Partial<Record<DivergenceClass, number>>;
    conclusion: Conclusion;
    /** Why the conclusion is what it is, when it is not about divergences (e.g. every reference broken). */
    note?: string;
  };
}
