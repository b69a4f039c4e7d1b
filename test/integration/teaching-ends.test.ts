/**
 * How teaching kernels end, under QEMU: tiny multiboot kernels that print what a Pintos kernel
 * prints and end QEMU the way Pintos does (a write to isa-debug-exit at port 0x501, status 99),
 * booted Pintos' way (i386, 4 MiB, one boot per test) and judged. A panic followed by a normal
 * power-off is a crash; a hang costs the test its own time limit; a kernel that is not Linux
 * gets no Linux command line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { bootKernels } from '../../src/session/boots.js';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { judgedReport } from '../helpers/observations.js';
import { configIn, qemuProcessesMentioning, scratchDir, testContext } from '../helpers/fixtures.js';

const context = testContext('teaching-ends');
const quiet = () => undefined;

/** `mov dx, 0x501; mov al, 0x31; out dx, al`: Pintos' power-off through isa-debug-exit. */
const PINTOS_POWER_OFF = [0x66, 0xba, 0x01, 0x05, 0xb0, 0x31, 0xee];

const BOOT = [
  'Pintos hda1',
  'Kernel command line: -q run alarm-single',
  'Pintos booting with 3,968 kB RAM...',
  'Boot complete.',
  "Executing 'alarm-single':",
  '(alarm-single) begin',
].join('\n');
const END = '\nTimer: 282 ticks\nPowering off...\n';

/** A kernel that prints `text` and then powers off like Pintos, or halts for good. */
function kernel(dir: string, name: string, text: string, end: 'power-off' | 'halt'): string {
  const file = path.join(dir, `${name}.elf`);
  const code = [...X86_CODE.serialPort, ...X86_CODE.print(text)];
  writeFileSync(
    file,
    multibootKernel([...code, ...(end === 'power-off' ? PINTOS_POWER_OFF : []), ...X86_CODE.halt]),
  );
  return file;
}

describe('Pintos-style ends under QEMU', () => {
  it('judges a panic then a normal power-off as a crash, and a hang at the test limit as a hang', async () => {
    const dir = scratchDir('teaching-ends');
    const { settings } = configIn(
      dir,
      [
        'machine:',
        '  arch: i386',
        '  memory: 4M',
        '  exit: { device: isa-debug-exit, port: 0x501 }',
        "  append: '-q run {test}'",
        'harness:',
        '  tests: [alarm-single]',
        '  test-timeouts: [{ test: "alarm-*", timeout: 3s }]',
        '  results:',
        '    format: regex',
        '    regex:',
        `      start: "^Executing '"`,
        `      pass: "^Execution of '(?<id>[^']+)' complete"`,
        `      fail: "^\\\\((?<id>[^)]+)\\\\) .*: FAILED$"`,
        '  timeouts: { boot: 20s, stall: 30s, total: 60s }',
        '  rerun-divergent: 0',
        '',
      ].join('\n'),
    );
    const staff = kernel(
      dir,
      'staff',
      `${BOOT}\n(alarm-single) end\nExecution of 'alarm-single' complete.${END}`,
      'power-off',
    );
    const panic = kernel(
      dir,
      'panic',
      `${BOOT}\nKernel PANIC at ../../threads/thread.c:273 in thread_current(): assertion \`is_thread (t)' failed.\nCall stack: 0xc0028a3b 0xc0020f6d.${END}`,
      'power-off',
    );
    const hang = kernel(dir, 'hang', `${BOOT}\n`, 'halt');
    const run = await bootKernels(
      context,
      settings,
      [
        { name: 'staff', path: staff },
        { name: 'panic', path: panic },
        { name: 'hang', path: hang },
      ],
      { outDir: dir, progress: quiet },
    );
    const boot = (name: string) => run.observations.find((o) => o.kernel === name)?.boot;
    expect(boot('staff')?.command.join(' ')).toContain(
      '-m 4 -smp 1 -nodefaults -no-user-config -display none -no-reboot',
    );
    expect(boot('staff')?.command.join(' ')).toContain(
      '-device isa-debug-exit,iobase=0x501,iosize=0x04',
    );
    expect(boot('staff')?.command).toContain('-q run alarm-single');
    expect(boot('staff')).toMatchObject({ outcome: 'completed', exitStatus: 99 });
    expect(boot('panic')).toMatchObject({ outcome: 'panic', exitStatus: 99 });
    expect(boot('hang')).toMatchObject({
      outcome: 'timeout',
      message:
        'time limit of test alarm-single: still running after 3000 ms (harness.test-timeouts: alarm-*)',
    });
    expect(boot('hang')?.durationMs).toBeLessThan(15_000);

    const verdict = (candidate: string) => {
      const observations = run.observations
        .filter((o) => o.kernel === 'staff' || o.kernel === candidate)
        .map((o) =>
          o.kernel === candidate
            ? { ...o, kernel: 'candidate', boot: { ...o.boot, kernel: 'candidate' } }
            : o,
        );
      return judgedReport(observations, ['staff']).tests[0]?.verdict;
    };
    expect(verdict('panic')).toMatchObject({ class: 'crash' });
    expect(verdict('panic')?.reason).toContain('Kernel PANIC at ../../threads/thread.c:273');
    expect(verdict('hang')).toMatchObject({ class: 'hang' });
    expect(verdict('hang')?.diff).toContain(' (alarm-single) begin');
    expect(qemuProcessesMentioning(dir)).toEqual([]);
  });

  it('gives a multiboot kernel, which is not Linux, no command line', async () => {
    const dir = scratchDir('teaching-append');
    const { settings } = configIn(
      dir,
      'machine: { arch: i386, memory: 4M, exit: isa-debug-exit }\n',
    );
    const tiny = path.join(dir, 'tiny.elf');
    writeFileSync(
      tiny,
      multibootKernel([
        ...X86_CODE.serialPort,
        ...X86_CODE.print('KTAP version 1\n1..1\nok 1 tiny\n'),
        ...X86_CODE.debugExit(0),
        ...X86_CODE.halt,
      ]),
    );
    const run = await bootKernels(context, settings, [{ name: 'tiny', path: tiny }], {
      outDir: dir,
      progress: quiet,
    });
    const [observation] = run.observations;
    expect(observation?.boot).toMatchObject({ outcome: 'completed', stage: 'done' });
    expect(observation?.boot.command).not.toContain('-append');
  });
});
