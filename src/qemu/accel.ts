import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch as hostArch } from 'node:os';
import path from 'node:path';
import { access, constants } from 'node:fs/promises';
import { PROBE_BANNER, PROBE_EXIT_STATUS, probeKernel } from './probe-kernel.js';
import { archMachines, type MachineProfile } from '../model/machines.js';
import { findQemu, tiedLauncher } from './binary.js';
import { isFileSystemError, writeAtomically } from '../util/atomic.js';
import type { AccelRequest, Accel } from '../model/boot.js';

export interface AccelChoice {
  accel: Accel;
  /** Why this accelerator, in words for the log and the report. */
  reason: string;
}

export class AccelError extends Error {}

/** KVM works or not for the host as a whole, so one x86_64 machine probes it for every guest. */
const PROBE_MACHINE = archMachines('x86_64');

/** A working KVM boots the probe in about 0.1 s; a nested or broken one is slower than TCG. */
const PROBE_DEADLINE_MS = 1000;

interface ProbeResult {
  works: boolean;
  detail: string;
}

/** What the probe needs from the run context. */
export interface KvmProbeContext {
  /** Where the result is kept for this host boot. */
  cacheFile: string;
  /** Part of the kept result's key: another build may probe differently. */
  buildId: string;
  searchPath: readonly string[];
  /** Scratch space (the run context's) for the probe kernel's private directory. */
  tempDir: string;
}

/** Boots the tiny probe kernel under KVM and says whether it finished properly and in time. */
export async function probeKvm(
  searchPath: readonly string[],
  tempDir: string,
): Promise<ProbeResult> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { works: false, detail: '/dev/kvm is missing or not accessible' };
  }
  // A private directory (mode 0700), not a guessable path in a shared /tmp, and removed after.
  const dir = await mkdtemp(path.join(tempDir, 'diverge-probe-'));
  try {
    const kernel = path.join(dir, 'probe.elf');
    await writeFile(kernel, probeKernel());
    const launcher = await tiedLauncher(searchPath);
    return await bootProbe(launcher, await findQemu(PROBE_MACHINE, searchPath), kernel);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bootProbe(
  launcher: readonly string[],
  binary: string,
  kernel: string,
): Promise<ProbeResult> {
  const args = [
    ...['-accel', 'kvm', '-nodefaults', '-display', 'none', '-no-reboot', '-m', '16'],
    ...['-serial', 'stdio', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
    ...['-kernel', kernel],
  ];
  return new Promise((resolve) => {
    const [program, ...rest] = [...launcher, binary, ...args] as [string, ...string[]];
    const child = spawn(program, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const warning = /host doesn't support requested feature[^\n]*/.exec(err)?.[0];
      if (code === PROBE_EXIT_STATUS && out.includes(PROBE_BANNER) && !warning) {
        resolve({ works: true, detail: 'KVM booted the probe kernel' });
      } else if (warning) {
        resolve({
          works: false,
          detail: `the host CPU lacks what the guest CPU model needs (${warning})`,
        });
      } else if (code === null) {
        resolve({
          works: false,
          detail: `KVM did not finish a tiny boot within ${PROBE_DEADLINE_MS} ms`,
        });
      } else {
        const said = err.trim().split('\n').at(-1) ?? '';
        resolve({
          works: false,
          detail: `QEMU with KVM exited with status ${code}${said ? `: ${said}` : ''}`,
        });
      }
    });
  });
}

/** The probe result is kept per host boot: KVM does not start or stop working in between. */
async function cachedProbe(probe: KvmProbeContext): Promise<ProbeResult> {
  let key = 'unknown';
  try {
    const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const qemu = await stat(await findQemu(PROBE_MACHINE, probe.searchPath));
    key = `${probe.buildId}:${bootId}:${qemu.size}:${qemu.mtimeMs}`;
    const cached = JSON.parse(await readFile(probe.cacheFile, 'utf8')) as ProbeResult & {
      key: string;
    };
    if (cached.key === key)
      return { works: cached.works, detail: `${cached.detail} (probed earlier this boot)` };
  } catch {
    // No or stale cache: probe below.
  }
  const result = await probeKvm(probe.searchPath, probe.tempDir);
  // Keeping the result only saves the next run a probe: a cache that cannot take it (full,
  // read-only, a directory in its place) is no fault.
  if (key !== 'unknown')
    await writeAtomically(probe.cacheFile, JSON.stringify({ key, ...result })).catch(
      (error: unknown) => {
        if (!isFileSystemError(error)) throw error;
      },
    );
  return result;
}

/** Decides KVM or TCG for a machine. `auto` takes KVM only when a real probe boot worked. */
export async function chooseAccel(
  request: AccelRequest,
  profile: MachineProfile,
  kvmProbe: KvmProbeContext,
): Promise<AccelChoice> {
  if (request === 'tcg') return { accel: 'tcg', reason: 'TCG requested by machine.accel' };
  const nativeGuest = hostArch() === 'x64' && profile.kvmOnX86Host;
  if (!nativeGuest) {
    if (request === 'kvm')
      throw new AccelError(
        `machine.accel: KVM cannot run a ${profile.arch} guest on this ${hostArch()} host`,
      );
    return { accel: 'tcg', reason: 'TCG: the guest architecture differs from the host' };
  }
  const probe = await cachedProbe(kvmProbe);
  if (probe.works) return { accel: 'kvm', reason: `KVM: ${probe.detail}` };
  if (request === 'kvm')
    throw new AccelError(`machine.accel: KVM was requested but does not work: ${probe.detail}`);
  return { accel: 'tcg', reason: `TCG: KVM probe failed: ${probe.detail}` };
}
