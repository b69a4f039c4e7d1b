import { parseTapStream, type TapDialect } from './tap-stream.js';
import type { ParseResult } from '../model/results.js';

/** KTAP 1 (https://docs.kernel.org/dev-tools/ktap.html) and kunit's older `TAP version 14`. */
export const KTAP: TapDialect = { strict: true, yamlBlocks: false };

export function parseKtap(lines: string[]): ParseResult {
  return parseTapStream(lines, KTAP);
}
