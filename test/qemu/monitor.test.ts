import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  type BootEnd,
  BootMonitor,
  type MonitorEvent,
  type MonitorSettings,
  type QemuExit,
} from '../../src/qemu/monitor.js';
import { parseResults } from '../../src/results/index.js';
import { observe } from '../../src/results/observe.js';
import { harnessProgress } from '../../src/results/progress.js';
import type { ResultsFormat } from '../../src/model/results.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import type { ScriptStep } from '../../src/model/script.js';
import { withTokenSteps } from '../../src/model/token.js';

// Serial logs of real boots (see logs/README.md), replayed one line every STEP_MS.
const STEP_MS = 10;
const log = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/qemu/logs', name));

/** The fixture course's machine: isa-debug-exit and its own short timeouts (diverge.yml). */
const COURSE: MonitorSettings = {
  binary: '/usr/bin/qemu-system-x86_64',
  channel: 'console',
  script: [],
  timeouts: { bootMs: 10_000, stallMs: 3000, totalMs: 30_000 },
  exitDevice: { device: 'isa-debug-exit', port: 0xf4 },
  serialCapBytes: 8 * 1024 * 1024,
  maxTests: 10_000,
};

const killed: QemuExit = { status: null, stderr: '', consoleCut: false };
const exited = (status: number): QemuExit => ({ status, stderr: '', consoleCut: false });

class Boot {
  readonly events: { at: number; event: MonitorEvent }[] = [];
  readonly monitor: BootMonitor;
  now = 0;
  constructor(
    readonly settings: MonitorSettings,
    readonly format: ResultsFormat = 'ktap',
  ) {
    const progress = harnessProgress({ format, channel: settings.channel }, settings.maxTests)();
    this.monitor = new BootMonitor(settings, progress, 0, (event) =>
      this.events.push({ at: this.now, event }),
    );
  }

  /** Feeds a log one line (with its line end) at a time, STEP_MS apart. */
  replay(data: Buffer, channel: 'console' | 'results' = 'console'): this {
    for (const line of data.toString('latin1').match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      this.now += STEP_MS;
      this.monitor[channel](Buffer.from(line, 'latin1'), this.now);
    }
    return this;
  }

  /** Runs the watchdogs every 100 ms until `until` or until a stop is requested. */
  tickUntil(until: number): this {
    while (this.now < until && !this.stop()) {
      this.now = Math.min(until, this.now + 100);
      this.monitor.tick(this.now);
    }
    return this;
  }

  stop() {
    return this.events.find(({ event }) => event.kind === 'stop');
  }

  of<K extends MonitorEvent['kind']>(kind: K) {
    return this.events
      .map(({ event }) => event)
      .filter((event): event is Extract<MonitorEvent, { kind: K }> => event.kind === kind);
  }

  exit(exit: QemuExit): BootEnd {
    this.now += STEP_MS;
    return this.monitor.exit(exit, this.now);
  }

  /** The last decision, from the full parse of the results channel (as results/observe does). */
  settle(end: BootEnd) {
    const parsed = parseResults(this.format, end.resultLines);
    return this.monitor.settle({
      format: this.format,
      tests: parsed.tests.length + end.scriptTests.length,
      complete: parsed.complete,
    });
  }
}

describe('BootMonitor on recorded serial logs', () => {
  it('follows a staff kernel through its KTAP stream to stage done, ended by isa-debug-exit', () => {
    const boot = new Boot(COURSE).replay(log('course-staff.serial'));
    expect(boot.of('stage').map((e) => e.stage)).toEqual(['kernel', 'harness']);
    // Stage harness at the KTAP header, the 5th line.
    expect(
      boot.events.find(({ event }) => event.kind === 'stage' && event.stage === 'harness')?.at,
    ).toBe(5 * STEP_MS);
    expect(boot.of('result')).toHaveLength(74);
    expect(boot.of('splat')).toEqual([]);

    const end = boot.exit(exited(1)); // the kernel wrote 0 to the exit port
    expect(end).toMatchObject({ outcome: 'completed', stage: 'harness', splats: [] });
    expect(end.message).toBeUndefined();
    expect(end.durationMs).toBe(75 * STEP_MS);
    expect(boot.stop()).toBeUndefined();
    expect(boot.settle(end)).toEqual({ outcome: 'completed', stage: 'done' });
    expect(boot.of('stage').at(-1)).toEqual({ kind: 'stage', stage: 'done' });
  });

  it('calls an odd status a normal end only with isa-debug-exit', () => {
    const end = new Boot({ ...COURSE, exitDevice: undefined })
      .replay(log('course-staff.serial'))
      .exit(exited(1));
    expect(end).toMatchObject({ outcome: 'completed', message: 'QEMU exited with status 1' });
    const even = new Boot(COURSE).replay(log('course-staff.serial')).exit(exited(2));
    expect(even.message).toBe('QEMU exited with status 2');
  });

  it('stops a kernel that went quiet after its last result and still calls it done', () => {
    const boot = new Boot(COURSE).replay(log('course-staff.serial'));
    const lastOutput = boot.now;
    boot.tickUntil(lastOutput + 2000);
    expect(boot.stop()).toBeUndefined();
    boot.tickUntil(lastOutput + 10_000);
    expect(boot.stop()).toEqual({
      at: lastOutput + 2100,
      event: {
        kind: 'stop',
        outcome: 'completed',
        message:
          'results complete; the kernel went quiet without powering off, so diverge stopped it',
      },
    });
    const end = boot.exit(killed);
    expect(end.outcome).toBe('completed');
    expect(boot.settle(end)).toMatchObject({ outcome: 'completed', stage: 'done' });
  });

  it('sees a panic after ten results, gives the kernel its grace, and keeps the panic', () => {
    const boot = new Boot(COURSE).replay(log('course-panic.serial'));
    const [splat] = boot.of('splat');
    expect(splat?.splat).toMatchObject({ kind: 'panic', line: 46 });
    const panicAt = boot.events.find(({ event }) => event.kind === 'splat')?.at as number;
    boot.tickUntil(panicAt + 1900);
    expect(boot.stop()).toBeUndefined();
    boot.tickUntil(panicAt + 3000);
    expect(boot.stop()?.at).toBe(panicAt + 2000);
    expect(boot.stop()?.event).toMatchObject({ outcome: 'panic' });

    // This kernel ends QEMU itself after a panic, with status 7.
    const end = boot.exit(exited(7));
    const message = 'kernel panic: panic: alloc: out of memory (1073741824 bytes wanted)';
    expect(end).toMatchObject({ outcome: 'panic', stage: 'harness', message });
    expect(boot.settle(end)).toEqual({ outcome: 'panic', stage: 'harness', message });
  });

  it('stops a kernel that hangs in the middle of its tests after the stall timeout', () => {
    const boot = new Boot(COURSE).replay(log('course-hang.serial'));
    const lastOutput = boot.now;
    boot.tickUntil(lastOutput + 10_000);
    expect(boot.stop()).toEqual({
      at: lastOutput + 3100,
      event: { kind: 'stop', outcome: 'stalled', message: 'stall timeout: no output for 3000 ms' },
    });
    const end = boot.exit(killed);
    expect(end).toMatchObject({ outcome: 'stalled', stage: 'harness' });
    expect(boot.settle(end)).toMatchObject({ outcome: 'stalled', stage: 'harness' });
  });

  it('stops a kernel whose harness has not started by the boot timeout', () => {
    const staff = log('course-staff.serial');
    const banner = staff.subarray(0, staff.indexOf('KTAP'));
    const settings = { ...COURSE, timeouts: { bootMs: 1000, stallMs: 5000, totalMs: 30_000 } };
    const boot = new Boot(settings).replay(banner).tickUntil(5000);
    // The banner's four lines end at 40 ms; the watchdogs run every 100 ms from there.
    expect(boot.stop()).toEqual({
      at: 1040,
      event: {
        kind: 'stop',
        outcome: 'timeout',
        message: 'boot timeout: the harness had not started after 1000 ms (stage kernel)',
      },
    });
    expect(boot.exit(killed)).toMatchObject({ outcome: 'timeout', stage: 'kernel' });
  });

  it('stops a boot at the total timeout even while it prints', () => {
    const settings = { ...COURSE, timeouts: { bootMs: 100, stallMs: 5000, totalMs: 500 } };
    const boot = new Boot(settings);
    const staff = log('course-staff.serial');
    while (!boot.stop()) boot.replay(staff).tickUntil(boot.now + 100);
    expect(boot.stop()?.event).toEqual({
      kind: 'stop',
      outcome: 'timeout',
      message: 'total timeout: still running after 500 ms',
    });
  });

  it('reads results from the second serial port and the kernel messages from the console', () => {
    const staff = log('course-staff.serial');
    const boot = new Boot({ ...COURSE, channel: 'serial2' })
      .replay(staff.subarray(0, staff.indexOf('KTAP')))
      .replay(staff.subarray(staff.indexOf('KTAP')), 'results');
    expect(boot.of('result')[0]).toEqual({ kind: 'result', line: 'KTAP version 1' });
    const end = boot.exit(exited(1));
    expect(end.resultLines).toHaveLength(70);
    expect(boot.settle(end)).toEqual({ outcome: 'completed', stage: 'done' });
  });

  it('calls a boot that completed without a single test no-results', () => {
    const staff = log('course-staff.serial');
    const boot = new Boot({ ...COURSE, channel: 'serial2' }).replay(staff);
    const end = boot.exit(exited(1));
    expect(end.outcome).toBe('completed');
    expect(boot.settle(end)).toEqual({
      outcome: 'no-results',
      stage: 'kernel',
      message: 'no ktap results on the second serial port',
    });
  });

  it('stops the boot at the result past harness.max-tests and reads nothing after it', () => {
    const boot = new Boot({ ...COURSE, maxTests: 3 }).replay(
      Buffer.from('KTAP version 1\n1..1000000\nok 1 a\nok 2 b\nok 3 c\nok 4 d\nok 5 e\n'),
    );
    const message =
      'more than 3 test results (harness.max-tests): diverge read the first 3 and stopped the boot';
    expect(boot.stop()?.event).toEqual({ kind: 'stop', outcome: 'completed', message });
    const end = boot.exit(killed);
    expect(end).toMatchObject({ outcome: 'completed', message });
    expect(end.resultLines).toEqual(['KTAP version 1', '1..1000000', 'ok 1 a', 'ok 2 b', 'ok 3 c']);
  });

  it('judges nothing when console bytes may have been lost: infrastructure, whatever the kernel did', () => {
    const lost =
      'console bytes may have been lost: /tmp was full while QEMU wrote the serial output';
    const end = new Boot(COURSE).replay(log('course-staff.serial')).exit({ ...exited(1), lost });
    expect(end).toMatchObject({ outcome: 'infrastructure', message: lost, resultLines: [] });
  });

  it('notes a console log cut at its cap', () => {
    const end = new Boot(COURSE)
      .replay(log('course-staff.serial'))
      .exit({ status: 1, stderr: '', consoleCut: true });
    expect(end.message).toBe(`serial output cut at ${8 * 1024 * 1024} bytes`);
  });
});

describe('BootMonitor with a console script (recorded BusyBox shell on Linux)', () => {
  // A script-only harness: every step a test, no dummy last step, no results format.
  const steps: ScriptStep[] = [
    { expect: '/ # ', send: 'echo $((6 * 7))\n', test: 'arithmetic' },
    { expect: '/ # ', send: 'uname -s\n', test: 'uname', pass: '^Linux$' },
  ];
  const SHELL: MonitorSettings = {
    ...COURSE,
    script: steps,
    exitDevice: undefined,
    timeouts: { bootMs: 60_000, stallMs: 30_000, totalMs: 300_000 },
  };

  /** The boot as results/observe sees it, with the harness's own results settings. */
  const observed = (boot: Boot, end: BootEnd, format: ResultsFormat = 'ktap') =>
    observe(
      {
        record: {
          kernel: 'k',
          attempt: 1,
          outcome: end.outcome,
          stage: end.stage,
          durationMs: end.durationMs,
          accel: 'tcg',
          log: '/dev/null',
          splats: end.splats,
          exitStatus: null,
          logTruncated: false,
          command: [],
        },
        resultLines: end.resultLines,
        scriptTests: end.scriptTests,
        settle: (results) => ({ ...boot.monitor.settle(results) }) as never,
      },
      { format, channel: 'console' },
      boot.settings.maxTests,
    );

  it('sends each step, ends the boot after the last answer and reaches done without results', () => {
    const boot = new Boot(SHELL).replay(log('linux-shell.serial'));
    expect(boot.of('send').map((e) => e.text)).toEqual(['echo $((6 * 7))\n', 'uname -s\n']);
    expect(boot.of('finished')).toHaveLength(1);
    expect(boot.stop()?.event).toEqual({
      kind: 'stop',
      outcome: 'completed',
      message: 'console script finished',
    });
    // The harness runs from the first prompt on.
    expect(boot.of('stage').map((e) => e.stage)).toEqual(['kernel', 'harness']);

    const end = boot.exit(killed);
    expect(end).toMatchObject({ outcome: 'completed', message: 'console script finished' });
    // Each step's own output: not the echo of its command, not the prompt.
    expect(end.scriptTests).toEqual([
      { id: 'arithmetic', status: 'pass', output: ['42'] },
      { id: 'uname', status: 'pass', output: ['Linux'] },
    ]);
    const observation = observed(boot, end);
    expect(observation.boot).toEqual({
      outcome: 'completed',
      stage: 'done',
      message: 'console script finished',
    });
    expect(observation.problems).toEqual([]);
  });

  it('fails a step whose fail rule matches its own output, and only that step', () => {
    const ruled = [steps[0] as ScriptStep, { ...(steps[1] as ScriptStep), fail: 'Lin' }];
    const end = new Boot({ ...SHELL, script: ruled })
      .replay(log('linux-shell.serial'))
      .exit(killed);
    expect(end.scriptTests.map((t) => [t.id, t.status])).toEqual([
      ['arithmetic', 'pass'],
      ['uname', 'fail'],
    ]);
  });

  it('stops a step whose command does not finish in its timeout, naming that step', () => {
    const late: ScriptStep[] = [
      steps[0] as ScriptStep,
      { ...(steps[1] as ScriptStep), timeoutMs: 5000 },
      { expect: 'never printed', send: 'true\n', test: 'last' },
    ];
    const boot = new Boot({ ...SHELL, script: late }).replay(log('linux-shell.serial'));
    boot.tickUntil(boot.now + 40_000);
    const message =
      'console script step 2 (uname: "uname -s") did not finish within 5000 ms (no /never printed/ after it)';
    expect(boot.of('failed')).toEqual([{ kind: 'failed', message }]);
    expect(boot.stop()?.event).toEqual({ kind: 'stop', outcome: 'timeout', message });
    const end = boot.exit(killed);
    // The step in progress is left to the boot's outcome (a hang), like a KTAP test in progress.
    expect(end.scriptTests.map((t) => [t.id, t.status])).toEqual([
      ['arithmetic', 'pass'],
      ['uname', 'missing'],
      ['last', 'missing'],
    ]);
    expect(observed(boot, end).boot).toMatchObject({ outcome: 'timeout', stage: 'harness' });
  });

  it('names the step in progress when the boot stalls in it', () => {
    const late: ScriptStep[] = [
      steps[0] as ScriptStep,
      { ...(steps[1] as ScriptStep), send: 'sleep 100\n', test: 'sleep' },
    ];
    const boot = new Boot({ ...SHELL, script: late });
    boot.monitor.console(Buffer.from('/ # '), 10);
    boot.monitor.console(Buffer.from('echo $((6 * 7))\r\n42\r\n/ # '), 20);
    boot.now = 20;
    boot.tickUntil(40_000);
    expect(boot.stop()?.event).toEqual({
      kind: 'stop',
      outcome: 'stalled',
      message:
        'stall timeout: no output for 30000 ms during console script step 2 (sleep: "sleep 100")',
    });
    expect(boot.exit(killed).scriptTests.map((t) => [t.id, t.status])).toEqual([
      ['arithmetic', 'pass'],
      ['sleep', 'missing'],
    ]);
  });

  it('leaves a step in progress to a panic: missing, so the boot panicked during it', () => {
    const boot = new Boot(SHELL);
    boot.monitor.console(Buffer.from('/ # '), 10);
    boot.monitor.console(Buffer.from('echo $((6 * 7))\r\n'), 20);
    boot.monitor.console(
      Buffer.from('[    2.000000] Kernel panic - not syncing: Attempted to kill init!\n'),
      30,
    );
    boot.now = 30;
    boot.tickUntil(5000);
    const end = boot.exit(killed);
    expect(end.outcome).toBe('panic');
    expect(end.scriptTests.map((t) => [t.id, t.status])).toEqual([
      ['arithmetic', 'missing'],
      ['uname', 'missing'],
    ]);
  });

  it('bounds the wait for the first prompt by the boot timeout', () => {
    const boot = new Boot({
      ...SHELL,
      timeouts: { bootMs: 1000, stallMs: 30_000, totalMs: 300_000 },
    });
    boot.monitor.console(Buffer.from('Linux version 6.1\n'), 10);
    boot.tickUntil(2000);
    expect(boot.stop()?.event).toMatchObject({ outcome: 'timeout' });
    expect((boot.stop()?.event as { message: string }).message).toMatch(/^boot timeout/);
  });
});

describe('BootMonitor when QEMU itself fails', () => {
  it('reports a QEMU that cannot start', () => {
    const end = new Boot(COURSE).exit({
      status: null,
      spawnError: new Error('spawn /usr/bin/qemu-system-x86_64 ENOENT'),
      stderr: '',
      consoleCut: false,
    });
    expect(end).toMatchObject({
      outcome: 'qemu-error',
      stage: 'firmware',
      message: 'cannot start /usr/bin/qemu-system-x86_64: spawn /usr/bin/qemu-system-x86_64 ENOENT',
    });
  });

  it('reports a QEMU that refused its arguments with the end of its stderr', () => {
    const end = new Boot({ ...COURSE, exitDevice: undefined }).exit({
      status: 1,
      stderr: 'warning: one\nqemu-system-x86_64: -device foo: \u001b[1mno such device\u001b[0m\n',
      consoleCut: false,
    });
    expect(end).toMatchObject({
      outcome: 'qemu-error',
      message:
        'QEMU exited with status 1: warning: one | qemu-system-x86_64: -device foo: no such device',
    });
  });
});

describe("BootMonitor: QEMU's own end told apart from the kernel's", () => {
  const midTests = () => new Boot(COURSE).replay(log('course-hang.serial'));

  it('a signal diverge did not send is infrastructure; the same signal after a stop request is not', () => {
    const end = midTests().exit({ ...killed, signal: 'SIGKILL' });
    expect(end).toMatchObject({
      outcome: 'infrastructure',
      message: 'QEMU was killed by SIGKILL, not by diverge (the OOM killer? another process?)',
    });
    const interrupted = midTests().exit({ ...killed, signal: 'SIGKILL', signalledByDiverge: true });
    expect(interrupted).toMatchObject({
      outcome: 'infrastructure',
      message: 'diverge was interrupted and stopped QEMU',
    });
    const stopped = midTests().tickUntil(60_000);
    expect(stopped.exit({ ...killed, signal: 'SIGKILL', signalledByDiverge: true }).outcome).toBe(
      'stalled',
    );
  });

  it("QEMU's SHUTDOWN for a host signal is infrastructure, with QEMU's line", () => {
    const stderr = 'qemu-system-x86_64: terminating on signal 15 from pid 42 (kill)\n';
    expect(midTests().exit({ ...exited(0), stderr, shutdown: 'host-signal' })).toMatchObject({
      outcome: 'infrastructure',
      message:
        'QEMU was stopped by a signal, not by diverge: terminating on signal 15 from pid 42 (kill)',
    });
  });

  it('a guest reset before the results were complete is a crash; after them, an end', () => {
    expect(midTests().exit({ ...exited(0), shutdown: 'guest-reset' })).toMatchObject({
      outcome: 'panic',
      message:
        'the guest reset itself (a triple fault or a reset request) before its results were complete',
    });
    const done = new Boot(COURSE).replay(log('course-staff.serial'));
    expect(done.exit({ ...exited(0), shutdown: 'guest-reset' }).outcome).toBe('completed');
  });

  it("status 1 with QEMU's error and no console bytes is qemu-error even with isa-debug-exit; a warning is not an error", () => {
    const stderr =
      "qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory\n";
    expect(new Boot(COURSE).exit({ ...exited(1), stderr })).toMatchObject({
      outcome: 'qemu-error',
      message: `QEMU exited with status 1: ${stderr.trim()}`,
    });
    const warning = 'qemu-system-x86_64: warning: host lacks a feature\n';
    expect(new Boot(COURSE).exit({ ...exited(1), stderr: warning }).outcome).toBe('completed');
  });

  it('the stall clock starts when QEMU resumes the guest, not at the spawn', () => {
    const boot = new Boot(COURSE);
    boot.now = 2000;
    boot.monitor.resumed(2000);
    boot.tickUntil(4900);
    expect(boot.stop()).toBeUndefined();
    boot.tickUntil(10_000);
    expect(boot.stop()).toMatchObject({ at: 5100, event: { outcome: 'stalled' } });
  });

  it('a watchdog that fired on a guest QEMU never started blames QEMU', () => {
    const boot = new Boot(COURSE).tickUntil(60_000);
    expect(boot.stop()?.event).toMatchObject({ outcome: 'stalled' });
    expect(boot.exit({ ...killed, started: false })).toMatchObject({
      outcome: 'qemu-error',
      message: 'QEMU never started the guest (its machine protocol did not answer)',
    });
  });

  it('a console script whose token check went unanswered settles the boot as not-from-harness', () => {
    const token = '0123456789abcdef0123456789abcdef';
    const script = withTokenSteps(
      [{ expect: '\\$ ', send: 'echo hi\n', test: 'echo' }],
      token,
      'echo {token}\n',
    );
    const replayed = Buffer.from(
      '$ echo fedcba9876543210fedcba9876543210\nfedcba9876543210fedcba9876543210\n$ echo hi\nhi\n$ ',
    );
    const boot = new Boot({ ...COURSE, script }).replay(replayed);
    const end = boot.exit(exited(1));
    expect(end.scriptTests.map((t) => t.status)).toEqual(['pass']);
    expect(boot.settle(end)).toEqual({
      outcome: 'not-from-harness',
      stage: 'harness',
      message:
        "results not from the harness: the token check before console script step 1 was answered without this boot's token on a line of its own: a replayed log?",
    });
  });
});

describe('BootMonitor with a host-side driver (harness.driver)', () => {
  const DRIVEN: MonitorSettings = {
    ...COURSE,
    exitDevice: undefined,
    channel: 'driver',
    driver: {
      command: ['sh', 'drive.sh'],
      ready: { expect: 'httpd ready' },
      timeoutMs: 5000,
      outputCapBytes: 1024,
    },
  };
  const text = (s: string) => Buffer.from(s);

  it('says when the console matched ready.expect, once, across chunks', () => {
    const boot = new Boot(DRIVEN);
    boot.monitor.console(text('booting\nhttpd re'), 10);
    expect(boot.of('driver-ready')).toHaveLength(0);
    boot.monitor.console(text('ady on 10.0.2.15\nhttpd ready again\n'), 20);
    expect(boot.of('driver-ready')).toHaveLength(1);
  });

  it("reads the driver's stdout as results, and ends the boot a grace after the driver exits", () => {
    const boot = new Boot(DRIVEN);
    boot.monitor.console(text('httpd ready\n'), 10);
    boot.monitor.driverStarted(20);
    boot.monitor.results(text('KTAP version 1\n1..2\nok 1 a\nok 2 b\n'), 30);
    boot.now = 40;
    boot.monitor.driverExited({ status: 0 }, 40);
    boot.tickUntil(900);
    expect(boot.stop()).toBeUndefined(); // the console is watched a while longer
    boot.tickUntil(1200);
    expect(boot.stop()?.event).toMatchObject({
      kind: 'stop',
      outcome: 'completed',
      message: 'the driver exited with status 0',
    });
    const end = boot.exit(killed);
    expect(end.outcome).toBe('completed');
    expect(end.resultLines).toEqual(['KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b']);
  });

  it('a panic while the driver runs is the boot panic, and what the driver says after it is not read', () => {
    const boot = new Boot(DRIVEN);
    boot.monitor.driverStarted(10);
    boot.monitor.results(text('KTAP version 1\n1..3\nok 1 a\n'), 20);
    boot.monitor.console(text('Kernel panic - not syncing: sysrq triggered crash\n'), 30);
    boot.monitor.results(text('not ok 2 b\nnot ok 3 c\n'), 40);
    boot.monitor.driverExited({ status: 0 }, 50);
    boot.tickUntil(5000);
    const end = boot.exit(killed);
    expect(end.outcome).toBe('panic');
    expect(end.resultLines).toEqual(['KTAP version 1', '1..3', 'ok 1 a']);
  });

  it("the driver's time limit is a timeout; a driver that cannot start is the host's failure", () => {
    const late = new Boot(DRIVEN);
    late.monitor.driverStarted(10);
    late.monitor.driverExited({ status: null, signal: 'SIGKILL', timedOut: true }, 5010);
    expect(late.stop()?.event).toMatchObject({
      outcome: 'timeout',
      message: 'driver time limit: still running after 5000 ms (harness.driver.timeout)',
    });
    const missing = new Boot(DRIVEN);
    missing.monitor.driverExited({ status: null, spawnError: new Error('spawn x ENOENT') }, 10);
    expect(missing.stop()?.event).toMatchObject({
      outcome: 'infrastructure',
      message: 'cannot start the driver: spawn x ENOENT',
    });
  });

  it("the driver's stderr keeps the stall watchdog quiet, and its start ends the boot timeout", () => {
    const boot = new Boot({
      ...DRIVEN,
      timeouts: { bootMs: 1000, stallMs: 2000, totalMs: 30_000 },
    });
    boot.monitor.console(text('httpd ready\n'), 10);
    boot.monitor.driverStarted(500);
    for (let at = 1000; at <= 6000; at += 1000) {
      boot.monitor.driverActive(at);
      boot.now = at;
      boot.monitor.tick(at);
    }
    expect(boot.stop()).toBeUndefined();
    boot.tickUntil(9000);
    expect(boot.stop()?.event).toMatchObject({ outcome: 'stalled' });
  });
});
