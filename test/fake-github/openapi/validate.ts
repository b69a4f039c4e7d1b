/**
 * Request and response validation against the description, with ajv.
 *
 * GitHub's schemas are OpenAPI 3.0, not JSON Schema: `nullable` is converted here (ajv's own
 * support refuses `nullable` without a sibling `type`, which GitHub's schemas have 143 of), and
 * ajv runs with `strict: false` so the documentation keywords (`example`, `x-github`, ...) pass.
 * Validators are compiled on first use of an operation and cached: compiling all 1100 operations
 * up front would take far longer than any test.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Operation, Parameter, Schema } from './spec.js';

export type Where = 'path' | 'query' | 'body';

/** One thing wrong with a request: `field` is what the product sent wrongly. */
export interface Problem {
  where: Where;
  field: string;
  /** For people: `query "status": "bogus" is not one of completed, ...`. */
  text: string;
  /** The line GitHub's 422 message would carry. */
  github: string;
}

export interface CheckedRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  problems: Problem[];
}

/** Formats that only annotate (GitHub's own) or that ajv-formats does not know. */
const EXTRA_FORMATS = ['timestamp', 'repo.nwo'];

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    // Query and path values arrive as strings: "5" is the integer 5, a lone value an array.
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    // GitHub's patterns are written for Ruby/JavaScript without the `u` flag.
    unicodeRegExp: false,
    logger: false,
  });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  for (const format of EXTRA_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

/**
 * OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a `null` type (or an `anyOf` with `null`
 * when there is no `type`). OpenAPI 3.0's boolean `exclusiveMinimum` would need converting too,
 * but GitHub's description has none. With `params`, `oneOf` becomes `anyOf`: with type coercion
 * both branches of `workflow_id`'s `oneOf: [integer, string]` would accept "123", and `oneOf`
 * would then reject it.
 */
export function toJsonSchema(schema: unknown, params = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, params));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'example' || key === 'examples' || key === 'description') continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v, params)]),
      );
    } else {
      out[key === 'oneOf' && params ? 'anyOf' : key] = toJsonSchema(value, params);
    }
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

/**
 * Rules GitHub states in prose only. `per_page` above 100 is silently capped by GitHub, so a
 * product that asks for 500 and expects 500 would be wrong on the real service: reject it here.
 * And one erratum: the workflow runs' `created` is declared `format: date-time` but takes
 * GitHub's search syntax (`>=2024-01-01`, `2024-01-01..2024-02-01`), as its own text says; the
 * resource handler checks that syntax instead.
 */
function paramSchema(parameter: Parameter): unknown {
  const schema = toJsonSchema(parameter.schema ?? {}, true) as Schema;
  if (parameter.name === 'per_page') return { ...schema, minimum: 1, maximum: 100 };
  if (parameter.name === 'page') return { ...schema, minimum: 1 };
  if (parameter.name === 'created' && /search syntax/.test(String(parameter.description))) {
    return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'format'));
  }
  return schema;
}

function objectSchema(parameters: Parameter[], closed: boolean): unknown {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, paramSchema(p)])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
    additionalProperties: !closed,
  };
}

const jsonBodySchema = (op: Operation) => op.requestBody?.content?.['application/json']?.schema;

const fieldOf = (instancePath: string, extra?: string): string => {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce(
    (field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part),
    '',
  );
};

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const article = (type: unknown): string => {
  const name = Array.isArray(type) ? type.join(' or ') : String(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
};

function describe(where: Where, error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>;
  const label = where === 'body' ? 'body field' : `${where} parameter`;
  let field = fieldOf(error.instancePath);
  let detail: string;
  switch (error.keyword) {
    case 'required':
      field = fieldOf(error.instancePath, String(params.missingProperty));
      return {
        where,
        field,
        text: `${label} "${field}" is required but missing`,
        github: `"${field}" wasn't supplied.`,
      };
    case 'additionalProperties':
      field = fieldOf(error.instancePath, String(params.additionalProperty));
      return {
        where,
        field,
        text: `${label} "${field}" is not a parameter of this operation`,
        github: `"${field}" is not a permitted key.`,
      };
    case 'type':
      detail = `${show(error.data)} is not ${article(params.type)}`;
      break;
    case 'enum':
      detail = `${show(error.data)} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
      break;
    case 'maxItems':
      detail = `${(error.data as unknown[]).length} items, more than the ${String(params.limit)} allowed`;
      break;
    case 'maxLength':
      detail = `${String((error.data as string).length)} characters, more than the ${String(params.limit)} allowed`;
      break;
    case 'maximum':
    case 'minimum':
      detail = `${show(error.data)} is out of range (${error.keyword} ${String(params.limit)})`;
      break;
    case 'format':
      detail = `${show(error.data)} is not a valid ${String(params.format)}`;
      break;
    case 'anyOf':
    case 'oneOf':
      detail = `does not match any of the allowed shapes (see the other problems)`;
      break;
    default:
      detail = `${show(error.data)} ${error.message ?? 'is invalid'}`;
  }
  const name = field || '(the whole body)';
  return {
    where,
    field,
    text: `${label} "${name}": ${detail}`,
    github: `For '${where === 'body' ? 'properties/' : ''}${name}', ${detail}.`,
  };
}

interface Compiled {
  path: ValidateFunction;
  query: ValidateFunction;
  body?: ValidateFunction;
}

export class Validator {
  private readonly params = makeAjv(true);
  private readonly strict = makeAjv(false);
  private readonly requests = new Map<Operation, Compiled>();
  private readonly responses = new Map<string, ValidateFunction | null>();

  private compiled(op: Operation): Compiled {
    let compiled = this.requests.get(op);
    if (!compiled) {
      const body = jsonBodySchema(op);
      compiled = {
        path: this.params.compile(
          objectSchema(
            op.parameters.filter((p) => p.in === 'path'),
            false,
          ) as Schema,
        ),
        // Closed: GitHub ignores unknown query parameters, so a misspelt one (`per-page`) would
        // silently do nothing on the real service. The fake makes that visible.
        query: this.params.compile(
          objectSchema(
            op.parameters.filter((p) => p.in === 'query'),
            true,
          ) as Schema,
        ),
        ...(body ? { body: this.strict.compile(toJsonSchema(body) as Schema) } : {}),
      };
      this.requests.set(op, compiled);
    }
    return compiled;
  }

  /** Validates (and coerces, and fills the defaults of) a request's parameters and body. */
  request(
    op: Operation,
    pathParams: Record<string, string>,
    query: Record<string, string | string[]>,
    body: unknown,
  ): CheckedRequest {
    const compiled = this.compiled(op);
    const problems: Problem[] = [];
    const seen = new Set<string>();
    const run = (where: Where, validate: ValidateFunction, data: unknown) => {
      if (validate(data)) return;
      for (const error of validate.errors ?? []) {
        const problem = describe(where, error);
        if (!seen.has(problem.text)) problems.push(problem);
        seen.add(problem.text);
      }
    };
    const params: Record<string, unknown> = { ...pathParams };
    const coercedQuery: Record<string, unknown> = { ...query };
    run('path', compiled.path, params);
    run('query', compiled.query, coercedQuery);
    if (compiled.body) {
      if (body === undefined) {
        if (op.requestBody?.required)
          problems.push({
            where: 'body',
            field: '',
            text: 'the operation requires a JSON body and none was sent',
            github: 'Requires a JSON body.',
          });
      } else {
        run('body', compiled.body, body);
      }
    }
    return { params, query: coercedQuery, body, problems };
  }

  /**
   * Checks a response of the fake itself against the description: a mismatch is a bug of the
   * fake (the product would see a shape GitHub never sends), reported as text.
   */
  response(op: Operation, status: number, body: unknown): string[] {
    const key = `${op.method} ${op.template} ${status}`;
    let validate = this.responses.get(key);
    if (validate === undefined) {
      const schema = responseSchema(op, status);
      validate = schema ? this.strict.compile(toJsonSchema(schema) as Schema) : null;
      this.responses.set(key, validate);
    }
    if (!validate || validate(body)) return [];
    return (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `${key}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }
}

export function responseSchema(op: Operation, status: number): Schema | undefined {
  return op.responses[String(status)]?.content?.['application/json']?.schema;
}
