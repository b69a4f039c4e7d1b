import type { DivergenceClass, Report, ReportTest, Verdict } from '../../src/model/report.js';

/** The verdict of test `id`, to change it in place. */
export function verdictOf(report: Report, id: string): Verdict {
  const test = report.tests.find((candidate) => candidate.id === id);
  if (test === undefined) throw new Error(`no test ${id}`);
  return test.verdict;
}

/** A test with a verdict; the observations are left empty, renderers do not read them. */
export function makeTest(
  id: string,
  verdict: Partial<Verdict> & { class: DivergenceClass },
): ReportTest {
  return {
    id,
    observations: { candidate: [], staff: [] },
    verdict: {
      severity: 'error',
      blame: 'kernel',
      confidence: 1,
      agreeing: ['staff', 'v1.2'],
      reason: `${verdict.class} on candidate`,
      counts: { candidate: '0:1', staff: '0:1' },
      failing: false,
      ...verdict,
    },
  };
}

export const REGRESSION_DIFF =
  '--- staff\n+++ candidate\n@@ -1,2 +1,2 @@\n alloc 4096\n-ok\n+not ok\n';

/**
 * Ten tests: 2 same, a regression, a crash cluster of three, an output divergence, a flaky and a
 * fixed test (neither failing), and an expected regression. Reference `old` is broken.
 */
export function sampleReport(): Report {
  const crash = (id: string) =>
    makeTest(id, {
      class: 'crash',
      failing: true,
      reason: 'candidate panicked before finishing the test; staff and v1.2 finished it',
      counts: { candidate: '1:1', staff: '0:1', 'v1.2': '0:1' },
      cluster: 'c1',
    });
  const tests = [
    makeTest('sched.yield', { class: 'same', severity: 'none' }),
    makeTest('timer.jitter', {
      class: 'flaky',
      severity: 'warning',
      reason: 'candidate passes 1 of 3 runs',
      counts: { candidate: '2:3', staff: '0:3' },
    }),
    makeTest('net.ping', { class: 'fix', severity: 'notice', confidence: 0.5, agreeing: ['v1.2'] }),
    crash('fs.open'),
    makeTest('proc.ps', {
      class: 'output',
      failing: true,
      reason: 'same status, different output',
      diff: '--- staff\n+++ candidate\n-PID CMD\n+PID  CMD\n',
      cluster: 'c2',
    }),
    crash('fs.read'),
    makeTest('mm.alloc', {
      class: 'regression',
      failing: true,
      reason: 'passes on staff (3/3 runs), fails on candidate (3/3 runs)',
      counts: { candidate: '3:3', staff: '0:3' },
      agreeing: ['staff'],
      diff: REGRESSION_DIFF,
    }),
    crash('fs.write'),
    makeTest('sched.sleep', { class: 'same', severity: 'none' }),
    makeTest('mm.leak', {
      class: 'expected',
      severity: 'none',
      expected: { class: 'regression', reason: 'known leak, fixed in lab 3' },
    }),
  ];
  return {
    schema: 'diverge.report/v1',
    run: {
      startedAt: '2025-01-01T00:00:00Z',
      durationMs: 4200,
      tool: { name: 'diverge', version: '0.1.0' },
      host: { qemu: '7.2.15', accel: 'tcg', cpus: 2 },
    },
    variant: 'default',
    candidate: { name: 'candidate', source: { file: 'build/kernel.elf' }, digest: 'sha256:aa' },
    references: [
      { name: 'staff', source: {}, digest: 'sha256:bb' },
      { name: 'v1.2', source: {}, digest: 'sha256:cc' },
      { name: 'old', source: {}, digest: 'sha256:dd', broken: 'no boot observed any test' },
    ],
    machine: { arch: 'x86_64', profile: 'pc', memory: '256M', cpus: 1 },
    harness: { digest: 'sha256:ee', format: 'ktap' },
    boots: [],
    tests,
    clusters: [
      {
        id: 'c1',
        class: 'crash',
        signature: 'BUG: kernel NULL pointer dereference',
        tests: ['fs.open', 'fs.read', 'fs.write'],
      },
      { id: 'c2', class: 'output', signature: '+PID  CMD', tests: ['proc.ps'] },
    ],
    normalization: {
      builtin: ['timestamps'],
      rules: 0,
      learned: [
        { test: 'timer.jitter', template: 'took <learned> ms', reference: 'staff' },
        { test: 'sched.yield', template: 'monotonic <learned>', reference: 'v1.2' },
      ],
    },
    expectations: {
      file: '.github/diverge-expectations.yml',
      matched: 1,
      stale: [{ test: 'fs.mkdir', reason: 'fixed long ago' }],
    },
    summary: {
      tests: 10,
      same: 2,
      divergences: 7,
      failing: 5,
      byClass: { same: 2, regression: 1, crash: 3, output: 1, flaky: 1, fix: 1, expected: 1 },
      conclusion: 'failure',
    },
  };
}
