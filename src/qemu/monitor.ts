/**
 * The boot monitor: follows one boot from what QEMU printed and when, and decides how it went.
 * It does no I/O and reads no clock: the driver (boot.ts) feeds it output chunks, clock ticks
 * and QEMU's exit, and acts on the events it emits (console script text to send, a request to
 * stop QEMU). Stage and outcome are decided here and nowhere else.
 */
import path from 'node:path';
import { ConsoleScript } from './script.js';
import { cleanLine, ConsoleLines, ConsoleText } from '../util/console.js';
import { detectSplat } from './splats.js';
import { type BootStage, laterStage, stageOfLine } from '../model/stage.js';
import {
  type BootOutcome,
  type HarnessProgress,
  isInfrastructureOutcome,
  type ResultsSummary,
  type Splat,
} from '../model/boot.js';
import type { ScriptStep, ScriptTest, ScriptEvent } from '../model/script.js';
import type { ExitDevice } from '../model/machines.js';
import { compileCrashPatterns } from './crash-patterns.js';
import { consolePattern } from '../model/patterns.js';
import { DRIVER_GRACE_MS, type DriverSettings } from '../model/network.js';

/** How long a panicking kernel may go on printing its trace before QEMU is stopped. */
export const PANIC_GRACE_MS = 2000;
/** How long a kernel may stay quiet after its last result before diverge ends the boot itself. */
export const DONE_QUIET_MS = 2000;

/** The time limit of the test a per-test boot runs, and the `harness.test-timeouts` glob that set it. */
export interface TestLimit {
  test: string;
  glob: string;
  ms: number;
}

/** What the monitor takes from the boot plan. */
export interface MonitorSettings {
  /** The QEMU program, named when it cannot start. */
  binary: string;
  /** Where results come from: the console, the second serial port, or the driver's stdout. */
  channel: 'console' | 'serial2' | 'driver';
  script: readonly ScriptStep[];
  timeouts: { bootMs: number; stallMs: number; totalMs: number };
  /**
   * A per-test boot's own time limit (`harness.test-timeouts`): it stands for `timeouts.total`,
   * and the timeout's message names it.
   */
  testLimit?: TestLimit;
  /** The kernel ends QEMU through isa-debug-exit: an odd exit status is a normal end. */
  exitDevice?: ExitDevice;
  /** `harness.crash`: patterns of crash lines besides the built-in ones (crash-patterns.ts). */
  crash?: readonly string[];
  serialCapBytes: number;
  /** `harness.max-tests`: results read per boot; the one past it ends the boot. */
  maxTests: number;
  /** `harness.driver`: the host command whose start waits for `ready.expect` (driver.ts). */
  driver?: DriverSettings;
}

/** How a driver ended, as boot.ts saw it. */
export interface DriverExit {
  status: number | null;
  signal?: NodeJS.Signals | null;
  /** It ran past `harness.driver.timeout` and was killed. */
  timedOut?: boolean;
  /** It could not be started at all. */
  spawnError?: Error;
}

/** What of the console text is kept to match `harness.driver.ready.expect` across chunks. */
const READY_TAIL = 4096;

export type MonitorEvent =
  /** The boot got further. */
  | { kind: 'stage'; stage: BootStage }
  /** A line of the results channel. */
  | { kind: 'result'; line: string }
  | { kind: 'splat'; splat: Splat }
  /** The console script's: text to write to the console, its last step seen, a step too late. */
  | ScriptEvent
  /** The first reason to end the boot (panic, script finished, quiet, stall, timeouts): stop QEMU. */
  | { kind: 'stop'; outcome: BootOutcome; message: string }
  /** QEMU exited: the outcome as far as the boot alone tells (see `settle` for the rest). */
  | { kind: 'exit'; outcome: BootOutcome; message?: string }
  /** The console said the guest is ready for the driver (`harness.driver.ready.expect`). */
  | { kind: 'driver-ready' };

/** How QEMU ended, as the driver saw it. */
export interface QemuExit {
  status: number | null;
  /** The signal that ended QEMU, if one did. */
  signal?: NodeJS.Signals | null;
  /** Whether diverge itself signalled QEMU (a stop request, or the run interrupted). */
  signalledByDiverge?: boolean;
  /** Why QEMU shut down, as its monitor's SHUTDOWN event said (`guest-reset`, `host-signal`…). */
  shutdown?: string;
  /** Whether QEMU started the guest (see qmp.ts); absent when not known. */
  started?: boolean;
  spawnError?: Error;
  /** What QEMU wrote to stderr (its start, capped by the driver). */
  stderr: string;
  /** Whether the console log reached its cap and dropped bytes. */
  consoleCut: boolean;
  /** Why bytes the guest wrote may not all have arrived or been kept: nothing of the boot is judged. */
  lost?: string;
}

/** The boot as it stood when QEMU exited. */
export interface BootEnd {
  outcome: BootOutcome;
  stage: BootStage;
  message?: string;
  durationMs: number;
  splats: Splat[];
  resultLines: string[];
  scriptTests: ScriptTest[];
}

export class BootMonitor {
  private stage: BootStage = 'firmware';
  private readonly splats: Splat[] = [];
  private readonly resultLines: string[] = [];
  private readonly consoleLines = new ConsoleLines();
  private readonly resultsLines = new ConsoleLines();
  private readonly scriptText = new ConsoleText();
  private readonly readyConsole = new ConsoleText();
  private readonly script: ConsoleScript;
  private readonly crash: readonly RegExp[];
  private lastOutput: number;
  private consoleBytes = 0;
  private lineNumber = 0;
  private resultsComplete = false;
  private tooManyTests = false;
  private panicStop: { at: number; message: string } | undefined;
  private driverStop: { at: number; message: string } | undefined;
  private readonly ready: RegExp | undefined;
  private readyText = '';
  private readySeen = false;
  private stopRequest: { outcome: BootOutcome; message: string } | undefined;
  private end: BootEnd | undefined;

  constructor(
    private readonly settings: MonitorSettings,
    /** This boot's own tracker (it keeps count of results). */
    private readonly progress: HarnessProgress,
    private readonly started: number,
    private readonly emit: (event: MonitorEvent) => void,
  ) {
    this.lastOutput = started;
    this.script = new ConsoleScript(settings.script);
    this.crash = compileCrashPatterns(settings.crash);
    const expect = settings.driver?.ready.expect;
    this.ready = expect === undefined ? undefined : consolePattern(expect);
  }

  /** Console bytes that arrived at `now`, as far as the log kept them (none once it is full). */
  console(kept: Buffer, now: number): void {
    this.lastOutput = now;
    if (kept.length === 0) return;
    this.consoleBytes += kept.length;
    this.reach('kernel');
    for (const line of this.consoleLines.push(kept)) this.consoleLine(line, now);
    if (this.ready && !this.readySeen) {
      this.readyText = (this.readyText + this.readyConsole.push(kept)).slice(-READY_TAIL);
      if (this.ready.test(this.readyText)) {
        this.readySeen = true;
        this.emit({ kind: 'driver-ready' });
      }
    }
    if (this.script.done) return;
    for (const event of this.script.feed(this.scriptText.push(kept), now)) {
      this.emit(event);
      if (event.kind === 'finished') this.stop('completed', 'console script finished');
    }
    // On the console channel a script whose first prompt came is the harness.
    if (
      this.settings.channel === 'console' &&
      this.settings.script.length > 0 &&
      this.script.started
    )
      this.reach('harness');
  }

  /** QEMU resumed the guest (it starts paused): the stall clock starts now, not at the spawn. */
  resumed(now: number): void {
    this.lastOutput = Math.max(this.lastOutput, now);
  }

  /** Bytes of the second serial port (results channel `serial2`), as far as its log kept them. */
  results(kept: Buffer, now: number): void {
    this.lastOutput = now;
    for (const line of this.resultsLines.push(kept)) this.resultLine(line);
  }

  /** The driver started: it is the harness now (the boot timeout no longer applies). */
  driverStarted(now: number): void {
    this.lastOutput = Math.max(this.lastOutput, now);
    this.reach('harness');
  }

  /** The driver wrote to its stderr: it is alive, which the stall watchdog counts as output. */
  driverActive(now: number): void {
    this.lastOutput = now;
  }

  /**
   * The driver ended. Past its time limit the boot is a timeout (the guest did not answer in
   * time: a hang of the test in progress); a driver that could not start is the host's fault.
   * Otherwise the boot ends once the console has been watched a little longer: a panic the
   * driver saw first (a reset connection) is still the boot's.
   */
  driverExited(exit: DriverExit, now: number): void {
    const { driver } = this.settings;
    if (exit.spawnError) {
      this.stop('infrastructure', `cannot start the driver: ${exit.spawnError.message}`);
      return;
    }
    if (exit.timedOut) {
      this.stop(
        'timeout',
        `driver time limit: still running after ${driver?.timeoutMs ?? 0} ms (harness.driver.timeout)${this.during()}`,
      );
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.status}`;
    this.driverStop ??= { at: now + DRIVER_GRACE_MS, message: `the driver ${how}` };
  }

  /** The watchdogs, run periodically: panic grace, the three timeouts, quiet after the results. */
  tick(now: number): void {
    const { timeouts, testLimit } = this.settings;
    if (this.panicStop && now >= this.panicStop.at) this.stop('panic', this.panicStop.message);
    if (this.driverStop && now >= this.driverStop.at)
      this.stop('completed', this.driverStop.message);
    if (testLimit && now - this.started > testLimit.ms)
      this.stop(
        'timeout',
        `time limit of test ${testLimit.test}: still running after ${testLimit.ms} ms (harness.test-timeouts: ${testLimit.glob})${this.during()}`,
      );
    else if (!testLimit && now - this.started > timeouts.totalMs)
      this.stop(
        'timeout',
        `total timeout: still running after ${timeouts.totalMs} ms${this.during()}`,
      );
    else if (this.resultsComplete && now - this.lastOutput > DONE_QUIET_MS)
      this.stop(
        'completed',
        `results complete; the kernel went quiet without powering off, so diverge stopped it`,
      );
    else if (now - this.lastOutput > timeouts.stallMs)
      this.stop('stalled', `stall timeout: no output for ${timeouts.stallMs} ms${this.during()}`);
    else if (
      this.stage !== 'harness' &&
      this.stage !== 'done' &&
      now - this.started > timeouts.bootMs
    )
      this.stop(
        'timeout',
        `boot timeout: the harness had not started after ${timeouts.bootMs} ms (stage ${this.stage})`,
      );
    for (const event of this.script.tick(now)) {
      this.emit(event);
      if (event.kind === 'failed') this.stop('timeout', event.message);
    }
  }

  /** QEMU exited at `now`: reads the last unterminated lines and decides the outcome. */
  exit(exit: QemuExit, now: number): BootEnd {
    for (const line of this.consoleLines.end()) this.consoleLine(line, now);
    for (const line of this.resultsLines.end()) this.resultLine(line);
    const decided = this.decide(exit);
    const { outcome } = decided;
    let { message } = decided;
    // Bytes may be missing anywhere: no line of this boot is trusted.
    const scriptTests = exit.lost ? [] : this.script.finish(outcome === 'completed');
    if (exit.consoleCut)
      message = `${message ? `${message}; ` : ''}serial output cut at ${this.settings.serialCapBytes} bytes`;
    this.emit({ kind: 'exit', outcome, ...(message ? { message } : {}) });
    this.end = {
      outcome,
      stage: this.stage,
      ...(message ? { message } : {}),
      durationMs: now - this.started,
      splats: this.splats,
      resultLines: exit.lost ? [] : this.resultLines,
      scriptTests,
    };
    return this.end;
  }

  /**
   * The boot's last decision, once results/ has parsed the results channel. Two parts of it
   * need that full parse, which qemu/ leaves to results/: a boot that completed without a
   * single test is `no-results`, and a completed boot whose results stream ended as its format
   * promises, with every step of the console script seen, reached stage `done`.
   */
  settle(results: ResultsSummary): Pick<BootEnd, 'outcome' | 'stage' | 'message'> {
    if (!this.end) throw new Error('a boot is settled after QEMU exits');
    let { outcome, message } = this.end;
    // Results the harness did not report are the kernel's doing, however the boot ended; the
    // host's failures stay what they are (no judgement rests on them).
    const forged = results.notFromHarness ?? this.script.notFromHarness;
    if (forged && !isInfrastructureOutcome(outcome)) {
      message = `results not from the harness: ${forged}${message ? `; ${message}` : ''}`;
      return { outcome: 'not-from-harness', stage: this.stage, message };
    }
    if (outcome === 'completed' && results.tests === 0) {
      outcome = 'no-results';
      // Keeps why the results may be gone: a cut log, QEMU's status.
      const where = {
        console: 'console',
        serial2: 'second serial port',
        driver: "driver's stdout",
      };
      message = `no ${results.format} results on the ${where[this.settings.channel]}${message ? `; ${message}` : ''}`;
    }
    if (outcome === 'completed' && results.complete && this.script.complete) this.reach('done');
    return { outcome, stage: this.stage, ...(message ? { message } : {}) };
  }

  /** Names the console script step a watchdog stopped, if one was running. */
  private during(): string {
    const step = this.script.inProgress;
    return step ? ` during ${step}` : '';
  }

  private consoleLine(line: string, now: number): void {
    this.lineNumber += 1;
    this.reach(stageOfLine(line));
    if (this.settings.channel === 'console') this.resultLine(line);
    const splat = detectSplat(line, this.lineNumber, this.crash);
    if (!splat) return;
    this.splats.push(splat);
    this.emit({ kind: 'splat', splat });
    if (splat.kind === 'panic')
      this.panicStop ??= { at: now + PANIC_GRACE_MS, message: `kernel panic: ${splat.message}` };
  }

  private resultLine(line: string): void {
    if (this.tooManyTests) return;
    // A driver's verdicts once the kernel panicked are about a dead guest: the tests it had not
    // finished by then are the crash's (crash for the test in progress, not a failure).
    if (this.settings.channel === 'driver' && this.panicStop) return;
    const signal = this.progress(line);
    if (signal === 'too-many') {
      // Nothing past the cap is read: a hostile harness cannot fill memory or the report.
      this.tooManyTests = true;
      this.stop(
        'completed',
        `more than ${this.settings.maxTests} test results (harness.max-tests): diverge read the first ${this.settings.maxTests} and stopped the boot`,
      );
      return;
    }
    this.resultLines.push(line);
    this.emit({ kind: 'result', line });
    if (signal !== 'none') this.reach('harness');
    if (signal === 'complete') this.resultsComplete = true;
  }

  /** The one place the stage changes; it only moves forward. */
  private reach(stage: BootStage): void {
    const later = laterStage(this.stage, stage);
    if (later === this.stage) return;
    this.stage = later;
    this.emit({ kind: 'stage', stage: later });
  }

  /** Asks the driver to stop QEMU; the first reason is the one the boot keeps. */
  private stop(outcome: BootOutcome, message: string): void {
    if (this.stopRequest) return;
    this.stopRequest = { outcome, message };
    this.emit({ kind: 'stop', outcome, message });
  }

  private decide({
    status,
    signal,
    signalledByDiverge,
    shutdown,
    started,
    spawnError,
    stderr,
    lost,
  }: QemuExit): {
    outcome: BootOutcome;
    message?: string;
  } {
    if (spawnError)
      return {
        outcome: 'qemu-error',
        message: `cannot start ${this.settings.binary}: ${spawnError.message}`,
      };
    if (lost) return { outcome: 'infrastructure', message: lost };
    const panic = this.splats.find((s) => s.kind === 'panic');
    if (panic) return { outcome: 'panic', message: `kernel panic: ${panic.message}` };
    // A watchdog that fired on a guest QEMU never started blames QEMU, not the kernel.
    if (this.stopRequest && started === false && this.consoleBytes === 0)
      return {
        outcome: 'qemu-error',
        message: `QEMU never started the guest (its machine protocol did not answer)${stderr ? `: ${lastLines(stderr)}` : ''}`,
      };
    if (this.stopRequest) return this.stopRequest;
    if (signal && signalledByDiverge)
      return { outcome: 'infrastructure', message: 'diverge was interrupted and stopped QEMU' };
    if (signal)
      return {
        outcome: 'infrastructure',
        message: `QEMU was killed by ${signal}, not by diverge (the OOM killer? another process?)${this.during()}`,
      };
    if (shutdown === 'host-signal') {
      const said = /terminating on signal.*/.exec(stderr)?.[0];
      return {
        outcome: 'infrastructure',
        message: `QEMU was stopped by a signal, not by diverge${said ? `: ${cleanLine(said)}` : ''}${this.during()}`,
      };
    }
    // With -no-reboot a reset (a triple fault, a reset request) ends QEMU as a poweroff would.
    if (shutdown === 'guest-reset' && !this.resultsComplete)
      return {
        outcome: 'panic',
        message: `the guest reset itself (a triple fault or a reset request) before its results were complete${this.during()}`,
      };
    if (this.consoleBytes === 0 && qemuFailed(status, stderr, this.settings.binary))
      return {
        outcome: 'qemu-error',
        message: `QEMU exited with status ${status}: ${lastLines(stderr)}`,
      };
    const normalExit =
      status === 0 ||
      (this.settings.exitDevice !== undefined && status !== null && status % 2 === 1);
    if (normalExit) return { outcome: 'completed' };
    if (this.consoleBytes === 0)
      return {
        outcome: 'qemu-error',
        message: `QEMU exited with status ${status}: ${lastLines(stderr)}`,
      };
    return {
      outcome: 'completed',
      message: `QEMU exited with status ${status}${stderr ? `: ${lastLines(stderr)}` : ''}`,
    };
  }
}

/**
 * Whether QEMU failed on its own before the guest said anything: status 1 (which isa-debug-exit
 * can also give) with an error of QEMU's on stderr (`qemu-system-x86_64: cannot set up guest
 * memory…`), not a warning.
 */
function qemuFailed(status: number | null, stderr: string, binary: string): boolean {
  return status === 1 && qemuErrors(stderr, binary).length > 0;
}

/** The errors (not warnings) QEMU wrote to stderr: `qemu-system-x86_64: …` lines. */
export function qemuErrors(stderr: string, binary: string): string[] {
  const name = path.basename(binary);
  return stderr
    .split('\n')
    .filter((line) => line.startsWith(`${name}: `) && !line.startsWith(`${name}: warning:`))
    .map(cleanLine);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).map(cleanLine).join(' | ').slice(0, 500);
}
