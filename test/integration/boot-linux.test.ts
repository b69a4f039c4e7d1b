import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createRunContext } from '../../src/context.js';
import { probeKvm } from '../../src/qemu/accel.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { bootKernels } from '../../src/session/boots.js';
import {
  CLI,
  cli,
  configIn,
  fixtureKernels,
  linuxHarness,
  NODE24,
  qemuProcessesMentioning,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';

const run = promisify(execFile);
const HARNESS_TESTS = [
  'uname_sysname',
  'getpid_positive',
  'fork_wait_status',
  'pipe_roundtrip',
  'mmap_anonymous',
  'clock_monotonic',
  'open_tmpfile',
  'proc_self_status',
  'signal_ignored',
  'sched_yield',
  'dev_null_write',
  'cachestat_syscall',
  'unused_syscall_451',
  'mseal_probe',
];

let kernels: Record<string, string>;
let harnessX86: string;
beforeAll(async () => {
  kernels = await fixtureKernels();
  harnessX86 = await linuxHarness('x86_64');
});

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('diverge boot on real Debian kernels', () => {
  it('boots a 6.1 and a 6.12 x86_64 kernel to the end of the shared KTAP harness', async () => {
    const dir = scratchDir('boot-x86');
    const { file } = configIn(dir, `harness:\n  dir: ${harnessX86}\n  results: { format: ktap }\n`);
    const out = path.join(dir, 'out');
    const { stderr } = await run(NODE24, [
      CLI,
      'boot',
      '--config',
      file,
      '--kernel',
      `linux-6.1=${kernels.X86_61_A}`,
      '--kernel',
      `linux-6.12=${kernels.X86_612}`,
      '--out',
      out,
    ]);
    expect(stderr).toMatch(/accel (tcg|kvm) \(/);

    const boots = readJson<{
      host: { accel: string; accelReason: string };
      observations: KernelObservation[];
    }>(path.join(out, 'boots.json'));
    const { searchPath, tempDir } = createRunContext(process.env);
    const kvm = await probeKvm(searchPath, tempDir);
    expect(boots.host.accel).toBe(kvm.works ? 'kvm' : 'tcg');
    for (const name of ['linux-6.1', 'linux-6.12']) {
      const observation = readJson<KernelObservation>(
        path.join(out, 'observations', `${name}-1.json`),
      );
      expect(observation.boot.outcome).toBe('completed');
      expect(observation.boot.stage).toBe('done');
      expect(observation.boot.accel).toBe(boots.host.accel);
      expect(observation.complete).toBe(true);
      expect(observation.tests.map((t) => t.id)).toEqual(HARNESS_TESTS);
      const log = readFileSync(path.join(out, 'logs', `${name}-1.log`), 'utf8');
      expect(log).toContain('Linux version');
      expect(log).toContain('ok 14 mseal_probe');
    }
    // cachestat(2) exists from Linux 6.5 on: the harness sees the difference.
    const status = (name: string) =>
      readJson<KernelObservation>(path.join(out, 'observations', `${name}-1.json`)).tests.find(
        (t) => t.id === 'cachestat_syscall',
      )?.status;
    expect(status('linux-6.1')).toBe('fail');
    expect(status('linux-6.12')).toBe('pass');
    expect(qemuProcessesMentioning(dir)).toEqual([]);
  });

  it('boots an aarch64 kernel on the virt machine', async () => {
    const dir = scratchDir('boot-arm64');
    const harness = await linuxHarness('aarch64');
    const { file } = configIn(dir, `machine: { arch: aarch64 }\nharness:\n  dir: ${harness}\n`);
    const out = path.join(dir, 'out');
    await run(NODE24, [CLI, 'boot', '-c', file, '-k', `arm64=${kernels.ARM64}`, '-o', out]);
    const observation = readJson<KernelObservation>(path.join(out, 'observations', 'arm64-1.json'));
    expect(observation.boot).toMatchObject({ outcome: 'completed', stage: 'done', accel: 'tcg' });
    expect(observation.tests.map((t) => [t.id, t.status])).toEqual([
      ['uname_sysname', 'pass'],
      ['proc_self_status', 'pass'],
      ['pipe_roundtrip', 'pass'],
    ]);
    expect(observation.tests[2]?.output).toEqual(['machine aarch64']);
    expect(path.basename(observation.boot.command[0] ?? '')).toBe('qemu-system-aarch64');
  });

  it('reads results from a second serial port when the channel is serial2', async () => {
    const dir = scratchDir('boot-serial2');
    const { file } = configIn(
      dir,
      `machine: { append: "console=ttyS0 panic=-1 diverge.channel=serial2" }\nharness:\n  dir: ${harnessX86}\n  results: { format: ktap, channel: serial2 }\n`,
    );
    const out = path.join(dir, 'out');
    await run(NODE24, [CLI, 'boot', '-c', file, '-k', `k=${kernels.X86_61_B}`, '-o', out]);
    const observation = readJson<KernelObservation>(path.join(out, 'observations', 'k-1.json'));
    expect(observation.boot.outcome).toBe('completed');
    expect(observation.tests.map((t) => t.id)).toEqual(HARNESS_TESTS);
    expect(readFileSync(path.join(out, 'logs', 'k-1.log'), 'utf8')).not.toContain(
      'ok 1 uname_sysname',
    );
    expect(readFileSync(path.join(out, 'logs', 'k-1.results.log'), 'utf8')).toContain(
      'ok 1 uname_sysname',
    );
    expect(existsSync(path.join(out, 'boots.json'))).toBe(true);
    expect(statSync(path.join(out, 'logs', 'k-1.log')).size).toBeGreaterThan(0);
  });
});

describe('console scripts and per-test boots on a real BusyBox shell', () => {
  const SHELL = 'machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=shell" }';
  const boot = async (label: string, yaml: string) => {
    const dir = scratchDir(label);
    const { settings } = configIn(dir, `${yaml}\n  dir: ${harnessX86}\n`);
    const run = await bootKernels(
      testContext(label),
      settings,
      [{ name: 'k', path: kernels.X86_61_A as string }],
      { outDir: dir, progress: () => undefined },
    );
    expect(qemuProcessesMentioning(dir)).toEqual([]);
    return { dir, observations: run.observations };
  };
  const byId = (observation: KernelObservation | undefined) =>
    Object.fromEntries((observation?.tests ?? []).map((t) => [t.id, [t.status, t.output]]));

  it('judges steps by their rules over their own output; a script-only harness reaches done', async () => {
    const { observations } = await boot(
      'steps',
      [
        SHELL,
        'harness:',
        '  script:',
        '    - { expect: "/ # ", send: "echo $((6 * 7))\\n", test: arithmetic, pass: "^42$" }',
        // The echo of the command holds FAILED; the step's output does not.
        '    - { expect: "/ # ", send: "echo fine # FAILED\\n", test: echo-only, fail: FAILED }',
        '    - { expect: "/ # ", send: "echo test FAILED\\n", test: failing, fail: FAILED }',
        '    - { expect: "/ # ", send: "uname -s\\n", test: uname }',
      ].join('\n'),
    );
    const [observation] = observations;
    expect(observation?.boot).toMatchObject({
      outcome: 'completed',
      stage: 'done',
      message: 'console script finished',
    });
    expect(byId(observation)).toEqual({
      arithmetic: ['pass', ['42']],
      'echo-only': ['pass', ['fine']],
      failing: ['fail', ['test FAILED']],
      uname: ['pass', ['Linux']],
    });
  });

  it("bounds a step's command by its own timeout and names that step", async () => {
    const { observations } = await boot(
      'step-timeout',
      [
        SHELL,
        'harness:',
        '  script:',
        '    - { expect: "/ # ", send: "echo $((6 * 7))\\n", test: arithmetic }',
        '    - { expect: "/ # ", send: "sleep 600\\n", test: sleeper, timeout: 3s }',
        '    - { expect: "/ # ", send: "uname -s\\n", test: uname }',
      ].join('\n'),
    );
    const [observation] = observations;
    expect(observation?.boot).toMatchObject({
      outcome: 'timeout',
      stage: 'harness',
      message:
        'console script step 2 (sleeper: "sleep 600") did not finish within 3000 ms (no /\\/ # / after it)',
    });
    // The step in progress and the later one are left to the boot's end: a hang, not a failure.
    expect(byId(observation)).toEqual({
      arithmetic: ['pass', ['42']],
      sleeper: ['missing', []],
      uname: ['missing', []],
    });
  });

  it('boots once per test with {test} in the kernel command line, each boot reporting its test', async () => {
    const { dir, observations } = await boot(
      'per-test',
      [
        'machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=shell difftest={test}" }',
        'harness:',
        '  tests: [alpha, beta]',
        '  script:',
        '    - expect: "/ # "',
        '      send: "grep -o \'difftest=[a-z]*\' /proc/cmdline\\n"',
        '      test: "{test}"',
        '      pass: "^difftest=alpha$"',
      ].join('\n'),
    );
    expect(observations.map((o) => [o.kernel, o.test, o.attempt])).toEqual([
      ['k', 'alpha', 1],
      ['k', 'beta', 1],
    ]);
    const [alpha, beta] = observations;
    expect(alpha?.boot).toMatchObject({ test: 'alpha', outcome: 'completed', stage: 'done' });
    expect(byId(alpha)).toEqual({ alpha: ['pass', ['difftest=alpha']] });
    expect(byId(beta)).toEqual({ beta: ['fail', ['difftest=beta']] });
    expect(beta?.boot.command).toContain(
      'console=ttyS0 panic=-1 quiet diverge.harness=shell difftest=beta',
    );
    for (const name of ['k-alpha-1', 'k-beta-1']) {
      expect(existsSync(path.join(dir, 'logs', `${name}.log`))).toBe(true);
      expect(existsSync(path.join(dir, 'observations', `${name}.json`))).toBe(true);
    }
  });
});

describe('the observation cache follows what the guest sees', () => {
  it('boots the references again after a disk named in qemu-args changes in place', async () => {
    const dir = scratchDir('disk-cache');
    const disk = path.join(dir, 'extra.img');
    writeFileSync(disk, Buffer.alloc(64 * 1024, 1));
    // Relative paths: the reference file against the config's directory, and the qemu-args disk
    // too, because QEMU runs there.
    writeFileSync(path.join(dir, 'staff.bin'), readFileSync(kernels.X86_61_A as string));
    const { file } = configIn(
      dir,
      [
        'references: [{ name: staff, file: staff.bin }]',
        'machine:',
        '  qemu-args: ["-drive", "file=extra.img,format=raw,if=virtio,snapshot=on"]',
        'harness:',
        `  dir: ${harnessX86}`,
        '  rerun-divergent: 0',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
    const run = (out: string) =>
      cli(
        ['run', '-c', file, '--candidate', kernels.X86_61_A as string, '-o', path.join(dir, out)],
        env,
      );

    const first = await run('out1');
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/staff#1: completed at stage done/);
    const second = await run('out2');
    expect(second.stderr).toContain('staff#1: from the observation cache');

    writeFileSync(disk, Buffer.alloc(64 * 1024, 2)); // same path, same size, new contents
    const third = await run('out3');
    expect(third.code).toBe(0);
    expect(third.stderr).not.toContain('from the observation cache');
    expect(third.stderr).toMatch(/staff#1: completed at stage done/);
  });
});
