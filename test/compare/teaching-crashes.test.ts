/**
 * Teaching kernels' deaths as the report shows them: Pintos-style per-test boots (the console as
 * a Pintos kernel prints it, regex results) go through the boot monitor, results/observe, judge,
 * the report and its Markdown, the way a real boot's output does. A panic is a `crash` of its
 * test with the panic line as the reason, though Pintos then powers off normally; a hang is a
 * `hang` at the test's own time limit; both keep what the test printed before.
 */
import { describe, expect, it } from '@jest/globals';
import { BootMonitor, type MonitorSettings, type TestLimit } from '../../src/qemu/monitor.js';
import { type KernelObservation, observe } from '../../src/results/observe.js';
import { harnessProgress } from '../../src/results/progress.js';
import type { ResultsSettings } from '../../src/results/formats.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { validateReport } from '../../src/report/validate.js';
import { judgedReport } from '../helpers/observations.js';

const RESULTS: ResultsSettings = {
  format: 'regex',
  channel: 'console',
  regex: {
    start: "^Executing '",
    pass: "^Execution of '(?<id>[^']+)' complete",
    fail: '^\\((?<id>[^)]+)\\) .*: FAILED$',
  },
};

const PINTOS: MonitorSettings = {
  binary: 'qemu-system-i386',
  channel: 'console',
  script: [],
  timeouts: { bootMs: 20_000, stallMs: 30_000, totalMs: 60_000 },
  exitDevice: { device: 'isa-debug-exit', port: 0x501 },
  serialCapBytes: 1 << 20,
  maxTests: 10_000,
};

/** What every Pintos boot prints before its test, as `pintos -- -q run alarm-single` shows it. */
const BOOT = `Pintos hda1
Loading...........
Kernel command line: -q run alarm-single
Pintos booting with 3,968 kB RAM...
367 pages available in kernel pool.
367 pages available in user pool.
Calibrating timer...  419,020,800 loops/s.
Boot complete.
Executing 'alarm-single':
(alarm-single) begin
(alarm-single) Creating 5 threads to sleep 1 times each.
`;
/** The end of a Pintos run: its statistics, then the power-off through port 0x501 (status 99). */
const END = `Timer: 282 ticks
Thread: 0 idle ticks, 282 kernel ticks, 0 user ticks
Console: 986 characters output
Keyboard: 0 keys pressed
Powering off...
`;
const STAFF = `${BOOT}(alarm-single) thread 0: duration=10, iteration=1, product=10
(alarm-single) end
Execution of 'alarm-single' complete.
${END}`;
const PANIC = `${BOOT}Kernel PANIC at ../../threads/thread.c:273 in thread_current(): assertion \`is_thread (t)' failed.
Call stack: 0xc0028a3b 0xc0020f6d 0xc0021b2c 0xc00219f0.
The \`backtrace' program can make call stacks useful.
Read "Backtraces" in the "Debugging Tools" chapter
of the Pintos documentation for more information.
${END}`;

/**
 * One per-test boot of `alarm-single`: the console, a line every 10 ms; then either QEMU's exit
 * with `status` (the kernel powered off) or, for a kernel that stops printing, the watchdogs until
 * they stop it.
 */
function pintosBoot(
  kernel: string,
  console: string,
  end: { status: number } | 'hangs',
  settings: MonitorSettings = PINTOS,
): KernelObservation {
  let now = 0;
  let stopped = false;
  const monitor = new BootMonitor(
    settings,
    harnessProgress(RESULTS, settings.maxTests)(),
    0,
    (event) => {
      if (event.kind === 'stop') stopped = true;
    },
  );
  for (const line of console.match(/[^\n]*\n/g) ?? []) {
    now += 10;
    monitor.console(Buffer.from(line), now);
    monitor.tick(now);
  }
  while (end === 'hangs' && !stopped && now < 600_000) monitor.tick((now += 100));
  const ended = monitor.exit(
    { status: end === 'hangs' ? null : end.status, stderr: '', consoleCut: false },
    now + 10,
  );
  const record = {
    kernel,
    attempt: 1,
    test: 'alarm-single',
    outcome: ended.outcome,
    stage: ended.stage,
    durationMs: ended.durationMs,
    accel: 'tcg' as const,
    log: `logs/${kernel}-alarm-single-1.log`,
    splats: ended.splats,
    exitStatus: end === 'hangs' ? null : end.status,
    ...(ended.message ? { message: ended.message } : {}),
    logTruncated: false,
    command: [],
  };
  return observe(
    {
      record,
      resultLines: ended.resultLines,
      scriptTests: ended.scriptTests,
      settle: (results) => ({ ...record, ...monitor.settle(results) }),
    },
    RESULTS,
    settings.maxTests,
  );
}

const LIMIT: TestLimit = { test: 'alarm-single', glob: 'alarm-*', ms: 5000 };

describe('a Pintos panic', () => {
  const staff = pintosBoot('staff', STAFF, { status: 99 });
  const candidate = pintosBoot('candidate', PANIC, { status: 99 });

  it('is a panic though the kernel then powers off normally through port 0x501', () => {
    expect(staff.boot).toMatchObject({ outcome: 'completed', exitStatus: 99 });
    expect(staff.tests).toEqual([expect.objectContaining({ id: 'alarm-single', status: 'pass' })]);
    expect(candidate.boot).toMatchObject({
      outcome: 'panic',
      message:
        "kernel panic: Kernel PANIC at ../../threads/thread.c:273 in thread_current(): assertion `is_thread (t)' failed.",
    });
    expect(candidate.boot.splats[0]?.fingerprint).toBe(
      "panic: ../../threads/thread.c:N in thread_current(): assertion `is_thread (t)' failed.",
    );
  });

  it('is a crash of its test, the panic line its reason, in report.json and in the Markdown', () => {
    const report = validateReport(judgedReport([staff, candidate], ['staff']));
    const [test] = report.tests;
    expect(test?.verdict).toMatchObject({ class: 'crash', failing: true });
    expect(test?.verdict.reason).toContain(
      "Kernel PANIC at ../../threads/thread.c:273 in thread_current(): assertion `is_thread (t)' failed.",
    );
    // What the test printed before the panic, against what the staff kernel printed.
    expect(test?.observations['candidate']).toEqual([
      {
        attempt: 1,
        status: 'missing',
        output: expect.arrayContaining(['(alarm-single) begin']),
      },
    ]);
    expect(test?.verdict.diff).toContain('+crash');
    expect(test?.verdict.diff).toContain(' (alarm-single) begin');
    expect(test?.verdict.diff).toContain('-(alarm-single) end');
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('**crash** · `alarm-single`');
    expect(markdown).toContain('Kernel PANIC at ../../threads/thread.c:273 in thread\\_current');
    expect(markdown).toContain('+Kernel PANIC at ../../threads/thread.c:273');
  });

  it('without the crash patterns would have been an ordinary end (the odd status is normal)', () => {
    const quiet = pintosBoot('candidate', PANIC.replace('Kernel PANIC', 'Kernel note'), {
      status: 99,
    });
    // A normal power-off before the test's result: no results, and no word of QEMU's status.
    expect(quiet.boot.outcome).toBe('no-results');
    expect(quiet.boot.message).toBe('no regex results on the console');
    // What the test printed is kept all the same, and shown against the staff kernel's.
    expect(quiet.tests).toEqual([
      {
        id: 'alarm-single',
        status: 'missing',
        output: expect.arrayContaining(['(alarm-single) begin']),
      },
    ]);
    const verdict = judgedReport([staff, quiet], ['staff']).tests[0]?.verdict;
    expect(verdict?.class).toBe('missing');
    expect(verdict?.diff).toContain('-pass\n+missing\n (alarm-single) begin');
  });
});

describe('harness.crash', () => {
  const text = `${BOOT}FATAL: out of frames\n${END}`;

  it('makes a crash of a line only the config knows', () => {
    expect(pintosBoot('candidate', text, { status: 99 }).boot.outcome).toBe('no-results');
    const crashed = pintosBoot(
      'candidate',
      text,
      { status: 99 },
      { ...PINTOS, crash: ['^FATAL: '] },
    );
    expect(crashed.boot).toMatchObject({
      outcome: 'panic',
      message: 'kernel panic: FATAL: out of frames',
    });
    const report = judgedReport([pintosBoot('staff', STAFF, { status: 99 }), crashed], ['staff']);
    expect(report.tests[0]?.verdict).toMatchObject({ class: 'crash' });
    expect(report.tests[0]?.verdict.reason).toContain('FATAL: out of frames');
  });
});

describe('a Pintos hang', () => {
  const hung = `${BOOT}(alarm-single) thread 0: duration=10, iteration=1, product=10\n`;

  it('costs the test its own time limit, not the stall timeout, and the message names the limit', () => {
    const limited = pintosBoot('candidate', hung, 'hangs', { ...PINTOS, testLimit: LIMIT });
    expect(limited.boot).toMatchObject({
      outcome: 'timeout',
      message:
        'time limit of test alarm-single: still running after 5000 ms (harness.test-timeouts: alarm-*)',
    });
    expect(limited.boot.durationMs).toBeLessThan(5300);
    // Without the limit the same kernel waits out the stall timeout.
    const unlimited = pintosBoot('candidate', hung, 'hangs');
    expect(unlimited.boot).toMatchObject({ outcome: 'stalled' });
    expect(unlimited.boot.durationMs).toBeGreaterThanOrEqual(30_000);
  });

  it('a limit longer than the total timeout stands for it', () => {
    const slow = { ...LIMIT, ms: 90_000 };
    const boot = pintosBoot('candidate', hung, 'hangs', {
      ...PINTOS,
      timeouts: { bootMs: 20_000, stallMs: 120_000, totalMs: 60_000 },
      testLimit: slow,
    });
    expect(boot.boot.message).toContain('still running after 90000 ms');
    expect(boot.boot.durationMs).toBeGreaterThanOrEqual(90_000);
  });

  it('is a hang of its test that keeps and shows what the test printed before it hung', () => {
    const report = validateReport(
      judgedReport(
        [
          pintosBoot('staff', STAFF, { status: 99 }),
          pintosBoot('candidate', hung, 'hangs', { ...PINTOS, testLimit: LIMIT }),
        ],
        ['staff'],
      ),
    );
    const [test] = report.tests;
    expect(test?.verdict.class).toBe('hang');
    expect(test?.verdict.reason).toContain('time limit of test alarm-single');
    expect(test?.observations['candidate']).toEqual([
      {
        attempt: 1,
        status: 'missing',
        output: [
          '(alarm-single) begin',
          '(alarm-single) Creating 5 threads to sleep 1 times each.',
          '(alarm-single) thread 0: duration=10, iteration=1, product=10',
        ],
      },
    ]);
    expect(test?.verdict.diff).toContain('-pass\n+hang\n');
    expect(test?.verdict.diff).toContain('-(alarm-single) end');
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('**hang** · `alarm-single`');
    expect(markdown).toContain(' (alarm-single) thread 0: duration=10, iteration=1, product=10');
  });
});
