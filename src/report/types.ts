/**
 * The report contract, schema `diverge.report/v1` (docs/report.md; JSON Schema in
 * schema/report.v1.json). Everything a renderer or the GitHub stage shows comes from here.
 */
import type { TestStatus } from '../results/types.js';

export const REPORT_SCHEMA = 'diverge.report/v1';

export const DIVERGENCE_CLASSES = [
  'same',
  'regression',
  'fix',
  'output',
  'crash',
  'hang',
  'missing',
  'new',
  'flaky',
  'ambiguous',
  'expected',
] as const;
export type DivergenceClass = (typeof DIVERGENCE_CLASSES)[number];

/** Every class but `same` and `expected` (what an expectation turns a divergence into). */
export type DivergentClass = Exclude<DivergenceClass, 'same' | 'expected'>;
export const isDivergentClass = (cls: DivergenceClass): cls is DivergentClass =>
  cls !== 'same' && cls !== 'expected';

/** A divergence of the candidate itself: divergent, and the kernel is to blame. */
export const isKernelDivergence = (verdict: { class: DivergenceClass; blame: Blame }): boolean =>
  verdict.blame === 'kernel' && isDivergentClass(verdict.class);

/** How loud a verdict is: `error` fails by default, `none` is not shown as a divergence. */
export type Severity = 'error' | 'warning' | 'notice' | 'none';

/** Whose fault a verdict is. Only `kernel` verdicts are divergences of the candidate. */
export type Blame = 'kernel' | 'harness' | 'infrastructure' | 'reference';

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

export interface ReportBoot {
  kernel: string;
  attempt: number;
  outcome: 'completed' | 'panic' | 'timeout' | 'stalled' | 'qemu-error' | 'no-results';
  stage: 'firmware' | 'kernel' | 'init' | 'harness' | 'done';
  durationMs: number;
  /** Serial log path, relative to the report's directory. */
  log: string;
  splats: ReportSplat[];
  message?: string;
  /** The boot was taken from the observation cache (an earlier run's boot of the same kernel). */
  cached?: boolean;
}

/** One run's observation of one test, after normalisation. */
export interface ReportObservation {
  attempt: number;
  status: TestStatus;
  output: string[];
}

export interface Verdict {
  class: DivergenceClass;
  severity: Severity;
  blame: Blame;
  /** Share of the reference runs that are in the consensus, 0..1 (1 when there is no reference). */
  confidence: number;
  /** References whose runs agree with the consensus. */
  agreeing: string[];
  /** One sentence for people, e.g. "passes on staff (3/3 runs), fails on candidate (3/3 runs)". */
  reason: string;
  /** Failing runs : runs, per kernel, e.g. `{ "candidate": "2:3", "staff": "0:3" }`. */
  counts: Record<string, string>;
  /** Unified diff of the normalised output, consensus against candidate. */
  diff?: string;
  /** For `expected`: the class the test would otherwise have had, and the entry that matched. */
  expected?: { class: DivergenceClass; reason: string; link?: string };
  /** Id of the cluster this divergence belongs to. */
  cluster?: string;
  /** Whether this verdict fails the run (its class is in `fail-on` and the kernel is to blame). */
  failing: boolean;
}

export interface ReportTest {
  id: string;
  /** Per kernel name (`candidate` and each reference), one entry per run that reported the test. */
  observations: Record<string, ReportObservation[]>;
  verdict: Verdict;
}

/** Divergences that share a signature: one bug, N tests. */
export interface Cluster {
  id: string;
  class: DivergenceClass;
  /** The first diverging normalised line, or the splat fingerprint. */
  signature: string;
  tests: string[];
}

export interface LearnedMask {
  test: string;
  /** The line as masked, e.g. `monotonic <learned>`. */
  template: string;
  /** Learned from the repeated runs of this reference. */
  reference: string;
}

export interface StaleExpectation {
  test: string;
  reason: string;
}

export type Conclusion = 'success' | 'failure' | 'neutral';

export interface Report {
  schema: typeof REPORT_SCHEMA;
  run: {
    startedAt: string;
    durationMs: number;
    tool: { name: string; version: string };
    host: { qemu: string; accel: 'kvm' | 'tcg'; cpus: number };
  };
  variant: string;
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
