import { parseTapStream } from './tap-stream.js';
import type { ParseResult } from '../model/results.js';

/** TAP 13 and 14 (https://testanything.org/tap-version-14-specification.html). */
export function parseTap(lines: string[]): ParseResult {
  return parseTapStream(lines, { strict: false, yamlBlocks: true });
}
