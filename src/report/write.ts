import path from 'node:path';
import type { Report } from '../model/report.js';
import { REPORT_FILE, SAVED_FORMATS } from '../render/formats.js';
import { writeOutput } from '../util/storage.js';
import { validateReport } from './validate.js';

/**
 * Writes the report in every format it is saved in (render/formats.ts), in the table's order:
 * report.json first, checked against the schema before anything is written. On a full disk what
 * fits is the most useful part, and each file is whole or absent. The page shows the serial logs
 * the report names under `root` (default its own directory; grade: the whole OUT, where a
 * student's report finds the references' logs).
 */
export async function writeReport(report: Report, outDir: string, root = outDir): Promise<void> {
  validateReport(report, path.join(outDir, REPORT_FILE));
  for (const { file, render } of SAVED_FORMATS) {
    await writeOutput(
      path.join(outDir, file),
      await render(report, { dir: outDir, root }),
      'the report',
    );
  }
}
