/**
 * docs/config.md's xv6 for x86 example, taken from the docs and run as written through
 * `diverge run` on upstream xv6-public (fixtures/xv6-x86: the pinned source, built in real Docker
 * with Debian's gcc-multilib, booted in real QEMU from its own xv6.img, `machine.boot: disk`):
 * staff-alt is silent against the staff kernel, and each student variant comes out exactly as
 * the truth file says (its class on its test, `same` on every other). And what booting from the
 * disk means: the boot disk is IDE index 0 and fs.img index 1, with no -kernel; a boot disk
 * given as a kernel QEMU loads is refused before any boot, naming machine.boot.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KernelObservation } from '../../src/results/observe.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, REPO_ROOT, scratchDir, testContext } from '../helpers/fixtures.js';
import { buildFile, docsTeachingExample, fixtureTruth } from '../helpers/teaching.js';

const XV6 = path.join(REPO_ROOT, 'fixtures/xv6-x86');
const TRUTH = fixtureTruth(XV6);

/** The docs' example, as written. */
const docExample = () => docsTeachingExample('# Upstream xv6 for x86');

describe("the docs' xv6 for x86 example on upstream xv6-public", () => {
  /** The build context and config, laid out as the docs' example expects them. */
  let dir: string;
  let outs: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = scratchDir('xv6-x86');
    outs = scratchDir('xv6-x86-runs');
    for (const entry of ['Dockerfile', '.dockerignore', 'course.mk', 'src', 'tests', 'variants'])
      cpSync(path.join(XV6, entry), path.join(dir, entry), { recursive: true });
    writeFileSync(path.join(dir, 'diverge.yml'), docExample());
    // The staff boot disk and the file system, built outside the context (their build logs too).
    // Docker's layer cache keeps the toolchain and the staff build for the variants and reruns.
    const built = scratchDir('xv6-x86-built');
    const context = testContext('xv6-x86');
    const recipe = { context: dir, dockerfile: 'Dockerfile' };
    await buildFile(
      context,
      { ...recipe, target: 'disk', args: {} },
      '/out/fs.img',
      `${built}/fs.img`,
    );
    await buildFile(
      context,
      { ...recipe, target: 'kernel', args: { VARIANT: 'staff' } },
      '/out/xv6.img',
      `${built}/xv6.img`,
    );
    mkdirSync(path.join(dir, 'staff'));
    cpSync(`${built}/fs.img`, path.join(dir, 'fs.img'));
    cpSync(`${built}/xv6.img`, path.join(dir, 'staff', 'xv6.img'));
    // One observation cache for this file's runs: the first boots the reference, the rest reuse it.
    env = { ...process.env, XDG_CACHE_HOME: scratchDir('xv6-x86-cache') };
  }, 900_000);

  /** `diverge run` of the example with the candidate built as `variant`. */
  async function run(variant: string): Promise<{ code: number; report: Report; out: string }> {
    const out = path.join(outs, variant);
    const config = path.join(dir, 'diverge.yml');
    const result = await cli(['run', '-c', config, '--variant', variant, '-o', out], env);
    expect(result.stderr).not.toMatch(/^diverge: /m);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      `${variant}/report.json`,
    );
    expect(report.references.map((r) => r.name)).toEqual(TRUTH.references);
    return { code: result.code, report, out };
  }

  const classes = (report: Report) =>
    Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));
  const allSame = () => Object.fromEntries(TRUTH.tests.map((t) => [t, 'same']));

  it.each(TRUTH.silent)(
    '%s: no divergence from staff, every kernel booted from its disk',
    async (variant) => {
      const { code, report, out } = await run(variant);
      expect(classes(report)).toEqual(allSame());
      expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
      expect(code).toBe(0);
      // Each boot: the kernel's xv6.img the first IDE disk, fs.img the second, no -kernel.
      const dirOf = path.join(out, 'observations');
      const observations = readdirSync(dirOf).map(
        (name) => JSON.parse(readFileSync(path.join(dirOf, name), 'utf8')) as KernelObservation,
      );
      expect(observations).toHaveLength(2 * TRUTH.tests.length);
      for (const { boot } of observations) {
        const drives = boot.command.filter((arg) => arg.startsWith('file='));
        expect(drives).toEqual([
          expect.stringMatching(/xv6\.img,format=raw,if=ide,snapshot=on,index=0$/),
          `file=${dir}/fs.img,format=raw,if=ide,snapshot=on,index=1`,
        ]);
        expect(boot.command).not.toContain('-kernel');
        expect(boot.command).not.toContain('-append');
      }
    },
    600_000,
  );

  it.each(Object.keys(TRUTH.variants))(
    '%s: exactly its class on exactly its test',
    async (variant) => {
      const meant: Record<string, string> = allSame();
      for (const [cls, tests] of Object.entries(TRUTH.variants[variant] ?? {}))
        for (const test of tests) meant[test] = cls;
      const { code, report } = await run(variant);
      expect(classes(report)).toEqual(meant);
      expect(code).toBe(1);
    },
    600_000,
  );

  it('refuses the boot disk as a kernel QEMU would load, naming the file and machine.boot', async () => {
    const asKernel = path.join(outs, 'as-kernel.yml');
    writeFileSync(
      asKernel,
      docExample()
        .replace(/^ {2}boot: disk.*\n/m, '')
        .replaceAll('file: fs.img', `file: ${dir}/fs.img`),
    );
    const xv6img = path.join(dir, 'staff', 'xv6.img');
    const out = path.join(outs, 'as-kernel');
    const result = await cli(['boot', '-c', asKernel, '-k', `k=${xv6img}`, '-o', out], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `kernel "k": ${xv6img} is a boot disk (a boot sector, no kernel QEMU loads): set machine.boot: disk to boot it`,
    );
  }, 120_000);
});
