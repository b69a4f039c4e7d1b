/**
 * The history store: a directory of month files (`2026-12.jsonl`), one record a line, only ever
 * appended to. Writers take the directory's lock file for the append, so two runs finishing at
 * once each add their whole line; a line a killed writer left half-written is ended by the next
 * writer and skipped by readers with a warning.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import schema from '../../schema/history.v1.json' with { type: 'json' };
import { DIVERGENCE_CLASSES } from '../model/classes.js';
import { HISTORY_STATUSES, type HistoryRecord } from '../model/history.js';
import { makeDir, writeAtomically } from '../util/atomic.js';
import { schemaCheck } from '../util/schema.js';
import { HistoryError } from './record.js';
import { emptyTimeline, type Timeline, timelineOf, type TimelineRun } from './timeline.js';

const check = schemaCheck<HistoryRecord>(schema, HistoryError);

/**
 * Reading a store checks each record's head against the schema and its tests by hand: Ajv
 * over a thousand tuples per record is 10 ms, which at 10,000 runs is most of a render. The
 * hand check is the schema's `tests` rule (test/history/store.test.ts holds the two together).
 */
const headSchema = {
  ...schema,
  $id: `${schema.$id}#head`,
  definitions: {
    ...schema.definitions,
    report: {
      ...schema.definitions.report,
      properties: { ...schema.definitions.report.properties, tests: { type: 'object' } },
    },
  },
};
const checkHead = schemaCheck<HistoryRecord>(headSchema, HistoryError);
const CLASS_NAMES = new Set<string>(DIVERGENCE_CLASSES);
const STATUS_NAMES = new Set<string>(HISTORY_STATUSES);

function isTest(entry: unknown): boolean {
  if (!Array.isArray(entry) || entry.length !== 2 || !CLASS_NAMES.has(entry[0])) return false;
  const statuses: unknown = entry[1];
  if (!Array.isArray(statuses) || statuses.length === 0) return false;
  for (const s of statuses) if (typeof s !== 'string' || !STATUS_NAMES.has(s)) return false;
  return true;
}

/** A record read from a store: its head by the schema, its tests by hand. */
export function checkStored(value: unknown, where: string): HistoryRecord {
  const record = checkHead(value, where);
  record.reports.forEach((report, i) => {
    for (const id in report.tests)
      if (!isTest(report.tests[id]))
        throw new HistoryError(
          `${where}: /reports/${i}/tests/${JSON.stringify(id).slice(0, 200)} must be [class, [status, …]]`,
        );
  });
  return record;
}

export const LOCK_FILE = '.lock';
const MONTH_FILE = /^\d{4}-\d{2}\.jsonl$/;

/** The month file a record belongs to: its time's UTC month. */
export const monthOf = (time: string) => time.slice(0, 7);
const monthFile = (dir: string, month: string) => path.join(dir, `${month}.jsonl`);

/** The store's months, oldest first. */
export async function storeMonths(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new HistoryError(`${dir}: no history store here`);
    throw error;
  });
  return names
    .filter((n) => MONTH_FILE.test(n))
    .map((n) => n.slice(0, 7))
    .sort();
}

/** Whether the process that wrote a lock is gone (only decidable on the same host). */
function lockIsStale(content: string): boolean {
  const [pid, host] = content.split(' ');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `body` holding the store's lock file: made exclusively (O_EXCL), removed after. A lock
 * left by a dead process of this host is taken over; one held by a live writer is waited for,
 * `attempts` times with a growing pause, then the error names it.
 */
async function withLock<T>(dir: string, body: () => Promise<T>, attempts = 400): Promise<T> {
  const lock = path.join(dir, LOCK_FILE);
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${process.pid} ${hostname()}`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readFile(lock, 'utf8').catch(() => '');
      if (holder !== '' && lockIsStale(holder)) {
        await rm(lock, { force: true });
        continue;
      }
      if (attempt >= attempts)
        throw new HistoryError(
          `${lock}: held by ${holder || 'another writer'}; remove it if no \`diverge history add\` is running`,
        );
      await sleep(Math.min(250, 5 * attempt));
    }
  }
  try {
    return await body();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Appends `record` to its month file as one line, written by one call and synced. A file that
 * does not end with a line break (a writer killed mid-line) is ended first, so the record
 * starts a line of its own.
 */
export async function appendRecord(
  dir: string,
  record: HistoryRecord,
  { lockAttempts }: { lockAttempts?: number } = {},
): Promise<string> {
  check(record, 'the new record');
  await makeDir(dir);
  const file = monthFile(dir, monthOf(record.time));
  await withLock(
    dir,
    async () => {
      const handle = await open(file, 'a+');
      try {
        const { size } = await handle.stat();
        let lead = '';
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) lead = '\n';
        }
        await handle.write(`${lead}${JSON.stringify(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    lockAttempts,
  );
  return file;
}

/**
 * The records of one month, in time order (then in the order they were added). A line that is
 * not JSON is a torn write: skipped, said through `warn`. A JSON line that is not a record is an
 * error naming the file, the line and the field.
 */
export async function readMonth(
  dir: string,
  month: string,
  warn: (line: string) => void,
): Promise<HistoryRecord[]> {
  const file = monthFile(dir, month);
  const lines = (await readFile(file, 'utf8')).split('\n');
  const records: HistoryRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warn(`${file}:${i + 1}: not a whole record (a write cut short?); skipped`);
      return;
    }
    records.push(checkStored(value, `${file}:${i + 1}`));
  });
  // Stable: runs of one instant stay in the order they were added.
  return records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/**
 * Where `readTimeline` may keep each month's columns between reads: a month file only grows, so
 * one whose size and time are unchanged is read from its columns instead of parsed again, and a
 * render at 10,000 runs parses only the months that changed. `version` (diverge's build id) is
 * part of the key: another diverge never reads these columns.
 */
export interface TimelineCache {
  dir: string;
  version: string;
}

interface CachedMonth {
  version: string;
  size: number;
  mtimeMs: number;
  warnings: string[];
  runs: TimelineRun[];
  tests: string[];
  /** Each run's number of codes, in order: the .bin file is their concatenation. */
  lengths: number[];
}

const cacheFiles = (cache: TimelineCache, dir: string, month: string) => {
  const base = path.join(
    cache.dir,
    createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16),
    month,
  );
  return { meta: `${base}.json`, codes: `${base}.bin` };
};

/** A month's cached columns, when they are there, whole, and of this file as it is now. */
async function cachedMonth(
  files: { meta: string; codes: string },
  stamp: { size: number; mtimeMs: number },
  version: string,
): Promise<{ meta: CachedMonth; timeline: Timeline } | undefined> {
  try {
    const meta = JSON.parse(await readFile(files.meta, 'utf8')) as CachedMonth;
    if (meta.version !== version || meta.size !== stamp.size || meta.mtimeMs !== stamp.mtimeMs)
      return undefined;
    const bytes = await readFile(files.codes);
    if (meta.lengths.reduce((a, b) => a + b, 0) !== bytes.length) return undefined;
    let at = 0;
    const codes = meta.lengths.map((n) => {
      const run = new Uint8Array(bytes.buffer, bytes.byteOffset + at, n);
      at += n;
      return run;
    });
    return { meta, timeline: { runs: meta.runs, tests: meta.tests, codes } };
  } catch {
    return undefined;
  }
}

/** One month as a timeline of its own: from its cached columns, else parsed (and cached). */
async function monthTimeline(
  dir: string,
  month: string,
  warn: (line: string) => void,
  cache: TimelineCache | undefined,
): Promise<Timeline> {
  const file = monthFile(dir, month);
  const { size, mtimeMs } = await stat(file);
  const files = cache ? cacheFiles(cache, dir, month) : undefined;
  if (cache && files) {
    const hit = await cachedMonth(files, { size, mtimeMs }, cache.version);
    if (hit) {
      hit.meta.warnings.forEach((line) => warn(line));
      return hit.timeline;
    }
  }
  const warnings: string[] = [];
  const timeline = timelineOf(
    await readMonth(dir, month, (line) => {
      warnings.push(line);
      warn(line);
    }),
  );
  if (cache && files) {
    const meta: CachedMonth = {
      version: cache.version,
      size,
      mtimeMs,
      warnings,
      runs: timeline.runs,
      tests: timeline.tests,
      lengths: timeline.codes.map((c) => c.length),
    };
    // A cache that cannot be written costs only time: the next read parses again.
    await writeAtomically(files.codes, Buffer.concat(timeline.codes))
      .then(() => writeAtomically(files.meta, JSON.stringify(meta)))
      .catch(() => undefined);
  }
  return timeline;
}

/** Months' timelines, oldest first, as one: each month's tests given their place in the whole. */
function joinMonths(months: readonly Timeline[]): Timeline {
  const whole = emptyTimeline();
  const index = new Map<string, number>();
  for (const month of months) {
    const place = month.tests.map((key) => {
      let t = index.get(key);
      if (t === undefined) {
        t = whole.tests.length;
        index.set(key, t);
        whole.tests.push(key);
      }
      return t;
    });
    month.runs.forEach((run, r) => {
      const codes = month.codes[r] ?? new Uint8Array();
      const joined = new Uint8Array(whole.tests.length);
      for (let t = 0; t < codes.length; t++) joined[place[t] ?? 0] = codes[t] ?? 0;
      whole.runs.push(run);
      whole.codes.push(joined);
    });
  }
  return whole;
}

/** The whole store as a timeline (history/timeline.ts), month by month. */
export async function readTimeline(
  dir: string,
  warn: (line: string) => void,
  cache?: TimelineCache,
): Promise<Timeline> {
  const months: Timeline[] = [];
  for (const month of await storeMonths(dir))
    months.push(await monthTimeline(dir, month, warn, cache));
  return joinMonths(months);
}
