/** The history store on a real file system: month files, torn lines, edited records, the lock. */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { HistoryError, historyRecord } from '../../src/history/record.js';
import schema from '../../schema/history.v1.json' with { type: 'json' };
import { ajv } from '../../src/util/schema.js';
import {
  appendRecord,
  checkStored,
  LOCK_FILE,
  readMonth,
  readTimeline,
  storeMonths,
} from '../../src/history/store.js';
import { timelineOf } from '../../src/history/timeline.js';
import { judgedReport, boot } from '../helpers/observations.js';
import { scratchDir } from '../helpers/fixtures.js';
import { historyRun } from '../helpers/history.js';

/** A record's line as docs/history.md says `add` writes it: its JSON, sealed by its digest. */
const sealed = (json: string) =>
  `${json.slice(0, -1)},"checksum":"${createHash('sha256').update(json).digest('hex')}"}`;
const run = (commit: string, hour: number) => historyRun({ commit, hour, tests: { a: 'good' } });

describe('the history store', () => {
  it('keeps a file per month, and gives records back oldest first', async () => {
    const dir = path.join(scratchDir('history-store'), 'store');
    // 2026-11-01 + 800 hours is in December; added out of order.
    for (const [commit, hour] of [
      ['c2', 800],
      ['c0', 1],
      ['c1', 2],
    ] as const)
      await appendRecord(dir, run(commit, hour));
    expect(await storeMonths(dir)).toEqual(['2026-11', '2026-12']);
    const timeline = await readTimeline(dir, () => undefined);
    expect(timeline.runs.map((r) => r.commit)).toEqual(['c0', 'c1', 'c2']);
    const lines = readFileSync(path.join(dir, '2026-11.jsonl'), 'utf8').split('\n');
    expect(lines.map((l) => l && JSON.parse(l).commit)).toEqual(['c0', 'c1', '']);
  });

  it('skips a line cut short with a warning, and the next record starts a line of its own', async () => {
    const dir = scratchDir('history-torn');
    await appendRecord(dir, run('c0', 0));
    const file = path.join(dir, '2026-11.jsonl');
    const whole = JSON.stringify(run('c1', 1));
    appendFileSync(file, whole.slice(0, whole.length / 2)); // a writer killed mid-line
    const warnings: string[] = [];
    expect((await readMonth(dir, '2026-11', (w) => warnings.push(w))).map((r) => r.commit)).toEqual(
      ['c0'],
    );
    expect(warnings).toEqual([`${file}:2: not a whole record (a write cut short?); skipped`]);
    await appendRecord(dir, run('c2', 2));
    warnings.length = 0;
    expect((await readMonth(dir, '2026-11', (w) => warnings.push(w))).map((r) => r.commit)).toEqual(
      ['c0', 'c2'],
    );
    expect(warnings).toHaveLength(1);
  });

  it('a sealed line that is not a record is an error naming the file, line and field', async () => {
    const dir = scratchDir('history-bad');
    await appendRecord(dir, run('c0', 0));
    const bad = { ...run('c1', 1), event: 'pull_request' };
    appendFileSync(path.join(dir, '2026-11.jsonl'), `${sealed(JSON.stringify(bad))}\n`);
    await expect(readTimeline(dir, () => undefined)).rejects.toThrow(
      `${path.join(dir, '2026-11.jsonl')}:2: /event must be equal to one of the allowed values`,
    );
  });

  it('skips, with a warning, a record edited after it was added, or one add did not write', async () => {
    const dir = scratchDir('history-edited');
    for (const [i, commit] of ['c0', 'c1', 'c2'].entries()) await appendRecord(dir, run(commit, i));
    const file = path.join(dir, '2026-11.jsonl');
    const [first, second, third] = readFileSync(file, 'utf8').split('\n');
    // c1's candidate passed its test; the edit says it failed. c2 is rewritten without its seal.
    const edited = (second as string).replace('"pass"', '"fail"');
    expect(edited).not.toBe(second);
    const unsealed = JSON.stringify({ ...JSON.parse(third as string), checksum: undefined });
    writeFileSync(file, `${first}\n${edited}\n${unsealed}\n`);
    const warnings: string[] = [];
    const kept = await readMonth(dir, '2026-11', (w) => warnings.push(w));
    expect(kept.map((r) => r.commit)).toEqual(['c0']);
    expect(warnings).toEqual([
      `${file}:2: a record that does not match its checksum (edited after it was added); skipped`,
      `${file}:3: a record that has no checksum (not written by \`diverge history add\`); skipped`,
    ]);
    // The record as read has no checksum of its own: it is the record that was added.
    expect(kept[0]).toEqual(run('c0', 0));
  });

  it("reads a record's tests by hand as the schema says them", () => {
    const record = run('c0', 0);
    const bad: unknown[] = [
      ['same'],
      ['same', []],
      ['same', ['pass'], 'extra'],
      ['sane', ['pass']],
      ['same', ['passed']],
      'same pass',
    ];
    const validate = ajv.compile(schema);
    for (const entry of [['same', ['pass', 'varies']], ...bad]) {
      const value = structuredClone(record) as { reports: { tests: Record<string, unknown> }[] };
      (value.reports[0] as { tests: Record<string, unknown> }).tests = { 'x"y': entry };
      // The schema and the hand check agree: the good entry passes both, each bad one neither.
      const bySchema = validate(value);
      expect(bySchema).toBe(!bad.includes(entry));
      if (bySchema) expect(() => checkStored(value, 'm.jsonl:3')).not.toThrow();
      else
        expect(() => checkStored(value, 'm.jsonl:3')).toThrow(
          'm.jsonl:3: /reports/0/tests/"x\\"y" must be [class, [status, …]]',
        );
    }
  });

  it("keeps each month's columns next to it: extended by add, rebuilt when they no longer match", async () => {
    const dir = scratchDir('history-columns');
    for (const [commit, hour] of [
      ['c0', 0],
      ['c1', 800],
    ] as const)
      await appendRecord(dir, historyRun({ commit, hour, tests: { a: 'good', b: 'broken' } }));
    expect(readdirSync(dir).sort()).toEqual([
      '2026-11.columns.bin',
      '2026-11.columns.json',
      '2026-11.jsonl',
      '2026-12.columns.bin',
      '2026-12.columns.json',
      '2026-12.jsonl',
    ]);
    const parse = async () => {
      const records = [];
      for (const month of await storeMonths(dir))
        records.push(...(await readMonth(dir, month, () => undefined)));
      return timelineOf(records);
    };
    expect(await readTimeline(dir, () => undefined)).toEqual(await parse());
    // The columns are what a read uses: changed there, they show.
    const meta = path.join(dir, '2026-11.columns.json');
    const columns = JSON.parse(readFileSync(meta, 'utf8'));
    columns.runs[0].commit = 'from-columns';
    writeFileSync(meta, JSON.stringify(columns));
    const commits = async (warn: (line: string) => void = () => undefined) =>
      (await readTimeline(dir, warn)).runs.map((r) => r.commit);
    expect(await commits()).toEqual(['from-columns', 'c1']);
    // add extends them by its run, without parsing the month again.
    await appendRecord(dir, run('c2', 1));
    expect(await commits()).toEqual(['from-columns', 'c2', 'c1']);
    // A month file that changed otherwise (a torn line) is parsed again, its columns rebuilt.
    appendFileSync(path.join(dir, '2026-11.jsonl'), '{"torn');
    const warnings: string[] = [];
    expect(await commits((line) => warnings.push(line))).toEqual(['c0', 'c2', 'c1']);
    expect(await commits((line) => warnings.push(line))).toEqual(['c0', 'c2', 'c1']);
    // The torn line is said on every read, from the columns too.
    expect(warnings).toHaveLength(2);
    expect(new Set(warnings).size).toBe(1);
    // A record earlier than the month's latest is not appended to the columns: they are rebuilt.
    await appendRecord(dir, run('c3', 0));
    expect(await commits()).toEqual(['c0', 'c3', 'c2', 'c1']);
    expect(await readTimeline(dir, () => undefined)).toEqual(await parse());
  });

  it("keeps a month's columns in the cache when the store's cannot be written", async () => {
    const dir = scratchDir('history-cached');
    const cache = { dir: scratchDir('history-cache'), version: '0.1.0+a' };
    await appendRecord(dir, run('c0', 0));
    // Columns that cannot be replaced: a directory where the codes go.
    rmSync(path.join(dir, '2026-11.columns.json'));
    rmSync(path.join(dir, '2026-11.columns.bin'));
    mkdirSync(path.join(dir, '2026-11.columns.bin'));
    const commits = async (version = cache.version) =>
      (await readTimeline(dir, () => undefined, { ...cache, version })).runs.map((r) => r.commit);
    expect(await commits()).toEqual(['c0']);
    const [store = ''] = readdirSync(cache.dir); // one directory per store
    const meta = path.join(cache.dir, store, '2026-11.json');
    const cached = JSON.parse(readFileSync(meta, 'utf8'));
    cached.runs[0].commit = 'from-cache';
    writeFileSync(meta, JSON.stringify(cached));
    expect(await commits()).toEqual(['from-cache']);
    // Another diverge does not read them.
    expect(await commits('0.2.0+b')).toEqual(['c0']);
  });

  it('says when the directory is no store', async () => {
    const dir = path.join(scratchDir('history-none'), 'nowhere');
    await expect(readTimeline(dir, () => undefined)).rejects.toThrow(
      new HistoryError(`${dir}: no history store here`),
    );
  });

  it('takes over the lock of a writer that died, and waits for a live one', async () => {
    const dir = scratchDir('history-lock');
    const lock = path.join(dir, LOCK_FILE);
    // Pid 2^22 + 1 is above Linux's pid_max: no such process.
    writeFileSync(lock, `4194305 ${(await import('node:os')).hostname()}`);
    await appendRecord(dir, run('c0', 0), { lockAttempts: 2 });
    writeFileSync(lock, `${process.pid} ${(await import('node:os')).hostname()}`);
    await expect(appendRecord(dir, run('c1', 1), { lockAttempts: 2 })).rejects.toThrow(
      `${lock}: held by ${process.pid}`,
    );
    expect((await readMonth(dir, '2026-11', () => undefined)).map((r) => r.commit)).toEqual(['c0']);
  });
});

describe('a record of a run', () => {
  const report = judgedReport(
    [
      boot('staff', 1, ['a:pass', 'b:pass', 'c:fail']),
      boot('candidate', 1, ['a:pass', 'b:fail', 'c:fail']),
      boot('candidate', 2, ['a:pass', 'b:fail', 'c:pass']),
    ],
    ['staff'],
  );
  const place = {
    commit: 'c0',
    ref: 'refs/heads/main',
    time: '2026-12-06T10:00:00+01:00',
    event: 'push' as const,
  };

  it('holds per test its class and the status per kernel, the failing tests, the toolchain', () => {
    const record = historyRecord(place, [{ file: 'out/report.json', report, link: 'r.html' }]);
    expect(record).toMatchObject({
      commit: 'c0',
      time: '2026-12-06T09:00:00.000Z',
      toolchain: { diverge: report.run.tool.version, qemu: '7.2.22' },
      reports: [
        {
          variant: 'default',
          candidate: report.candidate.digest,
          references: [{ name: 'staff', digest: report.references[0]?.digest }],
          link: 'r.html',
          tests: { a: ['same', ['pass', 'pass']], b: ['regression', ['fail', 'pass']] },
          failing: ['b'],
        },
      ],
    });
    expect(record.reports[0]?.tests['c']?.[1]).toEqual(['varies', 'fail']);
  });

  it('refuses two reports of one variant, or of two QEMUs, naming the files', () => {
    const other = structuredClone(report);
    expect(() =>
      historyRecord(place, [
        { file: 'a/report.json', report },
        { file: 'b/report.json', report: other },
      ]),
    ).toThrow("b/report.json: variant default is also a/report.json's");
    other.variant = 'smp';
    other.run.host.qemu = '8.0.0';
    expect(() =>
      historyRecord(place, [
        { file: 'a/report.json', report },
        { file: 'b/report.json', report: other },
      ]),
    ).toThrow("b/report.json: run.host.qemu 8.0.0 differs from a/report.json's 7.2.22");
  });

  it('refuses a time that is not one', () => {
    expect(() => historyRecord({ ...place, time: 'yesterday' }, [{ file: 'r', report }])).toThrow(
      '--time yesterday is not an ISO 8601 time',
    );
  });
});
