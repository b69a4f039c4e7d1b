/**
 * Fault cases of results that did not come from the harness: a kernel that runs nothing and
 * prints a recorded console log — the staff kernel's, or its own from an earlier boot. With a
 * result token (harness.token: cmdline) each boot's harness frames its results with a token made
 * for that boot, so a recorded log carries another boot's token. The kernels are tiny multiboot
 * images (probe-kernel.ts) that real QEMU boots in a blink; the honest ones are their own
 * harness, reading the token from the command line in their multiboot information.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const print = (text: string) => X86_CODE.print(text);
/**
 * Prints the value of the first `key=value` of the multiboot command line (the token diverge
 * puts first) and leaves its start in edi. `ebx` holds the multiboot information at entry.
 */
const PRINT_TOKEN = [
  ...[0xfc, 0x8b, 0x73, 0x10], // cld; mov esi, [ebx+16]: the command line
  ...[0xac, 0x3c, 0x3d, 0x75, 0xfb], // lodsb; cmp al, '='; jne back: past the first '='
  ...[0x89, 0xf7], // mov edi, esi
];
/** Prints from esi to the next space or NUL: `lodsb; cmp al, ' '; jbe out; out dx, al; jmp back`. */
const PRINT_WORD = [0xac, 0x3c, 0x20, 0x76, 0x03, 0xee, 0xeb, 0xf8];

/** A kernel that is its own harness: its two results framed by the boot's token. */
function honestKernel(results: string): Buffer {
  return multibootKernel([
    ...X86_CODE.serialPort,
    ...print('# diverge-token: '),
    ...PRINT_TOKEN,
    ...PRINT_WORD,
    ...print(`\nKTAP version 1\n1..2\n${results}# diverge-token: `),
    ...[0x89, 0xfe], // mov esi, edi: the token again
    ...PRINT_WORD,
    ...print('\n'),
    ...X86_CODE.debugExit(0),
    ...X86_CODE.halt,
  ]);
}

/**
 * A kernel with a shell on its serial port: `$ ` prompts, typed characters echoed, `echo WORD`
 * printing WORD, any other command printing `hi`. (Assembled with GNU as, addresses in comments.)
 */
const SHELL = multibootKernel([
  ...[0xfc], // 00 cld
  ...[0x66, 0xba, 0xf8, 0x03, 0xb0, 0x24, 0xee, 0xb0, 0x20, 0xee], // 01 prompt: print "$ "
  ...[0xbf, 0x00, 0x00, 0x20, 0x00], // 0b mov edi, 0x200000: the line buffer
  ...[0x66, 0xba, 0xfd, 0x03, 0xec, 0xa8, 0x01, 0x74, 0xfb], // 10 read: wait for a byte (LSR)
  ...[0x66, 0xba, 0xf8, 0x03, 0xec, 0x3c, 0x0a, 0x74, 0x04], // 19 in al; newline: to 26
  ...[0xaa, 0xee, 0xeb, 0xea], // 22 stosb; echo it; jmp read
  ...[0xee, 0xc6, 0x07, 0x00, 0xbe, 0x00, 0x00, 0x20, 0x00], // 26 line: echo \n, NUL, esi = buffer
  ...[0x81, 0x3e, 0x65, 0x63, 0x68, 0x6f, 0x75, 0x10], // 2f "echo"? else to 47
  ...[0x83, 0xc6, 0x05, 0xac, 0x84, 0xc0, 0x74, 0x03, 0xee, 0xeb, 0xf8], // 37 print the word
  ...[0xb0, 0x0a, 0xee, 0xeb, 0xba], // 42 done: \n; jmp prompt
  ...[0xb0, 0x68, 0xee, 0xb0, 0x69, 0xee, 0xb0, 0x0a, 0xee, 0xeb, 0xaf], // 47 other: "hi\n"
]);

/** A kernel that runs nothing: it prints `log`, recorded from another boot, and powers off. */
const replayKernel = (log: string) =>
  multibootKernel([...X86_CODE.serialPort, ...print(log), ...X86_CODE.debugExit(0)]);

/** The course: the staff kernel passes both tests; results carry the boot's token. */
function course(sb: FaultSandbox): { config: string; staff: string } {
  const staff = path.join(sb.work, 'staff.elf');
  writeFileSync(staff, honestKernel('ok 1 a\nok 2 b\n'));
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    'machine: { exit: isa-debug-exit, accel: tcg }\n' +
      'harness: { none: true, token: cmdline, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n' +
      'references:\n  - { name: staff, file: staff.elf }\n' +
      'grading: { points: [{ test: a, points: 10 }, { test: b, points: 10 }] }\n',
  );
  return { config, staff };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const tokenOf = (log: string) => /^# diverge-token: ([0-9a-f]{32})$/m.exec(log)?.[1];

interface Boot {
  kernel: string;
  outcome: string;
  message?: string;
  cached?: boolean;
}
const boots = (out: string): Boot[] => readJson(path.join(out, 'report.json')).boots;
const verdicts = (out: string): Record<string, { class: string; reason: string }> =>
  Object.fromEntries(
    readJson(path.join(out, 'report.json')).tests.map(
      (t: { id: string; verdict: { class: string; reason: string } }) => [t.id, t.verdict],
    ),
  );

describe('faults: results not from the harness', () => {
  it('replayed-console-log: a kernel printing the recorded log of the staff kernel is not-from-harness, never a pass, in run (exit 1) and grade (no score)', async () => {
    const sb = faultSandbox('replayed-console-log');
    const { config, staff } = course(sb);
    // The staff kernel's console log, as a student could record it from a run of the course.
    const recorded = path.join(sb.root, 'recorded');
    const boot = await sb.cli(['boot', '-c', config, '-k', `staff=${staff}`, '-o', recorded]);
    expect(boot.code).toBe(0);
    const log = readFileSync(path.join(recorded, 'logs', 'staff-1.log'), 'utf8');
    const recordedToken = tokenOf(log);
    expect(recordedToken).toBeDefined();
    expect(log).toContain('ok 2 b');
    const replay = path.join(sb.work, 'replay.elf');
    writeFileSync(replay, replayKernel(log));

    const run = await sb.cli(['run', '-c', config, '--candidate', replay, '-o', sb.out]);
    expect(run.code).toBe(1);
    const candidate = boots(sb.out).find((b) => b.kernel === 'candidate');
    expect(candidate).toMatchObject({
      outcome: 'not-from-harness',
      message: `results not from the harness: 2 results framed by the token of another boot (${recordedToken}), not this boot's: a replayed log?`,
    });
    expect(boots(sb.out).find((b) => b.kernel === 'staff')?.outcome).toBe('completed');
    for (const id of ['a', 'b']) {
      expect(verdicts(sb.out)[id]?.class).toBe('missing');
      expect(verdicts(sb.out)[id]?.reason).toContain(
        "the candidate's boot reported results not from the harness (results not from the harness: 2 results framed by the token of another boot",
      );
    }
    expect(readFileSync(path.join(sb.out, 'report.md'), 'utf8')).toContain(
      '**⚠️ Results not from the harness**, discarded (candidate #1): 2 results framed by the token',
    );

    // Graded: the replaying student gets nothing; an honest copy of the staff kernel, full marks.
    const honest = path.join(sb.work, 'honest.elf');
    writeFileSync(honest, honestKernel('ok 1 a\nok 2 b\n'));
    const grades = path.join(sb.root, 'grades');
    const grade = await sb.cli([
      ...['grade', '-c', config, '-o', grades],
      ...['--submission', `mallory=${replay}`, '--submission', `bob=${honest}`],
    ]);
    expect(grade.code).toBe(0);
    const rows = readJson(path.join(grades, 'gradebook.json')).students as Record<
      string,
      unknown
    >[];
    expect(rows.find((r) => r.name === 'mallory')).toMatchObject({
      score: 0,
      max: 20,
      conclusion: 'failure',
      tests: { a: 'missing', b: 'missing' },
      boot: { outcome: 'not-from-harness' },
      reason: expect.stringMatching(
        /^results not from the harness: 2 results framed by the token of another boot/,
      ),
    });
    expect(rows.find((r) => r.name === 'bob')).toMatchObject({
      score: 20,
      conclusion: 'success',
      boot: { outcome: 'completed' },
    });
    expect(await leftovers(sb)).toEqual([]);
  }, 180_000);

  it('stale-token: a kernel printing its own log from an earlier boot is not-from-harness; the cached reference keeps the token of its own boot and still judges', async () => {
    const sb = faultSandbox('stale-token');
    const { config } = course(sb);
    const honest = path.join(sb.work, 'candidate.elf');
    writeFileSync(honest, honestKernel('ok 1 a\nnot ok 2 b\n'));
    const first = await sb.cli(['run', '-c', config, '--candidate', honest, '-o', sb.out]);
    expect(first.code).toBe(1); // b regressed: the honest kernel is judged on its results
    expect(verdicts(sb.out)).toMatchObject({ a: { class: 'same' }, b: { class: 'regression' } });
    const staffToken = tokenOf(readFileSync(path.join(sb.out, 'logs', 'staff-1.log'), 'utf8'));
    const log = readFileSync(path.join(sb.out, 'logs', 'candidate-1.log'), 'utf8');
    const earlier = tokenOf(log);
    expect(earlier).toBeDefined();

    // The same kernel, booted again, has a new token: its earlier log is stale.
    const stale = path.join(sb.work, 'stale.elf');
    writeFileSync(stale, replayKernel(log.replace('not ok 2 b', 'ok 2 b')));
    const out = path.join(sb.root, 'out2');
    const again = await sb.cli(['run', '-c', config, '--candidate', stale, '-o', out]);
    expect(again.code).toBe(1);
    const candidate = boots(out).find((b) => b.kernel === 'candidate');
    expect(candidate?.outcome).toBe('not-from-harness');
    expect(candidate?.message).toContain(`the token of another boot (${earlier})`);
    expect(verdicts(out)).toMatchObject({ a: { class: 'missing' }, b: { class: 'missing' } });
    // The staff's observation came from the cache (the token is no part of its key), with the
    // token of the boot it was recorded in, and its results still count.
    const staff = boots(out).find((b) => b.kernel === 'staff');
    expect(staff).toMatchObject({ outcome: 'completed', cached: true });
    const saved = readJson(path.join(out, 'boots.json')).observations.find(
      (o: { kernel: string }) => o.kernel === 'staff',
    );
    expect(saved.boot.token).toBe(staffToken);
    expect(saved.tests.map((t: { id: string }) => t.id)).toEqual(['a', 'b']);
    expect(await leftovers(sb)).toEqual([]);
  }, 180_000);

  it('replayed-console-dialogue: a kernel printing a recorded console dialogue (harness.token: script) is not-from-harness, naming the token check', async () => {
    const sb = faultSandbox('replayed-console-dialogue');
    const staff = path.join(sb.work, 'staff.elf');
    writeFileSync(staff, SHELL);
    const config = path.join(sb.work, 'diverge.yml');
    writeFileSync(
      config,
      'machine: { accel: tcg }\n' +
        'harness:\n  none: true\n  token: script\n  rerun-divergent: 0\n' +
        '  timeouts: { boot: 60s, stall: 60s, total: 90s }\n' +
        `  script: [{ expect: '^\\$ ', send: "hello\\n", test: hello, pass: '^hi$' }]\n` +
        'references:\n  - { name: staff, file: staff.elf }\n',
    );
    const recorded = path.join(sb.root, 'recorded');
    const boot = await sb.cli(['boot', '-c', config, '-k', `staff=${staff}`, '-o', recorded]);
    expect(boot.code).toBe(0);
    const log = readFileSync(path.join(recorded, 'logs', 'staff-1.log'), 'utf8');
    // The shell answered the token typed before the step and after it, and the step itself.
    const typed = /^\$ echo ([0-9a-f]{32})$/m.exec(log)?.[1] ?? '';
    expect(log).toContain(`$ echo ${typed}\n${typed}\n$ hello\nhi\n$ echo ${typed}\n${typed}\n$ `);
    const replay = path.join(sb.work, 'replay.elf');
    writeFileSync(
      replay,
      multibootKernel([...X86_CODE.serialPort, ...print(log), ...X86_CODE.halt]),
    );

    const run = await sb.cli(['run', '-c', config, '--candidate', replay, '-o', sb.out]);
    expect(run.code).toBe(1);
    expect(boots(sb.out).find((b) => b.kernel === 'staff')?.outcome).toBe('completed');
    expect(boots(sb.out).find((b) => b.kernel === 'candidate')).toMatchObject({
      outcome: 'not-from-harness',
      message: expect.stringMatching(
        /^results not from the harness: the token check before console script step 1 was answered without this boot's token on a line of its own: a replayed log\?/,
      ),
    });
    expect(verdicts(sb.out).hello?.class).toBe('missing');
    expect(await leftovers(sb)).toEqual([]);
  }, 180_000);
});
