/**
 * `diverge doctor`: what a run will need, checked on this host — QEMU for the configured
 * architecture (and its version), KVM by the real probe, the Docker engine and permission to use
 * it, the Node version, free disk and memory. Each problem comes with its fix.
 */
import { statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import { probeKvm } from '../qemu/accel.js';
import { findQemu, qemuVersion } from '../qemu/binary.js';
import { archMachines } from '../model/machines.js';
import { NODE_END_OF_LIFE, NODE_MINIMUM } from '../model/constants.js';

export interface Finding {
  what: string;
  ok: boolean;
  /** What was found, or what is wrong. */
  detail: string;
  /** How to fix it (problems only). */
  fix?: string;
  /** A problem that only slows runs down (TCG) is a warning, not a failure. */
  warning?: boolean;
}

/** Less than this free under the cache or temp directory fails Docker builds and kernel fetches. */
const MIN_FREE_DISK = 2 * 1024 ** 3;
/** Below this, parallel boots (256 MiB+ each) and builds are at risk. */
const MIN_FREE_MEMORY = 1024 ** 3;

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export async function doctor(
  context: RunContext,
  settings: Settings,
  docker: DockerAccess,
  host: { nodeVersion: string; freeMemory?: number } = { nodeVersion: process.versions.node },
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const machine = archMachines(settings.machine.arch);
  const qemu = await findQemu(machine, context.searchPath).catch((error: Error) => error);
  findings.push(
    typeof qemu === 'string'
      ? {
          what: `QEMU (${settings.machine.arch})`,
          ok: true,
          detail: `${qemu} ${await qemuVersion(qemu)}`,
        }
      : {
          what: `QEMU (${settings.machine.arch})`,
          ok: false,
          detail: qemu.message,
          fix: `apt-get install ${machine.debianPackage} (or the action's install-qemu: auto)`,
        },
  );
  const kvm = await probeKvm(context.searchPath, context.tempDir).catch((error: Error) => ({
    works: false,
    detail: error.message,
  }));
  findings.push({
    what: 'KVM',
    ok: kvm.works,
    detail: kvm.detail,
    ...(kvm.works
      ? {}
      : {
          warning: true,
          fix: 'boots fall back to TCG (10–50× slower): on a runner with /dev/kvm, add the udev rule KERNEL=="kvm", GROUP="kvm", MODE="0666" (the action\'s kvm: auto) or add the user to the kvm group',
        }),
  });
  try {
    await docker.client();
    findings.push({ what: 'Docker', ok: true, detail: `engine at ${context.dockerHost} answers` });
  } catch (error) {
    findings.push({
      what: 'Docker',
      ok: false,
      detail: (error as Error).message,
      fix: 'start the Docker engine, and run as root or a member of the docker group (only kernel.build and image references need it)',
    });
  }
  findings.push(nodeFinding(host.nodeVersion));
  for (const [what, dir] of [
    ['disk (cache)', context.cache.root],
    ['disk (temp)', context.tempDir],
  ] as const) {
    const free = await statfs(dir)
      .catch(() => statfs('/'))
      .then((s) => s.bavail * s.bsize);
    findings.push({
      what,
      ok: free >= MIN_FREE_DISK,
      detail: `${gib(free)} free at ${dir}`,
      ...(free >= MIN_FREE_DISK ? {} : { fix: `free at least ${gib(MIN_FREE_DISK)} there` }),
    });
  }
  const memory = host.freeMemory ?? freemem();
  findings.push({
    what: 'memory',
    ok: memory >= MIN_FREE_MEMORY,
    detail: `${gib(memory)} free`,
    ...(memory >= MIN_FREE_MEMORY
      ? {}
      : { warning: true, fix: 'lower --jobs, or machine.memory, or free memory' }),
  });
  return findings;
}

/**
 * Node against package.json's `engines` (NODE_MINIMUM): older fails; a major past its end of
 * life works, with a warning.
 */
function nodeFinding(version: string): Finding {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [least, leastMinor] = NODE_MINIMUM;
  const minimum = `${least}.${leastMinor}`;
  if (major < least || (major === least && minor < leastMinor))
    return {
      what: 'Node',
      ok: false,
      detail: `v${version}, older than ${minimum}`,
      fix: `install Node ${minimum} or later (24 recommended)`,
    };
  const endOfLife = NODE_END_OF_LIFE[major];
  return endOfLife === undefined
    ? { what: 'Node', ok: true, detail: `v${version}` }
    : {
        what: 'Node',
        ok: false,
        warning: true,
        detail: `v${version}: diverge runs on it, but Node ${major} is past its end of life (${endOfLife})`,
        fix: 'install Node 22 or 24 (the action runs on 24)',
      };
}

/** One line per finding; a problem's fix on the next line. */
export function renderFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const mark = f.ok ? 'ok  ' : f.warning ? 'warn' : 'FAIL';
      return `${mark} ${f.what}: ${f.detail}${f.fix ? `\n     fix: ${f.fix}` : ''}`;
    })
    .join('\n');
}

/** 0 when nothing fails (warnings allowed), else 3 (infrastructure), as the README documents. */
export const doctorExitCode = (findings: readonly Finding[]): number =>
  findings.some((f) => !f.ok && !f.warning) ? 3 : 0;
