/**
 * The gradebook contract, schema `diverge.gradebook/v1` (docs/grading.md; JSON Schema in
 * schema/gradebook.v1.json): one row per student, and what the rows were graded against (config,
 * references, harness), so that shards of the same grading can be merged and others refused.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ajv, schemaCheck } from '../util/schema.js';
import schema from '../../schema/gradebook.v1.json' with { type: 'json' };
import type { DivergenceClass } from '../compare/classes.js';
import type { BootOutcome } from '../qemu/types.js';
import type { Conclusion } from '../report/types.js';
import { sha256 } from '../util/digest.js';
import type { Grading } from './rubric.js';

export const GRADEBOOK_SCHEMA = 'diverge.gradebook/v1';

/** How a submission became a kernel. */
export interface StudentBuild {
  /** `built` (or found unchanged) from source, `file` given as a kernel, `failed` to build. */
  outcome: 'built' | 'file' | 'failed';
  /** Why it failed: the build's own message, capped. */
  message?: string;
  /** Serial and build logs, relative to the gradebook. */
  log?: string;
}

/** How the submission's first boot ended (`not-booted` when there was no kernel to boot). */
export interface StudentBoot {
  outcome: BootOutcome | 'not-booted';
  stage?: 'firmware' | 'kernel' | 'init' | 'harness' | 'done';
  message?: string;
}

export interface GradebookStudent {
  name: string;
  score: number;
  max: number;
  /**
   * `success`: no failing divergence; `failure`: failing divergences, or the submission gave no
   * kernel (its fault: a compile error, no kernel in the image); `neutral`: the infrastructure
   * kept it from being graded (re-graded by the next run with the same OUT).
   */
  conclusion: Conclusion;
  /** Why the score is what it is when the submission was not judged test by test. */
  reason?: string;
  /** Each test's class; empty when there was no kernel to boot. */
  tests: Record<string, DivergenceClass>;
  build: StudentBuild;
  boot: StudentBoot;
  /** The student's report.json, relative to the gradebook; null without one. */
  report: string | null;
  /** Digest of everything the grade depends on: an unchanged key is not graded again. */
  key: string;
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

export class GradebookError extends Error {}

const check = schemaCheck<Gradebook>(schema, GradebookError);

/** Checks a gradebook against schema/gradebook.v1.json; the error names the file and fields. */
export function validateGradebook(value: unknown, file = 'gradebook.json'): Gradebook {
  return check(value, file);
}

const byName = (a: GradebookStudent, b: GradebookStudent) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** A gradebook of these rows, sorted by name, so that equal grading gives equal files. */
export function gradebookOf(
  head: Omit<Gradebook, 'schema' | 'students'>,
  students: Iterable<GradebookStudent>,
): Gradebook {
  return { schema: GRADEBOOK_SCHEMA, ...head, students: [...students].sort(byName) };
}

/** The key of one student's grade: the submission's content and everything it is judged by. */
export function gradeKey(submissionDigest: string, basis: GradingBasis): string {
  const hash = createHash('sha256').update(JSON.stringify({ submissionDigest, basis }));
  return `sha256:${hash.digest('hex')}`;
}

const checkStudent = (() => {
  const student = ajv.getSchema(`${schema.$id}#/definitions/student`);
  if (!student) throw new Error('schema/gradebook.v1.json has no definitions/student');
  return student;
})();

/** One student's row as saved beside their report; undefined when it is not a valid row. */
export function asStudent(value: unknown): GradebookStudent | undefined {
  return checkStudent(value) ? (value as GradebookStudent) : undefined;
}

/**
 * The digest of what a grading's settings say, with host paths made relative to the config's
 * directory (shards check out the course in different places), and of the expectations the
 * verdicts honour.
 */
export function configDigest(
  settings: { configPath: string },
  expectations: readonly unknown[],
): string {
  const baseDir = path.dirname(settings.configPath);
  const what = { ...settings, configPath: undefined };
  const relative = (_key: string, value: unknown) =>
    typeof value === 'string' && path.isAbsolute(value) ? path.relative(baseDir, value) : value;
  return sha256(JSON.stringify({ settings: what, expectations }, relative));
}
