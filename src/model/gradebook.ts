/**
 * The gradebook contract, schema `diverge.gradebook/v1` (docs/grading.md; JSON Schema in
 * schema/gradebook.v1.json): one row per student, and what the rows were graded against (config,
 * references, harness), so that shards of the same grading can be merged and others refused.
 */
import { BOOT_OUTCOMES } from './boot.js';
import type { DivergenceClass } from './classes.js';
import type { Conclusion } from './report.js';
import type { BootStage } from './stage.js';

/** The rubric part of `grading:` in diverge.yml (its `build` says how submissions are built). */
export interface Grading {
  points: { test: string; points: number }[];
  defaultPoints: number;
  /** The share of a test's points each class earns. */
  credit: Record<DivergenceClass, number>;
}

export const GRADEBOOK_SCHEMA = 'diverge.gradebook/v1';

/**
 * How a submission became a kernel: `built` (or found unchanged) from source, `file` given as a
 * kernel, `failed` to build.
 */
export const STUDENT_BUILD_OUTCOMES = ['built', 'file', 'failed'] as const;

/** How the submission's first boot ended: a boot outcome, or `not-booted` (no kernel to boot). */
export const STUDENT_BOOT_OUTCOMES = [...BOOT_OUTCOMES, 'not-booted'] as const;

/** How a submission became a kernel. */
export interface StudentBuild {
  outcome: (typeof STUDENT_BUILD_OUTCOMES)[number];
  /** Why it failed: the build's own message, capped. */
  message?: string;
  /**
   * The build's last lines when it failed (the compiler's errors): clean text without colour
   * codes, at most 20 lines of 500 characters. Untrusted: escape them where shown.
   */
  lastLines?: string[];
  /** Serial and build logs, relative to the gradebook. */
  log?: string;
}

/** How the submission's first boot ended. */
export interface StudentBoot {
  outcome: (typeof STUDENT_BOOT_OUTCOMES)[number];
  stage?: BootStage;
  message?: string;
}

export interface GradebookStudent {
  name: string;
  /**
   * The rubric's score; null when the student was not graded (`neutral`: the infrastructure kept
   * the kernel from being built or booted: QEMU killed from outside, refusing to start, console
   * bytes lost). A null score is no grade: never 0, and no class totals count it.
   */
  score: number | null;
  max: number;
  /**
   * `success`: no failing divergence; `failure`: failing divergences, or the submission gave no
   * kernel (its fault: a compile error, no kernel in the image); `neutral`: the infrastructure
   * kept it from being graded (re-graded by the next run with the same OUT).
   */
  conclusion: Conclusion;
  /** Why the score is what it is when the submission was not judged test by test. */
  reason?: string;
  /** Each test's class; empty when there was no kernel to boot or the row was not graded. */
  tests: Record<string, DivergenceClass>;
  build: StudentBuild;
  boot: StudentBoot;
  /** The student's report.json, relative to the gradebook; null without one. */
  report: string | null;
  /** Digest of everything the grade depends on: an unchanged key is not graded again. */
  key: string;
  /**
   * Digest of the row (without this field) and of its report's bytes (src/grade/seal.ts): a
   * row that does not match it is not trusted: graded again on resume, refused by `grade merge`.
   */
  checksum?: string;
}

/** What every row of a gradebook was graded against; shards merge only when it is the same. */
export interface GradingBasis {
  /** Digest of the settings (paths relative to the config's directory). */
  config: string;
  references: { name: string; digest: string }[];
  harness: string;
  /** diverge's build id (version and bundle hash): another build may judge differently. */
  tool: string;
}

export interface Gradebook {
  schema: typeof GRADEBOOK_SCHEMA;
  tool: { name: 'diverge'; version: string };
  basis: GradingBasis;
  grading: Grading;
  /** The tests the references report, in their order: the rubric's maximum counts these. */
  tests: string[];
  /** Set on a shard's gradebook (`--shard I/N`); a merged one has none. */
  shard?: { index: number; count: number };
  students: GradebookStudent[];
}
