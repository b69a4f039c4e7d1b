/**
 * Console-script steps as the comparison judges them: synthetic xv6-style console transcripts go
 * through the boot monitor, results/observe and judge, the way a real boot's output does.
 */
import { describe, expect, it } from '@jest/globals';
import { judge } from '../../src/compare/judge.js';
import { defaultSettings } from '../../src/config/load.js';
import { BootMonitor, type MonitorSettings } from '../../src/qemu/monitor.js';
import { type KernelObservation, observe } from '../../src/results/observe.js';
import { harnessProgress } from '../../src/results/progress.js';
import type { ScriptStep } from '../../src/model/script.js';

const STEPS: ScriptStep[] = [
  { expect: '\\$ ', send: 'echo hi\n', test: 'echo' },
  { expect: '\\$ ', send: 'forktest\n', test: 'forktest', fail: 'FAIL', timeoutMs: 2000 },
  { expect: '\\$ ', send: 'usertests\n', test: 'usertests', pass: 'ALL TESTS PASSED' },
];
const SETTINGS: MonitorSettings = {
  binary: 'qemu-system-riscv64',
  channel: 'console',
  script: STEPS,
  timeouts: { bootMs: 10_000, stallMs: 5000, totalMs: 60_000 },
  serialCapBytes: 1 << 20,
  maxTests: 10_000,
};

/** What each command prints, by the text sent; `hang` prints its text and then nothing. */
type Kernel = Record<string, string>;
const STAFF: Kernel = {
  'echo hi\n': 'hi\n',
  'forktest\n': 'fork test\nfork test OK\n',
  'usertests\n': 'usertests starting\nALL TESTS PASSED\n',
};

/**
 * Boots a simulated xv6 shell: the prompt, then for each command its echo, its output and the
 * prompt again, as the monitor asks; a command whose output has no prompt after it stops there.
 */
function bootShell(name: string, kernel: Kernel, attempt = 1, test?: string): KernelObservation {
  let now = 0;
  const pending: string[] = ['xv6 kernel is booting\ninit: starting sh\n$ '];
  let stop: { outcome: string } | undefined;
  const monitor = new BootMonitor(
    SETTINGS,
    harnessProgress({ format: 'ktap', channel: 'console' }, SETTINGS.maxTests)(),
    0,
    (event) => {
      if (event.kind === 'send') {
        const output = kernel[event.text] ?? '';
        pending.push(
          `${event.text}${output}${output.includes('panic: ') || output.endsWith('…') ? '' : '$ '}`,
        );
      }
      if (event.kind === 'stop') stop = event;
    },
  );
  while (!stop && now < 120_000) {
    const chunk = pending.shift();
    now += 100;
    if (chunk !== undefined) monitor.console(Buffer.from(chunk), now);
    monitor.tick(now);
  }
  const end = monitor.exit({ status: null, stderr: '', consoleCut: false }, now + 10);
  const record = {
    kernel: name,
    attempt,
    ...(test !== undefined ? { test } : {}),
    outcome: end.outcome,
    stage: end.stage,
    durationMs: end.durationMs,
    accel: 'tcg' as const,
    log: `/tmp/${name}.log`,
    splats: end.splats,
    exitStatus: null,
    ...(end.message ? { message: end.message } : {}),
    logTruncated: false,
    command: [],
  };
  return observe(
    {
      record,
      resultLines: end.resultLines,
      scriptTests: end.scriptTests,
      settle: (results) => ({ ...record, ...monitor.settle(results) }),
    },
    { format: 'ktap', channel: 'console' },
    SETTINGS.maxTests,
  );
}

function judged(candidate: Kernel) {
  const settings = defaultSettings('/tmp');
  return judge({
    observations: [
      bootShell('staff', STAFF),
      bootShell('staff2', STAFF),
      bootShell('candidate', candidate),
    ],
    candidate: 'candidate',
    references: ['staff', 'staff2'],
    normalize: settings.normalize,
    compareOutput: true,
    expectations: [],
    failOn: settings.failOn,
    scope: { arch: 'riscv64', variant: 'default', today: '2026-11-30' },
  });
}

const classes = (judgement: ReturnType<typeof judged>) =>
  Object.fromEntries(judgement.tests.map((t) => [t.id, t.verdict.class]));

describe('console-script steps, judged', () => {
  it('staff kernels reach done with every step passing, and agree', () => {
    const staff = bootShell('staff', STAFF);
    expect(staff.boot).toMatchObject({ outcome: 'completed', stage: 'done' });
    expect(staff.tests).toEqual([
      { id: 'echo', status: 'pass', output: ['hi'] },
      { id: 'forktest', status: 'pass', output: ['fork test', 'fork test OK'] },
      { id: 'usertests', status: 'pass', output: ['usertests starting', 'ALL TESTS PASSED'] },
    ]);
    expect(classes(judged(STAFF))).toEqual({ echo: 'same', forktest: 'same', usertests: 'same' });
  });

  it('a panic in the middle of a step is a crash of that step and the later ones, one cluster', () => {
    const judgement = judged({ ...STAFF, 'forktest\n': 'fork test\npanic: kerneltrap\n' });
    expect(classes(judgement)).toEqual({ echo: 'same', forktest: 'crash', usertests: 'crash' });
    const forktest = judgement.tests.find((t) => t.id === 'forktest');
    expect(forktest?.verdict.reason).toContain('panic: kerneltrap');
    expect(judgement.clusters).toHaveLength(1);
    expect(judgement.clusters[0]).toMatchObject({
      class: 'crash',
      tests: ['forktest', 'usertests'],
    });
  });

  it('a panic in the last step is a crash of that step', () => {
    const judgement = judged({ ...STAFF, 'usertests\n': 'usertests starting\npanic: sbrk\n' });
    expect(classes(judgement)).toEqual({ echo: 'same', forktest: 'same', usertests: 'crash' });
  });

  it('a step whose command outlives its timeout hangs, and the message names that step', () => {
    const judgement = judged({ ...STAFF, 'forktest\n': 'fork test\n…' });
    expect(classes(judgement)).toEqual({ echo: 'same', forktest: 'hang', usertests: 'hang' });
    const forktest = judgement.tests.find((t) => t.id === 'forktest');
    expect(forktest?.verdict.reason).toContain(
      'console script step 2 (forktest: "forktest") did not finish within 2000 ms',
    );
    expect(judgement.clusters).toHaveLength(1);
    // What the command printed before it hung is kept and shown against the references'.
    expect(forktest?.observations['candidate']).toEqual([
      { attempt: 1, status: 'missing', output: ['fork test', '…'] },
    ]);
    expect(forktest?.verdict.diff).toContain('-pass\n+hang\n fork test\n-fork test OK\n+…');
    // A later step never started: nothing of it to keep.
    expect(judgement.tests.find((t) => t.id === 'usertests')?.observations['candidate']).toEqual(
      [],
    );
  });

  it("a step whose program prints a failure is a regression by the step's fail rule", () => {
    const judgement = judged({ ...STAFF, 'forktest\n': 'fork test\nfork test FAIL\n' });
    expect(classes(judgement)).toEqual({ echo: 'same', forktest: 'regression', usertests: 'same' });
  });

  it("a step without the pass rule's text is a regression, though the dialogue went on", () => {
    const judgement = judged({
      ...STAFF,
      'usertests\n': 'usertests starting\nSOME TESTS FAILED\n',
    });
    expect(classes(judgement)).toEqual({ echo: 'same', forktest: 'same', usertests: 'regression' });
  });
});

describe('per-test boots, judged', () => {
  it('reads each test from its own boots only', () => {
    const settings = defaultSettings('/tmp');
    const perTest = (
      kernel: string,
      test: string,
      status: 'pass' | 'fail',
      outcome = 'completed',
    ) =>
      ({
        kernel,
        attempt: 1,
        test,
        boot: {
          kernel,
          attempt: 1,
          test,
          outcome,
          stage: outcome === 'completed' ? 'done' : 'harness',
          durationMs: 1,
          accel: 'tcg',
          log: `/tmp/${kernel}-${test}-1.log`,
          splats: [],
          exitStatus: 0,
          logTruncated: false,
          command: [],
          ...(outcome === 'panic'
            ? { message: 'kernel panic: PANIC at ../../threads/thread.c' }
            : {}),
        },
        tests: outcome === 'completed' ? [{ id: test, status, output: [] }] : [],
        complete: outcome === 'completed',
        problems: [],
      }) as KernelObservation;
    const judgement = judge({
      observations: [
        perTest('staff', 'alarm-single', 'pass'),
        perTest('staff', 'alarm-zero', 'pass'),
        perTest('staff', 'priority', 'pass'),
        perTest('candidate', 'alarm-single', 'pass'),
        perTest('candidate', 'alarm-zero', 'pass', 'panic'),
        perTest('candidate', 'priority', 'fail'),
      ],
      candidate: 'candidate',
      references: ['staff'],
      normalize: settings.normalize,
      compareOutput: true,
      expectations: [],
      failOn: settings.failOn,
      scope: { arch: 'x86_64', variant: 'default', today: '2026-11-30' },
    });
    // Without per-test reading, the other tests' boots would count as runs without the test.
    expect(Object.fromEntries(judgement.tests.map((t) => [t.id, t.verdict.class]))).toEqual({
      'alarm-single': 'same',
      'alarm-zero': 'crash',
      priority: 'regression',
    });
    expect(judgement.tests.find((t) => t.id === 'alarm-zero')?.verdict.reason).toContain(
      'PANIC at ../../threads/thread.c',
    );
  });
});
