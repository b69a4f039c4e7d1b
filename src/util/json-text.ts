/**
 * `JSON.stringify(value, null, 2)` in pieces: the same text, never held as one string. V8 caps a
 * string at 512 MiB, and a run of a million results pretty-prints to more (its report.json is
 * about four times its boots.json), which failed the whole `compare` with "Invalid string length".
 * Pieces of about a mebibyte are handed to the writer (fs.writeFile takes an iterable).
 */

/** Containers nested deeper than this are stringified whole: a test or a boot is small. */
const SPLIT_DEPTH = 4;
const PIECE = 1 << 20;

/** The value as JSON.stringify sees it: after toJSON, and undefined where it leaves it out. */
function jsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value)
    return (value as { toJSON: () => unknown }).toJSON();
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (value === null || typeof value !== 'object' || depth >= SPLIT_DEPTH) {
    const text = JSON.stringify(value, null, 2) ?? 'null';
    // Its own lines indented as deep as it stands.
    yield indent === '' ? text : text.replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  const entries: [string | undefined, unknown][] = Array.isArray(value)
    ? value.map((item) => [undefined, jsonValue(item) ?? null])
    : Object.entries(value)
        .map(([key, item]): [string, unknown] => [key, jsonValue(item)])
        .filter(([, item]) => item !== undefined);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    yield `${open}${close}`;
    return;
  }
  yield `${open}\n`;
  for (const [i, [key, item]] of entries.entries()) {
    yield key === undefined ? inner : `${inner}${JSON.stringify(key)}: `;
    yield* pieces(item, inner, depth + 1);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}${close}`;
}

/** `JSON.stringify(value, null, 2) + '\n'` as pieces of about a mebibyte each. */
export function* prettyJson(value: unknown): Generator<string> {
  let piece = '';
  for (const text of pieces(jsonValue(value), '', 0)) {
    piece += text;
    if (piece.length >= PIECE) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}\n`;
}
