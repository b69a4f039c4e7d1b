import { type ParseOptions, resultsFormat } from './formats.js';
import type { ParseResult, ResultsFormat } from '../model/results.js';

export type { ParseResult, ResultsFormat, TestObservation, TestStatus } from '../model/results.js';
export type { ParseOptions } from './formats.js';
export type { CompiledRegexSpec, RegexSpec } from './regex.js';
export { compileRegexSpec, parseRegex } from './regex.js';
export { parseKtap } from './ktap.js';
export { parseTap } from './tap.js';
export { parseTranscript } from './transcript.js';

/** Turns a kernel's console lines into per-test observations in the given format. */
export function parseResults(
  format: ResultsFormat,
  lines: string[],
  options: ParseOptions = {},
): ParseResult {
  return resultsFormat(format).parse(lines, options);
}
