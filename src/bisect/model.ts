/**
 * bisect.json (schema `diverge.bisect/v1`, schema/bisect.v1.json): the answer of `diverge
 * bisect` and how it was found, checked against its schema before it is written.
 */
import { schemaCheck } from '../util/schema.js';
import schema from '../../schema/bisect.v1.json' with { type: 'json' };
import type { DivergenceClass } from '../compare/classes.js';
import type { Commit } from './history.js';
import type { StepVerdict } from './search.js';

export const BISECT_SCHEMA = 'diverge.bisect/v1';

/** How the kernel of a step came to be: built, found unchanged (same context digest), or not built. */
export type StepBuild = 'built' | 'reused' | 'skipped';

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

export type BisectOutcome = 'culprit' | 'bad-revision-good' | 'bad-revision-skipped';

export interface Bisect {
  schema: typeof BISECT_SCHEMA;
  run: {
    startedAt: string;
    durationMs: number;
    tool: { name: string; version: string };
    host: { qemu: string; accel: string; cpus: number };
  };
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

const check = schemaCheck<Bisect>(schema, Error);

/** Checks a bisect against schema/bisect.v1.json; the error names the file and the fields. */
export function validateBisect(value: unknown, file = 'bisect.json'): Bisect {
  return check(value, file);
}

/** What a plain `git bisect run` needs for `commits` candidates: one test per halving. */
export const plainBisectSteps = (commits: number): number => Math.ceil(Math.log2(commits + 1));
