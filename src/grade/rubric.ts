/**
 * The rubric (`grading:` in diverge.yml): how many points each test is worth and what share of
 * them each verdict class earns. Pure: `diverge grade` and the course formats of a single run
 * (Classroom, Gradescope, JUnit) score a report the same way.
 */
import type { DivergenceClass } from '../model/classes.js';
import { compileGlob } from '../util/glob.js';
import type { Report } from '../model/report.js';
import type { Grading } from '../model/gradebook.js';

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
