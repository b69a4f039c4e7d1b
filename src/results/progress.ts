import type { HarnessProgress } from '../model/boot.js';
import { resultsFormat, type ResultsSettings } from './formats.js';

/**
 * A fresh progress tracker per boot, from the row of the configured format: KTAP/TAP have a
 * plan to tell completion by; every result line counts towards `maxTests`, the one past it is
 * `too-many`.
 */
export function harnessProgress(results: ResultsSettings, maxTests: number): () => HarnessProgress {
  return resultsFormat(results.format).progress(results, maxTests);
}
