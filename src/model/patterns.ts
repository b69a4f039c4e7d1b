/**
 * The one anchoring rule for every pattern diverge matches against console text: a console
 * step's `expect`, `end`, `pass` and `fail`, and the `results.regex` patterns (`pass`, `fail`,
 * `skip`, `error`, `start`). Each is a JavaScript regular expression compiled with the `m` flag,
 * so `^` matches at the start of any line and `$` at the end of any line. Over text still
 * arriving (`expect`, `end`), `$` also matches at the end of what has come so far: a prompt ends
 * no line. Config validation, the console script and the regex results parser all compile
 * through here.
 */
export const CONSOLE_PATTERN_FLAGS = 'm';

/** A console pattern, with the rule's flags plus `extra` (e.g. `g` to search from lastIndex). */
export function consolePattern(source: string, extra = ''): RegExp {
  return new RegExp(source, CONSOLE_PATTERN_FLAGS + extra);
}
