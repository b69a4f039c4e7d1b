/**
 * The rubric (`grading:` in diverge.yml): how many points each test is worth and what share of
 * them each verdict class earns. Pure: `diverge grade` and the course formats of a single run
 * (Classroom, Gradescope, JUnit) score a report the same way.
 */
import type { DivergenceClass } from '../model/classes.js';
import { compileGlob, unmatchedGlobs } from '../util/glob.js';
import type { Report } from '../model/report.js';
import type { Grading } from '../model/gradebook.js';

/** A `grading.points` glob that matches no test: its points would go to no one (exit 2). */
export class RubricError extends Error {}

/**
 * Checks that each `grading.points` glob matches one of `tests` (the tests the references
 * report), naming the nearest ids of one that does not: a typo would score that test with
 * `default-points` in silence. `configPath` names the config in the message.
 */
export function checkRubric(grading: Grading, tests: readonly string[], configPath: string): void {
  const problems = grading.points.flatMap(({ test }, i) =>
    unmatchedGlobs([test], tests).map((m) => `${configPath}: grading.points[${i}].test: ${m}`),
  );
  if (problems.length > 0) throw new RubricError(problems.join('\n'));
}

/** `grading` without its build: what a gradebook records as the rubric it scored with. */
export const rubricOf = ({ points, defaultPoints, credit }: Grading): Grading => ({
  points,
  defaultPoints,
  credit,
});

export interface ScoredTest {
  id: string;
  class: DivergenceClass;
  points: number;
  max: number;
}

export interface Score {
  score: number;
  max: number;
  tests: ScoredTest[];
}

/** Scores add up fractions (flaky earns half): keep them to a thousandth, not float noise. */
export const roundPoints = (n: number): number => Math.round(n * 1000) / 1000;

/** A test's points: the first `points` entry whose glob matches its id, else `default-points`. */
export function pointsFor(id: string, grading: Grading): number {
  const entry = grading.points.find((p) => compileGlob(p.test)(id));
  return entry ? entry.points : grading.defaultPoints;
}

/**
 * A test's points and what its class earns. A test only the candidate reports (`new`) is worth
 * nothing: the references, which the rubric grades against, do not have it.
 */
export function scoreTest(id: string, cls: DivergenceClass, grading: Grading): ScoredTest {
  const max = cls === 'new' ? 0 : pointsFor(id, grading);
  return { id, class: cls, points: roundPoints(max * grading.credit[cls]), max };
}

/** Scores tests given by class; tests the references report but `classes` lacks earn 0. */
export function scoreClasses(
  classes: Readonly<Record<string, DivergenceClass>>,
  grading: Grading,
): Score {
  const tests = Object.entries(classes).map(([id, cls]) => scoreTest(id, cls, grading));
  return {
    score: roundPoints(tests.reduce((sum, t) => sum + t.points, 0)),
    max: roundPoints(tests.reduce((sum, t) => sum + t.max, 0)),
    tests,
  };
}

/** A report's score under the rubric: every test's points times its class's credit. */
export function scoreReport(report: Report, grading: Grading): Score {
  return scoreClasses(
    Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])),
    grading,
  );
}

/** The points a submission that has no report (did not build or boot) could have earned. */
export function maxPoints(tests: readonly string[], grading: Grading): number {
  return roundPoints(tests.reduce((sum, id) => sum + pointsFor(id, grading), 0));
}
