/**
 * What judging a test produces, carried as is by report.json (model/report.ts re-exports it).
 */
import type { TestStatus } from './results.js';
import type { Blame, DivergenceClass, Severity } from './classes.js';

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
  /**
   * References whose own runs of this test differ (status, or normalised output when compared):
   * the test varies on them, and a candidate whose runs stay within what every reference showed
   * is `same`. Absent when no reference varies.
   */
  varying?: string[];
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
  /**
   * Per kernel name (`candidate` and each reference), one entry per run that reported the test,
   * and one with status `missing` per run that died during it having printed something (what it
   * printed before the boot ended).
   */
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
