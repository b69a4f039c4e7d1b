import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import schema from '../../schema/report.v1.json' with { type: 'json' };
import type { Report } from './types.js';

const ajv = new Ajv({ allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const check = ajv.compile<Report>(schema);

export class ReportError extends Error {}

/** Checks a report against schema/report.v1.json; the error names the file and the fields. */
export function validateReport(value: unknown, file = 'report.json'): Report {
  if (check(value)) return value;
  const problems = (check.errors ?? [])
    .slice(0, 10)
    .map((e) => `${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  throw new ReportError(problems.join('\n'));
}
