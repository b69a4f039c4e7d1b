/** Gradebook rows: a judged student's, and one that was not booted, saying why. */
import type { GradebookStudent, Grading } from '../model/gradebook.js';
import type { Report } from '../model/report.js';
import { CANDIDATE } from '../references/resolve.js';
import { scoreReport } from './rubric.js';

/** A row without who it is (name, key) and what it is out of (max). */
export type Row = Omit<GradebookStudent, 'name' | 'key' | 'max'>;

/** How much of a build's or a boot's message a gradebook row keeps. */
const REASON_CAP = 2000;
export const capped = (text: string) =>
  text.length > REASON_CAP ? `${text.slice(0, REASON_CAP - 1)}…` : text;

/**
 * The row of a submission that was not booted, saying why: a `failure` (the submission's fault)
 * earns nothing; a `neutral` one (the infrastructure's) is not graded: no score.
 */
export const unbooted = (
  conclusion: 'failure' | 'neutral',
  reason: string,
  build: GradebookStudent['build'],
): Row => ({
  score: conclusion === 'neutral' ? null : 0,
  conclusion,
  reason: capped(reason),
  tests: {},
  build,
  boot: { outcome: 'not-booted' },
  report: null,
});

/**
 * A judged student's row: the rubric's score of the report (at `reportFile`, relative to the
 * gradebook), and how the first boot ended. A report the infrastructure kept from a verdict
 * (`neutral`: QEMU killed from outside, refusing to start, console bytes lost) is no grade: no
 * score and no classes, whatever tests the boot reported before it was cut.
 */
export function judgedStudent(
  student: { name: string; key: string },
  report: Report,
  build: GradebookStudent['build'],
  reportFile: string,
  grading: Grading,
): GradebookStudent {
  const { score, max } = scoreReport(report, grading);
  const graded = report.summary.conclusion !== 'neutral';
  const first = report.boots.find((b) => b.kernel === CANDIDATE && b.attempt === 1);
  const boot: GradebookStudent['boot'] = first
    ? {
        outcome: first.outcome,
        stage: first.stage,
        ...(first.message ? { message: capped(first.message) } : {}),
      }
    : { outcome: 'not-booted' };
  const reason =
    report.summary.conclusion === 'neutral'
      ? `not graded: ${report.summary.note ?? 'the infrastructure failed'}`
      : first?.outcome === 'not-from-harness'
        ? (first.message ?? 'results not from the harness')
        : first && first.outcome !== 'completed'
          ? `boot ended: ${first.outcome} at stage ${first.stage}${first.message ? ` (${first.message})` : ''}`
          : undefined;
  return {
    name: student.name,
    score: graded ? score : null,
    max,
    conclusion: report.summary.conclusion,
    ...(reason ? { reason: capped(reason) } : {}),
    tests: graded ? Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])) : {},
    build,
    boot,
    report: reportFile,
    key: student.key,
  };
}
