/**
 * The action's outputs for course tools: `classroom-result` (what a GitHub Classroom grader
 * step hands to the grading reporter, scored by the config's `grading:` rubric) and `junit`
 * (the path of junit.xml, written next to report.json).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { classroomResultBase64 } from '../grade/formats.js';
import { scoreReport } from '../grade/rubric.js';
import { renderJunit } from '../render/junit.js';
import type { Report } from '../model/report.js';
import type { ActionServices } from './services.js';

export async function writeCourseOutputs(
  core: ActionServices['core'],
  settings: Settings,
  outDir: string,
  report: Report,
): Promise<void> {
  const junit = path.join(outDir, 'junit.xml');
  await writeFile(junit, renderJunit(report));
  core.setOutput('junit', junit);
  core.setOutput(
    'classroom-result',
    classroomResultBase64(report, scoreReport(report, settings.grading)),
  );
}
