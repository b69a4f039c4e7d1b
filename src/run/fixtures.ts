/**
 * Where the project's fixtures are (the repository around this module, whether it runs from src/,
 * from dist/ or from build/bench/) and what they promise: the course's intended verdicts and
 * the Debian kernels set-up fetched. Used by `diverge demo`, the tests and the benchmarks (whose
 * generated courses and histories are in test/helpers/).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DivergenceClass, Report } from '../model/report.js';

/**
 * The repository root: the nearest directory above this module with a package.json (this file
 * runs from src/, bundled in dist/, and bundled into build/bench/).
 */
export const REPO_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
})();

/** Reads `.cache/kernels/manifest.env`, written by scripts/fetch-kernels.sh. */
export async function fixtureKernels(): Promise<Record<string, string>> {
  const dir = path.join(REPO_ROOT, '.cache', 'kernels');
  const text = await readFile(path.join(dir, 'manifest.env'), 'utf8').catch(() => {
    throw new Error(`no fixture kernels in ${dir}: run scripts/setup.sh first`);
  });
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^(\w+)=(.+)$/.exec(line.trim()))
      .filter((m) => m !== null)
      .map((m) => [m[1] as string, path.join(dir, m[2] as string)]),
  );
}

/** Builds the Linux fixture harness tree (busybox + the static KTAP program) into `dir`. */
export async function buildLinuxHarness(
  dir: string,
  arch: 'x86_64' | 'aarch64' = 'x86_64',
): Promise<void> {
  await promisify(execFile)('bash', [
    path.join(REPO_ROOT, 'fixtures', 'linux', 'build-harness.sh'),
    dir,
    arch,
  ]);
}

/** The fixture course: a teaching kernel, its shared harness and its student variants. */
export const COURSE_DIR = path.join(REPO_ROOT, 'fixtures', 'course');

/** `fixtures/course/variants.json`: what each variant is meant to come out as. */
export interface CourseTruth {
  references: string[];
  tests: string[];
  variants: Record<string, Partial<Record<DivergenceClass, string[]>>>;
}

export async function courseTruth(): Promise<CourseTruth> {
  return JSON.parse(await readFile(path.join(COURSE_DIR, 'variants.json'), 'utf8')) as CourseTruth;
}

/** The tests whose verdict differs from what the variant is meant to give, as `test: got X, meant Y`. */
export function unintended(report: Report, intended: CourseTruth['variants'][string]): string[] {
  const meant = new Map<string, string>();
  for (const [cls, tests] of Object.entries(intended))
    for (const test of tests ?? []) meant.set(test, cls);
  const seen = new Set(report.tests.map((t) => t.id));
  const wrong = report.tests
    .filter((t) => t.verdict.class !== (meant.get(t.id) ?? 'same'))
    .map((t) => `${t.id}: got ${t.verdict.class}, meant ${meant.get(t.id) ?? 'same'}`);
  for (const [test, cls] of meant)
    if (!seen.has(test)) wrong.push(`${test}: not in the report, meant ${cls}`);
  return wrong;
}
