import { stripPrintk, uniqueIds } from './common.js';
import { consolePattern } from '../model/patterns.js';
import type { HarnessProgress } from '../model/boot.js';
import type { ParseResult, TestObservation, TestStatus } from '../model/results.js';

/**
 * Regular expressions (JavaScript syntax) that recognise result lines; each captures the test id.
 * Each is matched against one console line at a time under the console pattern rule
 * (model/patterns.ts): `^` and `$` are that line's start and end.
 */
export interface RegexSpec {
  pass: string;
  fail: string;
  skip?: string;
  error?: string;
  /** Where a test's output begins; without it a test's output is its result line alone. */
  start?: string;
}

export interface CompiledRegexSpec {
  readonly rules: readonly { status: TestStatus; pattern: RegExp; group: 'id' | 1 }[];
  readonly start?: RegExp;
}

// Most severe first, so that a line two patterns match is never reported better than it was.
const SEVERITY = ['error', 'fail', 'skip', 'pass'] as const;

/** Compiles and validates a spec; throws a TypeError naming the first unusable pattern. */
export function compileRegexSpec(spec: RegexSpec): CompiledRegexSpec {
  const rules = [];
  for (const status of SEVERITY) {
    const source = spec[status];
    if (source !== undefined) rules.push({ status, ...compile(status, source) });
  }
  return { rules, ...(spec.start !== undefined ? { start: consolePattern(spec.start) } : {}) };
}

function compile(status: TestStatus, source: string): { pattern: RegExp; group: 'id' | 1 } {
  let pattern: RegExp, probe: RegExpExecArray | null;
  try {
    pattern = consolePattern(source);
    // An empty alternative matches '' and so reveals which groups the pattern has.
    probe = consolePattern(`${source}|`).exec('');
  } catch (error) {
    throw new TypeError(`${status} pattern /${source}/ is invalid: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (probe?.groups && 'id' in probe.groups) return { pattern, group: 'id' };
  if (probe && probe.length > 1) return { pattern, group: 1 };
  throw new TypeError(`${status} pattern /${source}/ has no (?<id>…) or other capture group`);
}

/**
 * One test per line a pattern matches, named by its id group; an empty id is the per-test boot's
 * test (a Solo5 test image's `SUCCESS` names no test). Its output is the lines of its own span: from the last
 * line `start` matched to its result line, both left out; without `start` (or outside a span)
 * nothing, so a test never collects the boot banner or what other tests printed.
 */
export function parseRegex(
  lines: string[],
  spec: RegexSpec | CompiledRegexSpec,
  /** A per-test boot's test: the id of a result line whose id group is empty. */
  bootTest?: string,
): ParseResult {
  const { rules, start } = 'rules' in spec ? spec : compileRegexSpec(spec);
  const tests: TestObservation[] = [];
  let output: string[] | undefined;
  for (const raw of lines) {
    const line = stripPrintk(raw);
    const result = match(rules, line);
    if (!result) {
      if (start?.test(line)) output = [];
      else output?.push(line);
      continue;
    }
    tests.push({
      id: result.id || bootTest || `#${tests.length + 1}`,
      status: result.status,
      output: output ?? [],
    });
    output = undefined;
  }
  const problems = tests.length ? [] : ['no line matched a result pattern'];
  uniqueIds(tests, problems);
  // A span that no result line closed: the test in progress when the stream ended.
  return {
    tests,
    complete: tests.length > 0,
    problems,
    ...(output !== undefined && { unfinished: output }),
  };
}

/**
 * A fresh progress tracker per boot, with the parser's rules: every line a result pattern matches
 * is a test, the one past `maxTests` is `too-many`; a `start` line says the harness runs (a
 * per-test boot's test may take longer than the boot timeout to its result). Without a plan, a
 * stream is never complete.
 */
export function regexProgress(
  spec: RegexSpec | undefined,
  maxTests: number,
): () => HarnessProgress {
  const { rules, start } = spec ? compileRegexSpec(spec) : { rules: [], start: undefined };
  return () => {
    let seen = 0;
    return (line) => {
      const text = stripPrintk(line);
      if (!match(rules, text)) return start?.test(text) ? 'started' : 'none';
      return ++seen > maxTests ? 'too-many' : 'started';
    };
  };
}

function match(rules: CompiledRegexSpec['rules'], line: string) {
  for (const { status, pattern, group } of rules) {
    const found = pattern.exec(line);
    if (!found) continue;
    const id = group === 'id' ? found.groups?.['id'] : found[1];
    return { status, id: (id ?? '').trim() };
  }
  return undefined;
}
