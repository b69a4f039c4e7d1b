/** What one kernel's boot said about one test, before normalisation. */
export type TestStatus = 'pass' | 'fail' | 'skip' | 'error' | 'missing';

export interface TestObservation {
  /** Stable across kernels: nested tests are joined with '.', e.g. `suite.case`. */
  id: string;
  status: TestStatus;
  /** Lines the harness printed for this test (diagnostics, YAML blocks, captured output). */
  output: string[];
  /** A TAP/KTAP directive that qualified the result, e.g. `SKIP no device` or `TODO`. */
  directive?: string;
}

export type ResultsFormat = 'ktap' | 'tap' | 'regex' | 'transcript';

export interface ParseResult {
  tests: TestObservation[];
  /** Whether the stream ended the way its format promises (plan satisfied, no bail-out). */
  complete: boolean;
  /** Things a person should know about the stream: plan mismatch, duplicate ids, garbage. */
  problems: string[];
}
