import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

/** The one Ajv instance: every schema compiled here is also found by its $id. */
export const ajv = new Ajv({ allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);

/**
 * A checker of one of the project's JSON Schemas (report, gradebook, bisect): the value as `T`,
 * or an `error` naming the file and the first ten fields at fault.
 */
export function schemaCheck<T>(
  schema: object,
  error: new (message: string) => Error,
): (value: unknown, file: string) => T {
  const check = ajv.compile<T>(schema);
  return (value, file) => {
    if (check(value)) return value;
    const problems = (check.errors ?? [])
      .slice(0, 10)
      .map((e) => `${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new error(problems.join('\n'));
  };
}

/**
 * A JSON file's value, for a schema check: a file that cannot be read or is not JSON is an
 * `error` naming the file and `what` it should have been.
 */
export async function readJsonFile(
  file: string,
  what: string,
  error: new (message: string) => Error,
): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((cause: Error) => {
    throw new error(`${file}: cannot read ${what}: ${cause.message}`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new error(`${file}: not JSON: ${(cause as Error).message}`);
  }
}
