/**
 * OUT on disk: the gradebook files, rewritten atomically as each student finishes, and each
 * student's row saved beside their report (OUT/students/NAME/grade.json), which is what a
 * re-run with the same OUT resumes from.
 */
import { readFile } from 'node:fs/promises';
import { readJsonFile } from '../util/schema.js';
import path from 'node:path';
import { relativeHref, renderGradebookHtml } from '../render/gradebook-html.js';
import { writeAtomically } from '../util/atomic.js';
import {
  asStudent,
  GradebookError,
  type GradebookHead,
  gradebookOf,
  validateGradebook,
} from './gradebook.js';
import { renderCsv, renderGradebookMarkdown } from './render.js';
import { rowProblem } from './seal.js';
import { studentDir } from './submissions.js';
import type { GradebookStudent, Gradebook } from '../model/gradebook.js';

export const GRADEBOOK_FILE = 'gradebook.json';
const GRADE_FILE = 'grade.json';

export const studentPath = (outDir: string, name: string) =>
  path.join(outDir, 'students', studentDir(name));

/**
 * The gradebook's files, in the order they are written: gradebook.json first (checked against
 * the schema before anything is written), then the CSV, the Markdown and the page (each row
 * linking the student's report.html, when there is one).
 */
const GRADEBOOK_OUTPUTS: readonly { file: string; render: (gradebook: Gradebook) => string }[] = [
  { file: GRADEBOOK_FILE, render: (gradebook) => `${JSON.stringify(gradebook, null, 2)}\n` },
  { file: 'gradebook.csv', render: renderCsv },
  { file: 'gradebook.md', render: renderGradebookMarkdown },
  {
    file: 'gradebook.html',
    render: (gradebook) =>
      renderGradebookHtml(gradebook, {
        reportHref: (s) => relativeHref('students', studentDir(s.name), 'report.html'),
      }),
  },
];

/** The gradebook's file names, for the line that says where they are. */
export const GRADEBOOK_FILES = GRADEBOOK_OUTPUTS.map((output) => output.file);

export async function writeGradebook(outDir: string, gradebook: Gradebook): Promise<void> {
  validateGradebook(gradebook, path.join(outDir, GRADEBOOK_FILE));
  for (const { file, render } of GRADEBOOK_OUTPUTS)
    await writeAtomically(path.join(outDir, file), render(gradebook));
}

/**
 * The gradebook of a grading under way: each row recorded is written with every row so far,
 * the writes one after another; `close` writes it whole once every row is in.
 */
export function gradebookWriter(outDir: string, head: GradebookHead) {
  const rows = new Map<string, GradebookStudent>();
  let written = Promise.resolve();
  return {
    record(student: GradebookStudent): Promise<void> {
      rows.set(student.name, student);
      written = written.then(() => writeGradebook(outDir, gradebookOf(head, rows.values())));
      return written;
    },
    async close(): Promise<Gradebook> {
      await written;
      const gradebook = gradebookOf(head, rows.values());
      await writeGradebook(outDir, gradebook);
      return gradebook;
    },
  };
}

export async function readGradebook(dir: string): Promise<Gradebook> {
  const file = path.join(dir, GRADEBOOK_FILE);
  return validateGradebook(await readJsonFile(file, 'the gradebook', GradebookError), file);
}

export async function saveStudent(outDir: string, student: GradebookStudent): Promise<void> {
  await writeAtomically(
    path.join(studentPath(outDir, student.name), GRADE_FILE),
    `${JSON.stringify(student, null, 2)}\n`,
  );
}

/**
 * A student's saved row, when there is a valid one for this name that matches its checksum (see
 * seal.ts); `discarded` hears why a row that is there is not trusted (it is graded again).
 */
export async function loadStudent(
  outDir: string,
  name: string,
  discarded: (why: string) => void = () => {},
): Promise<GradebookStudent | undefined> {
  const file = path.join(studentPath(outDir, name), GRADE_FILE);
  let student: GradebookStudent | undefined;
  try {
    student = asStudent(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
  if (student?.name !== name) return undefined;
  const problem = await rowProblem(student, outDir);
  if (problem === undefined) return student;
  discarded(`${file} ${problem}`);
  return undefined;
}

/**
 * Whether a saved row stands: its inputs are unchanged (same key) and the infrastructure did
 * not keep it from being graded (a `neutral` row is graded again).
 */
export const keepsGrade = (saved: GradebookStudent | undefined, key: string) =>
  saved !== undefined && saved.key === key && saved.conclusion !== 'neutral';
