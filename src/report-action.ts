/** Entry point of the report/ sub-action (dist/report.js): see action/report-main.ts. */
import { runReportAction } from './action/report-main.js';

await runReportAction();
