import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { grantKvm, installQemu, KVM_UDEV_RULE, tcgNote } from '../../src/action/host.js';
import { parseConfig } from '../../src/config/load.js';
import { createRunContext } from '../../src/context.js';
import { archMachines } from '../../src/model/machines.js';
import { scratchDir } from '../helpers/fixtures.js';
import { fakeCore, fakeHost } from './fakes.js';

/** A run context whose PATH holds only `binaries` (empty files, executable). */
function runWith(binaries: string[]) {
  const dir = scratchDir('host-path');
  for (const name of binaries) writeFileSync(path.join(dir, name), '', { mode: 0o755 });
  return createRunContext({ PATH: dir, XDG_CACHE_HOME: path.join(dir, 'cache') });
}

const settingsFor = (arch: string) =>
  parseConfig(
    `references:\n  - { name: a, file: k }\nmachine: { arch: ${arch} }\n`,
    '/ws/diverge.yml',
  );

describe('install-qemu', () => {
  it.each(['x86_64', 'aarch64', 'riscv64'] as const)(
    "installs the machine table's Debian package for %s, with sudo when not root",
    async (arch) => {
      const events: string[] = [];
      const pkg = archMachines(arch).debianPackage;
      const installed = await installQemu(
        fakeCore(events, {}),
        fakeHost(events),
        settingsFor(arch),
        runWith([]),
      );
      expect(installed).toEqual([pkg]);
      expect(events.filter((e) => e.startsWith('host'))).toEqual([
        'host: apt-get --version',
        'host: sudo -n apt-get update -q',
        `host: sudo -n apt-get install -y -q --no-install-recommends ${pkg}`,
      ]);
    },
  );

  it('does nothing when the binary is on PATH, and runs apt-get itself as root', async () => {
    const events: string[] = [];
    const core = fakeCore(events, {});
    const present = runWith([archMachines('x86_64').binary]);
    expect(await installQemu(core, fakeHost(events), settingsFor('x86_64'), present)).toEqual([]);
    await installQemu(core, fakeHost(events, { isRoot: true }), settingsFor('aarch64'), present);
    expect(events.filter((e) => e.startsWith('host'))).toContain('host: apt-get update -q');
  });

  it('a failing apt-get fails with its command and message', async () => {
    const events: string[] = [];
    const pkg = archMachines('x86_64').debianPackage;
    await expect(
      installQemu(
        fakeCore(events, {}),
        fakeHost(events, {
          failing: `sudo -n apt-get install -y -q --no-install-recommends ${pkg}`,
        }),
        settingsFor('x86_64'),
        runWith([]),
      ),
    ).rejects.toThrow(/apt-get install .* exited with status 100: E: Unable to locate package/);
  });
});

describe('kvm', () => {
  it('installs the udev rule, reloads udev and forgets the cached probe when /dev/kvm is closed', async () => {
    const events: string[] = [];
    const host = fakeHost(events, { kvm: 'denied' });
    const run = runWith([]);
    mkdirSync(path.dirname(run.cache.kvmProbe), { recursive: true });
    writeFileSync(run.cache.kvmProbe, '{"works":false}');
    const core = fakeCore(events, {});
    await grantKvm(core, host, run);
    expect(events.filter((e) => e.startsWith('host'))).toEqual([
      'host: sudo -n tee /etc/udev/rules.d/99-diverge-kvm.rules',
      'host: sudo -n udevadm control --reload-rules',
      'host: sudo -n udevadm trigger --name-match=kvm',
    ]);
    expect(host.inputs).toEqual([`${KVM_UDEV_RULE}\n`]);
    expect(KVM_UDEV_RULE).toBe(
      'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"',
    );
    expect(existsSync(run.cache.kvmProbe)).toBe(false);
    expect(core.lines.some((l) => l.startsWith('kvm: probe after the udev rule'))).toBe(true);
  });

  it.each(['ok', 'missing'] as const)('changes nothing when /dev/kvm is %s', async (kvm) => {
    const events: string[] = [];
    await grantKvm(fakeCore(events, {}), fakeHost(events, { kvm }), runWith([]));
    expect(events).toEqual([]);
  });
});

describe('the TCG note', () => {
  it('says why a run fell back to TCG, and nothing for KVM or TCG by request', () => {
    expect(tcgNote('tcg', 'TCG: KVM probe failed: /dev/kvm is missing or not accessible')).toBe(
      'This run used TCG, 10–50× slower than KVM: TCG: KVM probe failed: /dev/kvm is missing or not accessible.',
    );
    expect(tcgNote('kvm', 'KVM: KVM booted the probe kernel')).toBeUndefined();
    expect(tcgNote('tcg', 'TCG requested by machine.accel')).toBeUndefined();
  });
});
