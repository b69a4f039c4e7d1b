/**
 * Completes a response body with the fields the description requires and the resource builders
 * did not set. The builders set every field a client plausibly reads (ids, names, states, URLs);
 * this is the safety net that keeps the fake's answers valid when a schema gains a required
 * field, with plain values: `null` where allowed, the schema's default or first enum value,
 * timestamps for dates, URLs under the fake's own base, fresh ids for `id` fields.
 */
import type { Schema } from './spec.js';

export interface CompleteContext {
  apiUrl: string;
  now: string;
  nextId: () => number;
  /** Paths of the fields filled in, for debugging the builders. */
  filled: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The properties and `required` of an `allOf`, merged into one object schema. */
function flatten(schema: Schema): Schema {
  if (!Array.isArray(schema.allOf)) return schema;
  const parts = (schema.allOf as Schema[]).map(flatten);
  return {
    ...schema,
    type: 'object',
    properties: Object.assign({}, schema.properties, ...parts.map((p) => p.properties ?? {})),
    required: [
      ...((schema.required as string[] | undefined) ?? []),
      ...parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
    ],
  };
}

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value;

/** The branch of a `oneOf`/`anyOf` a present value most plausibly belongs to. */
function pickBranch(branches: Schema[], value: unknown): Schema | undefined {
  const type = typeOf(value);
  const fits = branches.map(flatten).filter((b) => {
    const t = b.type;
    if (t === undefined) return true;
    const types = Array.isArray(t) ? t : [t];
    return types.includes(type) || (type === 'integer' && types.includes('number'));
  });
  if (!isObject(value)) return fits[0];
  // For objects: the branch whose properties cover most of the value's keys.
  const score = (b: Schema) =>
    Object.keys(value).filter((k) => k in ((b.properties as Schema | undefined) ?? {})).length;
  return fits.sort((a, b) => score(b) - score(a))[0];
}

function generate(schema: Schema, key: string, path: string, ctx: CompleteContext): unknown {
  ctx.filled.push(path);
  const flat = flatten(schema);
  if (flat.nullable === true) return null;
  if ('default' in flat) return flat.default;
  if (Array.isArray(flat.enum) && flat.enum.length > 0) return flat.enum[0];
  const branches = (flat.oneOf ?? flat.anyOf) as Schema[] | undefined;
  if (branches) {
    const branch = branches.find((b) => b.nullable !== true) ?? branches[0];
    return branch ? generate(branch, key, path, ctx) : null;
  }
  const type = Array.isArray(flat.type) ? flat.type[0] : flat.type;
  switch (type) {
    case 'string':
      if (flat.format === 'date-time') return ctx.now;
      if (flat.format === 'date') return ctx.now.slice(0, 10);
      if (flat.format === 'email') return 'noreply@example.com';
      if (key === 'node_id') return `FAKE_${Buffer.from(String(ctx.nextId())).toString('base64')}`;
      if (key === 'sha' || key.endsWith('_sha')) return '0'.repeat(40);
      if (flat.format === 'uri' || key === 'url' || key.endsWith('_url'))
        return `${ctx.apiUrl}/_unspecified/${key}`;
      return '';
    case 'integer':
    case 'number':
      return key === 'id' || key.endsWith('_id') ? ctx.nextId() : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return complete(flat, {}, ctx, path);
  }
}

export function complete(
  schema: Schema | undefined,
  value: unknown,
  ctx: CompleteContext,
  path = '',
): unknown {
  if (!schema) return value;
  const flat = flatten(schema);
  const branches = (flat.oneOf ?? flat.anyOf) as Schema[] | undefined;
  if (branches && value !== null && value !== undefined) {
    return complete(pickBranch(branches, value), value, ctx, path);
  }
  if (Array.isArray(value)) {
    const items = flat.items as Schema | undefined;
    return value.map((item, i) => complete(items, item, ctx, `${path}[${i}]`));
  }
  if (!isObject(value)) return value;
  const properties = (flat.properties ?? {}) as Record<string, Schema>;
  for (const name of (flat.required as string[] | undefined) ?? []) {
    if (!(name in value) && properties[name]) {
      value[name] = generate(properties[name], name, path ? `${path}.${name}` : name, ctx);
    }
  }
  for (const [name, child] of Object.entries(value)) {
    const property = properties[name];
    if (property && child !== null) {
      value[name] = complete(property, child, ctx, path ? `${path}.${name}` : name);
    }
  }
  return value;
}
