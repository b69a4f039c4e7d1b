/**
 * The check of a boot's result token (model/token.ts): the results that count are those the
 * harness framed with this boot's token — from its first token line to its last, or to the end
 * of the log when the boot died before the closing one. Results outside the frame, or in a log
 * with no frame at all, are not the harness's: a kernel replaying a recorded log (the reference's,
 * or its own from an earlier boot) prints another boot's token or none.
 */
import { TOKEN_LINE_PREFIX, tokenLine } from '../model/token.js';
import { stripPrintk } from './common.js';

/** The framed lines, or why the boot's results are discarded (all of them). */
export type TokenCheck = { framed: true; lines: string[] } | { framed: false; reason: string };

const line = (text: string) => stripPrintk(text).trim();

/**
 * The results lines the harness framed with `token`. `resultsOutside` counts the results the
 * format finds in a set of lines, so the lines outside the frame are judged by what they hold:
 * a kernel's own boot messages there are no results, and harmless. With `frameRequired` (a
 * format whose one test spans the boot, in a boot that completed) a log without the opening
 * token line is refused whatever it holds.
 */
export function checkToken(
  lines: readonly string[],
  token: string,
  resultsOutside: (lines: readonly string[]) => number,
  frameRequired = false,
): TokenCheck {
  const own = tokenLine(token);
  const marks = lines.flatMap((l, i) => (line(l) === own ? [i] : []));
  const first = marks[0];
  const last = marks.length > 1 ? (marks[marks.length - 1] as number) : lines.length;
  const inside = first === undefined ? [] : lines.slice(first + 1, last);
  const outside =
    first === undefined ? lines : [...lines.slice(0, first), ...lines.slice(last + 1)];
  const stray = first === undefined && frameRequired ? 1 : resultsOutside(outside);
  if (stray === 0) return { framed: true, lines: inside };
  const foreign = lines.map(line).find((l) => l.startsWith(TOKEN_LINE_PREFIX) && l !== own);
  const results = `${stray} result${stray === 1 ? '' : 's'}`;
  const reason =
    first !== undefined
      ? `${results} outside the frame of this boot's token`
      : foreign !== undefined
        ? `${results} framed by the token of another boot (${foreign.slice(TOKEN_LINE_PREFIX.length)}), not this boot's: a replayed log?`
        : `${results} without this boot's token, which its harness frames its results with: a replayed log?`;
  return { framed: false, reason };
}
