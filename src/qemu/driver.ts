/**
 * The host-side driver (`harness.driver`): a command started once the guest is ready, whose
 * stdout is the boot's results channel (when `results.channel` is `driver`) and whose stderr is
 * kept as a log. It gets a scrubbed environment (model/network.ts's DRIVER_ENV, nothing of
 * diverge's own: no tokens), leads a process group of its own (whatever it starts is stopped
 * with it), dies with diverge (the launcher's parent-death signal), and in `tap` mode runs in
 * the boot's network namespace. What it writes is capped: a driver is the course's or the
 * project's code, but what it prints comes from the guest.
 */
import { spawn } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessRegistry } from '../context.js';
import { CappedLog } from '../util/capped-log.js';
import { DRIVER_ENV, DRIVER_INHERITED_ENV, type DriverSettings } from '../model/network.js';
import type { DriverExit } from './monitor.js';

/** Where the name of the boot's test goes in the driver's command. */
const TEST_WORD = '{test}';

export interface DriverStart {
  settings: DriverSettings;
  /** The launcher, and in `tap` mode the namespace's entry (nsenter), before the command. */
  prefix: readonly string[];
  /** Network entries (network.ts's networkEnv) and the boot's own: test, kernel, attempt. */
  env: Record<string, string>;
  /** What it inherits of the host's environment (the run context's driverEnv). */
  hostEnv: Readonly<Record<string, string>>;
  cwd: string;
  /** The driver's own directory (DIVERGE_OUT), made here. */
  outDir: string;
  /** Its stderr's log. */
  logPath: string;
  test?: string;
  processes: ProcessRegistry;
  /** Its stdout, as far as the cap lets it through. */
  onStdout: (kept: Buffer) => void;
  onStderr: () => void;
}

export interface RunningDriver {
  /** Resolves once the driver and its stdio have ended. */
  exited: Promise<DriverExit>;
  /** Stops the driver and everything it started (idempotent). */
  stop(): void;
}

/** Starts the driver; its time limit runs from now. */
export async function startDriver(start: DriverStart): Promise<RunningDriver> {
  const { settings } = start;
  await mkdir(start.outDir, { recursive: true });
  const env: Record<string, string> = {};
  // Only what the run context let through, and only the names drivers may inherit.
  for (const name of DRIVER_INHERITED_ENV) {
    const value = start.hostEnv[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, start.env, {
    [DRIVER_ENV.test]: start.test ?? '',
    [DRIVER_ENV.out]: start.outDir,
  });
  const command = settings.command.map((word) => word.replaceAll(TEST_WORD, start.test ?? ''));
  // The launcher execs the command, so a missing one would read as the driver's own failure.
  const missing = await unrunnable(command[0] as string, env.PATH ?? '', start.cwd);
  if (missing)
    return {
      exited: Promise.resolve({ status: null, spawnError: new Error(missing) }),
      stop: () => undefined,
    };
  const [program, ...args] = [...start.prefix, ...command] as [string, ...string[]];
  const log = new CappedLog(start.logPath, settings.outputCapBytes, 'driver stderr');
  const child = spawn(program, args, {
    cwd: start.cwd,
    env,
    detached: true, // a process group of its own, stopped as one
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  start.processes.add(child);
  let stdoutBytes = 0;
  let timedOut = false;
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, settings.timeoutMs);
  child.stdout?.on('data', (chunk: Buffer) => {
    const room = settings.outputCapBytes - stdoutBytes;
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    stdoutBytes += kept.length;
    start.onStdout(kept);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    start.onStderr();
  });
  const exited = new Promise<DriverExit>((resolve) => {
    child.on('error', (spawnError) => resolve({ status: null, spawnError }));
    child.on('close', (status, signal) => resolve({ status, signal, timedOut }));
  }).then(async (exit) => {
    clearTimeout(timer);
    start.processes.delete(child);
    // Whatever it left running in its group goes with it.
    stop();
    if (child.pid !== undefined)
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    await log.close();
    return { ...exit, timedOut };
  });
  return { exited, stop };
}

/** Why `program` cannot be run (a path relative to `cwd`, else a name on `searchPath`), if so. */
async function unrunnable(program: string, searchPath: string, cwd: string) {
  const runnable = (file: string) =>
    access(file, constants.X_OK).then(
      () => true,
      () => false,
    );
  if (program.includes('/'))
    return (await runnable(path.resolve(cwd, program)))
      ? undefined
      : `${program}: no such executable (relative to ${cwd})`;
  for (const dir of searchPath.split(path.delimiter).filter(Boolean))
    if (await runnable(path.join(dir, program))) return undefined;
  return `${program}: not found on PATH`;
}

/**
 * How long a connection must stay open to count: QEMU's user-mode network accepts on the host
 * port at once, then closes the connection when the guest refuses it.
 */
const PORT_SETTLE_MS = 300;

/**
 * The probe, as a program of its own (run in a boot's namespace with nsenter in `tap` mode):
 * exits 0 when `host:port` accepted a connection that stayed open or answered.
 */
const PORT_PROBE = `
const [host, port, settle] = process.argv.slice(-3);
const socket = require('node:net').connect({ host, port: Number(port) });
const done = (ok) => { socket.destroy(); process.exit(ok ? 0 : 1); };
socket.setTimeout(1000, () => done(false));
socket.once('connect', () => setTimeout(() => done(true), Number(settle)));
socket.once('data', () => done(true));
socket.once('end', () => done(false));
socket.once('error', () => done(false));
`;

/** Whether `host:port` accepts a connection, tried once (in a namespace when `prefix` enters one). */
export function probePort(
  host: string,
  port: number,
  prefix: readonly string[] = [],
): Promise<boolean> {
  return new Promise((resolve) => {
    const words = [...prefix, process.execPath, '-e', PORT_PROBE, host, String(port)];
    words.push(String(PORT_SETTLE_MS));
    const child = spawn(words[0] as string, words.slice(1), { stdio: 'ignore', env: {} });
    child.once('error', () => resolve(false));
    child.once('close', (status) => resolve(status === 0));
  });
}

/** Tries `probe` every `intervalMs` until it succeeds or `cancelled()`; resolves whether it did. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  cancelled: () => boolean,
  intervalMs = 200,
): Promise<boolean> {
  while (!cancelled()) {
    if (await probe()) return !cancelled();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}

/** The driver's directory and stderr log of a boot named `base` (see boot.ts's bootName). */
export function driverFiles(logDir: string, base: string): { outDir: string; logPath: string } {
  return {
    outDir: path.join(logDir, `${base}.driver`),
    logPath: path.join(logDir, `${base}.driver.log`),
  };
}
