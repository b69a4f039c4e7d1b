/**
 * The files for course tools that `diverge run` writes beside its report when asked: JUnit XML
 * (`--junit FILE`) and Gradescope's results.json scored by the config's rubric (`--gradescope
 * FILE`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Grading } from '../model/gradebook.js';
import type { Report } from '../model/report.js';
import { renderJunit } from '../render/junit.js';
import { gradescopeResults } from './formats.js';
import { scoreReport } from './rubric.js';

/** Where each course file goes; one not named is not written. */
export interface CourseFileRequest {
  junit?: string;
  gradescope?: string;
}

/** The requested files, each with its content, JUnit first. */
export function courseFiles(
  report: Report,
  grading: Grading,
  request: CourseFileRequest,
): { file: string; content: string }[] {
  const files = [];
  if (request.junit) files.push({ file: request.junit, content: renderJunit(report) });
  if (request.gradescope) {
    const results = gradescopeResults(report, scoreReport(report, grading));
    files.push({ file: request.gradescope, content: `${JSON.stringify(results, null, 2)}\n` });
  }
  return files;
}

/** Writes the requested files, paths relative to the working directory. */
export async function writeCourseFiles(
  report: Report,
  grading: Grading,
  request: CourseFileRequest,
): Promise<void> {
  for (const { file, content } of courseFiles(report, grading, request))
    await writeFile(path.resolve(file), content);
}
