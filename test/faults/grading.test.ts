/**
 * Fault cases of grading state: a saved row or a shard's gradebook edited by hand after it was
 * graded. Rows carry a checksum over themselves and their report (src/grade/seal.ts): an edited
 * row is graded again on resume, and `grade merge` refuses the shard naming it. The kernels are
 * tiny multiboot images (probe-kernel.ts) that real QEMU boots in a blink.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const print = (text: string) => [...X86_CODE.serialPort, ...X86_CODE.print(text)];
const ktap = (results: string) => [
  ...print(`KTAP version 1\n1..2\n${results}`),
  ...X86_CODE.debugExit(0),
];

/** A course of one reference (both tests pass) in the sandbox: its config. */
function course(sb: FaultSandbox): string {
  writeFileSync(path.join(sb.work, 'staff.elf'), multibootKernel(ktap('ok 1 a\nok 2 b\n')));
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    'machine: { exit: isa-debug-exit, accel: tcg }\n' +
      'harness: { none: true, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n' +
      'references:\n  - { name: staff, file: staff.elf }\n',
  );
  return config;
}

/** A student kernel that fails test b: a regression. */
function failingStudent(sb: FaultSandbox, name: string): string {
  const file = path.join(sb.work, `${name}.elf`);
  writeFileSync(file, multibootKernel(ktap('ok 1 a\nnot ok 2 b\n')));
  return file;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** The row made to look perfect: every test `same`, full marks, `success`. */
function forge(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row, score: row.max, conclusion: 'success', tests: { a: 'same', b: 'same' } };
}

describe('faults: grading state', () => {
  it('edited-grade-row: a students/NAME/grade.json edited by hand is discarded and graded again on resume, saying so', async () => {
    const sb = faultSandbox('edited-grade-row');
    const config = course(sb);
    const args = ['grade', '-c', config, '--submission', `alice=${failingStudent(sb, 'alice')}`];
    const first = await sb.cli([...args, '-o', sb.out]);
    expect(first.code).toBe(0);
    const gradeFile = path.join(sb.out, 'students', 'alice', 'grade.json');
    const row = readJson(gradeFile);
    expect(row).toMatchObject({ conclusion: 'failure', tests: { b: 'regression' } });
    writeFileSync(gradeFile, JSON.stringify(forge(row), null, 2));

    const again = await sb.cli([...args, '-o', sb.out]);
    expect(again.code).toBe(0);
    expect(again.stderr + again.stdout).toContain(
      `alice: ${gradeFile} does not match its checksum`,
    );
    expect(again.stdout).not.toContain('kept from the last run');
    const book = readJson(path.join(sb.out, 'gradebook.json'));
    expect(book.students[0]).toMatchObject({
      name: 'alice',
      conclusion: 'failure',
      score: row.score,
      tests: { a: 'same', b: 'regression' },
    });
    expect(readJson(gradeFile)).toEqual(book.students[0]);
    expect(await leftovers(sb)).toEqual([]);
  }, 120_000);

  it('submission-fifo: a FIFO or /dev/zero given as a submission is a row saying what it is, never opened (not "no such file")', async () => {
    const sb = faultSandbox('submission-fifo');
    const config = course(sb);
    const fifo = path.join(sb.work, 'alice.elf');
    execFileSync('mkfifo', [fifo]);
    const { code } = await sb.cli([
      'grade',
      '-c',
      config,
      '--submission',
      `alice=${fifo}`,
      '--submission',
      'bob=/dev/zero',
      '-o',
      sb.out,
    ]);
    expect(code).toBe(0);
    const [alice, bob] = readJson(path.join(sb.out, 'gradebook.json')).students;
    expect(alice).toMatchObject({ conclusion: 'failure', score: 0, tests: {} });
    expect(alice.reason).toBe(`not a regular file or directory (a FIFO): ${fifo}`);
    expect(bob.reason).toBe('not a regular file or directory (a device): /dev/zero');
    expect(await leftovers(sb)).toEqual([]);
  }, 120_000);

  it('edited-shard: grade merge refuses a shard whose row was edited (a failing student shown with full marks), naming the shard file and student', async () => {
    const sb = faultSandbox('edited-shard');
    const config = course(sb);
    const subs = ['alice', 'bob'].flatMap((n) => ['--submission', `${n}=${failingStudent(sb, n)}`]);
    const shards = [1, 2].map((i) => path.join(sb.root, `shard-${i}`));
    for (const [i, dir] of shards.entries()) {
      const { code } = await sb.cli([
        'grade',
        '-c',
        config,
        ...subs,
        '--shard',
        `${i + 1}/2`,
        '-o',
        dir,
      ]);
      expect(code).toBe(0);
    }
    const merged = path.join(sb.root, 'merged');
    const ok = await sb.cli(['grade', 'merge', ...shards, '--out', merged]);
    expect(ok.code).toBe(0);

    const bookFile = path.join(shards[1] as string, 'gradebook.json');
    const book = readJson(bookFile);
    expect(book.students[0]).toMatchObject({ name: 'bob', conclusion: 'failure' });
    book.students[0] = forge(book.students[0]);
    writeFileSync(bookFile, JSON.stringify(book, null, 2));
    const refused = path.join(sb.root, 'refused');
    const { code, stderr } = await sb.cli(['grade', 'merge', ...shards, '--out', refused]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${bookFile}: the row of "bob" does not match its checksum: the row or its report (students/bob/report.json) was edited after it was graded`,
    );
    expect(() => readFileSync(path.join(refused, 'gradebook.json'))).toThrow();
    expect(await leftovers(sb)).toEqual([]);
  }, 120_000);
});
