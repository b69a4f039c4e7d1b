import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import {
  ARCHES,
  archMachines,
  bootDiskMachines,
  defaultAppend,
  LINUX_KERNEL_FORMATS,
  machineProfile,
  profilesOf,
} from '../../src/model/machines.js';

/** The problems `text` has, one a line, without the file name. */
function problemsOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^diverge\.yml:\d+: /gm, '');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe("the config's machine choices come from the machine table", () => {
  it("names exactly the table's architectures when the arch is unknown", () => {
    expect(problemsOf('machine: { arch: sparc64 }')).toBe(
      `machine.arch: expected one of ${ARCHES.join(', ')}, got "sparc64"`,
    );
  });

  it.each(ARCHES)('accepts every profile of %s, the first by default', (arch) => {
    const machine = (profile: string) =>
      parseConfig(`machine: { arch: ${arch}${profile} }`, 'd.yml').machine;
    expect(machine('').profile).toBe(profilesOf(arch)[0]);
    for (const profile of profilesOf(arch)) {
      expect(machine(`, profile: ${profile}`).profile).toBe(profile);
    }
  });

  it.each(ARCHES)("names exactly %s's profiles when the profile is unknown", (arch) => {
    expect(problemsOf(`machine: { arch: ${arch}, profile: cray }`)).toBe(
      `machine.profile: expected one of ${profilesOf(arch).join(', ')} for ${arch}, got "cray"`,
    );
  });

  it.each(ARCHES)('takes isa-debug-exit on %s only when its machines have one', (arch) => {
    const text = `machine: { arch: ${arch}, exit: isa-debug-exit }`;
    if (archMachines(arch).debugExit)
      expect(parseConfig(text, 'd.yml').machine.exit).toEqual({
        device: 'isa-debug-exit',
        port: 0xf4,
      });
    else
      expect(problemsOf(text)).toBe(
        `machine.exit: isa-debug-exit needs an x86 machine, not ${arch}`,
      );
  });

  it('takes the exit device with its port, as a YAML number or hex text', () => {
    const exit = (yaml: string) => parseConfig(`machine: { exit: ${yaml} }`, 'd.yml').machine.exit;
    expect(exit('{ device: isa-debug-exit, port: 0x501 }')).toEqual({
      device: 'isa-debug-exit',
      port: 0x501,
    });
    expect(exit('{ device: isa-debug-exit, port: "0x501" }')?.port).toBe(0x501);
    expect(exit('{ device: isa-debug-exit, port: 244 }')?.port).toBe(0xf4);
    expect(exit('{ device: isa-debug-exit }')?.port).toBe(0xf4);
    expect(problemsOf('machine: { exit: { device: isa-debug-exit, port: 0x10000 } }')).toBe(
      'machine.exit.port: expected an I/O port like 0x501, got 65536',
    );
    expect(problemsOf('machine: { exit: { device: isa-debug-exit, port: "501h" } }')).toBe(
      'machine.exit.port: expected an I/O port like 0x501, got "501h"',
    );
    expect(problemsOf('machine: { exit: [isa-debug-exit] }')).toBe(
      'machine.exit: expected isa-debug-exit or { device: isa-debug-exit, port: 0x501 }, got ["isa-debug-exit"]',
    );
  });

  it.each(ARCHES)("takes %s's least memory and refuses 1 MiB less", (arch) => {
    const { minMemoryMiB } = archMachines(arch);
    const memory = (mib: number) =>
      parseConfig(`machine: { arch: ${arch}, memory: ${mib}M }`, 'd.yml').machine.memoryMiB;
    expect(memory(minMemoryMiB)).toBe(minMemoryMiB);
    if (minMemoryMiB > 1)
      expect(problemsOf(`machine: { arch: ${arch}, memory: ${minMemoryMiB - 1}M }`)).toBe(
        `machine.memory: expected at least ${minMemoryMiB}M on ${arch}, got ${minMemoryMiB - 1}M`,
      );
  });

  it("takes Pintos' 4 MiB on i386", () => {
    expect(parseConfig('machine: { arch: i386, memory: 4M }', 'd.yml').machine.memoryMiB).toBe(4);
  });

  it.each(ARCHES)(
    "puts %s's console device and Linux quirks in a Linux kernel's default command line",
    (arch) => {
      const { console, linuxQuirks, kernelFormats } = archMachines(arch);
      const linux = kernelFormats.filter((format) => LINUX_KERNEL_FORMATS.includes(format));
      expect(linux.length).toBeGreaterThan(0);
      for (const format of linux)
        expect(defaultAppend(arch, format)).toBe(
          `console=${console} panic=-1${linuxQuirks ? ` ${linuxQuirks}` : ''}`,
        );
    },
  );

  it.each(ARCHES)('gives %s kernels of other formats no default command line', (arch) => {
    const others = archMachines(arch).kernelFormats.filter(
      (format) => !LINUX_KERNEL_FORMATS.includes(format),
    );
    expect(others).toContain('ELF');
    for (const format of others) expect(defaultAppend(arch, format)).toBe('');
  });

  it('leaves the command line to the kernel format when the config gives none', () => {
    expect(parseConfig('machine: { arch: x86_64 }', 'd.yml').machine.append).toBeUndefined();
    expect(parseConfig("machine: { append: '' }", 'd.yml').machine.append).toBe('');
  });

  it("x86 Linux skips Linux's timer check, which a loaded TCG host fails", () => {
    expect(defaultAppend('x86_64', 'bzImage')).toContain('no_timer_check');
  });
});

describe('machine.boot: disk', () => {
  const everyProfile = ARCHES.flatMap((arch) => profilesOf(arch).map((p) => [arch, p] as const));

  it('boots a disk on x86 pc and q35 only, from IDE, as their firmware does', () => {
    expect(bootDiskMachines()).toEqual(['x86_64 pc', 'x86_64 q35', 'i386 pc', 'i386 q35']);
    expect(machineProfile('i386', 'q35').bootDisk).toBe('ide');
  });

  it.each(everyProfile)('takes boot: disk on %s %s only where the table says', (arch, profile) => {
    const text = `machine: { arch: ${arch}, profile: ${profile}, boot: disk }`;
    if (machineProfile(arch, profile).bootDisk)
      expect(parseConfig(text, 'd.yml').machine.boot).toBe('disk');
    else
      expect(problemsOf(text)).toBe(
        `machine.boot: ${arch} ${profile} boots no disk (machine.boot: disk runs on x86_64 pc, x86_64 q35, i386 pc, i386 q35)`,
      );
  });

  it('boots the kernel by default', () => {
    expect(parseConfig('machine: { arch: i386 }', 'd.yml').machine.boot).toBe('kernel');
    expect(problemsOf('machine: { boot: floppy }')).toBe(
      'machine.boot: expected one of kernel, disk, got "floppy"',
    );
  });

  it('wants machine.command-line for machine.append, which -append cannot give a boot disk', () => {
    expect(problemsOf('machine: { arch: i386, boot: disk, append: "-q run alarm-single" }')).toBe(
      'machine.append: a boot disk takes no -append: with machine.boot: disk, set machine.command-line to where its kernel reads the command line (pintos), or remove machine.append',
    );
    const pintos = parseConfig(
      'machine: { arch: i386, boot: disk, command-line: pintos, append: "-q run alarm-single" }',
      'd.yml',
    ).machine;
    expect(pintos).toMatchObject({ boot: 'disk', commandLine: 'pintos' });
    // An empty append is no command line, which a boot disk has anyway.
    expect(parseConfig("machine: { boot: disk, append: '' }", 'd.yml').machine.append).toBe('');
  });

  it('takes machine.command-line only with boot: disk, and only its known places', () => {
    expect(problemsOf('machine: { command-line: pintos }')).toBe(
      'machine.command-line: only valid with machine.boot: disk (-append gives a kernel its own)',
    );
    expect(problemsOf('machine: { boot: disk, command-line: grub }')).toBe(
      'machine.command-line: expected one of pintos, got "grub"',
    );
  });

  it('refuses a harness initrd, which rides on -kernel', () => {
    expect(problemsOf('machine: { boot: disk }\nharness: { initrd: h.cpio }')).toBe(
      'harness.initrd: a boot disk loads no initrd (machine.boot: disk): give the harness as disks and a console script',
    );
  });
});
