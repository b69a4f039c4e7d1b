/**
 * docs/config.md's xv6-riscv example, taken from the docs and run as written through
 * `diverge run` on upstream xv6-riscv (fixtures/xv6-riscv: the pinned source, built in real
 * Docker with Debian's riscv64 cross toolchain, booted in real QEMU): staff-alt is silent
 * against the staff kernel, and each student variant comes out exactly as the truth file says
 * (its class on its test, `same` on every other). And why the example boots at all: xv6-riscv,
 * and the course's own riscv kernel with it, find no disk on a legacy virtio-mmio transport,
 * QEMU's default, which `qemu-args` can still ask for.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { KernelObservation } from '../../src/results/observe.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, REPO_ROOT, scratchDir, testContext } from '../helpers/fixtures.js';
import {
  buildFile,
  docsTeachingExample,
  fixtureTruth,
  layOutFamily,
  TEACHING_FAMILIES,
} from '../helpers/teaching.js';

const XV6 = path.join(REPO_ROOT, 'fixtures/xv6-riscv');
const TRUTH = fixtureTruth(XV6);

/** The docs' example, as written. */
const docExample = () => docsTeachingExample('# Upstream xv6-riscv');

const LEGACY = '  qemu-args: [-global, virtio-mmio.force-legacy=true]\n';

/** `diverge boot` of one kernel; its observations, one per boot. */
async function boot(config: string, kernel: string, out: string): Promise<KernelObservation[]> {
  const result = await cli(['boot', '-c', config, '-k', `k=${kernel}`, '-o', out]);
  expect(result.stderr).not.toMatch(/^diverge: /m);
  const dir = path.join(out, 'observations');
  return readdirSync(dir).map(
    (name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as KernelObservation,
  );
}

describe("the docs' xv6-riscv example on upstream xv6-riscv", () => {
  /** The build context and config, laid out as the docs' example expects them. */
  let dir: string;
  let outs: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = scratchDir('xv6-riscv');
    outs = scratchDir('xv6-riscv-runs');
    for (const entry of ['Dockerfile', '.dockerignore', 'course.mk', 'src', 'tests', 'variants'])
      cpSync(path.join(XV6, entry), path.join(dir, entry), { recursive: true });
    writeFileSync(path.join(dir, 'diverge.yml'), docExample());
    // The staff kernel and the disk, built outside the context (their build logs too).
    const built = scratchDir('xv6-riscv-built');
    const context = testContext('xv6-riscv');
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
      '/out/kernel',
      `${built}/kernel`,
    );
    mkdirSync(path.join(dir, 'staff'));
    cpSync(`${built}/fs.img`, path.join(dir, 'fs.img'));
    cpSync(`${built}/kernel`, path.join(dir, 'staff', 'kernel'));
    // One observation cache for this file's runs: the first boots the reference, the rest reuse it.
    env = { ...process.env, XDG_CACHE_HOME: scratchDir('xv6-riscv-cache') };
  }, 900_000);

  /** `diverge run` of the example with the candidate built as `variant`. */
  async function run(variant: string): Promise<{ code: number; report: Report }> {
    const out = path.join(outs, variant);
    const config = path.join(dir, 'diverge.yml');
    const result = await cli(['run', '-c', config, '--variant', variant, '-o', out], env);
    expect(result.stderr).not.toMatch(/^diverge: /m);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      `${variant}/report.json`,
    );
    expect(report.references.map((r) => r.name)).toEqual(TRUTH.references);
    return { code: result.code, report };
  }

  const classes = (report: Report) =>
    Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));
  const allSame = () => Object.fromEntries(TRUTH.tests.map((t) => [t, 'same']));

  it.each(TRUTH.silent)(
    '%s: no divergence from staff',
    async (variant) => {
      const { code, report } = await run(variant);
      expect(classes(report)).toEqual(allSame());
      expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
      expect(code).toBe(0);
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

  it('finds no disk on a legacy virtio-mmio transport, as the course riscv kernel does not either', async () => {
    // Upstream xv6: the example with QEMU's legacy transports asked back through qemu-args.
    const legacy = path.join(outs, 'legacy.yml');
    const example = docExample()
      .replace(/^machine:\n/m, `machine:\n${LEGACY}`)
      .replace(/^ {2}tests: \[.*\]$/m, '  tests: [forktest]')
      .replaceAll('file: fs.img', `file: ${dir}/fs.img`);
    writeFileSync(legacy, example);
    const xv6 = await boot(legacy, path.join(dir, 'staff', 'kernel'), path.join(outs, 'legacy'));
    // The course's own riscv kernel refuses a legacy transport too, so it cannot hide this again.
    const family = TEACHING_FAMILIES.find((f) => f.name === 'xv6');
    if (!family) throw new Error('no xv6 teaching family');
    const courseDir = scratchDir('xv6-course-legacy');
    const courseConfig = await layOutFamily(
      testContext('xv6-course-legacy'),
      family,
      ['staff'],
      courseDir,
    );
    writeFileSync(
      courseConfig,
      readFileSync(courseConfig, 'utf8')
        .replace(/^machine:\n/m, `machine:\n${LEGACY}`)
        .replace(/^ {2}tests: \[.*\]/m, '  tests: [hello]'),
    );
    const course = await boot(
      courseConfig,
      path.join(courseDir, 'out/variants/staff/kernel.elf'),
      path.join(courseDir, 'legacy'),
    );
    for (const observations of [xv6, course]) {
      expect(observations).toHaveLength(1);
      expect(observations[0]?.boot).toMatchObject({
        outcome: 'panic',
        message: expect.stringContaining('could not find virtio disk'),
      });
      expect(observations[0]?.boot.command).toEqual(
        expect.arrayContaining(['virtio-mmio.force-legacy=true']),
      );
    }
  }, 600_000);
});
