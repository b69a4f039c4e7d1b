/** Reads `diverge.yml` into `Settings`, reporting every problem with its file, line and field. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Settings, settingsSchema } from './settings.js';

export type { Settings } from './settings.js';

export interface ConfigIssue {
  /** Dotted field path with list indexes, e.g. `references[1].url`; '' for the whole file. */
  path: string;
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      issues
        .map(({ path, line, message }) =>
          [line === undefined ? file : `${file}:${line}`, path, message]
            .filter((part) => part !== '')
            .join(': '),
        )
        .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** What an absent config means: every default, paths relative to `baseDir`. */
export function defaultSettings(baseDir: string): Settings {
  return settingsSchema(path.resolve(baseDir), '<defaults>').parse({});
}

export async function loadConfig(file: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const message = `cannot read config: ${(error as Error).message}`;
    throw new ConfigError(file, [{ path: '', message }]);
  }
  return parseConfig(text, file);
}

/** Parses config `text`; `file` names it in messages and anchors its relative paths. */
export function parseConfig(text: string, file: string): Settings {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => ({
      path: '',
      line: lines.linePos(error.pos[0]).line,
      message: error.message,
    }));
    throw new ConfigError(file, issues);
  }
  const configPath = path.resolve(file);
  const schema = settingsSchema(path.dirname(configPath), configPath);
  // An empty file, like an empty section (`machine:`), means the defaults.
  const result = schema.safeParse(withoutNulls(doc.toJS()) ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => toIssues(issue, doc, lines));
  // Zod reports in schema order; people read the file top-down.
  issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  throw new ConfigError(file, issues);
}

/** Drops mapping entries whose value is null, so `key:` with nothing after it means "default". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).filter(([, v]) => v !== null);
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutNulls(v)]));
}

/** One issue per problem: an unknown-keys issue becomes one per key, each at its own line. */
function toIssues(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): ConfigIssue[] {
  const paths =
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => [...issue.path, key])
      : [issue.path];
  return paths.map((at) => ({
    path: dotted(at),
    line: lineOf(at, doc, lines),
    message: issue.message,
  }));
}

const dotted = (at: PropertyKey[]) =>
  at
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');

/** The line of the deepest node on `at` that the source has (a key's line for mapping entries). */
function lineOf(at: PropertyKey[], doc: Document, lines: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0];
  for (const key of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (!isNode(item)) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
