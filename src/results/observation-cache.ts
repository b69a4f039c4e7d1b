/**
 * Observations of reference kernels kept between runs. A reference boot is a function of the
 * kernel, the harness, the machine, QEMU and diverge itself; with all of them unchanged (the
 * usual case when a pull request is pushed again) its earlier observation stands, so only the
 * candidate is booted. Only boots that ended by themselves for a kernel reason (completed or
 * panicked) are kept: a timeout may say more about a busy host than about the kernel, and an
 * infrastructure outcome says nothing about it.
 *
 * An entry is a directory named by its key holding the serial logs and `entry.json`: the key,
 * the observation, and a checksum over the key, the observation and the logs. The cache
 * directory is restored from elsewhere in CI, so every entry is checked (schema, key, checksum)
 * each time it is read; a bad one is discarded, said, and replaced by the new boot.
 */
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bootName } from '../qemu/boot.js';
import { type BootOutcome, isInfrastructureOutcome } from '../model/boot.js';
import { isFileSystemError, makeDir, partialName } from '../util/atomic.js';
import { sha256, sha256File } from '../util/digest.js';
import { ajv } from '../util/schema.js';
import { storageReason } from '../util/storage.js';
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
  /** The course checker's image id and command, when one decides the tests' statuses. */
  checker?: unknown;
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

/** Outcomes a boot reaches by the kernel's doing alone, so that the next boot would too. */
const KERNEL_ENDINGS: readonly BootOutcome[] = ['completed', 'panic'];

export const cacheable = (outcome: BootOutcome): boolean =>
  KERNEL_ENDINGS.includes(outcome) && !isInfrastructureOutcome(outcome);

const ENTRY_SCHEMA = 'diverge.observation-cache/v1';

interface Entry {
  schema: typeof ENTRY_SCHEMA;
  key: string;
  checksum: string;
  observation: KernelObservation;
}

/** What an entry must hold for diverge to judge it: a hand-made or truncated one fails here. */
const checkEntry = ajv.compile<Entry>({
  type: 'object',
  required: ['schema', 'key', 'checksum', 'observation'],
  properties: {
    schema: { const: ENTRY_SCHEMA },
    key: { type: 'string' },
    checksum: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    observation: {
      type: 'object',
      required: ['kernel', 'attempt', 'boot', 'tests', 'complete', 'problems'],
      properties: {
        kernel: { type: 'string' },
        attempt: { type: 'integer', minimum: 1 },
        complete: { type: 'boolean' },
        problems: { type: 'array', items: { type: 'string' } },
        boot: {
          type: 'object',
          required: ['outcome', 'stage', 'durationMs', 'log', 'splats', 'logTruncated'],
          properties: {
            outcome: { enum: KERNEL_ENDINGS },
            stage: { type: 'string' },
            durationMs: { type: 'number', minimum: 0 },
            log: { type: 'string' },
            resultsLog: { type: 'string' },
            splats: { type: 'array' },
            logTruncated: { type: 'boolean' },
          },
        },
        tests: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'status'],
            properties: { id: { type: 'string' }, status: { type: 'string' } },
          },
        },
      },
    },
  },
});

/** What a cache read found; `bad` says why the entry was discarded. */
type Read = { observation: KernelObservation } | { bad: string } | undefined;

export class ObservationCache {
  /** `buildId` (the run context's) keys every entry: another build may parse a boot otherwise. */
  constructor(
    readonly dir: string,
    readonly buildId: string,
    /** Where discarded entries and cache writes that failed are said. */
    private readonly say: (line: string) => void = () => undefined,
  ) {}

  private keyOf(identity: BootIdentity, attempt: number): string {
    return sha256(JSON.stringify({ build: this.buildId, ...identity, attempt })).slice(
      'sha256:'.length,
    );
  }

  /** Binds the observation and its logs to the key: an entry moved to another key fails. */
  private static async checksum(
    key: string,
    observation: KernelObservation,
    dir: string,
  ): Promise<string> {
    const logs = [await sha256File(path.join(dir, 'console.log'))];
    if (observation.boot.resultsLog) logs.push(await sha256File(path.join(dir, 'results.log')));
    return sha256(JSON.stringify([key, observation, logs]));
  }

  private async read(dir: string, key: string): Promise<Read> {
    let text: string;
    try {
      text = await readFile(path.join(dir, 'entry.json'), 'utf8');
    } catch {
      return undefined; // no entry: a plain miss
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { bad: 'is not JSON' };
    }
    if (!checkEntry(value)) {
      const first = checkEntry.errors?.[0];
      return {
        bad: `does not hold an observation (${first?.instancePath || '/'} ${first?.message ?? ''})`,
      };
    }
    if (value.key !== key) return { bad: 'is stored under another key (moved or copied)' };
    const checksum = await ObservationCache.checksum(key, value.observation, dir).catch(
      () => undefined,
    );
    if (checksum === undefined) return { bad: 'lacks its serial log' };
    if (checksum !== value.checksum) return { bad: 'was changed after it was written (checksum)' };
    return { observation: value.observation };
  }

  /**
   * The observation stored for this boot, renamed to `kernel` and with its serial logs copied
   * into `logDir` (a report points at its own logs, never into the cache). A bad entry is
   * removed and said, and the boot runs again.
   */
  async load(
    identity: BootIdentity,
    kernel: string,
    attempt: number,
    logDir: string,
    /** The test of a per-test boot, which names its logs. */
    test?: string,
  ): Promise<KernelObservation | undefined> {
    const key = this.keyOf(identity, attempt);
    const dir = path.join(this.dir, key);
    const found = await this.read(dir, key);
    const label = `${kernel}${test !== undefined ? `[${test}]` : ''}#${attempt}`;
    if (found && 'bad' in found) {
      this.say(
        `observation cache: the entry for ${label} (${dir}) ${found.bad}: discarded, booting ${kernel} again`,
      );
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    }
    if (!found) return undefined;
    const stored = found.observation;
    await mkdir(logDir, { recursive: true });
    const base = bootName(kernel, attempt, test);
    const log = path.join(logDir, `${base}.log`);
    await copyFile(path.join(dir, 'console.log'), log);
    if (stored.boot.resultsLog)
      await copyFile(path.join(dir, 'results.log'), path.join(logDir, `${base}.results.log`));
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

  /**
   * Stores a boot that ended for a kernel reason. A cache that cannot be written (full,
   * read-only, an entry in the way) costs a boot next time, not this run: it is said, not fatal.
   */
  async save(identity: BootIdentity, observation: KernelObservation): Promise<void> {
    if (!cacheable(observation.boot.outcome)) return;
    // A test the checker could not judge is an infrastructure outcome: the next run checks again.
    if (observation.tests.some((test) => test.unchecked !== undefined)) return;
    const key = this.keyOf(identity, observation.attempt);
    const dir = path.join(this.dir, key);
    const partial = partialName(dir);
    try {
      await makeDir(partial);
      await copyFile(observation.boot.log, path.join(partial, 'console.log'));
      if (observation.boot.resultsLog)
        await copyFile(observation.boot.resultsLog, path.join(partial, 'results.log'));
      const checksum = await ObservationCache.checksum(key, observation, partial);
      const entry: Entry = { schema: ENTRY_SCHEMA, key, checksum, observation };
      await writeFile(path.join(partial, 'entry.json'), JSON.stringify(entry));
      // A bad entry was removed on load; one left by a concurrent run is replaced (both hold the
      // same boot). The rename is atomic: a reader sees a whole entry or none.
      await rm(dir, { recursive: true, force: true });
      await rename(partial, dir);
    } catch (error) {
      await rm(partial, { recursive: true, force: true }).catch(() => undefined);
      const code = (error as { code?: string }).code;
      // ENOTEMPTY, EEXIST: a concurrent boot or run stored the same boot first.
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return;
      if (!isFileSystemError(error)) throw error;
      this.say(`observation cache: cannot store a boot in ${this.dir}: ${storageReason(error)}`);
    }
  }
}
