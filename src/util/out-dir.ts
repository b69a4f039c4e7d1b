/**
 * An output directory belongs to one run at a time. A run takes `.diverge.lock` (its pid and
 * that process's start time, so a reused pid is not taken for the holder); a second run into
 * the same directory refuses, naming the pid; a lock whose process is gone (a run killed with
 * SIGKILL) is taken over. A run that starts afresh first removes what an earlier run wrote
 * there, so that no stale observation or report passes for this run's.
 */
import { existsSync, linkSync, readFileSync, unlinkSync } from 'node:fs';
import { readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDir } from './atomic.js';
import { alive, startTime } from './interrupt.js';
import { isStorageRefusal, StorageError, storageFailure, storageReason } from './storage.js';

/** Another live run holds the directory: exit 3. */
export class OutDirBusyError extends Error {}

export const LOCK_FILE = '.diverge.lock';

/**
 * The file that marks a directory as diverge's output: a build context never carries a marked
 * directory (docker/context.ts), whatever `.dockerignore` says, so a run's output does not
 * change the next build's context.
 */
export const OUTPUT_MARK = '.diverge-output';

/** The --out each command writes to when none is given, relative to the working directory. */
export const DEFAULT_OUT = {
  run: 'diverge-out',
  demo: 'diverge-demo',
  bisect: 'diverge-bisect',
  grade: 'diverge-grade',
} as const;

const MARK_TEXT =
  'diverge writes this directory (its --out). diverge leaves it out of every Docker build context it makes.\n';

const holderOf = (text: string) => {
  const [pid, started] = text.trim().split(' ');
  return { pid: Number(pid), started };
};

/**
 * Takes `dir` (created when missing, and marked as diverge's output) for this process until it
 * exits. Throws OutDirBusyError when a live run holds it, and a StorageError when the directory
 * cannot be written.
 */
export async function claimOutDir(dir: string, say: (line: string) => void): Promise<void> {
  const lock = path.join(dir, LOCK_FILE);
  const mine = `${process.pid} ${startTime(process.pid) ?? ''}\n`;
  const temp = `${lock}.${process.pid}`;
  try {
    await makeDir(dir);
    await writeFile(temp, mine);
    if (!existsSync(path.join(dir, OUTPUT_MARK)))
      await writeFile(path.join(dir, OUTPUT_MARK), MARK_TEXT);
  } catch (error) {
    throw storageFailure(error, 'into --out', dir);
  }
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        // A hard link appears whole or not at all: no reader ever sees an empty lock file.
        linkSync(temp, lock);
        process.once('exit', () => releaseIfMine(lock, mine));
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EEXIST')
          throw storageFailure(error, 'into --out', dir);
      }
      const text = await readFile(lock, 'utf8').catch(() => '');
      const holder = holderOf(text);
      if (Number.isInteger(holder.pid) && holder.pid > 0 && alive(holder.pid, holder.started))
        throw new OutDirBusyError(
          `--out ${dir} is in use by another diverge run (pid ${holder.pid}, lock file ${lock}): wait for it to end, or give another --out`,
        );
      // Stale: moved aside, then checked that it was the stale one (another run may have taken
      // it over meanwhile; its fresh lock is put back).
      const aside = `${lock}.stale-${process.pid}`;
      if (
        await rename(lock, aside).then(
          () => true,
          () => false,
        )
      ) {
        const moved = await readFile(aside, 'utf8').catch(() => '');
        if (moved === text) {
          say(`--out ${dir}: taking over the lock of a run that is gone (pid ${holder.pid})`);
          await rm(aside, { force: true });
        } else {
          await rename(aside, lock).catch(() => undefined);
        }
      }
    }
    throw new OutDirBusyError(`--out ${dir}: could not take its lock file ${lock}`);
  } finally {
    await rm(temp, { force: true });
  }
}

function releaseIfMine(lock: string, mine: string): void {
  try {
    if (readFileSync(lock, 'utf8') === mine) unlinkSync(lock);
  } catch {
    // Already gone.
  }
}

/** What diverge writes into the --out of `run` and `boot`, besides scratch it overwrites. */
const RUN_FILES = ['report.json', 'report.md', 'report.html', 'boots.json'];
const RUN_DIRS: Record<string, RegExp> = { observations: /\.json$/, logs: /\.log$/ };

/**
 * Removes the files an earlier run wrote into `dir` (its reports, observations and serial
 * logs; nothing else), so that what the directory shows is this run's alone. A directory no
 * run wrote to (no report, saved run or observations) is left as it is.
 */
export async function clearEarlierRun(dir: string, say: (line: string) => void): Promise<void> {
  // Only a directory a run wrote to: a user's own logs/ elsewhere is none of diverge's business.
  const marks = ['boots.json', 'report.json', 'observations'];
  if (!marks.some((m) => existsSync(path.join(dir, m)))) return;
  const stale = RUN_FILES.map((f) => path.join(dir, f));
  for (const [sub, pattern] of Object.entries(RUN_DIRS)) {
    const names = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    stale.push(...names.filter((n) => pattern.test(n)).map((n) => path.join(dir, sub, n)));
  }
  let removed = 0;
  for (const file of stale) {
    try {
      await rm(file);
      removed += 1;
    } catch (error) {
      if (isStorageRefusal(error))
        throw new StorageError(`cannot remove ${file} of an earlier run: ${storageReason(error)}`);
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
  for (const sub of Object.keys(RUN_DIRS)) await rmdir(path.join(dir, sub)).catch(() => undefined); // only when empty
  if (removed > 0) say(`--out ${dir}: removed ${removed} file(s) an earlier run wrote there`);
}
