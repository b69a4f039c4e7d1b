import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CappedLog } from '../util/capped-log.js';
import { ConsoleScript, type ScriptStep } from '../harness/script.js';
import type { HarnessProgress } from '../results/progress.js';
import type { TestObservation } from '../results/types.js';
import { cleanLine, ConsoleLines, ConsoleText } from './console.js';
import type { Accel } from './accel.js';
import type { MachineProfile } from './machines.js';
import { detectSplat, type Splat } from './splats.js';
import { type BootStage, laterStage, stageOfLine } from './stage.js';
import { qemuCommand } from './command.js';

export type BootOutcome =
  'completed' | 'panic' | 'timeout' | 'stalled' | 'qemu-error' | 'no-results';

/** Everything that is the same for every kernel booted with one harness on one machine. */
export interface BootPlan {
  profile: MachineProfile;
  binary: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  append: string;
  qemuArgs: readonly string[];
  exitDevice: boolean;
  initrd?: string;
  disks: readonly string[];
  channel: 'console' | 'serial2';
  script: readonly ScriptStep[];
  timeouts: { bootMs: number; stallMs: number; totalMs: number };
  serialCapBytes: number;
  /** Makes a per-boot tracker telling from result lines when the harness runs and is done. */
  harnessProgress: () => HarnessProgress;
  logDir: string;
}

export interface BootRequest {
  /** `disks`: the kernel's own disk images (extra files of its build), after the shared ones. */
  kernel: { name: string; path: string; disks?: readonly string[] };
  attempt: number;
}

/** What QEMU and the kernel did in one boot; the results are parsed from the captured lines. */
export interface BootRecord {
  kernel: string;
  attempt: number;
  outcome: BootOutcome;
  stage: BootStage;
  durationMs: number;
  accel: Accel;
  /** Serial log, as captured (raw bytes, capped). */
  log: string;
  /** Second serial port's capture when the results channel is `serial2`. */
  resultsLog?: string;
  splats: Splat[];
  exitStatus: number | null;
  /** Why the boot ended the way it did, for people: a timeout, QEMU's error, a cut log. */
  message?: string;
  logTruncated: boolean;
  command: string[];
  /** True when this boot was not run now but taken from the observation cache. */
  cached?: boolean;
}

export interface BootCapture {
  record: BootRecord;
  /** Clean lines of the results channel (the console unless `serial2`). */
  resultLines: string[];
  /** Tests observed by the console script, if there was one. */
  scriptTests: TestObservation[];
}

/** How long a panicking kernel may go on printing its trace before QEMU is stopped. */
const PANIC_GRACE_MS = 2000;
/** How long a kernel may stay quiet after its last result before diverge ends the boot itself. */
const DONE_QUIET_MS = 2000;
const STDERR_CAP = 64 * 1024;

const liveChildren = new Set<ChildProcess>();

/** Kills every QEMU this process started; the CLI calls it when it is interrupted. */
export function killAllBoots(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}
process.on('exit', killAllBoots);

/** Boots one kernel and watches it: stage, splats, console script, and the three timeouts. */
export async function bootKernel(plan: BootPlan, request: BootRequest): Promise<BootCapture> {
  await mkdir(plan.logDir, { recursive: true });
  const base = `${request.kernel.name}-${request.attempt}`;
  const logPath = path.join(plan.logDir, `${base}.log`);
  const resultsPath =
    plan.channel === 'serial2' ? path.join(plan.logDir, `${base}.results.log`) : undefined;
  const command = qemuCommand(plan, request.kernel);
  const started = Date.now();

  const consoleLog = new CappedLog(logPath, plan.serialCapBytes, 'serial output');
  const resultsLog = resultsPath
    ? new CappedLog(resultsPath, plan.serialCapBytes, 'serial output')
    : undefined;
  const consoleLines = new ConsoleLines();
  const resultsSplitter = resultsLog ? new ConsoleLines() : undefined;
  const resultLines: string[] = [];
  const splats: Splat[] = [];
  const script = new ConsoleScript(plan.script, plan.timeouts.stallMs, started);
  const scriptText = new ConsoleText();
  let lineNumber = 0;
  let stage: BootStage = 'firmware';
  let lastOutput = started;
  let stopReason: { outcome: BootOutcome; message: string } | undefined;
  let stderr = '';
  let resultsComplete = false;
  const progress = plan.harnessProgress();
  const onResultLine = (line: string) => {
    resultLines.push(line);
    const signal = progress(line);
    if (signal !== 'none') stage = laterStage(stage, 'harness');
    if (signal === 'complete') resultsComplete = true;
  };

  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe', ...(resultsLog ? ['pipe' as const] : [])],
  });
  liveChildren.add(child);
  const stop = (outcome: BootOutcome, message: string) => {
    stopReason ??= { outcome, message };
    child.kill('SIGKILL');
  };

  const onConsoleLine = (line: string) => {
    lineNumber += 1;
    stage = laterStage(stage, stageOfLine(line));
    if (plan.channel === 'console') onResultLine(line);
    const splat = detectSplat(line, lineNumber);
    if (splat) {
      splats.push(splat);
      if (splat.kind === 'panic')
        setTimeout(() => stop('panic', `kernel panic: ${splat.message}`), PANIC_GRACE_MS).unref();
    }
  };

  child.stdout?.on('data', (chunk: Buffer) => {
    lastOutput = Date.now();
    const kept = consoleLog.write(chunk);
    if (kept.length === 0) return;
    stage = laterStage(stage, 'kernel');
    consoleLines.push(kept).forEach(onConsoleLine);
    if (!script.done) {
      for (const event of script.feed(scriptText.push(kept), lastOutput)) {
        if (event.kind === 'send') child.stdin?.write(event.text);
        if (event.kind === 'finished') stop('completed', 'console script finished');
      }
      if (plan.channel === 'console' && plan.script.length > 0)
        stage = laterStage(stage, 'harness');
    }
  });
  const resultsStream = child.stdio[3] as Readable | undefined;
  resultsStream?.on('data', (chunk: Buffer) => {
    lastOutput = Date.now();
    const kept = resultsLog?.write(chunk) ?? Buffer.alloc(0);
    resultsSplitter?.push(kept).forEach(onResultLine);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8');
  });
  child.stdin?.on('error', () => undefined); // QEMU may exit before a send is written

  const watchdog = setInterval(() => {
    consoleLog.flush();
    resultsLog?.flush();
    const now = Date.now();
    if (now - started > plan.timeouts.totalMs)
      stop('timeout', `total timeout: still running after ${plan.timeouts.totalMs} ms`);
    else if (resultsComplete && now - lastOutput > DONE_QUIET_MS)
      stop(
        'completed',
        `results complete; the kernel went quiet without powering off, so diverge stopped it`,
      );
    else if (now - lastOutput > plan.timeouts.stallMs)
      stop('stalled', `stall timeout: no output for ${plan.timeouts.stallMs} ms`);
    else if (stage !== 'harness' && stage !== 'done' && now - started > plan.timeouts.bootMs)
      stop(
        'timeout',
        `boot timeout: the harness had not started after ${plan.timeouts.bootMs} ms (stage ${stage})`,
      );
    for (const event of script.tick(now))
      if (event.kind === 'failed') stop('timeout', event.message);
  }, 100);

  const { status, spawnError } = await new Promise<{ status: number | null; spawnError?: Error }>(
    (resolve) => {
      child.on('error', (error) => resolve({ status: null, spawnError: error }));
      child.on('close', (code) => resolve({ status: code }));
    },
  );
  clearInterval(watchdog);
  liveChildren.delete(child);
  consoleLines.end().forEach(onConsoleLine);
  resultsSplitter?.end().forEach(onResultLine);
  await consoleLog.close();
  await resultsLog?.close();

  const durationMs = Date.now() - started;
  const panic = splats.find((s) => s.kind === 'panic');
  const normalExit = status === 0 || (plan.exitDevice && status !== null && status % 2 === 1);
  let outcome: BootOutcome;
  let message: string | undefined;
  if (spawnError) {
    outcome = 'qemu-error';
    message = `cannot start ${command[0]}: ${spawnError.message}`;
  } else if (panic) {
    outcome = 'panic';
    message = `kernel panic: ${panic.message}`;
  } else if (stopReason) {
    ({ outcome, message } = stopReason);
  } else if (!normalExit && consoleLog.written === 0) {
    outcome = 'qemu-error';
    message = `QEMU exited with status ${status}: ${lastLines(stderr)}`;
  } else {
    outcome = 'completed';
    if (!normalExit)
      message = `QEMU exited with status ${status}${stderr ? `: ${lastLines(stderr)}` : ''}`;
  }
  const scriptTests = script.finish(outcome === 'completed');
  if (consoleLog.dropped > 0) {
    message = `${message ? `${message}; ` : ''}serial output cut at ${plan.serialCapBytes} bytes`;
  }

  return {
    record: {
      kernel: request.kernel.name,
      attempt: request.attempt,
      outcome,
      stage,
      durationMs,
      accel: plan.accel,
      log: logPath,
      ...(resultsPath ? { resultsLog: resultsPath } : {}),
      splats,
      exitStatus: status,
      ...(message ? { message } : {}),
      logTruncated: consoleLog.dropped > 0 || (resultsLog?.dropped ?? 0) > 0,
      command,
    },
    resultLines,
    scriptTests,
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).map(cleanLine).join(' | ').slice(0, 500);
}
