/**
 * The results formats, one row a format: how to parse a boot's results channel, and how to
 * follow the harness line by line while the boot runs, from the same patterns. parseResults
 * (index.ts), harnessProgress (progress.ts) and observe read the row of the format the config
 * names; a format is added by adding its name to RESULTS_FORMATS (model/results.ts, which types
 * this table, config validation and the schema test) and its row here.
 */
import type { Settings } from '../config/settings.js';
import type { HarnessProgress } from '../model/boot.js';
import type { ParseResult, ResultsFormat } from '../model/results.js';
import { KTAP, parseKtap } from './ktap.js';
import { type CompiledRegexSpec, parseRegex, regexProgress, type RegexSpec } from './regex.js';
import { parseTap, TAP } from './tap.js';
import { tapProgress, type TapDialect } from './tap-stream.js';
import { parseTranscript } from './transcript.js';

export type ResultsSettings = Settings['harness']['results'];

export interface ParseOptions {
  /** Required for the `regex` format. */
  regex?: RegexSpec | CompiledRegexSpec;
  /** Id of the single test the `transcript` format reports. */
  transcriptId?: string;
  /** The test of a per-test boot: what a `regex` result line with an empty id reports. */
  bootTest?: string;
}

export interface ResultsFormatRow {
  /** Turns a boot's result lines into per-test observations. */
  parse(lines: string[], options: ParseOptions): ParseResult;
  /**
   * A fresh progress tracker per boot, with the parser's own patterns: whether the harness
   * started, finished its plan, or reported more than `maxTests` results.
   */
  progress(results: ResultsSettings, maxTests: number): () => HarnessProgress;
  /**
   * The format reports one test that spans the whole boot: a boot that died, died during it
   * (its test is `missing`), and console-script tests never stand in for it.
   */
  spansBoot: boolean;
}

const tapFamily = (
  dialect: TapDialect,
  parse: (lines: string[]) => ParseResult,
): ResultsFormatRow => ({
  parse,
  progress: (_results, maxTests) => () => tapProgress(dialect, maxTests),
  spansBoot: false,
});

export const RESULTS_FORMAT_TABLE: { readonly [F in ResultsFormat]: ResultsFormatRow } = {
  ktap: tapFamily(KTAP, parseKtap),
  tap: tapFamily(TAP, parseTap),
  regex: {
    parse(lines, { regex, bootTest }) {
      if (!regex) throw new TypeError('results format "regex" needs a regex spec');
      return parseRegex(lines, regex, bootTest);
    },
    progress: ({ regex }, maxTests) => regexProgress(regex, maxTests),
    spansBoot: false,
  },
  transcript: {
    parse: (lines, { transcriptId }) => parseTranscript(lines, transcriptId),
    // One test for the whole boot: nothing to count, and no plan to tell completion by.
    progress: () => () => () => 'none',
    spansBoot: true,
  },
};

/** The row of `format`; a name the table lacks (an unchecked value) is a TypeError. */
export function resultsFormat(format: ResultsFormat): ResultsFormatRow {
  if (!Object.hasOwn(RESULTS_FORMAT_TABLE, format)) {
    throw new TypeError(`unknown results format ${JSON.stringify(format)}`);
  }
  return RESULTS_FORMAT_TABLE[format];
}
