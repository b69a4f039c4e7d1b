import type { Settings } from '../config/settings.js';
import type { BootCapture, BootRecord } from '../qemu/types.js';
import { splitKernelMessages } from './common.js';
import { parseResults } from './index.js';
import type { TestObservation } from './types.js';

type ResultsSettings = Settings['harness']['results'];

/** One boot of one kernel, as the comparison sees it: how the boot went and what each test did. */
export interface KernelObservation {
  kernel: string;
  attempt: number;
  boot: BootRecord;
  tests: TestObservation[];
  /** Whether the results stream ended the way its format promises. */
  complete: boolean;
  problems: string[];
}

/**
 * Parses a boot's results channel; the boot's monitor then settles the outcome and stage that
 * depend on what was found (`no-results`, stage `done`).
 */
export function observe(capture: BootCapture, results: ResultsSettings): KernelObservation {
  const lines =
    results.channel === 'console' ? splitKernelMessages(capture.resultLines) : capture.resultLines;
  const parsed = parseResults(results.format, lines, {
    ...(results.regex ? { regex: results.regex } : {}),
    transcriptId: results.test ?? 'transcript',
  });
  const tests: TestObservation[] = [...parsed.tests, ...capture.scriptTests];
  if (results.format === 'transcript' && capture.record.outcome !== 'completed') {
    for (const test of tests) if (test.status === 'pass') test.status = 'fail';
  }
  const boot = capture.settle({
    format: results.format,
    tests: tests.length,
    complete: parsed.complete,
  });
  return {
    kernel: boot.kernel,
    attempt: boot.attempt,
    boot,
    tests,
    complete: parsed.complete,
    problems: parsed.problems,
  };
}
