/**
 * Which submissions a grading covers: the entries of `--submissions DIR`, `--submission
 * NAME=PATH` and the lines of a `--list` file; where each one's files go (names are untrusted);
 * and which of them a shard (`--shard I/N`) grades.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { fileKind } from '../util/digest.js';

export interface Submission {
  /** As given: the entry's name, or NAME of NAME=PATH. Untrusted. */
  name: string;
  path: string;
  /**
   * A file is a kernel; a directory a build context; `missing` (nothing there) and `special` (a
   * FIFO, a device, a socket: never opened) are graded as a row saying so.
   */
  kind: 'file' | 'dir' | 'missing' | 'special';
  /** What a `special` submission is, in words (`a FIFO`). */
  special?: string;
}

export class SubmissionError extends Error {}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The directory name of a student's files under OUT/students/: the name itself when it is a
 * plain one (letters, digits, '.', '_', '-', at most 64), else its plain characters and a hash
 * of the whole name, so that no name can climb out of OUT or clash with another.
 */
export function studentDir(name: string): string {
  if (SAFE.test(name) && name !== '.' && name !== '..') return name;
  const plain = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 48);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${plain || 'student'}-${hash}`;
}

async function kindOf(file: string): Promise<Pick<Submission, 'kind' | 'special'>> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return { kind: 'missing' };
  if (info.isDirectory()) return { kind: 'dir' };
  if (info.isFile()) return { kind: 'file' };
  return { kind: 'special', special: fileKind(info) };
}

/** `NAME=PATH`, else `PATH` named by its last component. */
function namedPath(text: string, baseDir: string): { name: string; path: string } {
  const at = text.indexOf('=');
  if (at > 0) return { name: text.slice(0, at), path: path.resolve(baseDir, text.slice(at + 1)) };
  const resolved = path.resolve(baseDir, text);
  return { name: path.basename(resolved), path: resolved };
}

export interface SubmissionSources {
  /** Every entry (hidden ones, starting with '.', excepted) is a submission. */
  dir?: string;
  /** `--submission NAME=PATH`, relative to the working directory. */
  named?: readonly { name: string; path: string }[];
  /** A file of `NAME=PATH` or `PATH` lines (paths relative to it; `#` starts a comment). */
  list?: string;
}

/** Every submission, sorted by name; a name given twice is an error naming both. */
export async function listSubmissions(sources: SubmissionSources): Promise<Submission[]> {
  const found: { name: string; path: string; from: string }[] = [];
  if (sources.dir !== undefined) {
    const dir = sources.dir;
    const entries = await readdir(dir).catch((error: Error) => {
      throw new SubmissionError(`--submissions ${dir}: ${error.message}`);
    });
    for (const name of entries.sort())
      if (!name.startsWith('.')) found.push({ name, path: path.join(dir, name), from: dir });
  }
  for (const entry of sources.named ?? [])
    found.push({ ...entry, from: `--submission ${entry.name}=${entry.path}` });
  if (sources.list !== undefined) {
    const list = sources.list;
    const text = await readFile(list, 'utf8').catch((error: Error) => {
      throw new SubmissionError(`--list ${list}: ${error.message}`);
    });
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.replace(/(^|\s)#.*$/, '').trim();
      if (line) found.push({ ...namedPath(line, path.dirname(list)), from: `${list}:${i + 1}` });
    });
  }
  const seen = new Map<string, string>();
  const dirs = new Map<string, string>();
  for (const { name, from } of found) {
    if (name.trim() === '') throw new SubmissionError(`${from}: a submission needs a name`);
    const first = seen.get(name);
    if (first !== undefined)
      throw new SubmissionError(
        `submission ${JSON.stringify(name)} given twice: ${first} and ${from}`,
      );
    seen.set(name, from);
    const dir = studentDir(name);
    const other = dirs.get(dir);
    if (other !== undefined)
      throw new SubmissionError(
        `submissions ${JSON.stringify(other)} and ${JSON.stringify(name)} would share the directory students/${dir}: rename one`,
      );
    dirs.set(dir, name);
  }
  const submissions = await Promise.all(
    found.map(async ({ name, path: file }) => ({ name, path: file, ...(await kindOf(file)) })),
  );
  return submissions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `I/N` with 1 ≤ I ≤ N. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new SubmissionError(`--shard: expected I/N with 1 ≤ I ≤ N (like 2/4), got "${text}"`);
  return { index, count };
}

/**
 * The shard's share: the submissions in name order (code units, the same on every machine),
 * every N-th from the I-th. Shards of the same list are disjoint, cover it, and differ in size
 * by at most one.
 */
export function selectShard<T extends { name: string }>(
  submissions: readonly T[],
  shard: Shard,
): T[] {
  const sorted = [...submissions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}

/** How many submissions of `total` the shard grades: its share as `selectShard` takes it. */
export function shardSize(total: number, shard: Shard): number {
  return total < shard.index ? 0 : Math.floor((total - shard.index) / shard.count) + 1;
}

/**
 * The submissions a grading covers (its shard's, when sharded), once the config can grade them:
 * directory submissions are built with kernel.build, and every kernel is judged against the
 * staff's references.
 */
export function selectSubmissions(
  settings: Pick<Settings, 'configPath' | 'kernel' | 'references'>,
  submissions: readonly Submission[],
  shard: Shard | undefined,
  /** `--reference` kernels given instead of the config's references. */
  flaggedReferences = 0,
): Submission[] {
  const selected = shard ? selectShard(submissions, shard) : [...submissions];
  const sources = selected.filter((s) => s.kind === 'dir');
  if (sources.length > 0 && !settings.kernel?.build)
    throw new SubmissionError(
      `${settings.configPath}: kernel.build is missing, and directory submissions (${sources
        .slice(0, 3)
        .map((s) => JSON.stringify(s.name))
        .join(', ')}${sources.length > 3 ? ', …' : ''}) are built with it`,
    );
  if (settings.references.length === 0 && flaggedReferences === 0)
    throw new SubmissionError(
      `${settings.configPath}: references: grading needs at least one reference (the staff kernel), in the config or as --reference`,
    );
  return selected;
}
