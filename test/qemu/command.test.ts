import { describe, expect, it } from '@jest/globals';
import { processRegistry } from '../../src/context.js';
import type { BootPlan } from '../../src/qemu/boot.js';
import { qemuCommand } from '../../src/qemu/command.js';
import { machineProfile } from '../../src/qemu/machines.js';

function plan(overrides: Partial<BootPlan> = {}): BootPlan {
  return {
    profile: machineProfile('x86_64', 'pc'),
    binary: '/usr/bin/qemu-system-x86_64',
    accel: 'tcg',
    memoryMiB: 256,
    cpus: 1,
    append: 'console=ttyS0 panic=-1',
    qemuArgs: [],
    exitDevice: false,
    disks: [],
    channel: 'console',
    script: [],
    timeouts: { bootMs: 1000, stallMs: 1000, totalMs: 1000 },
    serialCapBytes: 1024,
    harnessProgress: () => () => 'none',
    processes: processRegistry(),
    logDir: '/tmp',
    ...overrides,
  };
}

describe('qemuCommand', () => {
  it('boots with no network, no reboot, no defaults and the console on stdio', () => {
    expect(qemuCommand(plan({ initrd: '/h/harness.cpio.gz' }), { path: '/k/bzImage' })).toEqual([
      '/usr/bin/qemu-system-x86_64',
      ...['-M', 'pc', '-accel', 'tcg', '-m', '256', '-smp', '1'],
      ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-nic', 'none'],
      ...['-chardev', 'stdio,id=console,signal=off', '-serial', 'chardev:console'],
      ...[
        '-kernel',
        '/k/bzImage',
        '-initrd',
        '/h/harness.cpio.gz',
        '-append',
        'console=ttyS0 panic=-1',
      ],
    ]);
  });

  it('uses the host CPU under KVM and the profile CPU under TCG', () => {
    expect(qemuCommand(plan({ accel: 'kvm' }), { path: '/k' })).toEqual(
      expect.arrayContaining(['-cpu', 'host']),
    );
    const arm = qemuCommand(
      plan({ profile: machineProfile('aarch64', 'virt'), binary: 'qemu-system-aarch64' }),
      { path: '/k' },
    );
    expect(arm.join(' ')).toContain('-M virt -accel tcg -cpu cortex-a57');
  });

  it('gives riscv64 its OpenSBI firmware', () => {
    const riscv = qemuCommand(
      plan({ profile: machineProfile('riscv64', 'virt'), binary: 'qemu-system-riscv64' }),
      { path: '/k' },
    );
    expect(riscv.join(' ')).toContain('-bios default');
  });

  it('attaches the results channel as a second serial port or a virtio console', () => {
    const x86 = qemuCommand(plan({ channel: 'serial2' }), { path: '/k' }).join(' ');
    expect(x86).toContain('-chardev socket,id=results,fd=3 -serial chardev:results');
    const arm = qemuCommand(
      plan({ channel: 'serial2', profile: machineProfile('aarch64', 'virt') }),
      { path: '/k' },
    ).join(' ');
    expect(arm).toContain('-device virtio-serial-device -device virtconsole,chardev=results');
  });

  it('adds the exit device, shared disks as snapshots, and user arguments last', () => {
    const args = qemuCommand(
      plan({
        exitDevice: true,
        disks: ['/d/a.img', '/d/b.img'],
        qemuArgs: ['-rtc', 'base=2020-01-01'],
      }),
      { path: '/k' },
    );
    expect(args.join(' ')).toContain('-device isa-debug-exit,iobase=0xf4,iosize=0x04');
    expect(args.join(' ')).toContain(
      '-drive file=/d/a.img,format=raw,if=virtio,snapshot=on,index=0 -drive file=/d/b.img,format=raw,if=virtio,snapshot=on,index=1',
    );
    expect(args.slice(-2)).toEqual(['-rtc', 'base=2020-01-01']);
  });

  it("attaches a kernel's own disks after the shared ones", () => {
    const args = qemuCommand(plan({ disks: ['/d/shared.img'] }), {
      path: '/k',
      disks: ['/out/fs.img'],
    }).join(' ');
    expect(args).toContain(
      '-drive file=/d/shared.img,format=raw,if=virtio,snapshot=on,index=0 -drive file=/out/fs.img,format=raw,if=virtio,snapshot=on,index=1',
    );
  });
});
