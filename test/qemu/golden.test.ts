/**
 * Golden QEMU command lines: for every machine profile, the argv `qemuCommand` builds under each
 * variation that applies to it, compared with test/qemu/golden/<arch>-<profile>.txt.
 *
 * The golden files are checked by hand, not produced by the code under test: a change to any
 * command line fails here. To change them on purpose, run
 *   UPDATE_GOLDEN=1 npm run jest -- test/qemu/golden.test.ts
 * and review the diff of test/qemu/golden/ before committing it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { qemuCommand } from '../../src/qemu/command.js';
import {
  ARCHES,
  type KernelFormat,
  machineProfile,
  type MachineProfile,
  profilesOf,
} from '../../src/model/machines.js';
import type { BootPlan } from '../../src/qemu/plan.js';

const GOLDEN_DIR = fileURLToPath(new URL('golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const MACHINES = ARCHES.flatMap((arch) =>
  profilesOf(arch).map((profile) => machineProfile(arch, profile)),
);

type Variation = {
  name: string;
  plan: Partial<BootPlan>;
  kernelDisks?: string[];
  /** The kernel's format: the machine's first (Linux's) unless a variation says. */
  format?: KernelFormat;
};

const EXIT_F4 = { device: 'isa-debug-exit' as const, port: 0xf4 };

/** The variations of a machine: KVM and the exit device only where it has them. */
function variations({
  kvmOnX86Host: kvm,
  debugExit: exit,
  firmware,
  disks,
  bootDisk,
}: MachineProfile): Variation[] {
  return [
    { name: 'tcg', plan: {} },
    ...(kvm ? [{ name: 'kvm', plan: { accel: 'kvm' as const } }] : []),
    { name: 'serial2', plan: { channel: 'serial2' as const } },
    ...(exit ? [{ name: 'exit device', plan: { exitDevice: EXIT_F4 } }] : []),
    ...(exit
      ? [
          {
            name: 'exit device at 0x501 (Pintos, Solo5)',
            plan: { exitDevice: { device: 'isa-debug-exit' as const, port: 0x501 } },
          },
        ]
      : []),
    {
      name: 'initrd, disks, qemu-args, 2 cpus, 512 MiB',
      plan: {
        initrd: '/h/harness.cpio.gz',
        disks: [{ file: '/d/shared.img', format: 'raw' as const }],
        qemuArgs: ['-rtc', 'base=2020-01-01'],
        cpus: 2,
        memoryMiB: 512,
      },
      kernelDisks: ['/out/fs.img'],
    },
    { name: 'no command line', plan: { append: '' } },
    // Without machine.append only a Linux kernel gets Linux's command line.
    { name: 'ELF kernel, default command line', plan: {}, format: 'ELF' },
    // machine.firmware and harness.disks with interface and format (none of them by default).
    ...(firmware.none ? [{ name: 'firmware none', plan: { firmware: 'none' } }] : []),
    { name: 'firmware file', plan: { firmware: '/fw/bios.bin' } },
    {
      name: `disks on ${disks.join(', ')}, qcow2 last`,
      plan: {
        disks: disks.map((disk, i) => ({
          file: `/d/${disk}.img`,
          interface: disk,
          format: i === disks.length - 1 ? ('qcow2' as const) : ('raw' as const),
        })),
      },
    },
    // machine.boot: disk: the kernel file is the first disk, the harness's after it (xv6's
    // Makefile: xv6.img at IDE index 0, fs.img at 1); no -kernel, no -append.
    ...(bootDisk
      ? [
          {
            name: 'boot disk, fs.img on ide, a virtio disk, 2 cpus, 512 MiB',
            plan: {
              boot: 'disk' as const,
              disks: [
                { file: '/d/fs.img', interface: 'ide' as const, format: 'raw' as const },
                { file: '/d/shared.img', format: 'raw' as const },
              ],
              cpus: 2,
              memoryMiB: 512,
            },
            format: 'boot disk' as const,
          },
          {
            name: 'boot disk with append and a kernel disk (append goes in no argument)',
            plan: { boot: 'disk' as const, append: 'run alarm-single', exitDevice: EXIT_F4 },
            format: 'boot disk' as const,
            kernelDisks: ['/out/swap.dsk'],
          },
        ]
      : []),
    ...(kvm && exit
      ? [
          {
            name: 'kvm, serial2, exit device, initrd',
            plan: {
              accel: 'kvm' as const,
              channel: 'serial2' as const,
              exitDevice: EXIT_F4,
              initrd: '/h/harness.cpio.gz',
            },
          },
        ]
      : []),
  ];
}

/** An argv as lines a person can check: each option with its value; words with spaces quoted. */
function lines(argv: readonly string[]): string {
  const quoted = argv.map((arg) => (/\s|^$/.test(arg) ? JSON.stringify(arg) : arg));
  return quoted
    .map((arg, i) =>
      i > 0 && !arg.startsWith('-') && quoted[i - 1]?.startsWith('-') ? ` ${arg}` : `\n${arg}`,
    )
    .join('')
    .slice(1);
}

/** One block per variation: its name, then its command line. */
function render(machine: MachineProfile) {
  return variations(machine)
    .map(({ name, plan, kernelDisks, format = machine.kernelFormats[0] }) => {
      const argv = qemuCommand(
        {
          profile: machine,
          binary: `/usr/bin/${machine.binary}`,
          accel: 'tcg',
          memoryMiB: 256,
          cpus: 1,
          boot: 'kernel',
          qemuArgs: [],
          disks: [],
          firmware: 'default',
          channel: 'console',
          script: [],
          timeouts: { bootMs: 1000, stallMs: 1000, totalMs: 1000 },
          serialCapBytes: 1024,
          maxTests: 10_000,
          harnessProgress: () => () => 'none',
          logDir: '/tmp',
          tempDir: '/tmp',
          ...plan,
        },
        {
          path: '/k/kernel',
          ...(format && { format }),
          ...(kernelDisks && { disks: kernelDisks }),
        },
      );
      return `## ${name}\n${lines(argv)}\n`;
    })
    .join('\n');
}

const goldenFile = ({ arch, profile }: MachineProfile) =>
  path.join(GOLDEN_DIR, `${arch}-${profile}.txt`);

describe('golden QEMU command lines', () => {
  it.each(MACHINES.map((machine) => [machine.arch, machine.profile, machine] as const))(
    '%s %s',
    (_arch, _profile, machine) => {
      const actual = render(machine);
      if (UPDATE) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(goldenFile(machine), actual);
      }
      expect(existsSync(goldenFile(machine))).toBe(true);
      expect(actual).toBe(readFileSync(goldenFile(machine), 'utf8'));
    },
  );

  it('has a golden file for each machine and none for a machine that is gone', () => {
    expect(readdirSync(GOLDEN_DIR).sort()).toEqual(
      MACHINES.map((machine) => path.basename(goldenFile(machine))).sort(),
    );
  });
});
