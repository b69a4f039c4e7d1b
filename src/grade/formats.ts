/**
 * The result files course tools read, from one run's report and its rubric score (the score is
 * taken as given, so these writers do not depend on how the rubric computes it):
 * - GitHub Classroom: the `result` a grader step hands to the Classroom grading reporter, base64
 *   of `{version, status, max_score, tests[] {name, status, score, max_score, message}}`;
 * - Gradescope: results.json (`score`, `output`, `tests[] {name, score, max_score, status,
 *   output}`).
 * Test ids, reasons and diffs come from kernels: control characters are dropped and texts capped.
 */
import type { Report, ReportTest } from '../model/report.js';
import { stripControls, truncateUtf8 } from '../render/escape.js';

/** The already-scored result: the rubric's `scoreReport`. */
export interface ScoredResult {
  score: number;
  max: number;
  tests: { id: string; class: string; points: number; max: number }[];
}

/** Most bytes of a message or output of one test: step outputs and results.json stay small. */
export const COURSE_TEXT_CAP_BYTES = 4 * 1024;

function capped(text: string): string {
  const clean = stripControls(text);
  const cut = truncateUtf8(clean, COURSE_TEXT_CAP_BYTES);
  return cut === clean ? clean : `${cut}\n… (cut)`;
}

type Status = 'pass' | 'fail' | 'error';

/**
 * A test earns its name `pass` with every point it can have; it is an `error` when its verdict
 * is blamed on the harness or the infrastructure, whatever it earned (nothing the student did).
 */
function statusOf(scored: ScoredResult['tests'][number], test: ReportTest | undefined): Status {
  if (test && test.verdict.blame !== 'kernel' && test.verdict.class !== 'same') return 'error';
  return scored.points >= scored.max ? 'pass' : 'fail';
}

function explain(scored: ScoredResult['tests'][number], test: ReportTest | undefined): string {
  const points = `${scored.class}: ${round(scored.points)}/${round(scored.max)} points`;
  return capped(test ? `${points}. ${test.verdict.reason}` : points);
}

/** Scores are shown with at most two decimals (a flaky test earns half of 1 point: 0.5). */
const round = (n: number) => Math.round(n * 100) / 100;

function byId(report: Report): (id: string) => ReportTest | undefined {
  const tests = new Map(report.tests.map((test) => [test.id, test]));
  return (id) => tests.get(id);
}

export interface ClassroomResult {
  version: 1;
  status: Status;
  max_score: number;
  tests: { name: string; status: Status; score: number; max_score: number; message: string }[];
}

export function classroomResult(report: Report, scored: ScoredResult): ClassroomResult {
  const find = byId(report);
  const tests = scored.tests.map((t) => ({
    name: capped(t.id),
    status: statusOf(t, find(t.id)),
    score: round(t.points),
    max_score: round(t.max),
    message: explain(t, find(t.id)),
  }));
  const status: Status = tests.some((t) => t.status === 'error')
    ? 'error'
    : tests.some((t) => t.status === 'fail')
      ? 'fail'
      : 'pass';
  return { version: 1, status, max_score: round(scored.max), tests };
}

/** The `classroom-result` action output: base64 of the JSON, as the grading reporter decodes it. */
export function classroomResultBase64(report: Report, scored: ScoredResult): string {
  return Buffer.from(JSON.stringify(classroomResult(report, scored)), 'utf8').toString('base64');
}

export interface GradescopeResults {
  score: number;
  output: string;
  tests: {
    name: string;
    score: number;
    max_score: number;
    status: 'passed' | 'failed';
    output: string;
  }[];
}

export function gradescopeResults(report: Report, scored: ScoredResult): GradescopeResults {
  const find = byId(report);
  const { summary } = report;
  return {
    score: round(scored.score),
    output: capped(
      `diverge: ${round(scored.score)}/${round(scored.max)} points; ${summary.tests} tests, ${summary.divergences} divergences, conclusion ${summary.conclusion}` +
        (summary.note ? `. ${summary.note}` : ''),
    ),
    tests: scored.tests.map((t) => {
      const test = find(t.id);
      const diff = test?.verdict.diff ? `\n\n${test.verdict.diff}` : '';
      return {
        name: capped(t.id),
        score: round(t.points),
        max_score: round(t.max),
        status: statusOf(t, test) === 'pass' ? 'passed' : 'failed',
        output: capped(`${explain(t, test)}${diff}`),
      };
    }),
  };
}
