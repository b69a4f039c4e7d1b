/**
 * Fault cases of processes and QEMU: QEMU killed or refusing to start, a guest that resets,
 * diverge itself killed or interrupted, a FIFO for a kernel, more boots than memory. The
 * kernels are tiny multiboot images (probe-kernel.ts) that real QEMU boots in a blink.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { CLI, fixtureKernels, linuxHarness, NODE24 } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers, processesIn } from './sandbox.js';

const KTAP_PLAN = 'KTAP version 1\n1..2\n';
const print = (text: string) => [...X86_CODE.serialPort, ...X86_CODE.print(text)];
/** Reports both tests and powers off. */
const QUICK = [...print(`${KTAP_PLAN}ok 1 a\nok 2 b\n`), ...X86_CODE.debugExit(0)];
/** Reports the first test, then waits forever inside the second. */
const STUCK = [...print(`${KTAP_PLAN}ok 1 a\n`), ...X86_CODE.halt];
/** `mov al, 0xfe; out 0x64, al`: the keyboard controller resets the machine. */
const RESET = [0xb0, 0xfe, 0xe6, 0x64, ...X86_CODE.halt];
/** `lidt [0]` (the zero-limit IDT multiboot leaves at 0), then `int3`: a triple fault. */
const TRIPLE_FAULT = [0x0f, 0x01, 0x1d, 0, 0, 0, 0, 0xcc, ...X86_CODE.halt];

/** `mov ecx, 0x40000000; dec ecx; jnz` back: seconds of work under TCG, the serial port kept. */
const SPIN = [0xb9, 0, 0, 0, 0x40, 0x49, 0x75, 0xfd];
/** Reports the first test, works a while, then the second, and powers off. */
const SLOW = [
  ...print(`${KTAP_PLAN}ok 1 a\n`),
  ...SPIN,
  ...print('ok 2 b\n'),
  ...X86_CODE.debugExit(0),
];

const CONFIG = (extra = '') =>
  `machine: { exit: isa-debug-exit, accel: tcg${extra} }\n` +
  'harness: { none: true, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n';

function setUp(kind: string, config = CONFIG()): FaultSandbox & { config: string } {
  const sb = faultSandbox(kind);
  const config_ = path.join(sb.work, 'diverge.yml');
  writeFileSync(config_, config);
  return { ...sb, config: config_ };
}

function kernel(sb: FaultSandbox, name: string, code: readonly number[]): string {
  const file = path.join(sb.work, `${name}.elf`);
  writeFileSync(file, multibootKernel(code));
  return file;
}

/** `diverge run` of `candidate` against the one reference `ref`, into the sandbox's out. */
const runArgs = (sb: FaultSandbox & { config: string }, candidate: string, ref: string) => [
  'run',
  '-c',
  sb.config,
  '--candidate',
  candidate,
  '-r',
  `ref=${ref}`,
  '-o',
  sb.out,
];

/** `diverge boot` of one kernel that prints two results and exits at once. */
const bootQuick = (
  sb: FaultSandbox & { config: string },
  more: string[] = [],
  extraEnv?: NodeJS.ProcessEnv,
) =>
  sb.cli(
    ['boot', '-c', sb.config, '-k', `k=${kernel(sb, 'quick', QUICK)}`, '-o', sb.out, ...more],
    extraEnv,
  );

interface Started {
  child: ChildProcess;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts the bundled CLI in the sandbox, for a case that acts while it runs. */
function start(sb: FaultSandbox, args: string[]): Started {
  const child = spawn(NODE24, [CLI, ...args], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ended };
}

async function waitFor(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of the QEMU booting `kernelFile`. */
function qemuOf(sb: FaultSandbox, kernelFile: string): number | undefined {
  const line = processesIn(sb).find((p) => p.includes('qemu-system') && p.includes(kernelFile));
  return line ? Number(line.split(' ')[0]) : undefined;
}

/** Waits until the QEMU booting `kernelFile` has printed `text` into `log`, and returns its pid. */
async function qemuThatPrinted(
  sb: FaultSandbox,
  kernelFile: string,
  log: string,
  text: string,
): Promise<number> {
  await waitFor(
    `${text} in ${log}`,
    () => existsSync(log) && readFileSync(log, 'utf8').includes(text),
  );
  const pid = qemuOf(sb, kernelFile);
  if (pid === undefined) throw new Error(`no QEMU for ${kernelFile}`);
  return pid;
}

/**
 * A `qemu-system-x86_64` first on PATH that runs the real one after `setup` (shell lines): the
 * way a case puts real QEMU under a real limit. Returns the PATH to give diverge.
 */
function wrappedQemu(sb: FaultSandbox, setup: string): string {
  const bin = path.join(sb.work, 'bin');
  mkdirSync(bin, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' });
  const wrapper = path.join(bin, 'qemu-system-x86_64');
  writeFileSync(wrapper, `#!/bin/sh\n${setup}\nexec ${real.trim()} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return `${bin}:${process.env.PATH}`;
}

/**
 * A memory cgroup of `bytes` (v2's memory.max, else v1's memory controller): its processes file,
 * and how to remove it once its processes are gone.
 */
function memoryCgroup(name: string, bytes: number): { procs: string; remove: () => void } {
  const v2 = '/sys/fs/cgroup';
  const isV2 =
    existsSync(`${v2}/cgroup.controllers`) &&
    readFileSync(`${v2}/cgroup.controllers`, 'utf8').split(/\s+/).includes('memory');
  const dir = isV2 ? `${v2}/${name}` : `${v2}/memory/${name}`;
  mkdirSync(dir);
  writeFileSync(path.join(dir, isV2 ? 'memory.max' : 'memory.limit_in_bytes'), String(bytes));
  if (isV2) writeFileSync(path.join(dir, 'memory.swap.max'), '0');
  return { procs: path.join(dir, 'cgroup.procs'), remove: () => rmdirSync(dir) };
}

const observation = (out: string, name: string): KernelObservation =>
  JSON.parse(readFileSync(path.join(out, 'observations', `${name}.json`), 'utf8'));

interface ReportTestView {
  id: string;
  verdict: { class: string; blame: string; reason: string };
}
const reportTests = (out: string): ReportTestView[] =>
  JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).tests;
const conclusion = (out: string): string =>
  JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')).summary.conclusion;

/** `diverge run` of a candidate against one reference, the QEMU of `victim` killed by `signal`. */
async function runKilling(
  sb: FaultSandbox & { config: string },
  kernels: { candidate: string; ref: string },
  victim: 'candidate' | 'ref',
  signal: NodeJS.Signals,
) {
  const run = start(sb, runArgs(sb, kernels.candidate, kernels.ref));
  const pid = await qemuThatPrinted(
    sb,
    kernels[victim],
    path.join(sb.out, 'logs', `${victim}-1.log`),
    'ok 1 a',
  );
  process.kill(pid, signal);
  return run.ended;
}

describe('faults: processes and QEMU', () => {
  it('qemu-sigkill: a QEMU killed by a signal diverge did not send is an infrastructure boot, the run neutral (exit 3)', async () => {
    const sb = setUp('qemu-sigkill');
    const kernels = { candidate: kernel(sb, 'stuck', STUCK), ref: kernel(sb, 'quick', QUICK) };
    const { code, stderr } = await runKilling(sb, kernels, 'candidate', 'SIGKILL');
    const boot = observation(sb.out, 'candidate-1').boot;
    expect(boot.outcome).toBe('infrastructure');
    expect(boot.message).toBe(
      'QEMU was killed by SIGKILL, not by diverge (the OOM killer? another process?)',
    );
    expect(stderr).toContain('candidate#1: infrastructure at stage harness');
    const b = reportTests(sb.out).find((t) => t.id === 'b');
    expect(b?.verdict).toMatchObject({ class: 'ambiguous', blame: 'infrastructure' });
    expect(b?.verdict.reason).toContain('QEMU was killed by SIGKILL');
    expect(conclusion(sb.out)).toBe('neutral');
    expect(code).toBe(3);
    expect(readFileSync(path.join(sb.out, 'logs', 'candidate-1.log'), 'utf8')).toContain('ok 1 a');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('qemu-oom: a QEMU the OOM killer ends (memory cgroup) is an infrastructure boot, the run neutral (exit 3)', async () => {
    const sb = setUp('qemu-oom');
    // The guest writes one word in every page of 2..240 MiB: QEMU's memory grows past the limit.
    const touch = [0xbf, 0, 0, 0x20, 0, 0x89, 0x07, 0x81, 0xc7, 0, 0x10, 0, 0];
    const hog = [...touch, 0x81, 0xff, 0, 0, 0, 0x0f, 0x72, 0xf0];
    const candidate = kernel(sb, 'hog', [
      ...print(`${KTAP_PLAN}ok 1 a\n`),
      ...hog,
      ...print('ok 2 b\n'),
      ...X86_CODE.debugExit(0),
    ]);
    const cgroup = memoryCgroup(path.basename(sb.root), 128 * 1024 ** 2);
    try {
      const PATH = wrappedQemu(sb, `echo $$ > ${cgroup.procs}`);
      const { code, stderr } = await sb.cli(runArgs(sb, candidate, kernel(sb, 'quick', QUICK)), {
        PATH,
      });
      const boot = observation(sb.out, 'candidate-1').boot;
      expect(boot.outcome).toBe('infrastructure');
      expect(boot.message).toContain('QEMU was killed by SIGKILL, not by diverge (the OOM killer?');
      expect(stderr).toContain('candidate#1: infrastructure');
      expect(observation(sb.out, 'ref-1').boot.outcome).toBe('completed');
      expect(conclusion(sb.out)).toBe('neutral');
      expect(code).toBe(3);
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      cgroup.remove();
    }
  });

  it('qemu-sigterm: a QEMU someone else stopped with SIGTERM is an infrastructure boot naming the sender, not a completed one', async () => {
    const sb = setUp('qemu-sigterm');
    const kernels = { candidate: kernel(sb, 'stuck', STUCK), ref: kernel(sb, 'quick', QUICK) };
    const { code } = await runKilling(sb, kernels, 'candidate', 'SIGTERM');
    const boot = observation(sb.out, 'candidate-1').boot;
    expect(boot.outcome).toBe('infrastructure');
    expect(boot.message).toMatch(
      /^QEMU was stopped by a signal, not by diverge: terminating on signal 15 from pid \d+/,
    );
    expect(conclusion(sb.out)).toBe('neutral');
    expect(code).toBe(3);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('reference-qemu-killed: a reference whose QEMU was killed makes its unfinished tests ambiguous, names it, and is not cached', async () => {
    const sb = setUp('reference-qemu-killed');
    const kernels = { candidate: kernel(sb, 'quick', QUICK), ref: kernel(sb, 'stuck', STUCK) };
    const { code, stderr } = await runKilling(sb, kernels, 'ref', 'SIGKILL');
    expect(stderr).toContain('ref#1: infrastructure at stage harness');
    const tests = reportTests(sb.out);
    expect(tests.find((t) => t.id === 'a')?.verdict.class).toBe('same');
    const b = tests.find((t) => t.id === 'b')?.verdict;
    expect(b).toMatchObject({ class: 'ambiguous', blame: 'infrastructure' });
    expect(b?.reason).toContain(
      'no reference finished this test: the host failed the boot of ref (QEMU was killed by SIGKILL',
    );
    expect(code).toBe(0); // nothing the candidate did fails the run
    const cached = path.join(sb.cache, 'diverge', 'observations');
    expect(existsSync(cached) ? readdirSync(cached) : []).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('qemu-refuses-memory: a QEMU that cannot set up guest memory is qemu-error with the words of QEMU, not a guest exit', async () => {
    const sb = setUp('qemu-refuses-memory', CONFIG(', memory: 3G'));
    // Real QEMU under an address-space limit smaller than the guest: it fails as on a full host.
    const PATH = wrappedQemu(sb, `ulimit -v ${2 * 1024 ** 2}`);
    const { code, stderr } = await bootQuick(sb, [], { PATH });
    expect(code).toBe(0);
    const boot = observation(sb.out, 'k-1').boot;
    expect(boot.outcome).toBe('qemu-error');
    expect(boot.message).toMatch(
      /^QEMU exited with status 1: .*qemu-system-x86_64: cannot set up guest memory 'pc.ram'/,
    );
    expect(stderr).toContain('k#1: qemu-error');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('qemu-refuses-args: a QEMU that refuses its arguments under isa-debug-exit (status 1) is qemu-error, not no-results', async () => {
    const sb = setUp('qemu-refuses-args', CONFIG(', qemu-args: [-device, no-such-device]'));
    await bootQuick(sb);
    const boot = observation(sb.out, 'k-1').boot;
    expect(boot.outcome).toBe('qemu-error');
    expect(boot.message).toMatch(
      /^QEMU exited with status 1: .*'no-such-device' is not a valid device/,
    );
    expect(await leftovers(sb)).toEqual([]);
  });

  it('grade-qemu-killed: a student whose QEMU was killed from outside twice gets no score and no classes (neutral, exit 3); the next run grades them', async () => {
    const sb = setUp('grade-qemu-killed');
    kernel(sb, 'quick', QUICK);
    writeFileSync(
      sb.config,
      `${readFileSync(sb.config, 'utf8')}references:\n  - { name: ref, file: quick.elf }\n`,
    );
    const alice = kernel(sb, 'alice', SLOW);
    const args = ['grade', '-c', sb.config, '--submission', `alice=${alice}`, '-o', sb.out];
    const grading = start(sb, args);
    const log = path.join(sb.out, 'students', 'alice', 'logs', 'candidate-1.log');
    const first = await qemuThatPrinted(sb, alice, log, 'ok 1 a');
    process.kill(first, 'SIGKILL');
    // The run judges a cut boot once more before giving up: kill that one too.
    await waitFor('a second QEMU for alice', () => {
      const pid = qemuOf(sb, alice);
      return pid !== undefined && pid !== first;
    });
    process.kill(await qemuThatPrinted(sb, alice, log, 'ok 1 a'), 'SIGKILL');
    const { code, stderr } = await grading.ended;
    expect(stderr).toContain('alice: not graded');
    expect(stderr).toContain('judging once more');
    const book = () => JSON.parse(readFileSync(path.join(sb.out, 'gradebook.json'), 'utf8'));
    const row = book().students[0];
    expect(row).toMatchObject({ name: 'alice', score: null, conclusion: 'neutral', tests: {} });
    expect(row.boot.outcome).toBe('infrastructure');
    expect(row.reason).toContain('not graded');
    const csv = readFileSync(path.join(sb.out, 'gradebook.csv'), 'utf8').split('\r\n');
    expect(csv[1]).toMatch(/^alice,,\d+,neutral,/);
    expect(csv[1]).not.toContain('missing');
    const md = readFileSync(path.join(sb.out, 'gradebook.md'), 'utf8');
    expect(md).toContain('| not graded | 2 | neutral |  |');
    expect(md).toMatch(/\| 0–9 % \| 0 \|/); // counted in no bucket
    expect(code).toBe(3);
    expect(await leftovers(sb)).toEqual([]);

    const again = await sb.cli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('not graded');
    expect(book().students[0]).toMatchObject({
      name: 'alice',
      conclusion: 'success',
      tests: { a: 'same', b: 'same' },
    });
    expect(book().students[0].score).toBeGreaterThan(0);
  }, 120_000);

  it('grade-qemu-killed-once: a student whose QEMU was killed from outside once is judged once more and graded in the same run', async () => {
    const sb = setUp('grade-qemu-killed-once');
    kernel(sb, 'quick', QUICK);
    writeFileSync(
      sb.config,
      `${readFileSync(sb.config, 'utf8')}references:\n  - { name: ref, file: quick.elf }\n`,
    );
    const alice = kernel(sb, 'alice', SLOW);
    const args = ['grade', '-c', sb.config, '--submission', `alice=${alice}`, '-o', sb.out];
    const grading = start(sb, args);
    const log = path.join(sb.out, 'students', 'alice', 'logs', 'candidate-1.log');
    process.kill(await qemuThatPrinted(sb, alice, log, 'ok 1 a'), 'SIGKILL');
    const { code, stderr } = await grading.ended;
    expect(stderr).toContain('judging once more');
    const row = JSON.parse(readFileSync(path.join(sb.out, 'gradebook.json'), 'utf8')).students[0];
    expect(row).toMatchObject({
      name: 'alice',
      conclusion: 'success',
      tests: { a: 'same', b: 'same' },
    });
    expect(row.score).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(await leftovers(sb)).toEqual([]);
  }, 120_000);

  it('run-qemu-refuses: a candidate whose QEMU refuses its arguments is an infrastructure verdict, not missing tests (neutral, exit 3)', async () => {
    const sb = setUp('run-qemu-refuses');
    const candidate = kernel(sb, 'candidate', QUICK);
    // Real QEMU given one device it does not have, for the candidate's boots only.
    const PATH = wrappedQemu(
      sb,
      `case "$*" in *${candidate}*) set -- "$@" -device no-such-device ;; esac`,
    );
    const { code, stdout } = await sb.cli(runArgs(sb, candidate, kernel(sb, 'quick', QUICK)), {
      PATH,
    });
    expect(observation(sb.out, 'candidate-1').boot.outcome).toBe('qemu-error');
    expect(observation(sb.out, 'ref-1').boot.outcome).toBe('completed');
    const report = JSON.parse(readFileSync(path.join(sb.out, 'report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ conclusion: 'neutral', divergences: 0, failing: 0 });
    expect(report.summary.note).toContain("'no-such-device' is not a valid device");
    expect(report.summary.byClass).toEqual({ ambiguous: 2 });
    for (const test of reportTests(sb.out))
      expect(test.verdict).toMatchObject({ class: 'ambiguous', blame: 'infrastructure' });
    expect(stdout).not.toContain('missing');
    expect(code).toBe(3);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('memory-over-cap: machine.memory above 64G is bad input (exit 2) naming the file and field', async () => {
    const sb = setUp('memory-over-cap', CONFIG(', memory: 1T'));
    const { code, stderr } = await bootQuick(sb);
    expect(code).toBe(2);
    expect(stderr).toContain(`${sb.config}:1: machine.memory: expected at most 64G, got "1T"`);
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  /** `diverge run` of a candidate that resets in test b against a reference that finishes. */
  async function resetRun(kind: string, resetCode: readonly number[]) {
    const sb = setUp(kind);
    const candidate = kernel(sb, 'candidate', [...print(`${KTAP_PLAN}ok 1 a\n`), ...resetCode]);
    // A reference that reports everything, then resets: an unusual power-off, nothing more.
    const ref = kernel(sb, 'ref', [...print(`${KTAP_PLAN}ok 1 a\nok 2 b\n`), ...resetCode]);
    const result = await sb.cli(runArgs(sb, candidate, ref));
    return { sb, result };
  }

  it('guest-reset-after-results: a guest that resets inside a test crashed in it (exit 1); one that resets after all its results completed', async () => {
    const { sb, result } = await resetRun('guest-reset-after-results', RESET);
    const boot = observation(sb.out, 'candidate-1').boot;
    expect(boot.outcome).toBe('panic');
    expect(boot.message).toBe(
      'the guest reset itself (a triple fault or a reset request) before its results were complete',
    );
    expect(observation(sb.out, 'ref-1').boot.outcome).toBe('completed');
    const b = reportTests(sb.out).find((t) => t.id === 'b')?.verdict;
    expect(b?.class).toBe('crash');
    expect(result.code).toBe(1);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('triple-fault: a harness that triple-faults inside a test crashed in it (exit 1)', async () => {
    const { sb, result } = await resetRun('triple-fault', TRIPLE_FAULT);
    expect(observation(sb.out, 'candidate-1').boot.outcome).toBe('panic');
    expect(reportTests(sb.out).find((t) => t.id === 'b')?.verdict.class).toBe('crash');
    expect(result.code).toBe(1);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('linux-reboot-mid-tests: a Linux harness that reboots (sysrq b) inside its tests crashed in them', async () => {
    const sb = setUp('linux-reboot-mid-tests');
    const harness = await linuxHarness('x86_64');
    const append = 'console=ttyS0 panic=-1 diverge.harness=reset';
    writeFileSync(
      sb.config,
      `machine: { accel: tcg, append: "${append}" }\nharness: { dir: ${harness}, timeouts: { stall: 60s } }\n`,
    );
    const kernels = await fixtureKernels();
    const { code } = await sb.cli([
      'boot',
      '-c',
      sb.config,
      '-k',
      `k=${kernels.X86_61_A}`,
      '-o',
      sb.out,
    ]);
    expect(code).toBe(0);
    const obs = observation(sb.out, 'k-1');
    expect(obs.boot).toMatchObject({
      outcome: 'panic',
      stage: 'harness',
      message:
        'the guest reset itself (a triple fault or a reset request) before its results were complete',
    });
    expect(obs.tests.map((t) => [t.id, t.status])).toEqual([
      ['first', 'pass'],
      ['#2', 'missing'],
      ['#3', 'missing'],
    ]);
    expect(readFileSync(path.join(sb.out, 'logs', 'k-1.log'), 'utf8')).toContain(
      'sysrq: Resetting',
    );
    expect(await leftovers(sb)).toEqual([]);
  });

  it('diverge-sigkill: diverge killed outright takes its QEMU with it (parent-death signal)', async () => {
    const sb = setUp('diverge-sigkill');
    const stuck = kernel(sb, 'stuck', STUCK);
    const run = start(sb, ['boot', '-c', sb.config, '-k', `k=${stuck}`, '-o', sb.out]);
    await qemuThatPrinted(sb, stuck, path.join(sb.out, 'logs', 'k-1.log'), 'ok 1 a');
    run.child.kill('SIGKILL');
    expect((await run.ended).signal).toBe('SIGKILL');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('serial-dir-orphan: the temporary directory of a boot whose diverge was killed outright (before its QEMU took it) is removed by the next run; a live diverge one is left alone', async () => {
    const sb = setUp('serial-dir-orphan');
    // A pid that has ended: a child that exited.
    const dead = spawn('true');
    await new Promise((resolve) => dead.on('close', resolve));
    const orphan = path.join(sb.tmp, `diverge-serial-${dead.pid}-AbC123`);
    const live = path.join(sb.tmp, `diverge-serial-${process.pid}-XyZ789`);
    for (const dir of [orphan, live]) {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'console.out'), 'half a boot');
    }
    const quick = kernel(sb, 'quick', QUICK);
    const { code } = await sb.cli(['boot', '-c', sb.config, '-k', `k=${quick}`, '-o', sb.out]);
    expect(code).toBe(0);
    expect([existsSync(orphan), existsSync(live)]).toEqual([false, true]);
    rmSync(live, { recursive: true });
    expect(await leftovers(sb)).toEqual([]);
  });

  /** diverge interrupted while one boot ended and another runs. */
  async function interrupt(signal: 'SIGTERM' | 'SIGINT', status: number) {
    const sb = setUp(`diverge-${signal}`);
    const stuck = kernel(sb, 'stuck', STUCK);
    const quick = kernel(sb, 'quick', QUICK);
    // Through a shell, which reports the status a user and a CI step see.
    const boot = ['boot', '-c', sb.config, '-k', `stuck=${stuck}`, '-k', `quick=${quick}`];
    const shell = spawn(
      'bash',
      ['-c', '"$@"; exit $?', 'bash', NODE24, CLI, ...boot, '-o', sb.out],
      {
        env: sb.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    shell.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const ended = new Promise<number | null>((resolve) => shell.on('close', resolve));
    await waitFor('the quick boot', () =>
      existsSync(path.join(sb.out, 'observations', 'quick-1.json')),
    );
    await qemuThatPrinted(sb, stuck, path.join(sb.out, 'logs', 'stuck-1.log'), 'ok 1 a');
    const diverge = processesIn(sb)
      .map((line) => line.split(' '))
      .find(([, program]) => program === NODE24);
    process.kill(Number(diverge?.[0]), signal);
    expect(await ended).toBe(status);
    expect(stderr).toContain(`diverge: ${signal}: stopping every boot`);
    expect(observation(sb.out, 'quick-1').tests.map((t) => t.status)).toEqual(['pass', 'pass']);
    expect(await leftovers(sb)).toEqual([]);
  }

  it('diverge-sigterm: SIGTERM stops every QEMU and ends diverge by the signal (a shell sees 143), keeping the boots that ended', () =>
    interrupt('SIGTERM', 143));

  it('diverge-sigint: SIGINT (Ctrl-C) stops every QEMU and ends diverge by the signal (a shell sees 130), keeping the boots that ended', () =>
    interrupt('SIGINT', 130));

  /**
   * A boot sector (16-bit real mode): `text` to COM1 one byte at a time, then a jump to itself;
   * the name `Pintos` as data (diverge looks for it before writing a Pintos command line) and the
   * boot signature 0x55AA at 510. What a course's loader is to QEMU, less the loading.
   */
  function bootSector(text: string): Buffer {
    const code = [0xba, 0xf8, 0x03]; // mov dx, 0x3f8
    for (const byte of Buffer.from(text)) code.push(0xb0, byte, 0xee); // mov al, byte; out dx, al
    code.push(0xeb, 0xfe); // jmp $
    const sector = Buffer.alloc(512);
    Buffer.from(code).copy(sector);
    sector.write('Pintos', 0x100);
    sector.writeUInt16LE(0xaa55, 510);
    return sector;
  }

  it('disk-boot-sigint: SIGINT during a disk boot with a Pintos command line stops its QEMU and leaves no copy of the disk (each boot has its own, its command line written in)', async () => {
    const sb = setUp(
      'disk-boot-sigint',
      'machine: { arch: i386, memory: 4M, boot: disk, command-line: pintos, append: "-q run {test}", accel: tcg }\n' +
        'harness: { none: true, tests: [a], results: { format: transcript }, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n',
    );
    const disk = path.join(sb.work, 'os.dsk');
    writeFileSync(disk, Buffer.concat([bootSector('loader spinning\n'), Buffer.alloc(64 * 1024)]));
    const run = start(sb, ['boot', '-c', sb.config, '-k', `k=${disk}`, '-o', sb.out]);
    const logs = path.join(sb.out, 'logs');
    await waitFor('the loader on the console', () =>
      (existsSync(logs) ? readdirSync(logs) : []).some((f) =>
        readFileSync(path.join(logs, f), 'utf8').includes('loader spinning'),
      ),
    );
    // QEMU boots the boot's own copy of the disk, its command line written in (in the temp
    // folder, unlinked once QEMU holds it open).
    expect(
      processesIn(sb).filter((p) => /qemu-system-i386 .*file=[^,]*\/boot\.dsk,/.test(p)),
    ).toHaveLength(1);
    run.child.kill('SIGINT');
    const { signal, stderr } = await run.ended;
    expect(signal).toBe('SIGINT');
    expect(stderr).toContain('diverge: SIGINT: stopping every boot');
    expect(await leftovers(sb)).toEqual([]);
    expect(readFileSync(disk).subarray(0, 512)).toEqual(bootSector('loader spinning\n'));
  });

  /**
   * A snapshot run: a console-script harness with one boot per test, on a disk, so that the
   * kernel is saved at its `$ ` prompt (its disk's overlay with it) and every test is restored
   * from there. The kernel never answers what is typed: each test waits at its step.
   */
  function snapshotSetUp(kind: string, code: readonly number[]) {
    const sb = setUp(
      kind,
      'machine: { exit: isa-debug-exit, accel: tcg }\n' +
        'harness:\n' +
        '  none: true\n' +
        '  disks: [{ file: disk.img, format: raw }]\n' +
        '  tests: [a, b]\n' +
        '  script: [{ expect: \'\\$ \', send: "{test}\\n", timeout: 3s }]\n' +
        '  rerun-divergent: 0\n' +
        '  timeouts: { boot: 60s, stall: 60s, total: 90s }\n',
    );
    writeFileSync(path.join(sb.work, 'disk.img'), Buffer.alloc(1024 * 1024));
    const file = kernel(sb, 'prompt', code);
    const savedVms = path.join(sb.cache, 'diverge', 'saved-vms');
    const partials = () =>
      existsSync(savedVms) ? readdirSync(savedVms).filter((n) => n.endsWith('.partial')) : [];
    return { sb, file, savedVms, partials };
  }

  it('snapshot-sigkill: diverge killed outright while saving a VM leaves no QEMU; the next run removes the half-saved VM and its overlay', async () => {
    // Seconds of work before the prompt: diverge is killed while the VM boots to be saved.
    const { sb, file, savedVms, partials } = snapshotSetUp('snapshot-sigkill', [
      ...print('booting\n'),
      ...SPIN,
      ...print('$ '),
      ...X86_CODE.halt,
    ]);
    const args = ['boot', '-c', sb.config, '-k', `k=${file}`, '-o', sb.out];
    const run = start(sb, args);
    await waitFor('the VM being saved, its overlay made', () =>
      partials().some((p) => existsSync(path.join(savedVms, p, 'disk0.qcow2'))),
    );
    const [partial] = partials();
    // The saving guest runs (its serial files are open and unlinked): the overlay is in use.
    await qemuThatPrinted(sb, file, path.join(savedVms, partial as string, 'k-1.log'), 'booting');
    run.child.kill('SIGKILL');
    expect((await run.ended).signal).toBe('SIGKILL');
    expect(await leftovers(sb)).toEqual([]); // its QEMU died with it
    expect(partials()).toHaveLength(1); // what no cleanup of diverge's could remove

    const again = await sb.cli(args);
    expect(again.stderr).toContain('k: booted once to its first prompt and saved');
    expect(partials()).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
    for (const test of ['a', 'b'])
      expect(observation(sb.out, `k-${test}-1`).boot).toMatchObject({
        restored: true,
        outcome: 'timeout',
      });
  });

  it('snapshot-sigint: SIGINT during a restored boot stops its QEMU and leaves none of its overlay copies', async () => {
    const { sb, file } = snapshotSetUp('snapshot-sigint', [...print('$ '), ...X86_CODE.halt]);
    const run = start(sb, ['boot', '-c', sb.config, '-k', `k=${file}`, '-o', sb.out]);
    // A restored boot's QEMU (-incoming) whose guest runs: its overlay copy is already unlinked.
    await waitFor('a restored boot', () =>
      processesIn(sb).some((p) => p.includes('qemu-system') && p.includes('-incoming')),
    );
    const restoredDisk = () =>
      processesIn(sb)
        .find((p) => p.includes('-incoming'))
        ?.match(/file=([^,]*diverge-restore-[^,]*\.qcow2)/)?.[1];
    await waitFor('the restored guest to run', () => {
      const disk = restoredDisk();
      return disk !== undefined && !existsSync(disk);
    });
    const diverge = processesIn(sb)
      .map((line) => line.split(' '))
      .find(([, program]) => program === NODE24);
    process.kill(Number(diverge?.[0]), 'SIGINT');
    expect((await run.ended).signal).toBe('SIGINT');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('fifo-kernel: a FIFO given as a kernel or a reference is refused (exit 2) naming it, never opened', async () => {
    const sb = setUp('fifo-kernel');
    const fifo = path.join(sb.work, 'kernel.elf');
    execFileSync('mkfifo', [fifo]);
    const boot = await sb.cli(['boot', '-c', sb.config, '-k', `k=${fifo}`, '-o', sb.out]);
    expect(boot.code).toBe(2);
    expect(boot.stderr).toContain(`kernel "k": not a regular file: ${fifo}`);
    const quick = kernel(sb, 'quick', QUICK);
    const run = await sb.cli(runArgs(sb, quick, fifo));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`kernel "ref": not a regular file: ${fifo}`);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('jobs-overcommit: --jobs beyond free memory is lowered, said once on stderr with the numbers', async () => {
    const sb = setUp('jobs-overcommit', CONFIG(', memory: 4G'));
    const { code, stderr } = await bootQuick(sb, ['--jobs', '64']);
    expect(code).toBe(0);
    const lowered = [
      ...stderr.matchAll(
        /--jobs 64 lowered to (\d+): each boot needs 4224 MiB \(machine.memory 4096 MiB \+ 128 MiB for QEMU\) and the host has (\d+) MiB free/g,
      ),
    ];
    expect(lowered).toHaveLength(1);
    const [, jobs, free] = (lowered[0] as RegExpMatchArray).map(Number) as [number, number, number];
    expect(jobs).toBe(Math.max(1, Math.floor(free / 4224)));
    expect(stderr).toContain(`${jobs} at once`);
    expect(observation(sb.out, 'k-1').boot.outcome).toBe('completed');
    expect(await leftovers(sb)).toEqual([]);
  });
});
