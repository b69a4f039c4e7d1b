import schema from '../../schema/report.v1.json' with { type: 'json' };
import { schemaCheck } from '../util/schema.js';
import type { Report } from '../model/report.js';

export class ReportError extends Error {}

const check = schemaCheck<Report>(schema, ReportError);

/** Checks a report against schema/report.v1.json; the error names the file and the fields. */
export function validateReport(value: unknown, file = 'report.json'): Report {
  return check(value, file);
}
