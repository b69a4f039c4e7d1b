import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createRunContext } from '../../src/context.js';
import { probeKvm } from '../../src/qemu/accel.js';
import type { KernelObservation } from '../../src/results/observe.js';
import {
  CLI,
  configIn,
  fixtureKernels,
  linuxHarness,
  NODE24,
  qemuProcessesMentioning,
  scratchDir,
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
    const kvm = await probeKvm(createRunContext(process.env).searchPath);
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
