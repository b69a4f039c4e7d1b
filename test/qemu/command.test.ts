import { describe, expect, it } from '@jest/globals';
import { processRegistry, systemClock } from '../../src/context.js';
import { bootName } from '../../src/qemu/boot.js';
import { qemuCommand } from '../../src/qemu/command.js';
import { canonicalCommand } from '../../src/results/observation-cache.js';
import { machineProfile } from '../../src/model/machines.js';
import type { BootPlan } from '../../src/qemu/plan.js';

function plan(overrides: Partial<BootPlan> = {}): BootPlan {
  return {
    profile: machineProfile('x86_64', 'pc'),
    binary: '/usr/bin/qemu-system-x86_64',
    accel: 'tcg',
    memoryMiB: 256,
    cpus: 1,
    boot: 'kernel',
    append: 'console=ttyS0 panic=-1',
    qemuArgs: [],
    token: 'none',
    tokenSend: 'echo {token}\n',
    disks: [],
    firmware: 'default',
    channel: 'console',
    script: [],
    timeouts: { bootMs: 1000, stallMs: 1000, totalMs: 1000 },
    serialCapBytes: 1024,
    maxTests: 10_000,
    harnessProgress: () => () => 'none',
    launcher: [],
    processes: processRegistry(),
    logDir: '/tmp',
    tempDir: '/tmp',
    clock: systemClock,
    ...overrides,
  };
}

describe('qemuCommand', () => {
  it('boots with no network, no reboot, no defaults, the console written to <dir>/console.out and read from the FIFO <dir>/console.in', () => {
    expect(
      qemuCommand(plan({ initrd: '/h/harness.cpio.gz' }), { path: '/k/bzImage' }, '/s'),
    ).toEqual([
      '/usr/bin/qemu-system-x86_64',
      ...['-M', 'pc', '-accel', 'tcg', '-m', '256', '-smp', '1'],
      ...['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-nic', 'none'],
      ...['-chardev', 'pipe,id=console,path=/s/console', '-serial', 'chardev:console'],
      // Paused until diverge listens on QEMU's machine protocol (qmp.ts), on fd 3.
      ...['-S', '-chardev', 'socket,id=qmp,fd=3', '-mon', 'chardev=qmp,mode=control'],
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
    expect(x86).toContain('-chardev file,id=results,path=<serial>/results -serial chardev:results');
    expect(x86).toContain('-chardev socket,id=qmp,fd=3 -mon chardev=qmp,mode=control');
    const arm = qemuCommand(
      plan({ channel: 'serial2', profile: machineProfile('aarch64', 'virt') }),
      { path: '/k' },
    ).join(' ');
    expect(arm).toContain('-device virtio-serial-device -device virtconsole,chardev=results');
  });

  it('adds the exit device, shared disks as snapshots, and user arguments last', () => {
    const args = qemuCommand(
      plan({
        exitDevice: { device: 'isa-debug-exit', port: 0xf4 },
        disks: [
          { file: '/d/a.img', format: 'raw' },
          { file: '/d/b.img', format: 'raw' },
        ],
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

  it("puts the exit device at the config's port: Pintos' and Solo5's 0x501", () => {
    const args = qemuCommand(plan({ exitDevice: { device: 'isa-debug-exit', port: 0x501 } }), {
      path: '/k',
    });
    expect(args.join(' ')).toContain('-device isa-debug-exit,iobase=0x501,iosize=0x04');
    expect(args.join(' ')).not.toContain('0xf4');
  });

  it("gives a Linux kernel Linux's command line and other kernels none, unless append says", () => {
    const bare = plan({ append: undefined });
    const appendOf = (args: string[]) =>
      args.includes('-append') ? args[args.indexOf('-append') + 1] : undefined;
    expect(appendOf(qemuCommand(bare, { path: '/k', format: 'bzImage' }))).toBe(
      'console=ttyS0 panic=-1 no_timer_check',
    );
    for (const format of ['ELF', 'multiboot'] as const)
      expect(appendOf(qemuCommand(bare, { path: '/k', format }))).toBeUndefined();
    // machine.append is what it says, whatever the kernel.
    expect(
      appendOf(qemuCommand(plan({ append: 'run x' }), { path: '/k', format: 'bzImage' })),
    ).toBe('run x');
    expect(appendOf(qemuCommand(plan({ append: '' }), { path: '/k', format: 'bzImage' }))).toBe(
      undefined,
    );
  });

  it("attaches a kernel's own disks after the shared ones", () => {
    const args = qemuCommand(plan({ disks: [{ file: '/d/shared.img', format: 'raw' }] }), {
      path: '/k',
      disks: ['/out/fs.img'],
    }).join(' ');
    expect(args).toContain(
      '-drive file=/d/shared.img,format=raw,if=virtio,snapshot=on,index=0 -drive file=/out/fs.img,format=raw,if=virtio,snapshot=on,index=1',
    );
  });

  it('attaches disks on the interface and in the format each names, as xv6 and Pintos do', () => {
    const args = qemuCommand(
      plan({
        profile: machineProfile('riscv64', 'virt'),
        disks: [
          { file: '/d/fs.img', interface: 'virtio-mmio', format: 'raw' },
          { file: '/d/swap.qcow2', interface: 'virtio-mmio', format: 'qcow2' },
          { file: '/d/pci.img', interface: 'virtio-pci', format: 'raw' },
        ],
      }),
      { path: '/k' },
    ).join(' ');
    expect(args).toContain(
      '-drive file=/d/fs.img,if=none,format=raw,id=x0,snapshot=on -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 ' +
        '-drive file=/d/swap.qcow2,if=none,format=qcow2,id=x1,snapshot=on -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1 ' +
        '-drive file=/d/pci.img,if=none,format=raw,id=x2,snapshot=on -device virtio-blk-pci,drive=x2',
    );
    const pc = qemuCommand(
      plan({
        disks: [
          { file: '/d/os.dsk', interface: 'ide', format: 'raw' },
          { file: '/d/fs.dsk', interface: 'ide', format: 'raw' },
          { file: '/d/s0', interface: 'scsi', format: 'raw' },
          { file: '/d/s1', interface: 'scsi', format: 'raw' },
        ],
      }),
      { path: '/k' },
    ).join(' ');
    expect(pc).toContain(
      '-drive file=/d/os.dsk,format=raw,if=ide,snapshot=on,index=0 -drive file=/d/fs.dsk,format=raw,if=ide,snapshot=on,index=1 ' +
        '-device virtio-scsi-pci,id=scsi0 -drive file=/d/s0,if=none,format=raw,id=x2,snapshot=on -device scsi-hd,drive=x2,bus=scsi0.0 ' +
        '-drive file=/d/s1,if=none,format=raw,id=x3,snapshot=on -device scsi-hd,drive=x3,bus=scsi0.0',
    );
  });

  it("attaches a saved VM's overlays as they are, written in place (snapshot.ts)", () => {
    const args = qemuCommand(
      plan({
        profile: machineProfile('riscv64', 'virt'),
        disks: [
          { file: '/s/disk0.qcow2', interface: 'virtio-mmio', format: 'qcow2', writable: true },
          { file: '/s/disk1.qcow2', format: 'qcow2', writable: true },
        ],
      }),
      { path: '/k' },
    ).join(' ');
    expect(args).toContain(
      '-drive file=/s/disk0.qcow2,if=none,format=qcow2,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 ' +
        '-drive file=/s/disk1.qcow2,format=qcow2,if=virtio,index=1',
    );
    expect(args).not.toContain('snapshot=on');
  });

  it('makes virtio-mmio transports modern whenever a device is on one, as xv6-riscv needs', () => {
    const modern = ['-global', 'virtio-mmio.force-legacy=false'];
    const riscv = machineProfile('riscv64', 'virt');
    const mmio = { file: '/d/fs.img', interface: 'virtio-mmio' as const, format: 'raw' as const };
    const withDisk = qemuCommand(plan({ profile: riscv, disks: [mmio] }), { path: '/k' });
    expect(withDisk.join(' ')).toContain(`${modern.join(' ')} -kernel /k`);
    expect(withDisk.filter((arg) => arg === '-global')).toHaveLength(1);
    // The virtio console of serial2 is on a virtio-mmio transport too.
    expect(qemuCommand(plan({ profile: riscv, channel: 'serial2' }), { path: '/k' })).toEqual(
      expect.arrayContaining(modern),
    );
    // Nothing on a transport, or only PCI disks: QEMU's defaults stay.
    for (const none of [
      plan({ profile: riscv }),
      plan({ profile: riscv, disks: [{ ...mmio, interface: 'virtio-pci' }] }),
      plan({ disks: [{ ...mmio, interface: undefined }], channel: 'serial2' }),
    ])
      expect(qemuCommand(none, { path: '/k' })).not.toContain('-global');
    // User arguments come last, so qemu-args can ask for legacy transports back.
    const legacy = ['-global', 'virtio-mmio.force-legacy=true'];
    expect(
      qemuCommand(plan({ profile: riscv, disks: [mmio], qemuArgs: legacy }), { path: '/k' }).slice(
        -2,
      ),
    ).toEqual(legacy);
  });

  it('boots a boot disk as the first IDE disk, the IDE disks after it counted on from it', () => {
    const fs = { file: '/d/fs.img', interface: 'ide' as const, format: 'raw' as const };
    const disk = plan({ boot: 'disk', append: 'ignored', initrd: '/h/i', disks: [fs] });
    const args = qemuCommand(disk, { path: '/k/xv6.img', format: 'boot disk' });
    expect(args.join(' ')).toContain(
      '-drive file=/k/xv6.img,format=raw,if=ide,snapshot=on,index=0 -drive file=/d/fs.img,format=raw,if=ide,snapshot=on,index=1',
    );
    for (const absent of ['-kernel', '-append', '-initrd']) expect(args).not.toContain(absent);
    // The observation cache keys a boot on its command line with files by content: booting the
    // same file as a kernel is another key.
    const files = new Map([['/k/xv6.img', 'sha256:k']]);
    const asKernel = qemuCommand(plan({ disks: [fs] }), { path: '/k/xv6.img' });
    expect(canonicalCommand(args, files)).not.toEqual(canonicalCommand(asKernel, files));
    expect(canonicalCommand(args, files)).toContain(
      'file=<sha256:k>,format=raw,if=ide,snapshot=on,index=0',
    );
  });

  it('refuses a boot disk on a machine whose firmware boots none', () => {
    const riscv = plan({ profile: machineProfile('riscv64', 'virt'), boot: 'disk' });
    expect(() => qemuCommand(riscv, { path: '/k' })).toThrow(
      'machine.boot: riscv64 virt boots no disk',
    );
  });

  it('attaches a plain disk on microvm, which has no PCI, as virtio-mmio', () => {
    const args = qemuCommand(
      plan({
        profile: machineProfile('x86_64', 'microvm'),
        disks: [{ file: '/d/shared.img', format: 'raw' }],
      }),
      { path: '/k', disks: ['/out/fs.img'] },
    ).join(' ');
    expect(args).toContain(
      '-global virtio-mmio.force-legacy=false -kernel /k -append console=ttyS0 panic=-1 ' +
        '-drive file=/d/shared.img,if=none,format=raw,id=x0,snapshot=on -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 ' +
        '-drive file=/out/fs.img,if=none,format=raw,id=x1,snapshot=on -device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1',
    );
    expect(args).not.toContain('if=virtio');
  });

  it('boots riscv64 through OpenSBI by default, without firmware for none, or a given file', () => {
    const riscv = machineProfile('riscv64', 'virt');
    const bios = (firmware: string) => {
      const args = qemuCommand(plan({ profile: riscv, firmware }), { path: '/k' });
      const at = args.indexOf('-bios');
      return at < 0 ? undefined : args[at + 1];
    };
    expect(bios('default')).toBe('default');
    expect(bios('none')).toBe('none');
    expect(bios('/fw/opensbi.bin')).toBe('/fw/opensbi.bin');
    expect(qemuCommand(plan(), { path: '/k' })).not.toContain('-bios');
    expect(() => qemuCommand(plan({ firmware: 'none' }), { path: '/k' })).toThrow(
      'machine.firmware: x86_64 cannot boot without firmware',
    );
  });
});

describe('bootName', () => {
  it('names a boot by kernel and attempt, and a per-test boot by its test too', () => {
    expect(bootName('staff', 2)).toBe('staff-2');
    expect(bootName('staff', 2, 'alarm-single')).toBe('staff-alarm-single-2');
  });
});
