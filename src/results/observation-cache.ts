/**
 * Observations of reference kernels kept between runs. A reference boot is a function of the
 * kernel, the harness, the machine, QEMU and diverge itself; with all of them unchanged (the
 * usual case when a pull request is pushed again) its earlier observation stands, so only the
 * candidate is booted. Only boots that ended by themselves (completed or panicked) are kept: a
 * timeout may say more about a busy host than about the kernel.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../util/digest.js';
import type { KernelObservation } from './observe.js';

/** Everything a boot's outcome depends on besides the attempt number. */
export interface BootIdentity {
  kernelDigest: string;
  harnessDigest: string;
  /** Machine settings, accelerator, QEMU version, timeouts: anything that shapes a boot. */
  machine: unknown;
}

export class ObservationCache {
  /** `buildId` (the run context's) keys every entry: another build may parse a boot otherwise. */
  constructor(
    readonly dir: string,
    readonly buildId: string,
  ) {}

  private entryDir(identity: BootIdentity, attempt: number): string {
    const key = sha256(JSON.stringify({ build: this.buildId, ...identity, attempt }));
    return path.join(this.dir, key.slice('sha256:'.length));
  }

  /**
   * The observation stored for this boot, renamed to `kernel` and with its serial logs copied
   * into `logDir` (a report points at its own logs, never into the cache).
   */
  async load(
    identity: BootIdentity,
    kernel: string,
    attempt: number,
    logDir: string,
  ): Promise<KernelObservation | undefined> {
    const dir = this.entryDir(identity, attempt);
    let stored: KernelObservation;
    try {
      stored = JSON.parse(await readFile(path.join(dir, 'observation.json'), 'utf8'));
    } catch {
      return undefined;
    }
    await mkdir(logDir, { recursive: true });
    const base = `${kernel}-${attempt}`;
    const log = path.join(logDir, `${base}.log`);
    try {
      await copyFile(path.join(dir, 'console.log'), log);
      if (stored.boot.resultsLog)
        await copyFile(path.join(dir, 'results.log'), path.join(logDir, `${base}.results.log`));
    } catch {
      return undefined; // an incomplete entry is a miss
    }
    return {
      ...stored,
      kernel,
      boot: {
        ...stored.boot,
        kernel,
        log,
        ...(stored.boot.resultsLog ? { resultsLog: path.join(logDir, `${base}.results.log`) } : {}),
        cached: true,
      },
    };
  }

  async save(identity: BootIdentity, observation: KernelObservation): Promise<void> {
    if (observation.boot.outcome !== 'completed' && observation.boot.outcome !== 'panic') return;
    const dir = this.entryDir(identity, observation.attempt);
    const partial = `${dir}.${process.pid}.partial`;
    await mkdir(partial, { recursive: true });
    await copyFile(observation.boot.log, path.join(partial, 'console.log'));
    if (observation.boot.resultsLog)
      await copyFile(observation.boot.resultsLog, path.join(partial, 'results.log'));
    await writeFile(path.join(partial, 'observation.json'), JSON.stringify(observation));
    // Atomic: a concurrent run sees a whole entry or none. Losing the race to another run that
    // stored the same boot is fine.
    await rename(partial, dir).catch(() => rm(partial, { recursive: true, force: true }));
  }
}
