/**
 * The rubric: the points a report's tests earn under `grading:` (a test's points from the first
 * `points` entry whose glob matches its id, else `default-points`; times its class's credit).
 */
import type { DivergenceClass } from '../compare/classes.js';
import { globToRegExp } from '../compare/expectations.js';
import type { Settings } from '../config/settings.js';
import type { Report } from '../report/types.js';

export interface ScoredTest {
  id: string;
  class: DivergenceClass;
  points: number;
  max: number;
}

export interface Scored {
  score: number;
  max: number;
  tests: ScoredTest[];
}

export function scoreReport(report: Report, grading: Settings['grading']): Scored {
  const tests = report.tests.map(({ id, verdict }) => {
    const max =
      grading.points.find((entry) => globToRegExp(entry.test).test(id))?.points ??
      grading.defaultPoints;
    const credit = (grading.credit as Partial<Record<DivergenceClass, number>>)[verdict.class] ?? 0;
    return { id, class: verdict.class, points: max * credit, max };
  });
  const sum = (pick: (t: ScoredTest) => number) => tests.reduce((n, t) => n + pick(t), 0);
  return { score: sum((t) => t.points), max: sum((t) => t.max), tests };
}
