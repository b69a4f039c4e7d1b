/**
 * GitHub's published OpenAPI description (`@octokit/openapi`), reduced to what the fake needs:
 * every operation with its path template, parameters, JSON body and responses.
 *
 * The dereferenced variant is used so that every schema is a plain tree (no `$ref` to chase, no
 * shared components to register with ajv). It is 73 MB of JSON, so it is read once per process,
 * on first use, and only `paths` is kept (the webhooks alone are a third of the file).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** An OpenAPI 3.0 schema object (JSON Schema draft 5 plus `nullable`, `example`, ...). */
export type Schema = { [key: string]: unknown };

export interface Parameter {
  name: string;
  description?: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  /** GitHub's extension: the value may contain slashes (a ref, a file path, a tag). */
  'x-multi-segment'?: boolean;
}

interface MediaType {
  schema?: Schema;
}

export interface ResponseObject {
  content?: Record<string, MediaType>;
}

/** A path segment of a template: a literal, or a regex over one (or, `multi`, several) segments. */
export type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; pattern: RegExp; names: string[]; multi: boolean };

export interface Operation {
  /** Upper case, as on the wire. */
  method: string;
  template: string;
  operationId: string;
  docsUrl: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  segments: Segment[];
  /** How many segments are literals: the more, the more specific the template. */
  literals: number;
}

interface RawOperation {
  operationId?: string;
  externalDocs?: { url?: string };
  parameters?: Parameter[];
  requestBody?: Operation['requestBody'];
  responses?: Record<string, ResponseObject>;
}

export interface Spec {
  operations: Operation[];
  /** Templates by their first literal segment after the leading slash, to keep matching cheap. */
  byFirstSegment: Map<string, Operation[]>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compileSegment(text: string, multiNames: Set<string>): Segment {
  if (!text.includes('{')) return { kind: 'literal', text };
  // A segment may mix literals and parameters: `{base}...{head}` in the compare endpoint.
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const match of text.matchAll(/\{([^}]+)\}/g)) {
    source += escapeRegex(text.slice(last, match.index));
    const name = match[1] as string;
    names.push(name);
    source += names.length === 1 && match.index === 0 && match[0] === text ? '(.+)' : '(.+?)';
    last = match.index + match[0].length;
  }
  source += escapeRegex(text.slice(last));
  const multi = names.some((name) => multiNames.has(name));
  return { kind: 'param', pattern: new RegExp(`^${source}$`, 's'), names, multi };
}

function buildSpec(document: { paths: Record<string, Record<string, RawOperation>> }): Spec {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const parameters = raw.parameters ?? [];
      const multiNames = new Set(
        parameters.filter((p) => p.in === 'path' && p['x-multi-segment']).map((p) => p.name),
      );
      const segments = template
        .split('/')
        .slice(1)
        .map((text) => compileSegment(text, multiNames));
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: raw.operationId ?? `${method} ${template}`,
        docsUrl: raw.externalDocs?.url ?? 'https://docs.github.com/rest',
        parameters,
        ...(raw.requestBody ? { requestBody: raw.requestBody } : {}),
        responses: raw.responses ?? {},
        segments,
        literals: segments.filter((s) => s.kind === 'literal').length,
      });
    }
  }
  const byFirstSegment = new Map<string, Operation[]>();
  for (const op of operations) {
    const first = op.segments[0];
    const key = first?.kind === 'literal' ? first.text : '*';
    byFirstSegment.set(key, [...(byFirstSegment.get(key) ?? []), op]);
  }
  return { operations, byFirstSegment };
}

let cached: Spec | undefined;

/** The api.github.com description; parsed on first call, then shared by every fake server. */
export function loadSpec(): Spec {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
    cached = buildSpec(JSON.parse(readFileSync(file, 'utf8')));
  }
  return cached;
}
