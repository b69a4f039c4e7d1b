import { judge } from '../../src/compare/judge.js';
import { defaultSettings } from '../../src/config/load.js';
import type { BootOutcome, BootRecord } from '../../src/model/boot.js';
import { buildReport } from '../../src/report/build.js';
import type { Report } from '../../src/model/report.js';
import type { KernelObservation } from '../../src/results/observe.js';
import type { TestObservation, TestStatus } from '../../src/model/results.js';

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

/** Judges observations with the default settings and builds the report, as `diverge compare` does. */
export function judgedReport(
  observations: readonly KernelObservation[],
  references: readonly string[],
): Report {
  const settings = defaultSettings('/tmp');
  const judgement = judge({
    observations,
    candidate: 'candidate',
    references,
    normalize: settings.normalize,
    compareOutput: true,
    expectations: [],
    failOn: settings.failOn,
    scope: { arch: 'x86_64', variant: 'default', today: '2026-11-22' },
  });
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  return buildReport({
    settings,
    variant: 'default',
    startedAt: new Date('2026-11-22T10:00:00Z'),
    durationMs: 1234,
    host: { qemu: '7.2.22', accel: 'tcg', cpus: 2 },
    harnessDigest: digest('a'),
    candidate: { name: 'candidate', source: { file: 'k' }, digest: digest('b') },
    references: references.map((name) => ({ name, source: { file: name }, digest: digest('c') })),
    observations,
    judgement,
    expectations: { entries: [] },
    today: '2026-11-22',
    outDir: '/tmp/out',
  });
}
