import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { bootKernels } from '../../src/session/boots.js';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import {
  configIn,
  fixtureKernels,
  linuxHarness,
  qemuProcessesMentioning,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';

const context = testContext('profiles');
let kernels: Record<string, string>;
let harness: string;
beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
});

const quiet = () => undefined;

/** A bare multiboot kernel that prints a one-test KTAP stream, then exits QEMU or halts. */
function tinyKtapKernel(dir: string, exit: boolean): string {
  const file = path.join(dir, exit ? 'tiny-exit.elf' : 'tiny-halt.elf');
  const code = [...X86_CODE.serialPort, ...X86_CODE.print('KTAP version 1\n1..1\nok 1 tiny\n')];
  writeFileSync(
    file,
    multibootKernel([...code, ...(exit ? X86_CODE.debugExit(0) : []), ...X86_CODE.halt]),
  );
  return file;
}

describe('machine profiles', () => {
  it.each(['q35', 'microvm'])('boots Linux with the harness on x86_64 %s', async (profile) => {
    const dir = scratchDir(`profile-${profile}`);
    // Under TCG on a busy host, Linux cannot calibrate its TSC on microvm without a hint.
    const append =
      profile === 'microvm' ? ', append: "console=ttyS0 panic=-1 tsc_early_khz=2000000"' : '';
    const { settings } = configIn(
      dir,
      `machine: { profile: ${profile}${append} }\nharness: { dir: ${harness} }\n`,
    );
    const run = await bootKernels(
      context,
      settings,
      [{ name: profile, path: kernels.X86_61_A as string }],
      {
        outDir: dir,
        progress: quiet,
      },
    );
    const [observation] = run.observations;
    expect(observation?.boot.command).toContain(
      profile === 'microvm' ? 'microvm,pit=on,pic=on,rtc=on' : 'q35',
    );
    expect(observation?.boot).toMatchObject({ outcome: 'completed', stage: 'done' });
    expect(observation?.tests).toHaveLength(14);
    expect(qemuProcessesMentioning(dir)).toEqual([]);
  });

  it('boots a 32-bit kernel on i386 and ends it through isa-debug-exit', async () => {
    const dir = scratchDir('profile-i386');
    const { settings } = configIn(dir, 'machine: { arch: i386, exit: isa-debug-exit }\n');
    const run = await bootKernels(
      context,
      settings,
      [{ name: 'tiny', path: tinyKtapKernel(dir, true) }],
      {
        outDir: dir,
        progress: quiet,
      },
    );
    const [observation] = run.observations;
    expect(path.basename(observation?.boot.command[0] ?? '')).toBe('qemu-system-i386');
    expect(observation?.boot).toMatchObject({ outcome: 'completed', stage: 'done', exitStatus: 1 });
    expect(observation?.tests).toEqual([{ id: 'tiny', status: 'pass', output: [] }]);
  });

  it('ends a kernel that halts after its last result instead of waiting for the stall timeout', async () => {
    const dir = scratchDir('halt-after-results');
    const { settings } = configIn(dir, 'harness: { timeouts: { stall: 60s } }\n');
    const run = await bootKernels(
      context,
      settings,
      [{ name: 'tiny', path: tinyKtapKernel(dir, false) }],
      {
        outDir: dir,
        progress: quiet,
      },
    );
    const [observation] = run.observations;
    expect(observation?.boot).toMatchObject({ outcome: 'completed', stage: 'done' });
    expect(observation?.boot.message).toContain('went quiet without powering off');
    expect(observation?.boot.durationMs).toBeLessThan(20_000);
  });
});

describe('console script', () => {
  it('talks to an interactive shell and turns each exchange into a test', async () => {
    const dir = scratchDir('script');
    const { settings } = configIn(
      dir,
      [
        'machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=shell" }',
        'harness:',
        `  dir: ${harness}`,
        '  results: { format: transcript }',
        '  script:',
        '    - { expect: "/ # ", send: "echo $((6 * 7))\\n", test: arithmetic }',
        '    - { expect: "/ # ", send: "uname -s\\n", test: uname }',
        '    - { expect: "/ # " }',
        '',
      ].join('\n'),
    );
    const run = await bootKernels(
      context,
      settings,
      [{ name: 'k', path: kernels.X86_61_A as string }],
      {
        outDir: dir,
        progress: quiet,
      },
    );
    const [observation] = run.observations;
    expect(observation?.boot).toMatchObject({
      outcome: 'completed',
      stage: 'done',
      message: 'console script finished',
    });
    const byId = Object.fromEntries((observation?.tests ?? []).map((t) => [t.id, t]));
    expect(byId.arithmetic).toEqual({
      id: 'arithmetic',
      status: 'pass',
      output: ['42'],
    });
    expect(byId.uname).toEqual({ id: 'uname', status: 'pass', output: ['Linux'] });
    expect(qemuProcessesMentioning(dir)).toEqual([]);
  });
});
