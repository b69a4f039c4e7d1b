/**
 * The fixture course end to end, the way a user meets it: `diverge demo` builds the harness and
 * every kernel variant in real Docker, boots them in real QEMU and judges each against the staff
 * kernels. Every variant must give exactly its intended class on its intended tests (from
 * fixtures/course/variants.json, the ground truth written with the kernels) and `same`
 * everywhere else.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, type CliResult, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

interface Truth {
  references: string[];
  tests: string[];
  variants: Record<string, Record<string, string[]>>;
}
const truth = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'fixtures/course/variants.json'), 'utf8'),
) as Truth;
const variants = Object.keys(truth.variants);

const reportOf = (dir: string, variant: string): Report =>
  validateReport(
    JSON.parse(readFileSync(path.join(dir, variant, 'report.json'), 'utf8')),
    `${variant}/report.json`,
  );

/** Each test's class, as the report gives it. */
const classes = (report: Report) =>
  Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));

/** What the variant is meant to give: its listed tests in their classes, every other test same. */
function intended(variant: string): Record<string, string> {
  const meant: Record<string, string> = Object.fromEntries(truth.tests.map((t) => [t, 'same']));
  for (const [cls, tests] of Object.entries(truth.variants[variant] ?? {}))
    for (const test of tests) meant[test] = cls;
  return meant;
}

let out: string;
let demo: CliResult;
beforeAll(async () => {
  out = path.join(scratchDir('course'), 'demo');
  demo = await cli(['demo', '-o', out]);
}, 900_000);

describe('diverge demo on the fixture course', () => {
  it('exits 0 and prints a variant × class table where every variant is as intended', () => {
    expect(demo.stderr).not.toMatch(/^diverge: /m);
    expect(demo.code).toBe(0);
    const table = demo.stdout.trim().split('\n');
    expect(table[0]).toMatch(/^variant\s+regression\s+crash\s+hang\s+missing\s+output/);
    for (const variant of ['staff-alt', ...variants])
      expect(table.find((row) => row.startsWith(`${variant} `))).toMatch(/ yes$/);
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| wrong-result | 1 |');
  });

  it('staff-alt against staff: two correct implementations do not diverge', () => {
    const report = reportOf(out, 'staff-alt');
    expect(report.references.map((r) => r.name)).toEqual(['staff']);
    expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
    expect(report.summary.same).toBe(truth.tests.length);
    // They really differ: other addresses and tick counts, masked by normalisation.
    const log = (kernel: string) =>
      readFileSync(path.join(out, 'staff-alt', 'logs', `${kernel}-1.log`), 'utf8');
    expect(log('candidate')).not.toBe(log('staff'));
  });

  it.each(variants)('%s gives exactly its intended classes, same everywhere else', (variant) => {
    const report = reportOf(out, variant);
    expect(report.references.map((r) => r.name)).toEqual(truth.references);
    expect(report.variant).toBe(variant);
    const got = classes(report);
    // Flaky is judged on its own below: over repeated runs, never a regression.
    if (variant === 'flaky') {
      for (const test of truth.variants.flaky?.flaky ?? [])
        expect(got[test]).not.toBe('regression');
      for (const test of truth.tests.filter((t) => intended('flaky')[t] === 'same'))
        expect(got[test]).toBe('same');
      return;
    }
    expect(got).toEqual(intended(variant));
  });

  it('reads a panic as a crash with its fingerprint and a hang as a stall', () => {
    const panic = reportOf(out, 'panic').boots.filter((b) => b.kernel === 'candidate');
    expect(panic.every((b) => b.outcome === 'panic')).toBe(true);
    expect(panic[0]?.splats[0]?.fingerprint).toMatch(/^panic: /);
    const hang = reportOf(out, 'hang').boots.filter((b) => b.kernel === 'candidate');
    expect(hang.every((b) => b.outcome === 'stalled')).toBe(true);
  });

  it('diverge run builds a student variant from the course Dockerfile and judges it', async () => {
    // The config a course repository would have, with the staff kernels and harness the demo made.
    const dir = scratchDir('course-run');
    const config = path.join(dir, 'diverge.yml');
    const course = readFileSync(path.join(REPO_ROOT, 'fixtures/course/diverge.yml'), 'utf8')
      .replace('context: .', `context: ${path.join(REPO_ROOT, 'fixtures/course')}`)
      .replace('initrd: out/harness.bin', `initrd: ${path.join(out, 'harness', 'harness.bin')}`)
      .replace('repeat: 8', 'repeat: 1');
    writeFileSync(config, course);
    const staff = (name: string) =>
      `${name}=${path.join(out, name, 'kernels', 'candidate', 'kernel.elf')}`;
    const run = (variant: string, ...extra: string[]) =>
      cli([
        'run',
        '-c',
        config,
        '--variant',
        variant,
        '-r',
        staff('staff'),
        '-r',
        staff('staff-alt'),
        '-o',
        path.join(dir, variant),
        ...extra,
      ]);
    const junit = path.join(dir, 'junit.xml');
    const gradescope = path.join(dir, 'results.json');
    const wrong = await run('wrong-result', '--junit', junit, '--gradescope', gradescope);
    // The demo built this very recipe: the image is reused, not rebuilt.
    expect(wrong.stderr).toMatch(/kernel\.build: image diverge-kernel:\w+ is up to date/);
    expect(wrong.code).toBe(1);
    expect(classes(reportOf(dir, 'wrong-result'))).toEqual(intended('wrong-result'));
    // The course formats of the same run: the tests the variant breaks fail and earn nothing.
    const broken = Object.entries(intended('wrong-result')).filter(([, cls]) => cls !== 'same');
    const xsd = path.join(REPO_ROOT, 'test/formats/junit.xsd');
    expect(spawnSync('xmllint', ['--noout', '--schema', xsd, junit]).status).toBe(0);
    const failures = readFileSync(junit, 'utf8').match(/<failure /g) ?? [];
    expect(failures).toHaveLength(broken.length);
    const results = JSON.parse(readFileSync(gradescope, 'utf8')) as {
      score: number;
      tests: { name: string; score: number; max_score: number }[];
    };
    expect(results.tests).toHaveLength(truth.tests.length);
    expect(results.score).toBe(truth.tests.length - broken.length);
    for (const [test] of broken)
      expect(results.tests.find((t) => t.name === test)).toMatchObject({ score: 0, max_score: 1 });
    const correct = await run('staff-alt');
    expect(correct.code).toBe(0);
    expect(reportOf(dir, 'staff-alt').summary.divergences).toBe(0);
  });

  it('the flaky variant comes out flaky over repeated runs, never as a regression', async () => {
    const seen = [classes(reportOf(out, 'flaky'))];
    for (let round = 0; round < 2; round++) {
      const dir = path.join(scratchDir('course-flaky'), 'demo');
      const again = await cli(['demo', '--variant', 'flaky', '-o', dir]);
      expect(again.code).toBeLessThan(2); // 1 only if a round is not as intended
      seen.push(classes(reportOf(dir, 'flaky')));
    }
    const flakyTests = truth.variants.flaky?.flaky ?? [];
    for (const got of seen)
      for (const test of flakyTests) expect(['flaky', 'same']).toContain(got[test]);
    // 8 boots of a test that fails every other time all pass 1 time in 256.
    expect(
      seen.filter((got) => flakyTests.every((t) => got[t] === 'flaky')).length,
    ).toBeGreaterThan(1);
  }, 600_000);
});
