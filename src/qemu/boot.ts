import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { CappedLog } from '../util/capped-log.js';
import { QMP_FD, qemuCommand } from './command.js';
import { prepareBootDisk } from './boot-disk.js';
import { qmpSession, UnrestorableVm } from './qmp.js';
import { BootMonitor, type MonitorEvent, qemuErrors } from './monitor.js';
import {
  ConsoleInput,
  removeSerialDir,
  SerialFollower,
  serialDir,
  serialFile,
  serialFiles,
} from './serial-file.js';
import type { BootCapture, BootRecord } from '../model/boot.js';
import type { BootPlan } from './plan.js';
import type { KernelFormat } from '../model/machines.js';
import { withTokenSteps } from '../model/token.js';
import {
  allocatePorts,
  inNamespaceOf,
  LOOPBACK,
  networkEnv,
  type NetworkPorts,
  releasePorts,
  tapWrapper,
} from './network.js';
import { driverFiles, probePort, type RunningDriver, startDriver, waitUntil } from './driver.js';
import { DRIVER_ENV } from '../model/network.js';

export interface BootRequest {
  /**
   * `disks`: the kernel's own disk images (extra files of its build), after the shared ones;
   * `format`: the kernel file's, which decides its default command line.
   */
  kernel: { name: string; path: string; disks?: readonly string[]; format?: KernelFormat };
  attempt: number;
  /** The test of a per-test boot (`harness.tests`): the plan already carries its `{test}`. */
  test?: string;
  /**
   * How the guest starts, when not cold: `save` ends the boot at its console script's end (the
   * ready point, snapshot.ts) by saving the VM to `file`; `restore` loads a VM saved so, replays
   * the console the saving boot printed (`console`) to the log and the monitor, then resumes it;
   * `scratch`, the directory of its disks' overlay copies, is removed once the guest runs (QEMU
   * has them open by then), so that not even a diverge killed outright leaves them behind.
   */
  start?:
    { save: string; timeoutMs: number } | { restore: string; console: Buffer; scratch?: string };
}

/** A boot that saved or restored a VM: how that went (`error` when it did not). */
export interface SnapshotBoot extends BootCapture {
  snapshotError?: string;
  /** The VM was not saved because no restore would run as this boot did (qmp.ts). */
  unrestorable?: true;
}

/** `<kernel>-<attempt>`, or `<kernel>-<test>-<attempt>` for a per-test boot: unique per boot. */
export function bootName(kernel: string, attempt: number, test?: string): string {
  return test === undefined ? `${kernel}-${attempt}` : `${kernel}-${test}-${attempt}`;
}

/** How often the watchdogs run and the logs are flushed. */
const TICK_MS = 100;
const STDERR_CAP = 64 * 1024;

/**
 * Boots one kernel: spawns QEMU, follows the serial files it writes, feeds their bytes and the
 * clock to a `BootMonitor`, writes the console script's text to the console's input, stops QEMU
 * when the monitor asks, and keeps the capped logs.
 */
export async function bootKernel(plan: BootPlan, request: BootRequest): Promise<SnapshotBoot> {
  await mkdir(plan.logDir, { recursive: true });
  const dir = await serialDir(plan.tempDir);
  // The boot's own host ports (user, socket), held until its QEMU is gone.
  let ports: NetworkPorts | undefined;
  try {
    if (plan.network) ports = await allocatePorts(plan.network);
    return await bootIn(dir, plan, request, ports);
  } finally {
    releasePorts(ports);
    await removeSerialDir(dir);
  }
}

async function bootIn(
  dir: string,
  plan: BootPlan,
  request: BootRequest,
  ports: NetworkPorts | undefined,
): Promise<SnapshotBoot> {
  const base = bootName(request.kernel.name, request.attempt, request.test);
  const logPath = path.join(plan.logDir, `${base}.log`);
  const resultsPath =
    plan.channel === 'serial2' || plan.channel === 'driver'
      ? path.join(plan.logDir, `${base}.results.log`)
      : undefined;
  const kernel =
    plan.boot === 'disk'
      ? { ...request.kernel, path: await prepareBootDisk(plan, request.kernel.path, dir) }
      : request.kernel;
  // Fresh per boot and never part of the observation's identity (session/boots.ts builds that
  // command without it), or no boot would ever be cached. Only `cmdline` puts it on -append.
  const token = plan.token === 'none' ? undefined : randomBytes(16).toString('hex');
  const framed = plan.token === 'cmdline' ? token : undefined;
  const { start } = request;
  const restore = start && 'restore' in start ? start : undefined;
  const save = start && 'save' in start ? start : undefined;
  const command = [
    ...qemuCommand(plan, kernel, dir, framed, ports),
    ...(restore ? ['-incoming', 'defer'] : []),
  ];
  const files = serialFiles(dir);
  const started = plan.clock.now();

  const consoleLog = new CappedLog(logPath, plan.serialCapBytes, 'serial output');
  const resultsLog = resultsPath
    ? new CappedLog(resultsPath, plan.serialCapBytes, 'serial output')
    : undefined;
  const consoleFile = await serialFile(files.console);
  const resultsFile =
    resultsLog && plan.channel === 'serial2' ? await serialFile(files.results) : undefined;
  const input = await ConsoleInput.create(files.input);
  let stderr = '';

  // tap: QEMU starts in a network namespace of its own, made for this boot (network.ts).
  const tap = plan.network?.mode === 'tap' ? plan.tap : undefined;
  if (plan.network?.mode === 'tap' && !tap) throw new Error('tap mode without its tools');
  const wrapper = tap && plan.network ? tapWrapper(tap, plan.network) : [];
  const [program, ...args] = [...plan.launcher, ...wrapper, ...command] as [string, ...string[]];
  const child = spawn(program, args, {
    ...(plan.workDir ? { cwd: plan.workDir } : {}),
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  plan.processes.add(child);
  let snapshotError: string | undefined;
  let unrestorable = false;
  let saving: Promise<void> | undefined;
  // A restored guest reads what is typed once it runs: the replayed prompt's text waits till then.
  let typed: string[] | undefined = restore ? [] : undefined;
  const act = (event: MonitorEvent) => {
    if (event.kind === 'send') {
      if (typed) typed.push(event.text);
      else input.send(event.text);
    }
    if (event.kind === 'finished' && save)
      saving = qmp.save(save.save, save.timeoutMs).catch((error: Error) => {
        snapshotError = error.message;
        unrestorable = error instanceof UnrestorableVm;
      });
    if (event.kind === 'stop') {
      if (saving) void saving.finally(() => child.kill('SIGKILL'));
      else child.kill('SIGKILL');
    }
    if (event.kind === 'driver-ready') launching ??= launchDriver().catch(driverFailed);
  };

  // The driver (harness.driver): started once the guest is ready, stopped when QEMU ends.
  let driver: RunningDriver | undefined;
  // Its results, each handed to the monitor once the console has been read up to its arrival.
  let driverResults = Promise.resolve();
  let launching: Promise<void> | undefined;
  let qemuEnded = false;
  const driverFailed = (error: Error) =>
    monitor.driverExited({ status: null, spawnError: error }, plan.clock.now());
  const launchDriver = async () => {
    const settings = plan.driver;
    if (!settings || driver || qemuEnded || child.pid === undefined) return;
    const namespace = tap ? inNamespaceOf(tap, child.pid) : [];
    const port = settings.ready.port;
    if (port !== undefined) {
      const target =
        plan.network?.mode === 'tap'
          ? { host: plan.network.guest.split('/')[0] as string, port }
          : { host: LOOPBACK, port: ports?.forwarded.get(port) ?? port };
      const ready = await waitUntil(
        () => probePort(target.host, target.port, namespace),
        () => qemuEnded,
      );
      if (!ready || driver) return;
    }
    const files = driverFiles(plan.logDir, base);
    const stdoutLog =
      plan.channel === 'driver'
        ? undefined
        : new CappedLog(
            path.join(plan.logDir, `${base}.driver.out`),
            settings.outputCapBytes,
            'driver stdout',
          );
    driver = await startDriver({
      settings,
      prefix: [...plan.launcher, ...namespace],
      env: {
        ...networkEnv(plan.network, ports),
        [DRIVER_ENV.kernel]: request.kernel.name,
        [DRIVER_ENV.attempt]: String(request.attempt),
      },
      hostEnv: plan.driverEnv ?? {},
      cwd: plan.workDir ?? plan.tempDir,
      ...files,
      ...(request.test !== undefined && { test: request.test }),
      processes: plan.processes,
      onStdout: (kept) => {
        if (stdoutLog) stdoutLog.write(kept);
        else if (resultsLog) {
          const written = resultsLog.write(kept);
          const now = plan.clock.now();
          // The console first: a guest that panicked and took QEMU down fails the driver's test
          // in progress, and the panic QEMU printed before is what that test met (crash).
          driverResults = driverResults
            .then(() => consoleFollower.catchUp())
            .catch(() => undefined)
            .then(() => monitor.results(written, now));
        }
      },
      onStderr: () => monitor.driverActive(plan.clock.now()),
    });
    if (qemuEnded) driver.stop();
    monitor.driverStarted(plan.clock.now());
    void driver.exited.then(async (exit) => {
      await stdoutLog?.close();
      if (!qemuEnded) monitor.driverExited(exit, plan.clock.now());
    });
  };
  const script =
    plan.token === 'script' && token !== undefined
      ? withTokenSteps(plan.script, token, plan.tokenSend)
      : plan.script;
  const monitor = new BootMonitor({ ...plan, script }, plan.harnessProgress(), started, act);
  const qmp = qmpSession(child.stdio[QMP_FD] as Duplex, {
    onStarted: () => {
      monitor.resumed(plan.clock.now());
      // QEMU opened its serial files before it answered: unlinked now, they live on in the open
      // descriptors and vanish with them, even when diverge itself is killed.
      void removeSerialDir(dir);
      if (restore?.scratch) void rm(restore.scratch, { recursive: true, force: true });
      for (const text of typed ?? []) input.send(text);
      typed = undefined;
      if (plan.driver && plan.driver.ready.expect === undefined)
        launching ??= launchDriver().catch(driverFailed);
    },
    ...(restore && {
      incoming: {
        file: restore.restore,
        onFailed: (reason: string) => {
          snapshotError = reason;
          child.kill('SIGKILL');
        },
      },
    }),
  });
  if (restore) {
    // The guest is paused until QMP's `cont`, so nothing it prints can come before this.
    monitor.console(consoleLog.write(restore.console), plan.clock.now());
  }

  const consoleFollower = new SerialFollower(
    consoleFile,
    plan.tempDir,
    consoleLog,
    (kept, now) => monitor.console(kept, now),
    plan.clock,
  );
  const resultsFollower =
    resultsFile && resultsLog
      ? new SerialFollower(
          resultsFile,
          plan.tempDir,
          resultsLog,
          (kept, now) => monitor.results(kept, now),
          plan.clock,
        )
      : undefined;
  consoleFollower.start();
  resultsFollower?.start();
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8');
    // A restored boot QEMU found an error in is not judged: stop it now, it boots cold instead.
    const lines = stderr.slice(0, stderr.lastIndexOf('\n') + 1); // whole lines only
    const [error] = restore && !snapshotError ? qemuErrors(lines, plan.binary) : [];
    if (error !== undefined) {
      snapshotError = `QEMU reported an error after the restore: ${error}`;
      child.kill('SIGKILL');
    }
  });

  const watchdog = setInterval(() => {
    consoleLog.flush();
    resultsLog?.flush();
    monitor.tick(plan.clock.now());
  }, TICK_MS);

  const { status, signal, spawnError } = await new Promise<{
    status: number | null;
    signal?: NodeJS.Signals | null;
    spawnError?: Error;
  }>((resolve) => {
    child.on('error', (error) => resolve({ status: null, spawnError: error }));
    child.on('close', (code, signal) => resolve({ status: code, signal }));
  });
  clearInterval(watchdog);
  plan.processes.delete(child);
  // The driver never outlives its guest; its last results are read before the boot is judged.
  qemuEnded = true;
  await launching?.catch(() => undefined);
  if (driver) {
    driver.stop();
    await driver.exited;
  }
  await driverResults;
  await consoleFollower.finish();
  await resultsFollower?.finish();
  await input.close();
  await consoleFile.close();
  await resultsFile?.close();
  await consoleLog.close();
  await resultsLog?.close();

  // Output the guest wrote that diverge may not have (the serial files' disk was full) or could
  // not keep (the disk refused the log): the host's fault, and the boot is not judged on it.
  const lostLog = consoleLog.failure ?? resultsLog?.failure;
  const lost = lostLog
    ? `${lostLog}; the log is not kept`
    : consoleFollower.full || resultsFollower?.full
      ? `console bytes may have been lost: ${plan.tempDir} was full while QEMU wrote the serial output`
      : undefined;
  const end = monitor.exit(
    {
      status,
      signal,
      signalledByDiverge: child.killed,
      ...(qmp.shutdown ? { shutdown: qmp.shutdown } : {}),
      started: qmp.started,
      ...(spawnError ? { spawnError } : {}),
      ...(lost ? { lost } : {}),
      stderr,
      consoleCut: consoleLog.dropped > 0,
    },
    plan.clock.now(),
  );
  const record: BootRecord = {
    kernel: request.kernel.name,
    attempt: request.attempt,
    ...(request.test !== undefined ? { test: request.test } : {}),
    outcome: end.outcome,
    stage: end.stage,
    durationMs: end.durationMs,
    accel: plan.accel,
    log: logPath,
    ...(resultsPath ? { resultsLog: resultsPath } : {}),
    splats: end.splats,
    exitStatus: status,
    ...(end.message ? { message: end.message } : {}),
    logTruncated: consoleLog.dropped > 0 || (resultsLog?.dropped ?? 0) > 0,
    command,
    ...(token !== undefined ? { token } : {}),
    ...(restore && { restored: true }),
  };
  await saving;
  // The replayed console counts as output: a restore that never resumed must not read as a stall.
  if (restore && !qmp.started && snapshotError === undefined)
    snapshotError = `QEMU never resumed the restored guest${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`;
  if (save && !saving && snapshotError === undefined)
    snapshotError = `the boot ended (${end.outcome}) before its console reached the ready point`;
  return {
    record,
    resultLines: end.resultLines,
    scriptTests: end.scriptTests,
    ...(framed !== undefined ? { frameToken: framed } : {}),
    settle: (results) => ({ ...record, ...monitor.settle(results) }),
    ...(snapshotError !== undefined && { snapshotError }),
    ...(unrestorable ? { unrestorable: true as const } : {}),
  };
}
