/**
 * The gradebook contract, schema `diverge.gradebook/v1` (docs/grading.md; JSON Schema in
 * schema/gradebook.v1.json): one row per student, and what the rows were graded against (config,
 * references, harness), so that shards of the same grading can be merged and others refused.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ajv, schemaCheck } from '../util/schema.js';
import schema from '../../schema/gradebook.v1.json' with { type: 'json' };
import { sha256 } from '../util/digest.js';
import type { Settings } from '../config/settings.js';
import { TOOL_VERSION } from '../model/constants.js';
import { testIdsOf } from '../results/observe.js';
import { rubricOf } from './rubric.js';
import type { Shard } from './submissions.js';
import {
  GRADEBOOK_SCHEMA,
  type Gradebook,
  type GradebookStudent,
  type GradingBasis,
} from '../model/gradebook.js';

export class GradebookError extends Error {}

const check = schemaCheck<Gradebook>(schema, GradebookError);

/** Checks a gradebook against schema/gradebook.v1.json; the error names the file and fields. */
export function validateGradebook(value: unknown, file = 'gradebook.json'): Gradebook {
  return check(value, file);
}

const byName = (a: GradebookStudent, b: GradebookStudent) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** A gradebook without its rows: what they are graded by, and its columns. */
export type GradebookHead = Omit<Gradebook, 'schema' | 'students'>;

/**
 * The head of a grading by this config against the references of a judging session (their
 * boots name the tests, in their order), by diverge's build `tool`.
 */
export function gradebookHead(
  settings: Settings,
  session: {
    references: readonly { name: string; digest: string }[];
    observations: readonly { tests: readonly { id: string }[] }[];
    expectations: readonly unknown[];
    harness: { digest: string };
  },
  tool: string,
  shard: Shard | undefined,
): GradebookHead {
  return {
    tool: { name: 'diverge' as const, version: TOOL_VERSION },
    basis: {
      config: configDigest(settings, session.expectations),
      references: session.references.map((r) => ({ name: r.name, digest: r.digest })),
      harness: session.harness.digest,
      tool,
    },
    grading: rubricOf(settings.grading),
    tests: testIdsOf(session.observations),
    ...(shard ? { shard } : {}),
  };
}

/** A gradebook of these rows, sorted by name, so that equal grading gives equal files. */
export function gradebookOf(head: GradebookHead, students: Iterable<GradebookStudent>): Gradebook {
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
