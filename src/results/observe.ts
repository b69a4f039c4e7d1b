import type { Settings } from '../config/settings.js';
import type { BootCapture, BootRecord } from '../qemu/boot.js';
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

/** Parses a boot's results channel and settles the boot's outcome and stage from what was found. */
export function observe(capture: BootCapture, results: ResultsSettings): KernelObservation {
  const lines =
    results.channel === 'console' ? splitKernelMessages(capture.resultLines) : capture.resultLines;
  const parsed = parseResults(results.format, lines, {
    ...(results.regex ? { regex: results.regex } : {}),
    transcriptId: results.test ?? 'transcript',
  });
  const boot = { ...capture.record };
  const tests = [...parsed.tests, ...capture.scriptTests];
  if (results.format === 'transcript' && boot.outcome !== 'completed') {
    for (const test of tests) if (test.status === 'pass') test.status = 'fail';
  }
  if (boot.outcome === 'completed' && tests.length === 0) {
    boot.outcome = 'no-results';
    boot.message = `no ${results.format} results on the ${results.channel === 'console' ? 'console' : 'second serial port'}`;
  }
  const scriptDone = capture.scriptTests.every((t) => t.status !== 'missing');
  if (boot.outcome === 'completed' && parsed.complete && scriptDone) boot.stage = 'done';
  return {
    kernel: boot.kernel,
    attempt: boot.attempt,
    boot,
    tests,
    complete: parsed.complete,
    problems: parsed.problems,
  };
}
