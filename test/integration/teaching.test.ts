/**
 * The fixture course booted as teaching kernels are, end to end through `diverge run`: the
 * Pintos way (the x86 kernel, one boot per test named on the command line, KTAP) and the xv6 way
 * (the riscv64 kernel in M-mode with `firmware: none`, its programs on a virtio-mmio disk, run
 * one boot per test at the shell's prompt by a console script with pass/fail rules). Everything
 * is built in real Docker from the fixture Dockerfiles and booted in real QEMU. Each student
 * variant must come out exactly as the family's truth file says (its class on its test, same on
 * every other test) in three runs alike, and the two staff kernels must be silent against each
 * other. The candidate is booted afresh in every run (diverge never takes a candidate from the
 * observation cache); the references are booted once per family and then served from the
 * family's own observation cache, as a course's CI does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { COURSE_DIR, type CourseTruth } from '../../src/run/fixtures.js';
import { cli, scratchDir, testContext } from '../helpers/fixtures.js';
import { layOutFamily, TEACHING_FAMILIES } from '../helpers/teaching.js';

const RUNS = 3;

const classes = (report: Report) =>
  Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));

describe.each(TEACHING_FAMILIES)('the $name family', (family) => {
  const truth = JSON.parse(
    readFileSync(path.join(COURSE_DIR, family.truth), 'utf8'),
  ) as CourseTruth;
  const [staff, staffAlt] = truth.references as [string, string];
  let dir: string;
  let config: string;
  let env: NodeJS.ProcessEnv;

  /**
   * `diverge run` of one variant: the candidate booted afresh, the references from the family's
   * observation cache once a run has booted them.
   */
  async function run(variant: string, name: string, references: string[] = []) {
    const out = path.join(dir, 'runs', name);
    const args = [
      'run',
      '-c',
      config,
      '--variant',
      variant,
      ...references.flatMap((r) => [
        '-r',
        `${r}=${path.join(dir, 'out', 'variants', r, 'kernel.elf')}`,
      ]),
      '-o',
      out,
    ];
    const result = await cli(args, env);
    expect(result.stderr).not.toMatch(/^diverge: /m);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      `${name}/report.json`,
    );
    return { code: result.code, report };
  }

  /** The variant's listed tests in their classes, every other test of the truth `same`. */
  function intended(variant: string): Record<string, string> {
    const meant: Record<string, string> = Object.fromEntries(truth.tests.map((t) => [t, 'same']));
    for (const [cls, tests] of Object.entries(truth.variants[variant] ?? {}))
      for (const test of tests ?? []) meant[test] = cls;
    return meant;
  }

  beforeAll(async () => {
    dir = scratchDir(`teaching-${family.name}`);
    env = { ...process.env, XDG_CACHE_HOME: scratchDir(`teaching-${family.name}-cache`) };
    config = await layOutFamily(
      testContext(`teaching-${family.name}`),
      family,
      truth.references,
      dir,
    );
  }, 900_000);

  it('the two staff kernels are silent against each other', async () => {
    for (const [candidate, reference] of [
      [staffAlt, staff],
      [staff, staffAlt],
    ] as const) {
      const { code, report } = await run(candidate, `${candidate}-vs-${reference}`, [reference]);
      expect(classes(report)).toEqual(Object.fromEntries(truth.tests.map((t) => [t, 'same'])));
      expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
      expect(code).toBe(0);
    }
  }, 600_000);

  it.each(Object.keys(truth.variants))(
    '%s: exactly its class on exactly its test, in three runs alike',
    async (variant) => {
      for (let round = 1; round <= RUNS; round++) {
        const { code, report } = await run(variant, `${variant}-${round}`);
        expect(report.references.map((r) => r.name)).toEqual(truth.references);
        expect(classes(report)).toEqual(intended(variant));
        expect(code).toBe(1);
      }
    },
    900_000,
  );
});
