/** What one kernel's boot said about one test, before normalisation (report.json's `status`). */
export const TEST_STATUSES = ['pass', 'fail', 'skip', 'error', 'missing'] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

export interface TestObservation {
  /** Stable across kernels: nested tests are joined with '.', e.g. `suite.case`. */
  id: string;
  status: TestStatus;
  /** Lines the harness printed for this test (diagnostics, YAML blocks, captured output). */
  output: string[];
  /** A TAP/KTAP directive that qualified the result, e.g. `SKIP no device` or `TODO`. */
  directive?: string;
  /**
   * Why the course checker (`harness.checker`) could not judge this test: it timed out,
   * crashed or could not be started. The host's fault, never the kernel's: the run is read as
   * an infrastructure outcome for the test, never a pass.
   */
  unchecked?: string;
}

/**
 * The names `harness.results.format` takes. They type the results-format table
 * (src/results/formats.ts), one row a name: a name without a row, or a row without a name, does
 * not compile.
 */
export const RESULTS_FORMATS = ['ktap', 'tap', 'regex', 'transcript'] as const;
export type ResultsFormat = (typeof RESULTS_FORMATS)[number];

export interface ParseResult {
  tests: TestObservation[];
  /** Whether the stream ended the way its format promises (plan satisfied, no bail-out). */
  complete: boolean;
  /** Things a person should know about the stream: plan mismatch, duplicate ids, garbage. */
  problems: string[];
  /**
   * What a test that started and has no result line yet printed, where the format can tell (a
   * regex `start` line with no result after it): kept for a boot that died during that test.
   */
  unfinished?: string[];
}
