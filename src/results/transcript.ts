import { stripPrintk } from './common.js';
import type { ParseResult } from '../model/results.js';

/**
 * The whole console transcript as one passing test; a boot that crashed or hung during it is the
 * caller's call, made from the boot outcome.
 */
export function parseTranscript(lines: string[], id = 'transcript'): ParseResult {
  return {
    tests: [{ id, status: 'pass', output: lines.map(stripPrintk) }],
    complete: true,
    problems: [],
  };
}
