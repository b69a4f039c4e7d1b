import type { BootPlan } from './boot.js';

/** What the command line is made of: the machine and harness parts of a boot plan. */
export type CommandPlan = Pick<
  BootPlan,
  | 'profile'
  | 'binary'
  | 'accel'
  | 'memoryMiB'
  | 'cpus'
  | 'append'
  | 'qemuArgs'
  | 'exitDevice'
  | 'initrd'
  | 'disks'
  | 'channel'
>;

/** The QEMU command line for one kernel: no network, no reboot, serial on stdio. */
export function qemuCommand(
  plan: CommandPlan,
  kernel: { path: string; disks?: readonly string[] },
): string[] {
  const args = [
    plan.binary,
    ...['-M', plan.profile.machine, '-accel', plan.accel],
    ...(plan.accel === 'kvm'
      ? ['-cpu', 'host']
      : plan.profile.tcgCpu
        ? ['-cpu', plan.profile.tcgCpu]
        : []),
    ...['-m', String(plan.memoryMiB), '-smp', String(plan.cpus)],
    ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-nic', 'none'],
    ...['-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console'],
    ...(plan.profile.firmware ? ['-bios', plan.profile.firmware] : []),
  ];
  if (plan.channel === 'serial2') {
    // fd 3 is a socket the runner reads, so the results channel is capped like the console.
    args.push('-chardev', 'socket,id=results,fd=3');
    if (plan.profile.serial2.host === 'isa-serial') args.push('-serial', 'chardev:results');
    else args.push('-device', 'virtio-serial-device', '-device', 'virtconsole,chardev=results');
  }
  if (plan.exitDevice) args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04');
  args.push('-kernel', kernel.path);
  if (plan.initrd) args.push('-initrd', plan.initrd);
  if (plan.append) args.push('-append', plan.append);
  [...plan.disks, ...(kernel.disks ?? [])].forEach((disk, i) => {
    // snapshot=on: every kernel starts from the same disk contents.
    args.push('-drive', `file=${disk},format=raw,if=virtio,snapshot=on,index=${i}`);
  });
  args.push(...plan.qemuArgs);
  return args;
}
