import type { BootPlan } from './plan.js';

/**
 * The disk a boot starts from under `machine.boot: disk`: the kernel file as it is or, with
 * `machine.command-line`, a copy in `dir` (the boot's own scratch directory, removed once QEMU
 * has opened its files) holding the boot's `append` where its kernel reads it. The kernel file
 * itself is never written: boots run from it in parallel, and the observation cache keys on its
 * digest.
 */
export function prepareBootDisk(
  plan: Pick<BootPlan, 'commandLine' | 'append'>,
  file: string,
  _dir: string,
): Promise<string> {
  if (plan.commandLine === undefined) return Promise.resolve(file);
  // `pintos` (the Pintos loader's argument sector) is to be written here; until then, as it is.
  return Promise.resolve(file);
}
