import { appendWithToken } from '../model/token.js';
import {
  defaultAppend,
  type Disk,
  type DiskInterface,
  type KernelFormat,
  type MachineProfile,
} from '../model/machines.js';
import { serialFiles } from './serial-file.js';
import type { BootPlan } from './plan.js';
import { networkArgs, type NetworkPorts, nicOnVirtioMmio } from './network.js';

/** What the command line is made of: the machine and harness parts of a boot plan. */
export type CommandPlan = Pick<
  BootPlan,
  | 'profile'
  | 'binary'
  | 'accel'
  | 'memoryMiB'
  | 'cpus'
  | 'boot'
  | 'append'
  | 'qemuArgs'
  | 'exitDevice'
  | 'initrd'
  | 'disks'
  | 'channel'
  | 'firmware'
  | 'network'
>;

/**
 * The serial directory a command line names when it is not a boot's own: in the boot's identity
 * (the observation cache's key) and in the golden command lines.
 */
export const SERIAL_DIR_PLACEHOLDER = '<serial>';

/** `-bios` (or nothing) for `machine.firmware`: `default`, `none` or a file. */
function firmwareArgs(profile: MachineProfile, firmware: string): readonly string[] {
  if (firmware === 'default') return profile.firmware.default;
  if (firmware === 'none') {
    if (profile.firmware.none) return profile.firmware.none;
    throw new Error(`machine.firmware: ${profile.arch} cannot boot without firmware`);
  }
  return ['-bios', firmware];
}

/**
 * The interface a disk is attached on: its own, else QEMU's `if=virtio` (undefined here), which
 * is virtio-blk on the PCI bus; a machine without PCI virtio (microvm) takes it on its first
 * interface instead, where `if=virtio` would stop QEMU ("No 'PCI' bus found").
 */
function attachedOn(profile: MachineProfile, disk: Disk): DiskInterface | undefined {
  if (disk.interface || profile.disks.includes('virtio-pci')) return disk.interface;
  return profile.disks[0];
}

/**
 * The options that attach a disk. snapshot=on: every kernel starts from the same contents. A
 * disk without an interface keeps QEMU's `if=virtio`; the others name their device, on the bus
 * a kernel's own Makefile would use (virtio-mmio: bus N for the Nth such disk, as xv6's).
 */
function diskArgs(profile: MachineProfile, disks: readonly Disk[]): string[] {
  const args: string[] = [];
  const seen = { 'virtio-mmio': 0, ide: 0, scsi: 0 };
  disks.forEach((disk, i) => {
    const file = `file=${disk.file}`;
    const snapshot = disk.writable ? '' : ',snapshot=on';
    const detached = `${file},if=none,format=${disk.format},id=x${i}${snapshot}`;
    switch (attachedOn(profile, disk)) {
      case undefined:
        args.push('-drive', `${file},format=${disk.format},if=virtio${snapshot},index=${i}`);
        break;
      case 'virtio-pci':
        args.push('-drive', detached, '-device', `virtio-blk-pci,drive=x${i}`);
        break;
      case 'virtio-mmio':
        args.push('-drive', detached);
        args.push(
          '-device',
          `virtio-blk-device,drive=x${i},bus=virtio-mmio-bus.${seen['virtio-mmio']++}`,
        );
        break;
      case 'ide':
        args.push('-drive', `${file},format=${disk.format},if=ide${snapshot},index=${seen.ide++}`);
        break;
      case 'scsi':
        if (seen.scsi++ === 0) args.push('-device', 'virtio-scsi-pci,id=scsi0');
        args.push('-drive', detached, '-device', `scsi-hd,drive=x${i},bus=scsi0.0`);
        break;
    }
  });
  return args;
}

/** A kernel's boot disk, on the interface its machine's firmware boots (the config checked it). */
function bootDisk(profile: MachineProfile, file: string): Disk {
  if (!profile.bootDisk)
    throw new Error(`machine.boot: ${profile.arch} ${profile.profile} boots no disk`);
  return { file, interface: profile.bootDisk, format: 'raw' };
}

/**
 * QEMU's virtio-mmio transports are legacy (virtio 0.9, register version 1) unless told
 * otherwise. diverge makes them modern (virtio 1.0, version 2) whenever it attaches a device to
 * one, as xv6-riscv's Makefile does: xv6's driver finds no disk on a legacy transport, and Linux
 * drives either. A kernel that needs legacy transports gets them back with
 * `qemu-args: [-global, virtio-mmio.force-legacy=true]` (the last -global wins).
 */
const MODERN_VIRTIO_MMIO = ['-global', 'virtio-mmio.force-legacy=false'] as const;

/**
 * The descriptor of QEMU's machine protocol (qmp.ts): QEMU starts the guest paused (-S) and
 * diverge resumes it once it listens.
 */
export const QMP_FD = 3;

/**
 * The QEMU command line for one kernel: no network unless `harness.network` gives one (network.ts), no reboot, each serial port written to a
 * file of `serialDir` (see serial-file.ts), the console's input read from a FIFO there. Without
 * `machine.append` the kernel's format decides its command line (see `defaultAppend`). A boot
 * disk (`machine.boot: disk`) is the first disk, on the interface the machine's firmware boots
 * (IDE index 0 on a PC, where xv6's and Pintos's Makefiles put it), the harness's disks after
 * it; it has neither -kernel nor -append (`machine.command-line` carries the latter, see
 * boot-disk.ts).
 */
export function qemuCommand(
  plan: CommandPlan,
  kernel: { path: string; disks?: readonly string[]; format?: KernelFormat },
  serialDir = SERIAL_DIR_PLACEHOLDER,
  /** The boot's result token (model/token.ts), first on the kernel command line. */
  token?: string,
  /** The boot's network ports (network.ts); absent, placeholders stand for them. */
  ports?: NetworkPorts,
): string[] {
  const files = serialFiles(serialDir);
  const args = [
    plan.binary,
    ...['-M', plan.profile.machine, '-accel', plan.accel],
    ...(plan.accel === 'kvm'
      ? ['-cpu', 'host']
      : plan.profile.tcgCpu
        ? ['-cpu', plan.profile.tcgCpu]
        : []),
    ...['-m', String(plan.memoryMiB), '-smp', String(plan.cpus)],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'],
    ...networkArgs(plan.profile, plan.network, ports),
    ...['-chardev', `pipe,id=console,path=${files.consoleBase}`, '-serial', 'chardev:console'],
    ...['-S', '-chardev', `socket,id=qmp,fd=${QMP_FD}`, '-mon', 'chardev=qmp,mode=control'],
    ...firmwareArgs(plan.profile, plan.firmware),
  ];
  const own = (kernel.disks ?? []).map((file): Disk => ({ file, format: 'raw' }));
  const fromDisk = plan.boot === 'disk';
  const disks = [...(fromDisk ? [bootDisk(plan.profile, kernel.path)] : []), ...plan.disks, ...own];
  const serial2 = plan.channel === 'serial2' ? plan.profile.serial2.host : undefined;
  if (
    serial2 === 'virtio-console' ||
    nicOnVirtioMmio(plan.profile, plan.network) ||
    disks.some((disk) => attachedOn(plan.profile, disk) === 'virtio-mmio')
  )
    args.push(...MODERN_VIRTIO_MMIO);
  if (serial2) {
    args.push('-chardev', `file,id=results,path=${files.results}`);
    if (serial2 === 'isa-serial') args.push('-serial', 'chardev:results');
    else args.push('-device', 'virtio-serial-device', '-device', 'virtconsole,chardev=results');
  }
  if (plan.exitDevice)
    args.push(
      '-device',
      `isa-debug-exit,iobase=0x${plan.exitDevice.port.toString(16)},iosize=0x04`,
    );
  if (!fromDisk) {
    args.push('-kernel', kernel.path);
    if (plan.initrd) args.push('-initrd', plan.initrd);
    const given = plan.append ?? defaultAppend(plan.profile.arch, kernel.format);
    const append = token === undefined ? given : appendWithToken(given, token);
    if (append) args.push('-append', append);
  }
  args.push(...diskArgs(plan.profile, disks));
  args.push(...plan.qemuArgs);
  return args;
}
