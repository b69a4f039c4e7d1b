import { parseTapStream, type TapDialect } from './tap-stream.js';
import type { ParseResult } from '../model/results.js';

/** TAP 13 and 14 (https://testanything.org/tap-version-14-specification.html). */
export const TAP: TapDialect = { strict: false, yamlBlocks: true };

export function parseTap(lines: string[]): ParseResult {
  return parseTapStream(lines, TAP);
}
