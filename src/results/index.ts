import { parseKtap } from './ktap.js';
import { type CompiledRegexSpec, parseRegex, type RegexSpec } from './regex.js';
import { parseTap } from './tap.js';
import { parseTranscript } from './transcript.js';
import type { ParseResult, ResultsFormat } from '../model/results.js';

export type { ParseResult, ResultsFormat, TestObservation, TestStatus } from '../model/results.js';
export type { CompiledRegexSpec, RegexSpec } from './regex.js';
export { compileRegexSpec } from './regex.js';
export { parseKtap, parseRegex, parseTap, parseTranscript };

export interface ParseOptions {
  /** Required for the `regex` format. */
  regex?: RegexSpec | CompiledRegexSpec;
  /** Id of the single test the `transcript` format reports. */
  transcriptId?: string;
}

/** Turns a kernel's console lines into per-test observations in the given format. */
export function parseResults(
  format: ResultsFormat,
  lines: string[],
  options: ParseOptions = {},
): ParseResult {
  switch (format) {
    case 'ktap':
      return parseKtap(lines);
    case 'tap':
      return parseTap(lines);
    case 'regex':
      if (!options.regex) throw new TypeError('results format "regex" needs a regex spec');
      return parseRegex(lines, options.regex);
    case 'transcript':
      return parseTranscript(lines, options.transcriptId);
    default: {
      const unknown: never = format;
      throw new TypeError(`unknown results format ${JSON.stringify(unknown)}`);
    }
  }
}
