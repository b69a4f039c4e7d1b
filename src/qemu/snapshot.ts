/**
 * Boot once, test many: a kernel is booted once to its harness's ready point (the first prompt
 * of its console script), the VM is saved there (QMP `migrate` of RAM and device state to a
 * file), and every per-test boot starts from that state instead of booting again (QEMU
 * `-incoming`). The disks cannot be snapshot=on then (QEMU's hidden temporary overlay is not
 * migrated): the saving boot writes to a qcow2 overlay of its own over each disk, kept with the
 * state, and each restored boot gets a fresh copy of it, so nothing a test writes reaches the next.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Disk } from '../model/machines.js';
import { bootKernel, type BootRequest, type SnapshotBoot } from './boot.js';
import type { BootPlan } from './plan.js';
import { UnrestorableVm } from './qmp.js';
import { SERIAL_PREFIX } from './serial-file.js';
import { alive } from '../util/interrupt.js';

/** Names of the temporary directories of saved and restored VMs, followed by diverge's pid. */
export const SAVED_PREFIX = 'diverge-saved-';
export const RESTORE_PREFIX = 'diverge-restore-';

/**
 * Removes what a diverge killed outright (SIGKILL: no cleanup ran) left of its boots, saved and
 * restored VMs: the directories under `tempDir` named for a process that is gone, and
 * half-written entries of the saved-VM cache `cacheDir`. Returns how many were removed.
 */
export async function sweepOrphans(tempDir: string, cacheDir?: string): Promise<number> {
  let removed = 0;
  const ownerGone = (name: string, pattern: RegExp) => {
    const pid = Number(pattern.exec(name)?.[1]);
    // A live process that is not ours counts as alive: its files are left alone.
    return pid > 0 && pid !== process.pid && !alive(pid, undefined);
  };
  const sweep = async (dir: string, pattern: RegExp) => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!ownerGone(name, pattern)) continue;
      await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
      removed++;
    }
  };
  const prefixes = [SAVED_PREFIX, RESTORE_PREFIX, SERIAL_PREFIX].join('|');
  await sweep(tempDir, new RegExp(`^(?:${prefixes})(\\d+)-`));
  if (cacheDir) await sweep(cacheDir, /^[0-9a-f]{64}\.(\d+)-[0-9a-f]+\.partial$/);
  return removed;
}

/** A VM saved at the ready point: its state file, its disks' overlays, its console so far. */
export interface SavedVm {
  state: string;
  overlays: readonly Disk[];
  console: Buffer;
}

/** How long QEMU may take to write a saved VM (RAM and devices) to its file. */
const SAVE_TIMEOUT_MS = 60_000;

type Kernel = BootRequest['kernel'];

/** Every disk of a boot, shared then the kernel's own, as qemuCommand attaches them. */
function disksOf(plan: BootPlan, kernel: Kernel): Disk[] {
  return [...plan.disks, ...(kernel.disks ?? []).map((file): Disk => ({ file, format: 'raw' }))];
}

/** The plan and kernel of a boot whose disks are `overlays` (one per disk, in order). */
function onOverlays(plan: BootPlan, kernel: Kernel, overlays: readonly Disk[]) {
  return { plan: { ...plan, disks: overlays }, kernel: { ...kernel, disks: [] } };
}

/** `qemu-img`, beside the QEMU binary when it has a directory, else from PATH. */
function qemuImg(binary: string): string {
  return path.dirname(binary) === '.' ? 'qemu-img' : path.join(path.dirname(binary), 'qemu-img');
}

/**
 * Boots `kernel` to the ready point, `plan.script[0].expect`, and saves the VM under `dir`.
 * `plan` is the kernel's plan without a test; the saving boot's console log is kept in `dir`.
 * Throws with the reason when the VM could not be saved (a device without migration support,
 * a boot that never reached the prompt): the caller boots cold.
 */
export async function saveReadyVm(
  plan: BootPlan,
  kernel: Kernel,
  dir: string,
): Promise<{ saved: SavedVm; capture: SnapshotBoot }> {
  const first = plan.script[0];
  if (!first) throw new Error('no console script: no ready point');
  await mkdir(dir, { recursive: true });
  const overlays: Disk[] = [];
  for (const [i, disk] of disksOf(plan, kernel).entries()) {
    const file = path.join(dir, `disk${i}.qcow2`);
    const base = path.resolve(plan.workDir ?? '.', disk.file);
    await promisify(execFile)(qemuImg(plan.binary), [
      ...['create', '-q', '-f', 'qcow2', '-F', disk.format, '-b', base, file],
    ]);
    overlays.push({ ...disk, file, format: 'qcow2', writable: true });
  }
  const state = path.join(dir, 'vm.state');
  const onDisk = onOverlays(plan, kernel, overlays);
  // Only the prompt is awaited: the script ends there, and the boot ends by saving the VM.
  const savingPlan = { ...onDisk.plan, script: [{ expect: first.expect }], logDir: dir };
  const capture = await bootKernel(savingPlan, {
    kernel: onDisk.kernel,
    attempt: 1,
    start: { save: state, timeoutMs: SAVE_TIMEOUT_MS },
  });
  if (capture.snapshotError !== undefined)
    throw capture.unrestorable
      ? new UnrestorableVm(capture.snapshotError)
      : new Error(capture.snapshotError);
  const console = await readFile(capture.record.log);
  return { saved: { state, overlays, console }, capture };
}

/**
 * Boots `request` from `saved`: fresh copies of the saved overlays in a directory of its own
 * (removed after the boot), the saved console replayed, the guest resumed at the ready point.
 */
export async function restoreBoot(
  plan: BootPlan,
  request: BootRequest,
  saved: SavedVm,
): Promise<SnapshotBoot> {
  const dir = await mkdtemp(path.join(plan.tempDir, `${RESTORE_PREFIX}${process.pid}-`));
  try {
    const overlays: Disk[] = [];
    const bases = disksOf(plan, request.kernel);
    if (bases.length !== saved.overlays.length)
      throw new Error(
        `the saved VM has ${saved.overlays.length} disk(s), the boot ${bases.length}`,
      );
    for (const [i, disk] of saved.overlays.entries()) {
      const file = path.join(dir, `disk${i}.qcow2`);
      await copyFile(disk.file, file);
      // The overlay names its base by the path it had when the VM was saved, maybe by another
      // run (saved-vm-cache.ts): it is pointed at this boot's disk, whose content is the same
      // (the saved VM's key holds it). `-u`: only the overlay's header is rewritten.
      const base = bases[i] as Disk;
      await promisify(execFile)(qemuImg(plan.binary), [
        ...['rebase', '-q', '-u', '-f', 'qcow2', '-F', base.format],
        ...['-b', path.resolve(plan.workDir ?? '.', base.file), file],
      ]);
      overlays.push({ ...disk, file });
    }
    const onDisk = onOverlays(plan, request.kernel, overlays);
    return await bootKernel(onDisk.plan, {
      ...request,
      kernel: onDisk.kernel,
      start: { restore: saved.state, console: saved.console, scratch: dir },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
