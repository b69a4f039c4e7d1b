/**
 * Observations of reference kernels kept between runs. A reference boot is a function of the
 * kernel, the harness, the machine, QEMU and diverge itself; with all of them unchanged (the
 * usual case when a pull request is pushed again) its earlier observation stands, so only the
 * candidate is booted. Only boots that ended by themselves (completed or panicked) are kept: a
 * timeout may say more about a busy host than about the kernel.
 */
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bootName } from '../qemu/boot.js';
import { sha256 } from '../util/digest.js';
import type { KernelObservation } from './observe.js';

/** Everything a boot's outcome depends on besides the attempt number. */
export interface BootIdentity {
  kernelDigest: string;
  harnessDigest: string;
  /** The whole QEMU command line, every file it names replaced by its content digest. */
  command: readonly string[];
  /** The test of a per-test boot. */
  test?: string;
  /** QEMU version, timeouts, serial cap: what shapes a boot besides the command line. */
  machine: unknown;
}

/**
 * A command line for a cache key: each file it names (`files`: path → content digest) becomes
 * its digest, so the key follows what the guest sees, not where the files lie this run.
 */
export function canonicalCommand(
  command: readonly string[],
  files: ReadonlyMap<string, string>,
): string[] {
  // Longest first, so that /a/disk.img is not rewritten through its prefix /a/disk.
  const paths = [...files.keys()].sort((a, b) => b.length - a.length);
  return command.map((arg) =>
    paths.reduce((text, file) => text.replaceAll(file, `<${files.get(file)}>`), arg),
  );
}

/**
 * The existing files qemu-args name, whole (`-kernel x`) or inside an option
 * (`file=fs.img,if=none`), as written and resolved against QEMU's working directory.
 */
export async function namedFiles(
  args: readonly string[],
  workDir: string,
): Promise<{ written: string; resolved: string }[]> {
  const candidates = new Set<string>();
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    candidates.add(arg);
    for (const part of arg.split(',')) candidates.add(part.slice(part.indexOf('=') + 1));
  }
  const found = [];
  for (const written of candidates) {
    if (written === '') continue;
    const resolved = path.resolve(workDir, written);
    const info = await stat(resolved).catch(() => undefined);
    if (info?.isFile()) found.push({ written, resolved });
  }
  return found;
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
    /** The test of a per-test boot, which names its logs. */
    test?: string,
  ): Promise<KernelObservation | undefined> {
    const dir = this.entryDir(identity, attempt);
    let stored: KernelObservation;
    try {
      stored = JSON.parse(await readFile(path.join(dir, 'observation.json'), 'utf8'));
    } catch {
      return undefined;
    }
    await mkdir(logDir, { recursive: true });
    const base = bootName(kernel, attempt, test);
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
