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
import { alive } from '../util/interrupt.js';
import { schemaCheck } from '../util/schema.js';
import { HistoryError } from './record.js';
import { addRun, emptyTimeline, type Timeline, timelineOf, type TimelineRun } from './timeline.js';

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
  return (
    host === hostname() && pid !== undefined && /^\d+$/.test(pid) && !alive(Number(pid), undefined)
  );
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
      // Undefined: a new month file; '' (matching no columns): a key that could not be read.
      const before = await columnsKey(file).catch((error: NodeJS.ErrnoException) =>
        error.code === 'ENOENT' ? undefined : '',
      );
      let lead = '';
      const handle = await open(file, 'a+');
      try {
        const { size } = await handle.stat();
        if (size > 0) {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          if (last[0] !== 0x0a) lead = '\n';
        }
        await handle.write(`${lead}${sealedLine(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A torn line's warning is the next read's to say: its columns are rebuilt then.
      if (lead === '') await extendColumns(dir, record, before).catch(() => undefined);
    },
    lockAttempts,
  );
  return file;
}

/** SHA-256 in hex, without util/digest's `sha256:` prefix: what the store's files hold. */
const hexSha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * A record's line: its JSON with a checksum of that JSON as the last key, so that a record edited
 * by hand (a status turned to pass, a test dropped) is told from the one `add` wrote. Like the
 * gradebook's and the observations' checksums it catches edits and damage, not a forger who
 * recomputes it.
 */
function sealedLine(record: HistoryRecord): string {
  const json = JSON.stringify(record);
  return `${json.slice(0, -1)},"checksum":"${hexSha256(json)}"}`;
}

const SEAL = /,"checksum":"([0-9a-f]{64})"\}$/;

/** Why a stored line cannot be trusted (no checksum, or not the JSON it was written as), or undefined. */
function sealProblem(line: string): string | undefined {
  const seal = SEAL.exec(line);
  if (!seal) return 'has no checksum (not written by `diverge history add`)';
  return hexSha256(`${line.slice(0, seal.index)}}`) === seal[1]
    ? undefined
    : 'does not match its checksum (edited after it was added)';
}

/**
 * The records of one month, in time order (then in the order they were added). A line that is
 * not JSON is a torn write, and one that does not match its checksum an edit: both skipped,
 * said through `warn`, as history never redoes a run. A sealed JSON line that is not a record is
 * an error naming the file, the line and the field.
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
    const problem = sealProblem(line.trimEnd());
    if (problem) {
      warn(`${file}:${i + 1}: a record that ${problem}; skipped`);
      return;
    }
    delete (value as { checksum?: unknown }).checksum;
    records.push(checkStored(value, `${file}:${i + 1}`));
  });
  // Stable: runs of one instant stay in the order they were added.
  return records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

/**
 * Where `readTimeline` may also keep each month's columns between reads, for a store whose own
 * columns cannot be written (below): keyed by the month file's size and time and diverge's
 * build id (`version`), so another diverge never reads them.
 */
export interface TimelineCache {
  dir: string;
  version: string;
}

/**
 * A month's columns (history/timeline.ts): its runs, its tests, each run's codes. Kept next to
 * the month file in the store (`YYYY-MM.columns.json` and `.columns.bin`), so a render in a fresh
 * checkout of the history branch reads 1 byte per test and run instead of parsing 45 KB of JSON
 * per run. The JSON lines stay the source of truth: columns whose key does not match the month
 * file as it is now are rebuilt from it.
 */
interface MonthColumns {
  /** What they were made from (columnsKey, or the cache's key). */
  key: string;
  warnings: string[];
  runs: TimelineRun[];
  tests: string[];
  /** Each run's number of codes, in order: the .bin file is their concatenation. */
  lengths: number[];
}

type ColumnFiles = { meta: string; codes: string };

/** The codes' encoding: columns written by a diverge with other classes or statuses are not read. */
const COLUMNS_FORMAT = createHash('sha256')
  .update(JSON.stringify([1, DIVERGENCE_CLASSES, HISTORY_STATUSES]))
  .digest('hex')
  .slice(0, 12);
/** The bytes at a month file's end that its key covers besides its size. */
const KEY_TAIL = 4096;

const storeColumns = (dir: string, month: string): ColumnFiles => ({
  meta: path.join(dir, `${month}.columns.json`),
  codes: path.join(dir, `${month}.columns.bin`),
});

/**
 * What a month file's columns are checked against: the encoding, the file's size and a digest
 * of its last 4 KB. The store is only appended to, so any record added (or line torn) changes
 * the key; unlike the file's time, the key survives a git checkout.
 */
async function columnsKey(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.min(size, KEY_TAIL));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return `${COLUMNS_FORMAT} ${size} ${hexSha256(tail).slice(0, 32)}`;
  } finally {
    await handle.close();
  }
}

const cacheFiles = (cache: TimelineCache, dir: string, month: string): ColumnFiles => {
  const base = path.join(cache.dir, hexSha256(path.resolve(dir)).slice(0, 16), month);
  return { meta: `${base}.json`, codes: `${base}.bin` };
};

/** A month's columns, when they are there, whole, and made from what `key` says. */
async function readColumns(
  files: ColumnFiles,
  key: string,
): Promise<{ meta: MonthColumns; timeline: Timeline } | undefined> {
  try {
    const meta = JSON.parse(await readFile(files.meta, 'utf8')) as MonthColumns;
    if (meta.key !== key) return undefined;
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

/** Writes the columns: codes first, so meta that matches always has its codes. */
async function writeColumns(
  files: ColumnFiles,
  key: string,
  timeline: Timeline,
  warnings: string[],
): Promise<void> {
  const meta: MonthColumns = {
    key,
    warnings,
    runs: timeline.runs,
    tests: timeline.tests,
    lengths: timeline.codes.map((c) => c.length),
  };
  await writeAtomically(files.codes, Buffer.concat(timeline.codes));
  await writeAtomically(files.meta, JSON.stringify(meta));
}

/**
 * After `record` was appended to a month file whose key was `before` (undefined: the file is
 * new), its columns are brought up to date by adding the one run, when they were up to date and
 * the record is the month's latest; otherwise they are left for the next read to rebuild.
 */
async function extendColumns(
  dir: string,
  record: HistoryRecord,
  before: string | undefined,
): Promise<void> {
  const month = monthOf(record.time);
  const files = storeColumns(dir, month);
  let timeline = emptyTimeline();
  let warnings: string[] = [];
  if (before !== undefined) {
    const hit = await readColumns(files, before);
    const last = hit?.timeline.runs.at(-1);
    if (!hit || (last && Date.parse(record.time) < Date.parse(last.time))) return;
    ({ timeline } = hit);
    warnings = hit.meta.warnings;
  }
  addRun(timeline, record, new Map(timeline.tests.map((key, t) => [key, t])));
  await writeColumns(files, await columnsKey(monthFile(dir, month)), timeline, warnings);
}

/**
 * One month as a timeline of its own: from the store's columns, else the cache's, else parsed
 * (and the store's columns written; the cache's only when the store cannot be written to).
 */
async function monthTimeline(
  dir: string,
  month: string,
  warn: (line: string) => void,
  cache: TimelineCache | undefined,
): Promise<Timeline> {
  const file = monthFile(dir, month);
  const own = { files: storeColumns(dir, month), key: await columnsKey(file) };
  const { size, mtimeMs } = await stat(file);
  const cached = cache && {
    files: cacheFiles(cache, dir, month),
    key: `${cache.version} ${size} ${mtimeMs}`,
  };
  for (const where of cached ? [own, cached] : [own]) {
    const hit = await readColumns(where.files, where.key);
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
  // Columns that cannot be written cost only time: the next read parses again.
  const kept = await writeColumns(own.files, own.key, timeline, warnings).then(
    () => true,
    () => false,
  );
  if (!kept && cached)
    await writeColumns(cached.files, cached.key, timeline, warnings).catch(() => undefined);
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
