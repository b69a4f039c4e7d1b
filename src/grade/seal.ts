/**
 * A gradebook row's checksum: over the row (without the checksum) and the bytes of the report it
 * names, so that a row edited by hand (a score raised, a class changed) or a report changed under
 * it is told apart from the row diverge wrote. Checked wherever a row is trusted: a saved
 * grade.json a re-run would keep, and every row of a shard `grade merge` reads. Like the
 * observation cache's checksum, it catches edits and damage, not a forger who recomputes it.
 */
import path from 'node:path';
import { sha256, sha256File } from '../util/digest.js';
import type { GradebookStudent } from '../model/gradebook.js';

/** The value with every object's keys sorted: a reformatted file checks the same. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        )
      : value;

/** The report a row names, inside `baseDir` (the gradebook's directory), or why not. */
function reportFile(row: GradebookStudent, baseDir: string): { file?: string; bad?: string } {
  if (row.report === null) return {};
  const file = path.resolve(baseDir, row.report);
  const inside = path.relative(path.resolve(baseDir), file);
  if (inside.startsWith('..') || path.isAbsolute(inside))
    return { bad: `names a report outside its gradebook's directory (${row.report})` };
  return { file };
}

async function checksumOf(row: GradebookStudent, report: string | undefined): Promise<string> {
  const content: Partial<GradebookStudent> = { ...row };
  delete content.checksum;
  const digest = report === undefined ? null : await sha256File(report);
  return sha256(JSON.stringify([canonical(content), digest]));
}

/** The row with its checksum, its report read from `baseDir` (the gradebook's directory). */
export async function sealRow(row: GradebookStudent, baseDir: string): Promise<GradebookStudent> {
  const { file, bad } = reportFile(row, baseDir);
  if (bad) throw new Error(`the row of ${JSON.stringify(row.name)} ${bad}`);
  return { ...row, checksum: await checksumOf(row, file) };
}

/** Why a row read back cannot be trusted (edited, its report changed or gone), or undefined. */
export async function rowProblem(
  row: GradebookStudent,
  baseDir: string,
): Promise<string | undefined> {
  if (row.checksum === undefined) return 'has no checksum (not written by this diverge)';
  const { file, bad } = reportFile(row, baseDir);
  if (bad) return bad;
  let checksum: string;
  try {
    checksum = await checksumOf(row, file);
  } catch (error) {
    return `cannot read its report ${row.report}: ${(error as Error).message}`;
  }
  return checksum === row.checksum
    ? undefined
    : `does not match its checksum: the row${row.report === null ? '' : ` or its report (${row.report})`} was edited after it was graded`;
}
