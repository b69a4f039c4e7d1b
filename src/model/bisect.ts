/** The bisect contract, schema `diverge.bisect/v1` (docs/bisect.md; JSON Schema in schema/bisect.v1.json). */
import type { DivergenceClass } from './classes.js';
import type { RunHead } from './report.js';

export interface Commit {
  sha: string;
  subject: string;
  /** `Name <email>`. */
  author: string;
  /** The author date, ISO 8601. */
  date: string;
}

/** What a tested commit is: good, bad, or skipped (it does not build, or its verdict is unsure). */
export const STEP_VERDICTS = ['good', 'bad', 'skip'] as const;
export type StepVerdict = (typeof STEP_VERDICTS)[number];

export const BISECT_SCHEMA = 'diverge.bisect/v1';

/** How the kernel of a step came to be: built, found unchanged (same context digest), or not built. */
export const STEP_BUILDS = ['built', 'reused', 'skipped'] as const;
export type StepBuild = (typeof STEP_BUILDS)[number];

export interface BisectStep {
  sha: string;
  subject: string;
  /** The round the step was tested in (commits of one round are tested in parallel). */
  round: number;
  verdict: StepVerdict;
  build: StepBuild;
  /** Boots of the commit's kernel: more than the config's `repeat` when it was checked again. */
  boots: number;
  /** Selected tests whose runs disagreed. */
  flaky: string[];
  /** Selected tests that made the commit bad. */
  diverging: string[];
  /** Why a commit was skipped. */
  reason?: string;
  durationMs: number;
  /** The step's report, relative to the bisect's directory. */
  report?: string;
}

export interface BisectTest {
  id: string;
  class: DivergenceClass;
  /** Unified diff of the normalised output: the culprit's parent against the culprit. */
  diff?: string;
}

/** A culprit found, or the bad revision was not bad after all (it tested good, or was skipped). */
export const BISECT_OUTCOMES = ['culprit', 'bad-revision-good', 'bad-revision-skipped'] as const;
export type BisectOutcome = (typeof BISECT_OUTCOMES)[number];

export interface Bisect {
  schema: typeof BISECT_SCHEMA;
  run: RunHead;
  outcome: BisectOutcome;
  good: Commit;
  bad: Commit;
  range: { commits: number; firstParent: boolean };
  selection: { tests: string[]; classes: DivergenceClass[] };
  references: string[];
  /** The first bad commit; null when the bad revision was not bad. */
  culprit: Commit | null;
  /** Skipped commits just before the culprit: the first bad commit could be any of them. */
  undecided: Commit[];
  /** The selected tests that diverge at the culprit, against its parent. */
  tests: BisectTest[];
  steps: BisectStep[];
  skipped: Commit[];
  rounds: number;
  /** Commits tested at once in a round. */
  slots: number;
  builds: Record<StepBuild, number>;
  /** Steps a plain one-at-a-time bisect needs for this range: ceil(log2(commits + 1)). */
  plainSteps: number;
}
