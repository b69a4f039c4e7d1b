/**
 * Faults of the surfaces around a run, through the bundled CLI: an --out or --config of the
 * wrong kind, an empty kernel, an expectations file that is not YAML, hostile test ids in the
 * HTML report, hostile student names in a gradebook, shards that overlap, and a history store
 * with a record cut short. The kernels are tiny multiboot images real QEMU boots in a blink.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const kernelPrinting = (ktap: string) =>
  multibootKernel([...X86_CODE.serialPort, ...X86_CODE.print(ktap), ...X86_CODE.debugExit(0)]);

const PASSING = 'KTAP version 1\n1..1\nok 1 a\n';

/** A config with one reference (`staff.elf`, test a passes); more YAML appended. */
function course(sb: FaultSandbox, more = ''): string {
  writeFileSync(path.join(sb.work, 'staff.elf'), kernelPrinting(PASSING));
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    'machine: { exit: isa-debug-exit, accel: tcg }\n' +
      'harness: { none: true, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n' +
      'references:\n  - { name: staff, file: staff.elf }\n' +
      more,
  );
  return config;
}

describe('faults: inputs of the wrong kind', () => {
  it('out-is-file: an --out that names a file is bad input naming it; the file stays as it was', async () => {
    const sb = faultSandbox('out-is-file');
    const config = course(sb);
    writeFileSync(sb.out, 'notes\n');
    const result = await sb.cli([
      'run',
      '-c',
      config,
      '--candidate',
      path.join(sb.work, 'staff.elf'),
      '-o',
      sb.out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${sb.out}: --out: is not a directory (a file is there)`);
    expect(readFileSync(sb.out, 'utf8')).toBe('notes\n');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('config-is-directory: a --config that names a directory is bad input naming it; --out untouched', async () => {
    const sb = faultSandbox('config-is-directory');
    course(sb);
    const result = await sb.cli([
      'run',
      '-c',
      sb.work,
      '--candidate',
      path.join(sb.work, 'staff.elf'),
      '-o',
      sb.out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(sb.work);
    expect(result.stderr).toMatch(/directory|EISDIR/);
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('empty-kernel: a zero-byte candidate is not a kernel image, said before --out is taken', async () => {
    const sb = faultSandbox('empty-kernel');
    const config = course(sb);
    const empty = path.join(sb.work, 'empty.elf');
    writeFileSync(empty, '');
    const result = await sb.cli(['run', '-c', config, '--candidate', empty, '-o', sb.out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${empty} is not a kernel image`);
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('garbage-expectations: an expectations file that is not YAML is bad input naming the file and line; --out untouched', async () => {
    const sb = faultSandbox('garbage-expectations');
    const config = course(sb, 'expectations: expected.yml\n');
    const expectations = path.join(sb.work, 'expected.yml');
    writeFileSync(expectations, '{{{ not yaml: [\n');
    const result = await sb.cli([
      'run',
      '-c',
      config,
      '--candidate',
      path.join(sb.work, 'staff.elf'),
      '-o',
      sb.out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${expectations.replace(/[.]/g, '\\.')}:\\d+: `));
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });
});

describe('faults: hostile names in what diverge renders', () => {
  it('html-hostile-test-id: markup in a test id and its output is text in report.html, never markup', async () => {
    const sb = faultSandbox('html-hostile-test-id');
    const config = course(sb);
    const hostile = path.join(sb.work, 'hostile.elf');
    writeFileSync(
      hostile,
      kernelPrinting(
        'KTAP version 1\n1..2\nok 1 a\n# <img src=x onerror=alert(2)>\nnot ok 2 <script>alert(1)</script>\n',
      ),
    );
    const result = await sb.cli(['run', '-c', config, '--candidate', hostile, '-o', sb.out]);
    // A test only the candidate reports is `new`, not in the default fail-on.
    expect(result.code).toBe(0);
    const html = readFileSync(path.join(sb.out, 'report.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    const report = readFileSync(path.join(sb.out, 'report.json'), 'utf8');
    expect(report).toContain('<script>alert(1)</script>');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('hostile-student-name: student names with path separators, dot-dot and markup stay inside students/ and are text in gradebook.html', async () => {
    const sb = faultSandbox('hostile-student-name');
    const config = course(sb);
    const staff = path.join(sb.work, 'staff.elf');
    // (`--submission NAME=PATH`: a name cannot hold '='.)
    const names = ['../evil', 'a/b', '<script>alert(1)</script>'];
    const result = await sb.cli([
      'grade',
      '-c',
      config,
      ...names.flatMap((name) => ['--submission', `${name}=${staff}`]),
      '-o',
      sb.out,
    ]);
    expect(result.code).toBe(0);
    const gradebook = JSON.parse(readFileSync(path.join(sb.out, 'gradebook.json'), 'utf8')) as {
      students: { name: string; score: number | null }[];
    };
    expect(gradebook.students.map((s) => s.name).sort()).toEqual([...names].sort());
    expect(gradebook.students.every((s) => s.score === 1)).toBe(true);
    // Nothing was written beside --out; every student's folder is one plain name.
    expect(readdirSync(sb.root).sort()).toEqual(['cache', 'out', 'tmp', 'work']);
    for (const folder of readdirSync(path.join(sb.out, 'students')))
      expect(folder).toMatch(/^[A-Za-z0-9._-]+$/);
    const html = readFileSync(path.join(sb.out, 'gradebook.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)');
    expect(await leftovers(sb)).toEqual([]);
  });
});

describe('faults: grading and history state', () => {
  it('merge-duplicate-student: grade merge of shards that both graded one student refuses, naming the student and both files; nothing is written', async () => {
    const sb = faultSandbox('merge-duplicate-student');
    const config = course(sb);
    const staff = path.join(sb.work, 'staff.elf');
    const shards = ['one', 'two'].map((name) => path.join(sb.root, name));
    for (const shard of shards) {
      const graded = await sb.cli([
        'grade',
        '-c',
        config,
        '--submission',
        `alice=${staff}`,
        '-o',
        shard,
      ]);
      expect(graded.code).toBe(0);
    }
    const merged = await sb.cli(['grade', 'merge', ...shards, '-o', sb.out]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toContain(
      `student "alice" is in both ${shards[0]}/gradebook.json and ${shards[1]}/gradebook.json`,
    );
    expect(existsSync(path.join(sb.out, 'gradebook.json'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  /** A store of the course's staff run, added as the records of `days` (one commit a day). */
  async function storeOf(sb: FaultSandbox, days: string[]): Promise<string> {
    const run = await sb.cli([
      'run',
      '-c',
      course(sb),
      '--candidate',
      path.join(sb.work, 'staff.elf'),
      '-o',
      sb.out,
    ]);
    expect(run.code).toBe(0);
    const store = path.join(sb.root, 'store');
    for (const day of days) expect((await addDay(sb, store, day)).code).toBe(0);
    return store;
  }
  const addDay = (sb: FaultSandbox, store: string, day: string) =>
    sb.cli([
      'history',
      'add',
      path.join(sb.out, 'report.json'),
      '--store',
      store,
      '--commit',
      `0123a${day}`,
      '--ref',
      'refs/heads/main',
      '--time',
      `2026-11-${day}T10:00:00Z`,
      '--event',
      'push',
    ]);

  it('history-garbled-record: a history record cut short is skipped and said; the runs around it count and a new one is added', async () => {
    const sb = faultSandbox('history-garbled-record');
    const store = await storeOf(sb, ['01']);
    const month = path.join(store, '2026-11.jsonl');
    writeFileSync(
      month,
      `${readFileSync(month, 'utf8')}{"schema":"diverge.history/v1","commit":"dead`,
    );
    expect((await addDay(sb, store, '02')).code).toBe(0);
    const shown = await sb.cli(['history', 'show', '--store', store]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(`${month}:2: not a whole record (a write cut short?); skipped`);
    expect(shown.stdout).toContain('2 runs, 1 tests; latest 0123a02');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('history-edited-record: a history record edited by hand (a status changed) is skipped and said; history is what add wrote', async () => {
    const sb = faultSandbox('history-edited-record');
    const store = await storeOf(sb, ['01', '02', '03']);
    const month = path.join(store, '2026-11.jsonl');
    const lines = readFileSync(month, 'utf8').split('\n');
    const edited = (lines[1] as string).replace('"pass"', '"fail"');
    expect(edited).not.toBe(lines[1]);
    writeFileSync(month, [lines[0], edited, ...lines.slice(2)].join('\n'));
    const shown = await sb.cli(['history', 'show', '--store', store]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain(
      `${month}:2: a record that does not match its checksum (edited after it was added); skipped`,
    );
    expect(shown.stdout).toContain('2 runs, 1 tests; latest 0123a03');
    expect(await leftovers(sb)).toEqual([]);
  });
});
