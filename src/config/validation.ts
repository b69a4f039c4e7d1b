/**
 * What the YAML files diverge reads (`diverge.yml`, the expectations file) share: zod helpers whose
 * messages read "expected <what>, got <value>", and parsing that reports every problem with its
 * file, line and field.
 */
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

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

/** A value as quoted in messages: JSON, cut to 60 characters. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** A zod error callback saying what the field wants and what it got. */
export const expected =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `missing (expected ${what})`
      : `expected ${what}, got ${shown(issue.input)}`;

/** A mapping that rejects unknown keys, naming the keys it knows. */
export function strict<T extends z.ZodRawShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key (expected one of ${known})`
        : expected('a mapping')(issue),
  });
}

/** A non-empty string, optionally with a further test. */
export function text(what: string, valid: (s: string) => boolean = () => true) {
  const error = expected(what);
  return z.string({ error }).refine((s) => s !== '' && valid(s), { error });
}

export const list = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item, { error: expected(what) });

export const nonEmptyList = <T extends z.ZodType>(item: T, what: string) =>
  list(item, what).min(1, { error: expected(what) });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expected(`one of ${values.join(', ')}`) });

export interface ParsedYaml<T> {
  data: T;
  doc: Document;
  /** The line of `at` in the source (see `lineOf`). */
  lineOf: (at: PropertyKey[]) => number | undefined;
}

/**
 * Parses YAML `source` and validates it with `schema`; `file` names it in messages. Mapping
 * entries with nothing after the key are dropped (so `key:` means its default) and an empty
 * document is `{}`. Throws a `ConfigError` with every syntax error, or every schema issue.
 */
export function parseYamlDocument<T>(
  schema: z.ZodType<T>,
  source: string,
  file: string,
): ParsedYaml<T> {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => ({
      path: '',
      line: lines.linePos(error.pos[0]).line,
      message: error.message,
    }));
    throw new ConfigError(file, issues);
  }
  const result = schema.safeParse(withoutNulls(documentValue(doc, file)) ?? {});
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => toIssues(issue, doc, lines));
    // Zod reports in schema order; people read the file top-down.
    issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    throw new ConfigError(file, issues);
  }
  return { data: result.data, doc, lineOf: (at) => lineOf(at, doc, lines) };
}

/**
 * Aliases a document may expand: an alias bomb (aliases of aliases, a few lines that expand to
 * billions of nodes) is refused before it takes the machine's memory.
 */
export const MAX_YAML_ALIASES = 100;

function documentValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    // `yaml` throws a ReferenceError for an alias bomb or an alias before its anchor.
    const message = `${(error as Error).message} (at most ${MAX_YAML_ALIASES} alias expansions)`;
    throw new ConfigError(file, [{ path: '', message }]);
  }
}

/** Largest YAML file diverge reads (a config or an expectations file), in bytes. */
export const MAX_YAML_BYTES = 1024 * 1024;

/**
 * Reads a YAML file of `what` (`config`, `expectations`) whole, refusing one over
 * `MAX_YAML_BYTES` before reading it. Undefined when the file is absent and `optional`.
 */
export async function readYamlFile(
  file: string,
  what: string,
  optional = false,
): Promise<string | undefined> {
  const refuse = (message: string) => new ConfigError(file, [{ path: '', message }]);
  let handle: FileHandle;
  try {
    // Non-blocking: a FIFO given as the file must not hang the open.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw refuse(`cannot read ${what}: ${(error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() && !info.isDirectory())
      throw refuse(`not a regular file (diverge reads a ${what} file whole)`);
    if (info.size > MAX_YAML_BYTES)
      throw refuse(
        `${info.size} bytes, more than the ${MAX_YAML_BYTES} bytes a ${what} file may have`,
      );
    return await handle.readFile('utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw refuse(`cannot read ${what}: ${(error as Error).message}`);
  } finally {
    await handle.close();
  }
}

/** `parseYamlDocument`, when only the data is wanted. */
export function parseYaml<T>(schema: z.ZodType<T>, source: string, file: string): T {
  return parseYamlDocument(schema, source, file).data;
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
