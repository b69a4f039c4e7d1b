/**
 * Golden QEMU command lines: for every machine profile, the argv `qemuCommand` builds under each
 * variation that applies to it, compared with test/qemu/golden/<arch>-<profile>.txt.
 *
 * The golden files are checked by hand, not produced by the code under test: a change to any
 * command line fails here. To change them on purpose, run
 *   UPDATE_GOLDEN=1 npm run jest -- test/qemu/golden.test.ts
 * and review the diff of test/qemu/golden/ before committing it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import type { BootPlan } from '../../src/qemu/boot.js';
import { qemuCommand } from '../../src/qemu/command.js';
import { type Arch, machineProfile } from '../../src/qemu/profiles.js';

const GOLDEN_DIR = fileURLToPath(new URL('golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const PROFILES: [Arch, string, { kvm: boolean; exit: boolean; console: string }][] = [
  ['x86_64', 'pc', { kvm: true, exit: true, console: 'ttyS0' }],
  ['x86_64', 'q35', { kvm: true, exit: true, console: 'ttyS0' }],
  ['x86_64', 'microvm', { kvm: true, exit: true, console: 'ttyS0' }],
  ['i386', 'pc', { kvm: true, exit: true, console: 'ttyS0' }],
  ['i386', 'q35', { kvm: true, exit: true, console: 'ttyS0' }],
  ['aarch64', 'virt', { kvm: false, exit: false, console: 'ttyAMA0' }],
  ['riscv64', 'virt', { kvm: false, exit: false, console: 'ttyS0' }],
];

type Variation = { name: string; plan: Partial<BootPlan>; kernelDisks?: string[] };

/** The variations of a profile: KVM and the exit device only where the machine has them. */
function variations(kvm: boolean, exit: boolean): Variation[] {
  return [
    { name: 'tcg', plan: {} },
    ...(kvm ? [{ name: 'kvm', plan: { accel: 'kvm' as const } }] : []),
    { name: 'serial2', plan: { channel: 'serial2' as const } },
    ...(exit ? [{ name: 'exit device', plan: { exitDevice: true } }] : []),
    {
      name: 'initrd, disks, qemu-args, 2 cpus, 512 MiB',
      plan: {
        initrd: '/h/harness.cpio.gz',
        disks: ['/d/shared.img'],
        qemuArgs: ['-rtc', 'base=2020-01-01'],
        cpus: 2,
        memoryMiB: 512,
      },
      kernelDisks: ['/out/fs.img'],
    },
    { name: 'no command line', plan: { append: '' } },
    ...(kvm && exit
      ? [
          {
            name: 'kvm, serial2, exit device, initrd',
            plan: {
              accel: 'kvm' as const,
              channel: 'serial2' as const,
              exitDevice: true,
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
function render(arch: Arch, profile: string, consoleDevice: string, kvm: boolean, exit: boolean) {
  const machine = machineProfile(arch, profile);
  return variations(kvm, exit)
    .map(({ name, plan, kernelDisks }) => {
      const argv = qemuCommand(
        {
          profile: machine,
          binary: `/usr/bin/${machine.binary}`,
          accel: 'tcg',
          memoryMiB: 256,
          cpus: 1,
          append: `console=${consoleDevice} panic=-1`,
          qemuArgs: [],
          exitDevice: false,
          disks: [],
          channel: 'console',
          script: [],
          timeouts: { bootMs: 1000, stallMs: 1000, totalMs: 1000 },
          serialCapBytes: 1024,
          harnessProgress: () => () => 'none',
          logDir: '/tmp',
          ...plan,
        },
        { path: '/k/kernel', ...(kernelDisks && { disks: kernelDisks }) },
      );
      return `## ${name}\n${lines(argv)}\n`;
    })
    .join('\n');
}

describe('golden QEMU command lines', () => {
  it.each(PROFILES)('%s %s', (arch, profile, { kvm, exit, console: consoleDevice }) => {
    const file = path.join(GOLDEN_DIR, `${arch}-${profile}.txt`);
    const actual = render(arch, profile, consoleDevice, kvm, exit);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
    }
    expect(existsSync(file)).toBe(true);
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});
