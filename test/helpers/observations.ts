import type { BootOutcome, BootRecord } from '../../src/qemu/boot.js';
import type { KernelObservation } from '../../src/results/observe.js';
import type { TestObservation, TestStatus } from '../../src/results/types.js';

/** A boot record as a real boot would leave it. */
export function bootRecord(
  kernel: string,
  attempt: number,
  outcome: BootOutcome = 'completed',
  extra: Partial<BootRecord> = {},
): BootRecord {
  return {
    kernel,
    attempt,
    outcome,
    stage: outcome === 'completed' ? 'done' : 'harness',
    durationMs: 1000,
    accel: 'tcg',
    log: `/tmp/out/logs/${kernel}-${attempt}.log`,
    splats: [],
    exitStatus: 0,
    logTruncated: false,
    command: ['qemu-system-x86_64'],
    ...extra,
  };
}

/** `tests` as `id:status` or `id:status:line1|line2`. */
export function boot(
  kernel: string,
  attempt: number,
  tests: string[],
  outcome: BootOutcome = 'completed',
  extra: Partial<BootRecord> = {},
): KernelObservation {
  const parsed: TestObservation[] = tests.map((spec) => {
    const [id, status, output] = spec.split(':');
    return {
      id: id as string,
      status: status as TestStatus,
      output: output ? output.split('|') : [],
    };
  });
  return {
    kernel,
    attempt,
    boot: bootRecord(kernel, attempt, outcome, extra),
    tests: parsed,
    complete: outcome === 'completed',
    problems: [],
  };
}
