import { execFile } from 'node:child_process';
import { arch as hostArch } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { chooseAccel } from '../../src/qemu/accel.js';
import { findQemu } from '../../src/qemu/binary.js';
import { ARCHES, machineProfile, profilesOf } from '../../src/model/machines.js';
import { networkArgs } from '../../src/qemu/network.js';

/** A probe context that must never be used: these guests are refused before any probe. */
const noProbe = {
  cacheFile: '/nonexistent/kvm-probe.json',
  buildId: 'test',
  searchPath: [],
  tempDir: '/nonexistent',
};

describe('the machine table', () => {
  it('has these architectures and profiles, the default first', () => {
    expect(Object.fromEntries(ARCHES.map((arch) => [arch, profilesOf(arch)]))).toEqual({
      x86_64: ['pc', 'q35', 'microvm'],
      i386: ['pc', 'q35'],
      aarch64: ['virt'],
      riscv64: ['virt'],
    });
  });

  it('rejects a profile the architecture does not have, naming the ones it has', () => {
    expect(() => machineProfile('aarch64', 'q35')).toThrow(
      'machine.profile: aarch64 has no profile "q35" (expected one of virt)',
    );
    expect(() => machineProfile('x86_64', 'toString')).toThrow(
      'machine.profile: x86_64 has no profile "toString" (expected one of pc, q35, microvm)',
    );
  });

  it.each([
    ['x86_64', 'qemu-system-x86_64', 'qemu-system-x86'],
    ['i386', 'qemu-system-i386', 'qemu-system-x86'],
    ['aarch64', 'qemu-system-aarch64', 'qemu-system-arm'],
    ['riscv64', 'qemu-system-riscv64', 'qemu-system-misc'],
  ] as const)('names the Debian package of a missing %s QEMU', async (arch, binary, pkg) => {
    await expect(findQemu(machineProfile(arch, profilesOf(arch)[0]), [])).rejects.toThrow(
      `${binary} not found on PATH: install the Debian package ${pkg} (apt-get install ${pkg})`,
    );
  });

  it.each(['aarch64', 'riscv64'] as const)(
    'refuses KVM for a %s guest without probing, naming the architecture',
    async (arch) => {
      await expect(chooseAccel('kvm', machineProfile(arch, 'virt'), noProbe)).rejects.toThrow(
        `machine.accel: KVM cannot run a ${arch} guest on this ${hostArch()} host`,
      );
      await expect(chooseAccel('auto', machineProfile(arch, 'virt'), noProbe)).resolves.toEqual({
        accel: 'tcg',
        reason: 'TCG: the guest architecture differs from the host',
      });
    },
  );
});

describe("the machine table's NICs", () => {
  it('are devices the machine really takes: QEMU starts with each, on each profile', async () => {
    const started = await Promise.all(
      ARCHES.flatMap((arch) =>
        profilesOf(arch).flatMap((profile) => {
          const machine = machineProfile(arch, profile);
          return machine.nics.map(async (nic) => {
            const args = [
              ...['-M', machine.machine, '-accel', 'tcg', '-nodefaults', '-display', 'none'],
              ...['-S', '-monitor', 'none', '-global', 'virtio-mmio.force-legacy=false'],
              ...networkArgs(machine, {
                mode: 'user',
                nic,
                mac: '52:54:00:12:34:56',
                forward: [],
                guest: '10.0.2.15/24',
                host: '10.0.2.2/24',
              }),
            ];
            // Still running after a second and a half: QEMU took the device (it exits at once
            // on one the machine has not).
            const status = await new Promise<number | null>((resolve) => {
              execFile('timeout', ['1.5', machine.binary, ...args], (error) =>
                resolve(error ? ((error as { code?: number }).code ?? null) : 0),
              );
            });
            return `${arch} ${profile} ${nic}: ${status === 124 ? 'started' : `exit ${status}`}`;
          });
        }),
      ),
    );
    expect(started.filter((line) => !line.endsWith('started'))).toEqual([]);
    expect(started.length).toBeGreaterThanOrEqual(12);
  }, 60_000);
});
