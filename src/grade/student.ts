/**
 * Grading one submission: its saved row when nothing it is graded by changed, else its kernel
 * (built when it is a source), checked, judged, and the row saved beside its report.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import type { GradebookStudent } from '../model/gradebook.js';
import type { Report } from '../model/report.js';
import { checkKernel, KernelFileError } from '../qemu/kernel-image.js';
import { CANDIDATE, type ResolvedKernel } from '../references/resolve.js';
import { sha256 } from '../util/digest.js';
import { type GradebookHead, gradeKey } from './gradebook.js';
import type { SubmissionKernels } from './kernel.js';
import type { GradeProgress } from './progress.js';
import { judgedStudent, unbooted } from './rows.js';
import { maxPoints } from './rubric.js';
import { sealRow } from './seal.js';
import { keepsGrade, loadStudent, saveStudent, studentPath } from './store.js';
import type { Submission } from './submissions.js';

export interface StudentGrading {
  settings: Settings;
  outDir: string;
  head: GradebookHead;
  kernels: SubmissionKernels;
  /** Judges a student's kernel against the references, its report written to `dir`. */
  evaluate(kernel: ResolvedKernel, dir: string, name: string): Promise<Report>;
  record(student: GradebookStudent): Promise<void>;
  progress: GradeProgress;
}

/**
 * A student's judged row. A boot the infrastructure cut (QEMU killed from outside, refusing to
 * start, console bytes lost) is judged once more (its report and logs written over) before the row says
 * "not graded": one runner hiccup should not cost a student their grade in this run.
 */
async function judgedOnce(
  grading: StudentGrading & { name: string; key: string; dir: string },
  kernel: ResolvedKernel,
  build: GradebookStudent['build'],
): Promise<GradebookStudent> {
  const { name, key, dir, outDir, settings, progress } = grading;
  const judge = async () =>
    judgedStudent(
      { name, key },
      await grading.evaluate(kernel, dir, name),
      build,
      path.relative(outDir, path.join(dir, 'report.json')),
      settings.grading,
    );
  const first = await judge();
  if (first.conclusion !== 'neutral') return first;
  progress.log(`${name}: ${first.reason ?? 'not graded'}: judging once more`);
  return judge();
}

/** Grades a submission and records its row; never throws for the submission's sake. */
export function studentGrader(grading: StudentGrading): (submission: Submission) => Promise<void> {
  const { settings, outDir, head, kernels, progress } = grading;
  const finish = async (student: GradebookStudent, kept: boolean) => {
    await grading.record(student);
    progress.finished(student, kept);
  };
  return async (submission) => {
    const { name } = submission;
    const dir = studentPath(outDir, name);
    const max = maxPoints(head.tests, settings.grading);
    let key = gradeKey(sha256(`unreadable ${submission.path}`), head.basis);
    try {
      key = gradeKey(await kernels.digestOf(submission), head.basis);
      const saved = await loadStudent(outDir, name, (why) =>
        progress.log(`${name}: ${why}: graded again`),
      );
      if (saved && keepsGrade(saved, key)) return await finish(saved, true);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const found = await kernels.kernelOf(submission, key, dir);
      let student: GradebookStudent;
      if (!found.ok) student = { name, key, max, ...found.row };
      else {
        const problem = await checkKernel(
          CANDIDATE,
          found.kernel.path,
          settings.machine,
          settings.harness.tests,
        )
          .then(() => undefined)
          .catch((error: Error) => error);
        student = problem
          ? {
              name,
              key,
              max,
              ...unbooted(
                problem instanceof KernelFileError ? 'failure' : 'neutral',
                `not a kernel diverge can boot: ${problem.message}`,
                found.build,
              ),
            }
          : await judgedOnce({ ...grading, name, key, dir }, found.kernel, found.build);
      }
      student = await sealRow(student, outDir);
      await saveStudent(outDir, student);
      await finish(student, false);
    } catch (error) {
      // Never lose the run to one submission: the row says what went wrong, and, being
      // neutral, is graded again by the next run with this OUT.
      const reason = `not graded: ${(error as Error).message}`;
      const row = { name, key, max, ...unbooted('neutral', reason, { outcome: 'failed' }) };
      await finish(await sealRow(row, outDir), false);
    }
  };
}
