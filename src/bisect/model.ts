/**
 * bisect.json (schema `diverge.bisect/v1`, schema/bisect.v1.json): the answer of `diverge
 * bisect` and how it was found, checked against its schema before it is written.
 */
import { schemaCheck } from '../util/schema.js';
import schema from '../../schema/bisect.v1.json' with { type: 'json' };
import type { Bisect } from '../model/bisect.js';

const check = schemaCheck<Bisect>(schema, Error);

/** Checks a bisect against schema/bisect.v1.json; the error names the file and the fields. */
export function validateBisect(value: unknown, file = 'bisect.json'): Bisect {
  return check(value, file);
}

/** What a plain `git bisect run` needs for `commits` candidates: one test per halving. */
export const plainBisectSteps = (commits: number): number => Math.ceil(Math.log2(commits + 1));
