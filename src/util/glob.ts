/**
 * Globs over test ids (expectations, `grading.points`, `bisect --test`). They match whole ids:
 * `*` matches any run of characters except `.` (one segment or part of one), `**` matches
 * anything including `.`, `?` matches one character other than `.`, and `\` makes the next
 * character literal (`\*` is a star; a trailing `\` is itself); every other character matches
 * itself.
 *
 * Test ids are kernel output, so matching must cost the same whatever the glob: a glob is run
 * as a set of positions advanced once per character of the id (O(id × glob)), never as a
 * backtracking regular expression, which nested `**` make exponential.
 */
type Token =
  { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'segment' } | { kind: 'any' };

function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...glob];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (char === '\\' && i + 1 < chars.length)
      tokens.push({ kind: 'char', char: chars[++i] as string });
    else if (char === '*' && chars[i + 1] === '*') {
      i++;
      tokens.push({ kind: 'any' });
    } else if (char === '*') tokens.push({ kind: 'segment' });
    else if (char === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', char });
  }
  return tokens;
}

const isStar = (token: Token | undefined) => token?.kind === 'segment' || token?.kind === 'any';

/** Adds `state` and every state after stars that may match nothing. */
function close(tokens: readonly Token[], states: Set<number>, state: number): void {
  for (let s = state; !states.has(s); s++) {
    states.add(s);
    if (!isStar(tokens[s])) return;
  }
}

function matcher(glob: string): (id: string) => boolean {
  const tokens = tokenize(glob);
  return (id) => {
    let states = new Set<number>();
    close(tokens, states, 0);
    for (const char of id) {
      const next = new Set<number>();
      for (const state of states) {
        const token = tokens[state];
        if (token === undefined) continue;
        if (token.kind === 'any' || (token.kind === 'segment' && char !== '.'))
          close(tokens, next, state);
        else if (
          (token.kind === 'one' && char !== '.') ||
          (token.kind === 'char' && token.char === char)
        )
          close(tokens, next, state + 1);
      }
      if (next.size === 0) return false;
      states = next;
    }
    return states.has(tokens.length);
  };
}

// Matching runs once per test (up to ~10,000 a run): compile each glob once.
const compiled = new Map<string, (id: string) => boolean>();

/** The matcher of a glob over whole test ids (see the module comment). */
export function compileGlob(glob: string): (id: string) => boolean {
  let match = compiled.get(glob);
  if (match === undefined) {
    match = matcher(glob);
    compiled.set(glob, match);
  }
  return match;
}

/** A glob that matches exactly `id`: what to write when an id (kernel output) becomes an entry. */
export const escapeGlob = (id: string): string => id.replace(/[\\*?]/g, (char) => `\\${char}`);

/** Characters of an id that `nearestIds` compares: enough for any name people type. */
const COMPARED = 200;

/**
 * How far `id` is from matching the glob: the fewest one-character edits (insertions, deletions,
 * substitutions) of the id that make it match, a star taking any run of characters for free.
 */
function globDistance(tokens: readonly Token[], id: string): number {
  const chars = [...id].slice(0, COMPARED);
  let previous = Array.from({ length: chars.length + 1 }, (_, j) => j);
  for (const token of tokens) {
    const current = [isStar(token) ? (previous[0] as number) : (previous[0] as number) + 1];
    for (let j = 1; j <= chars.length; j++) {
      const left = current[j - 1] as number;
      if (isStar(token)) current[j] = Math.min(previous[j] as number, left);
      else {
        const same = token.kind === 'one' || (token.kind === 'char' && token.char === chars[j - 1]);
        current[j] = Math.min(
          (previous[j] as number) + 1,
          left + 1,
          (previous[j - 1] as number) + (same ? 0 : 1),
        );
      }
    }
    previous = current;
  }
  return previous[chars.length] as number;
}

/**
 * Up to `count` ids nearest to matching `glob` (see globDistance), nearest first, ties by id;
 * an id more than 3 edits further than the nearest is no hint and is left out.
 */
export function nearestIds(glob: string, ids: Iterable<string>, count = 3): string[] {
  const tokens = tokenize(glob);
  const sorted = [...new Set(ids)]
    .map((id) => ({ id, d: globDistance(tokens, id) }))
    .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const best = sorted[0]?.d ?? 0;
  return sorted
    .filter((entry) => entry.d <= best + 3)
    .slice(0, count)
    .map((entry) => entry.id);
}

/**
 * Why `glob` is no use on `ids`, when it matches none of them: `matches no test (nearest:
 * fs.read, fs.readv, fs.write)`; undefined when it matches one.
 */
export function noMatch(glob: string, ids: readonly string[]): string | undefined {
  if (ids.some(compileGlob(glob))) return undefined;
  const nearest = nearestIds(glob, ids);
  return `matches no test (${nearest.length > 0 ? `nearest: ${nearest.join(', ')}` : 'no test was reported'})`;
}

/** Each of `globs` that matches none of `ids`, said with the ids nearest it (see noMatch). */
export function unmatchedGlobs(globs: Iterable<string>, ids: readonly string[]): string[] {
  return [...new Set(globs)].flatMap((glob) => {
    const reason = noMatch(glob, ids);
    return reason ? [`${JSON.stringify(glob)} ${reason}`] : [];
  });
}
