import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import type { KernelObservation } from '../../src/results/observe.js';
import {
  cli,
  CLI,
  configIn,
  fixtureKernels,
  linuxHarness,
  NODE24,
  qemuProcessesMentioning,
  scratchDir,
} from '../helpers/fixtures.js';

const observation = (out: string, name: string) =>
  JSON.parse(
    readFileSync(path.join(out, 'observations', `${name}-1.json`), 'utf8'),
  ) as KernelObservation;

let kernels: Record<string, string>;
let harness: string;
beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
});

/** Boots one kernel with a config; every case checks the log is kept and QEMU is gone. */
async function bootOne(label: string, yaml: string, kernel: string) {
  const dir = scratchDir(label);
  const { file } = configIn(dir, yaml);
  const out = path.join(dir, 'out');
  const result = await cli(['boot', '-c', file, '-k', `k=${kernel}`, '-o', out]);
  expect(qemuProcessesMentioning(dir)).toEqual([]);
  expect(statSync(path.join(out, 'logs', 'k-1.log')).isFile()).toBe(true);
  return { dir, out, result, obs: observation(out, 'k') };
}

describe('bad kernels and hostile output', () => {
  it('a missing kernel file: exit 2 naming the kernel and the path', async () => {
    const result = await cli([
      'boot',
      '-k',
      'student=/nonexistent/kernel.elf',
      '-o',
      path.join(scratchDir('missing'), 'out'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('kernel "student": file not found: /nonexistent/kernel.elf');
  });

  it('a firmware file that is not there: exit 2 naming the field and the path, before any boot', async () => {
    const dir = scratchDir('bad-firmware');
    const { file } = configIn(dir, 'machine: { firmware: fw/bios.bin }\n');
    const result = await cli([
      'boot',
      '-c',
      file,
      '-k',
      `k=${kernels.X86_61_A}`,
      '-o',
      path.join(dir, 'out'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `machine.firmware: ${path.join(dir, 'fw/bios.bin')} is not a file`,
    );
    expect(existsSync(path.join(dir, 'out', 'logs'))).toBe(false);
  });

  it('a file that is not a kernel: exit 2 saying what it is not', async () => {
    const dir = scratchDir('notkernel');
    const notKernel = path.join(dir, 'kernel.elf');
    writeFileSync(notKernel, 'int main() { return 0; }\n');
    const result = await cli(['boot', '-k', `student=${notKernel}`, '-o', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `kernel "student": ${notKernel} is not a kernel image; x86_64 boots bzImage, ELF, multiboot`,
    );
  });

  it("a kernel QEMU refuses to load: outcome qemu-error with QEMU's own words", async () => {
    const dir = scratchDir('elf64');
    const elf64 = path.join(dir, 'kernel64.elf');
    writeFileSync(elf64, readFileSync('/bin/true')); // a 64-bit ELF, not a bootable kernel
    const { obs } = await bootOne('elf64', 'harness: { none: true }\n', elf64);
    expect(obs.boot.outcome).toBe('qemu-error');
    expect(obs.boot.message).toMatch(/QEMU exited with status 1: .*qemu-system-x86_64/);
  });

  it('a kernel that panics at once: outcome panic with the splat, log kept', async () => {
    const { out, obs } = await bootOne(
      'panic',
      'harness: { none: true }\n',
      kernels.X86_61_A as string,
    );
    expect(obs.boot.outcome).toBe('panic');
    expect(obs.boot.stage).toBe('kernel');
    expect(obs.boot.splats.map((s) => s.fingerprint)).toContain(
      'panic: VFS: Unable to mount root fs on unknown-block(N,N)',
    );
    expect(readFileSync(path.join(out, 'logs', 'k-1.log'), 'utf8')).toContain(
      'Kernel panic - not syncing',
    );
  });

  it('a kernel that hangs silently: outcome stalled after the stall timeout', async () => {
    const dir = scratchDir('hang-kernel');
    const hang = path.join(dir, 'hang.elf');
    writeFileSync(hang, multibootKernel(X86_CODE.halt));
    const { obs } = await bootOne(
      'hang',
      'harness: { none: true, timeouts: { boot: 30s, stall: 2s, total: 60s } }\n',
      hang,
    );
    expect(obs.boot.outcome).toBe('stalled');
    expect(obs.boot.stage).toBe('firmware');
    expect(obs.boot.message).toBe('stall timeout: no output for 2000 ms');
    expect(obs.boot.durationMs).toBeLessThan(30_000);
  });

  it('a kernel that prints forever: output capped, outcome timeout at the total timeout', async () => {
    const dir = scratchDir('flood-kernel');
    const flood = path.join(dir, 'flood.elf');
    const loop = [...X86_CODE.print('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n')];
    writeFileSync(
      flood,
      multibootKernel([...X86_CODE.serialPort, ...loop, 0xe9, ...int32(-(loop.length + 5))]),
    );
    const { out, obs } = await bootOne(
      'flood',
      'harness:\n  none: true\n  serial-cap: 64K\n  timeouts: { boot: 4s, stall: 4s, total: 4s }\n',
      flood,
    );
    expect(obs.boot.outcome).toBe('timeout');
    expect(obs.boot.logTruncated).toBe(true);
    expect(obs.boot.message).toContain('serial output cut at 65536 bytes');
    const size = statSync(path.join(out, 'logs', 'k-1.log')).size;
    expect(size).toBeGreaterThanOrEqual(65536);
    expect(size).toBeLessThan(65536 + 200);
  });

  it('a harness printing binary bytes, NULs, ANSI escapes and CR-only lines: tests still read', async () => {
    const { obs } = await bootOne(
      'garbage',
      `machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=garbage" }\nharness: { dir: ${harness} }\n`,
      kernels.X86_61_A as string,
    );
    expect(obs.boot.outcome).toBe('completed');
    expect(obs.tests.map((t) => [t.id, t.status])).toEqual([
      ['first\uFFFD\uFFFD binary tail', 'pass'],
      ['second', 'fail'],
    ]);
    expect(obs.tests[0]?.output).toEqual(['red diagnostic']);
    expect(JSON.stringify(obs)).not.toMatch(/\\u00(0|1)|\\u007f/);
  });

  it('a KTAP plan that is not met: seen tests plus missing ones, stalled boot', async () => {
    const { obs } = await bootOne(
      'plan',
      // Not quiet: the kernel's own messages keep the stall watchdog fed until the harness
      // starts, however slowly a loaded host boots it.
      `machine: { append: "console=ttyS0 panic=-1 diverge.harness=stall" }\nharness: { dir: ${harness}, timeouts: { stall: 3s } }\n`,
      kernels.X86_61_A as string,
    );
    expect(obs.boot.outcome).toBe('stalled');
    expect(obs.boot.stage).toBe('harness');
    expect(obs.complete).toBe(false);
    expect(obs.tests.map((t) => [t.id, t.status])).toEqual([
      ['first', 'pass'],
      ['#2', 'missing'],
      ['#3', 'missing'],
    ]);
  });

  it('no QEMU for the architecture: exit 3 naming the Debian package', async () => {
    const dir = scratchDir('noqemu');
    const { file } = configIn(dir, 'machine: { arch: riscv64 }\n');
    const riscv = path.join(dir, 'Image');
    const image = Buffer.alloc(0x100);
    image.write('RSC\x05', 0x38, 'latin1');
    writeFileSync(riscv, image);
    const result = await cli(
      ['boot', '-c', file, '-k', `k=${riscv}`, '-o', path.join(dir, 'out')],
      { PATH: '/nonexistent' },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'qemu-system-riscv64 not found on PATH: install the Debian package qemu-system-misc',
    );
  });

  it('a config with a wrong type and an unknown key: exit 2 naming file, line and field', async () => {
    const dir = scratchDir('badconfig');
    const { file } = { file: path.join(dir, 'diverge.yml') };
    writeFileSync(file, 'machine:\n  memory: lots\n  cpu: 2\n');
    const result = await cli([
      'boot',
      '-c',
      file,
      '-k',
      `k=${kernels.X86_61_A}`,
      '-o',
      path.join(dir, 'out'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}:2: machine.memory: expected a size like 256M, got "lots"`,
    );
    expect(result.stderr).toMatch(new RegExp(`${file}:3: machine.cpu: unknown key`));
  });
});

function int32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return [...b];
}

describe('interrupted', () => {
  it('SIGTERM stops every QEMU and ends diverge by SIGTERM (143 to a shell), keeping the observations of boots that ended', async () => {
    const dir = scratchDir('sigterm');
    const hang = path.join(dir, 'hang.elf');
    writeFileSync(hang, multibootKernel(X86_CODE.halt));
    const done = path.join(dir, 'done.elf');
    writeFileSync(
      done,
      multibootKernel([
        ...X86_CODE.serialPort,
        ...X86_CODE.print('KTAP version 1\n1..1\nok 1 quick\n'),
        ...X86_CODE.debugExit(0),
      ]),
    );
    const { file } = configIn(
      dir,
      'machine: { exit: isa-debug-exit }\nharness: { none: true, timeouts: { stall: 60s } }\n',
    );
    const out = path.join(dir, 'out');
    const child = spawn(NODE24, [
      CLI,
      'boot',
      '-c',
      file,
      '-k',
      `hang=${hang}`,
      '-k',
      `done=${done}`,
      '-o',
      out,
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until the quick kernel's boot has ended and been written, then interrupt.
    const deadline = Date.now() + 30_000;
    while (!existsSync(path.join(out, 'observations', 'done-1.json')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(qemuProcessesMentioning(dir)).toHaveLength(1);
    child.kill('SIGTERM');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_code, signal) => resolve(signal)),
    );
    expect(signal).toBe('SIGTERM');
    expect(stderr).toContain('SIGTERM: stopping every boot');
    await new Promise((r) => setTimeout(r, 200));
    expect(qemuProcessesMentioning(dir)).toEqual([]);
    expect(observation(out, 'done').tests).toEqual([{ id: 'quick', status: 'pass', output: [] }]);
  });
});
