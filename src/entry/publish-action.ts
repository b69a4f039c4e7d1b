/** Entry point of the report/ sub-action (dist/report.js): see action/report-main.ts. */
import { runReportAction } from '../action/publish-reports.js';

await runReportAction();
