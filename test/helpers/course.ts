/** What integration tests of the course fixture share: its staff kernels, and the Docker host. */
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { dockerAccess } from '../../src/build/docker.js';
import { buildKernel } from '../../src/build/kernel.js';
import { loadConfig } from '../../src/config/load.js';
import type { RunContext } from '../../src/context.js';
import { buildCourseHarness } from '../../src/run/demo.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';

/** The course's harness and its staff and staff-alt kernels, built in Docker into `dir`. */
export async function courseReferences(
  context: RunContext,
  dir: string,
): Promise<{ staff: string; staffAlt: string; harness: string }> {
  const docker = dockerAccess(context.dockerHost);
  const harness = await buildCourseHarness(context, docker, dir, () => {});
  const settings = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
  const kernel = settings.kernel as Parameters<typeof buildKernel>[1];
  const staff = async (variant: string) =>
    (
      await buildKernel(docker, kernel, {
        variant,
        outDir: path.join(dir, variant),
        progress: () => {},
        contextCache: context.cache.contexts,
      })
    ).kernel.path;
  return { staff: await staff('staff'), staffAlt: await staff('staff-alt'), harness };
}

/**
 * An address of this host that containers on Docker's default network reach (docker0 or, when
 * the engine runs in a namespace of its own, the host's outward one).
 */
export function dockerHostAddress(): string {
  const addresses = Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => ({ name, ...a })),
  );
  return (addresses.find((a) => a.name === 'docker0') ?? addresses[0])?.address ?? '';
}
