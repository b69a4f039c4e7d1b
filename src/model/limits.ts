/**
 * What a kernel build may use (`kernel.build.limits`): student code runs in these builds, so a
 * compile that never ends, eats the machine's memory or forks without end is stopped, and says
 * which limit stopped it. Network is on for `diverge run` unless turned off; `diverge grade`
 * builds every submission without it (see submission.ts).
 */
import { MiB } from './units.js';

export interface BuildLimits {
  /** Memory of each build step's container, swap included. */
  memoryBytes: number;
  /** Processes (and threads) a build step's container may hold at once. */
  processes: number;
  /** Wall time of the whole build, upload of the context included. */
  timeMs: number;
  /**
   * Bytes a build may write to its file system: any one file, in every step (the kernel's file
   * size limit, SIGXFSZ), and in all (`grading.build`'s container, measured as it runs).
   */
  diskBytes: number;
  /** Whether build steps reach any network (`networkmode: none` when not). */
  network: boolean;
  /** A submission `diverge grade` builds: no network whatever the config says. */
  submission?: boolean;
}

export const DEFAULT_BUILD_LIMITS: BuildLimits = {
  memoryBytes: 4096 * MiB,
  processes: 1024,
  timeMs: 30 * 60_000,
  diskBytes: 8192 * MiB,
  network: true,
};

/** The same limits with the network off: how a submission's untrusted code is built. */
export const isolated = (limits: BuildLimits): BuildLimits => ({
  ...limits,
  network: false,
  submission: true,
});

/** What the last lines of a failed build say about a limit it hit, as a clause naming the field. */
export function limitHit(
  field: string,
  limits: BuildLimits,
  failure: string,
  lastLines: readonly string[],
): string | undefined {
  const text = [failure, ...lastLines].join('\n');
  if (/returned a non-zero code: 137\b|\bKilled\b/.test(text))
    return `killed (SIGKILL), which is what reaching the memory limit does: ${field}.limits.memory is ${limits.memoryBytes / MiB}M`;
  if (/File too large|File size limit exceeded|No space left on device/.test(text))
    return `the build wrote more than its disk limit: ${field}.limits.disk is ${limits.diskBytes / MiB}M`;
  if (/Resource temporarily unavailable|[Cc]an(?:'|no)t fork|fork: retry/.test(text))
    return `a process could not be started: ${field}.limits.processes is ${limits.processes}`;
  if (
    !limits.network &&
    /Temporary failure (?:in name resolution|resolving)|Could not resolve|Network is unreachable|bad address/i.test(
      text,
    )
  )
    return limits.submission
      ? "a submission's build has no network (diverge grade never gives one): what needs it belongs in the staff's part of the recipe (the steps before the submission's files are copied in, or grading.build.stage), built once from the staff's own context"
      : `builds have no network here (${field}.limits.network is false)`;
  return undefined;
}
