import type { BootRecord } from '../model/boot.js';
import type { TestStatus } from '../model/results.js';

/**
 * What one boot says about one test. A boot that did not report the test still says something:
 * it crashed or hung before the test, QEMU could not run it, or it finished without the test.
 */
export type RunView =
  | { attempt: number; kind: 'observed'; status: Exclude<TestStatus, 'missing'>; output: string[] }
  | {
      attempt: number;
      kind: 'crashed' | 'hung' | 'absent' | 'infra';
      boot: BootRecord;
      /** What the test printed before the boot ended, where the harness format tells. */
      output?: string[];
      /** `infra` of a boot that finished: why the course checker could not judge the test. */
      unchecked?: string;
    };

export type RunKind = RunView['kind'];
export type ObservedRun = Extract<RunView, { kind: 'observed' }>;
export const isObserved = (run: RunView): run is ObservedRun => run.kind === 'observed';

/** How a boot that did not report a test is read. */
export function unobservedKind(boot: BootRecord): Exclude<RunKind, 'observed'> {
  switch (boot.outcome) {
    case 'panic':
      return 'crashed';
    case 'timeout':
    case 'stalled':
      return 'hung';
    case 'qemu-error':
    case 'infrastructure':
      return 'infra';
    case 'completed':
    case 'no-results':
    case 'not-from-harness': // its results were discarded (classify.ts says so in the verdict)
      return 'absent';
  }
}

/** Runs compare equal when status and (if compared) normalised output are equal. */
export function signature(run: RunView, compareOutput: boolean): string {
  if (run.kind !== 'observed') return `<${run.kind}>`;
  return compareOutput ? `${run.status}\n${run.output.join('\n')}` : run.status;
}

/**
 * A run failed the test when it reported a failure or died before finishing it. A boot that
 * finished without the test (or that QEMU could not run) did not fail it: a reference that
 * lacks a test the candidate added is not failing that test.
 */
const isFailing = (run: RunView) =>
  run.kind === 'observed'
    ? run.status === 'fail' || run.status === 'error'
    : run.kind === 'crashed' || run.kind === 'hung';

/** `failing runs:runs`, the way people count flaky tests. */
export function failCount(runs: readonly RunView[]): string {
  return `${runs.filter(isFailing).length}:${runs.length}`;
}
