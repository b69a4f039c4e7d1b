import type { BootCapture, BootRecord } from '../model/boot.js';
import { splitKernelMessages } from './common.js';
import { resultsFormat, type ResultsSettings } from './formats.js';
import type { TestObservation } from '../model/results.js';
import { checkToken } from './token.js';

/** One boot of one kernel, as the comparison sees it: how the boot went and what each test did. */
export interface KernelObservation {
  kernel: string;
  attempt: number;
  /** The one test this boot ran, when the harness boots once per test: it reports only that. */
  test?: string;
  boot: BootRecord;
  tests: TestObservation[];
  /** Whether the results stream ended the way its format promises. */
  complete: boolean;
  problems: string[];
}

/** The ids of the tests some boot reported, in the order the boots first report them. */
export const testIdsOf = (
  observations: readonly { tests: readonly { id: string }[] }[],
): string[] => [...new Set(observations.flatMap((o) => o.tests.map((t) => t.id)))];

/**
 * Parses a boot's results channel; the boot's monitor then settles the outcome and stage that
 * depend on what was found (`no-results`, stage `done`). A console script that names tests and
 * a results channel that carries none make a script-only harness: its results are the script's.
 */
export function observe(
  capture: BootCapture,
  results: ResultsSettings,
  /** `harness.max-tests`: the monitor read no result past it; plans cannot add more either. */
  maxTests: number,
): KernelObservation {
  const { test } = capture.record;
  const lines =
    results.channel === 'console' ? splitKernelMessages(capture.resultLines) : capture.resultLines;
  const format = resultsFormat(results.format);
  const parse = (of: string[]) =>
    format.parse(of, {
      ...(results.regex ? { regex: results.regex } : {}),
      transcriptId: test ?? results.test ?? 'transcript',
      ...(test !== undefined && { bootTest: test }),
    });
  // With a token, only the results the harness framed with it count; none when any lie outside.
  const token = capture.frameToken;
  const checked =
    token === undefined
      ? undefined
      : checkToken(
          lines,
          token,
          (outside) => (format.spansBoot ? 0 : parse([...outside]).tests.length),
          format.spansBoot && capture.record.outcome === 'completed',
        );
  const parsed = parse(checked === undefined ? lines : checked.framed ? checked.lines : []);
  const notFromHarness = checked && !checked.framed ? checked.reason : undefined;
  const scriptOnly =
    parsed.tests.length === 0 && capture.scriptTests.length > 0 && !format.spansBoot;
  let tests: TestObservation[] = notFromHarness ? [] : [...parsed.tests, ...capture.scriptTests];
  // A test spanning the boot: a boot that died died during it (crash/hang).
  if (format.spansBoot && capture.record.outcome !== 'completed') {
    tests = tests.map((t) => (t.id === parsed.tests[0]?.id ? { ...t, status: 'missing' } : t));
  }
  if (test !== undefined) tests = tests.filter((t) => t.id === test);
  const problems = scriptOnly || notFromHarness ? [] : parsed.problems;
  if (tests.length > maxTests) {
    problems.push(`${tests.length - maxTests} tests past harness.max-tests (${maxTests}) dropped`);
    tests = tests.slice(0, maxTests);
  }
  const complete = scriptOnly || parsed.complete;
  const boot = capture.settle({
    format: results.format,
    tests: tests.length,
    complete,
    ...(notFromHarness ? { notFromHarness } : {}),
  });
  // The console script's token check fails at settling (the monitor holds the script): the
  // boot's results are discarded just the same.
  if (boot.outcome === 'not-from-harness') tests = [];
  // A per-test boot that ended without its test's result keeps what the test printed so far
  // (a boot that printed no result is still `no-results`).
  else if (test !== undefined && tests.length === 0 && parsed.unfinished?.length)
    tests = [{ id: test, status: 'missing', output: parsed.unfinished }];
  return {
    kernel: boot.kernel,
    attempt: boot.attempt,
    ...(test !== undefined ? { test } : {}),
    boot,
    tests,
    complete,
    problems,
  };
}
