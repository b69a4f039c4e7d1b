/**
 * Set-up of a fresh runner before the pipeline: the QEMU packages the configured architecture
 * needs (install-qemu) and the runner user's access to /dev/kvm (kvm). GitHub's hosted Linux
 * runners have /dev/kvm but only root and the kvm group may open it; the udev rule below is the
 * step libbpf/ci, vmtest-action and virtme-ng's CI run. Host commands go through `HostCommands`,
 * passed in, so unit tests can fake them.
 */
import { access, constants, rm } from 'node:fs/promises';
import { getExecOutput } from '@actions/exec';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import { findQemu } from '../qemu/binary.js';
import { probeKvm } from '../qemu/accel.js';
import { archMachines } from '../model/machines.js';
import type { ActionCore, HostCommands } from './services.js';

export const KVM_UDEV_RULE = 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"';
const KVM_RULE_FILE = '/etc/udev/rules.d/99-diverge-kvm.rules';

async function privileged(
  host: HostCommands,
  command: string,
  args: readonly string[],
  input?: string,
): Promise<void> {
  const [bin, ...rest] = host.isRoot ? [command, ...args] : ['sudo', '-n', command, ...args];
  const result = await host.exec(bin as string, rest, input);
  if (result.exitCode !== 0)
    throw new Error(
      `${[bin, ...rest].join(' ')} exited with status ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
}

/**
 * install-qemu: apt-get installs the Debian package of the configured architecture's QEMU when
 * its binary is not on PATH; returns the packages it installed.
 */
export async function installQemu(
  core: ActionCore,
  host: HostCommands,
  settings: Settings,
  run: RunContext,
): Promise<string[]> {
  const machine = archMachines(settings.machine.arch);
  const found = await findQemu(machine, run.searchPath).catch(() => undefined);
  if (found) {
    core.info(`install-qemu: ${machine.binary} is already installed (${found})`);
    return [];
  }
  const packages = [machine.debianPackage];
  if ((await host.exec('apt-get', ['--version'])).exitCode !== 0) {
    core.warning(
      `install-qemu: ${machine.binary} is missing and this runner has no apt-get: install ${packages.join(', ')} (or your system's QEMU) before this step`,
    );
    return [];
  }
  core.info(`install-qemu: installing ${packages.join(', ')} with apt-get`);
  await privileged(host, 'apt-get', ['update', '-q']);
  await privileged(host, 'apt-get', [
    'install',
    '-y',
    '-q',
    '--no-install-recommends',
    ...packages,
  ]);
  core.info(`install-qemu: installed ${packages.join(', ')}`);
  return packages;
}

/**
 * kvm: when /dev/kvm exists but the runner user may not open it, installs the udev rule that
 * opens it to everyone, reloads udev, forgets the cached KVM probe, and probes again.
 */
export async function grantKvm(core: ActionCore, host: HostCommands, run: RunContext) {
  const before = await host.kvmAccess();
  if (before === 'missing') {
    core.info('kvm: this runner has no /dev/kvm: the boots use TCG');
    return;
  }
  if (before === 'ok') return;
  core.info(`kvm: granting the runner user access to /dev/kvm (udev rule ${KVM_RULE_FILE})`);
  try {
    await privileged(host, 'tee', [KVM_RULE_FILE], `${KVM_UDEV_RULE}\n`);
    await privileged(host, 'udevadm', ['control', '--reload-rules']);
    await privileged(host, 'udevadm', ['trigger', '--name-match=kvm']);
  } catch (error) {
    core.warning(`kvm: could not grant access to /dev/kvm: ${(error as Error).message}`);
    return;
  }
  // A probe kept from before the rule would still say no.
  await rm(run.cache.kvmProbe, { force: true });
  const probe = await probeKvm(run.searchPath, run.tempDir).catch((error: Error) => ({
    works: false,
    detail: error.message,
  }));
  core.info(`kvm: probe after the udev rule: ${probe.works ? 'works' : 'fails'} (${probe.detail})`);
}

/** The line that says a run used TCG where KVM was possible, and why; undefined otherwise. */
export function tcgNote(accel: string, reason: string | undefined): string | undefined {
  if (accel !== 'tcg' || reason?.startsWith('TCG requested')) return undefined;
  return `This run used TCG, 10–50× slower than KVM: ${reason ?? 'no reason recorded'}.`;
}

/** The runner's own commands, through @actions/exec (commands echoed in the log). */
export function runnerCommands(): HostCommands {
  return {
    exec: async (command, args, input) => {
      try {
        return await getExecOutput(command, [...args], {
          ignoreReturnCode: true,
          ...(input === undefined ? {} : { input: Buffer.from(input) }),
        });
      } catch (error) {
        // Not found or not runnable: a result like a shell's.
        return { exitCode: 127, stdout: '', stderr: (error as Error).message };
      }
    },
    isRoot: process.getuid?.() === 0,
    kvmAccess: async () => {
      try {
        await access('/dev/kvm', constants.R_OK | constants.W_OK);
        return 'ok';
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'denied';
      }
    },
  };
}
