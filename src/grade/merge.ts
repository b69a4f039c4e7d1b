/**
 * `diverge grade merge`: shard gradebooks into one. Shards merge only when they were graded
 * against the same basis (config, references, harness, diverge build) and no student is in two.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { GradebookError, gradebookOf } from './gradebook.js';
import { rowProblem } from './seal.js';
import { GRADEBOOK_FILE, readGradebook, studentPath, writeGradebook } from './store.js';
import type { GradingBasis, Gradebook } from '../model/gradebook.js';

/** Why `other` cannot be merged with `first`, or undefined when it can. */
export function basisMismatch(first: GradingBasis, other: GradingBasis): string | undefined {
  if (first.config !== other.config)
    return `a different config (${other.config}, not ${first.config})`;
  const names = (b: GradingBasis) => b.references.map((r) => r.name).join(', ');
  if (names(first) !== names(other))
    return `different references (${names(other) || 'none'}, not ${names(first) || 'none'})`;
  const changed = other.references.filter((r, i) => r.digest !== first.references[i]?.digest);
  if (changed.length > 0)
    return `different reference kernels: ${changed.map((r) => `${r.name} is ${r.digest}, not ${first.references.find((f) => f.name === r.name)?.digest}`).join('; ')}`;
  if (first.harness !== other.harness)
    return `a different harness (${other.harness}, not ${first.harness})`;
  if (first.tool !== other.tool) return `another diverge build (${other.tool}, not ${first.tool})`;
  return undefined;
}

/**
 * Refuses a shard one of whose rows does not match its checksum (a score edited, a report
 * changed under it): naming the shard's gradebook and the student.
 */
async function checkRows(dir: string, gradebook: Gradebook): Promise<void> {
  const file = path.join(dir, GRADEBOOK_FILE);
  for (const student of gradebook.students) {
    const problem = await rowProblem(student, dir);
    if (problem)
      throw new GradebookError(
        `${file}: the row of ${JSON.stringify(student.name)} ${problem}: refusing this shard (grade it again)`,
      );
  }
}

/** The merged gradebook of shards read from `dirs` (each named in errors). */
export function mergeGradebooks(
  shards: readonly { dir: string; gradebook: Gradebook }[],
): Gradebook {
  const [first] = shards;
  if (!first) throw new GradebookError('grade merge: give at least one gradebook directory');
  const owner = new Map<string, string>();
  const tests = new Set<string>();
  for (const { dir, gradebook } of shards) {
    const file = path.join(dir, GRADEBOOK_FILE);
    const mismatch = basisMismatch(first.gradebook.basis, gradebook.basis);
    if (mismatch)
      throw new GradebookError(
        `${file}: graded with ${mismatch} than ${path.join(first.dir, GRADEBOOK_FILE)}: shards of one grading only`,
      );
    for (const test of gradebook.tests) tests.add(test);
    for (const student of gradebook.students) {
      const other = owner.get(student.name);
      if (other !== undefined)
        throw new GradebookError(
          `student ${JSON.stringify(student.name)} is in both ${path.join(other, GRADEBOOK_FILE)} and ${file}`,
        );
      owner.set(student.name, dir);
    }
  }
  const { tool, basis, grading } = first.gradebook;
  return gradebookOf(
    { tool, basis, grading, tests: [...tests] },
    shards.flatMap((s) => s.gradebook.students),
  );
}

/** Reads the shards, merges them into `outDir` with every student's files, writes the gradebook. */
export async function mergeShards(dirs: readonly string[], outDir: string): Promise<Gradebook> {
  const shards = await Promise.all(
    dirs.map(async (dir) => ({ dir, gradebook: await readGradebook(dir) })),
  );
  const merged = mergeGradebooks(shards);
  for (const { dir, gradebook } of shards) await checkRows(dir, gradebook);
  for (const { dir, gradebook } of shards)
    for (const student of gradebook.students) {
      const from = studentPath(dir, student.name);
      const to = studentPath(outDir, student.name);
      if (path.resolve(from) === path.resolve(to)) continue;
      await cp(from, to, { recursive: true, force: true }).catch((error: Error) => {
        // A student without a report may have no files; one with a report must bring it.
        if (student.report !== null)
          throw new GradebookError(
            `${from}: the files of ${JSON.stringify(student.name)}: ${error.message}`,
          );
      });
    }
  await writeGradebook(outDir, merged);
  return merged;
}
