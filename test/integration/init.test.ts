/**
 * `diverge init` through the bundled CLI, then what it wrote used as a user would: `diverge
 * doctor --config` on a copy of the fixture course, of upstream xv6-riscv, xv6 for x86 and
 * Pintos, and on a fake Linux tree (only its markers); and `diverge run` with the generated
 * config, in real Docker and QEMU, on the course (its candidate built from its Dockerfile as the
 * config says), on xv6-riscv (the kernel and fs.img where the config names them, as the
 * workflow's `make` leaves them) and on the fake Linux tree (a Debian kernel as its bzImage, the
 * Linux fixture's KTAP harness packed), each against a reference given with --reference: every
 * test boots and comes out `same`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../../src/doctor/doctor.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { initramfsFromDir } from '../../src/harness/initramfs.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import { courseReferences } from '../helpers/course.js';
import {
  CLI,
  cli,
  fixtureKernels,
  linuxHarness,
  NODE24,
  REPO_ROOT,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';
import { buildFile } from '../helpers/teaching.js';

const env = { ...process.env, XDG_CACHE_HOME: scratchDir('init-cache') };

/** A copy of `from` without a diverge.yml or built files, as a user's checkout. */
function checkout(from: string, label: string): string {
  const dir = path.join(scratchDir(`init-${label}`), 'repo');
  cpSync(from, dir, {
    recursive: true,
    filter: (source) =>
      path.basename(source) !== 'diverge.yml' && !source.startsWith(path.join(from, 'out')),
  });
  return dir;
}

/** `diverge init --yes` in `dir`: the kind it says it wrote. */
async function init(dir: string): Promise<string> {
  const result = await cli(['init', '--dir', dir, '--yes', '--json'], env);
  expect(result.stderr).not.toMatch(/^diverge: /m);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { kind: string }).kind;
}

/**
 * `diverge doctor --config` of the generated file: it loads (no exit 2), QEMU for its arch is
 * there, and nothing fails that the host has (exit 0).
 */
async function doctor(dir: string, arch: string): Promise<void> {
  const result = await cli(['doctor', '-c', path.join(dir, 'diverge.yml'), '--json'], env);
  expect(result.stderr).not.toMatch(/^diverge: /m);
  const { findings } = JSON.parse(result.stdout) as { findings: Finding[] };
  expect(findings.find((f) => f.what === `QEMU (${arch})`)?.ok).toBe(true);
  expect(findings.filter((f) => !f.ok && !f.warning)).toEqual([]);
  expect(result.code).toBe(0);
}

/** `diverge run` of the generated config with `flags`; its report, every test `same`. */
async function run(dir: string, ...flags: string[]): Promise<Report> {
  const out = path.join(path.dirname(dir), 'out');
  const result = await cli(['run', '-c', path.join(dir, 'diverge.yml'), ...flags, '-o', out], env);
  expect(result.stderr).not.toMatch(/^diverge: /m);
  expect(result.code).toBe(0);
  const report = validateReport(
    JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
    `${out}/report.json`,
  );
  expect(report.tests.length).toBeGreaterThan(0);
  expect(report.boots.every((b) => b.outcome === 'completed')).toBe(true);
  expect(report.tests.filter((t) => t.verdict.class !== 'same')).toEqual([]);
  return report;
}

/**
 * `diverge init ARGS` on a terminal (a pseudo-terminal of util-linux's `script`), typing
 * `answer` once the question is on the screen; what the terminal showed, and the exit code.
 */
function onTerminal(args: string[], answer: string): Promise<{ screen: string; code: number }> {
  const command = [NODE24, CLI, 'init', ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env });
  let screen = '';
  let asked = false;
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
    if (!asked && screen.includes('Kind [')) {
      asked = true;
      child.stdin.write(`${answer}\n`);
    }
  });
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ screen, code: code ?? -1 })),
  );
}

describe('diverge init on a terminal', () => {
  it('asks once: Enter takes the detected kind, a kind typed in replaces it', async () => {
    const source = path.join(REPO_ROOT, 'fixtures/xv6-riscv/src');
    const taken = checkout(source, 'tty-enter');
    const enter = await onTerminal(['--dir', taken], '');
    expect(enter.screen).toContain('This looks like xv6 for RISC-V. Kind [xv6-riscv]');
    expect(enter.code).toBe(0);
    expect(readFileSync(path.join(taken, 'diverge.yml'), 'utf8')).toContain('arch: riscv64');
    const replaced = checkout(source, 'tty-typed');
    const typed = await onTerminal(['--dir', replaced], 'xv6-x86');
    expect(typed.code).toBe(0);
    expect(readFileSync(path.join(replaced, 'diverge.yml'), 'utf8')).toContain('arch: i386');
    // --yes: no question, even on a terminal.
    const quiet = await onTerminal(['--dir', checkout(source, 'tty-yes'), '--yes'], 'unused');
    expect(quiet.screen).not.toContain('Kind [');
    expect(quiet.code).toBe(0);
  }, 120_000);
});

describe('diverge init, then doctor and run with what it wrote', () => {
  it('the fixture course: a multiboot kernel built by its Dockerfile, judged against staff', async () => {
    const dir = checkout(COURSE_DIR, 'course');
    expect(await init(dir)).toBe('multiboot');
    await doctor(dir, 'x86_64');
    const built = await courseReferences(testContext('init-course'), scratchDir('init-staff'));
    // The harness where the template names it: multiboot module 0, harness.bin.
    copyFileSync(built.harness, path.join(dir, 'harness.bin'));
    const report = await run(dir, '--reference', `staff=${built.staff}`);
    // Built from the checkout's Dockerfile, as the generated kernel.build says.
    expect(report.candidate.source).toMatchObject({
      build: { context: dir, dockerfile: 'Dockerfile' },
      path: '/out/kernel.elf',
    });
    expect(report.tests.length).toBe(20);
  }, 600_000);

  it('upstream xv6-riscv: its kernel and fs.img where make leaves them, forktest at the shell', async () => {
    const xv6 = path.join(REPO_ROOT, 'fixtures/xv6-riscv');
    const dir = checkout(path.join(xv6, 'src'), 'xv6-riscv');
    expect(await init(dir)).toBe('xv6-riscv');
    await doctor(dir, 'riscv64');
    // What the workflow's `make kernel/kernel fs.img` builds, from the fixture's Dockerfile (the
    // xv6-riscv test's build: cached layers).
    const context = testContext('init-xv6');
    const recipe = { context: xv6, dockerfile: 'Dockerfile' };
    const staff = path.join(scratchDir('init-xv6-staff'), 'kernel');
    await buildFile(
      context,
      { ...recipe, target: 'disk', args: {} },
      '/out/fs.img',
      path.join(dir, 'fs.img'),
    );
    await buildFile(
      context,
      { ...recipe, target: 'kernel', args: { VARIANT: 'staff' } },
      '/out/kernel',
      staff,
    );
    copyFileSync(staff, path.join(dir, 'kernel', 'kernel'));
    const report = await run(dir, '--reference', `staff=${staff}`);
    expect(report.tests.map((t) => t.id)).toEqual(['forktest']);
    expect(report.tests[0]?.observations.candidate?.[0]?.status).toBe('pass');
  }, 900_000);

  it('a Linux tree: a Debian kernel where make leaves bzImage, the KTAP harness as its initrd', async () => {
    const linux = path.join(scratchDir('init-linux-run'), 'linux');
    mkdirSync(path.join(linux, 'arch/x86/boot'), { recursive: true });
    writeFileSync(path.join(linux, 'Kconfig'), 'mainmenu "Linux Kernel Configuration"\n');
    writeFileSync(path.join(linux, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\n');
    expect(await init(linux)).toBe('linux');
    await doctor(linux, 'x86_64');
    const kernels = await fixtureKernels();
    copyFileSync(kernels.X86_61_A as string, path.join(linux, 'arch/x86/boot/bzImage'));
    // The harness where the template names it: the Linux fixture's, packed.
    const { bytes } = await initramfsFromDir(await linuxHarness());
    writeFileSync(path.join(linux, 'harness.cpio.gz'), bytes);
    const report = await run(linux, '--reference', `other=${kernels.X86_61_B as string}`);
    expect(report.tests.length).toBeGreaterThan(5);
  }, 600_000);

  it('xv6 for x86 and Pintos: what init writes passes doctor', async () => {
    const x86 = checkout(path.join(REPO_ROOT, 'fixtures/xv6-x86/src'), 'xv6-x86');
    expect(await init(x86)).toBe('xv6-x86');
    await doctor(x86, 'i386');
    const pintos = checkout(path.join(REPO_ROOT, 'fixtures/pintos'), 'pintos');
    expect(await init(pintos)).toBe('pintos');
    await doctor(pintos, 'i386');
  }, 300_000);
});
