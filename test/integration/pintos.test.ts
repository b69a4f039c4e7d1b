/**
 * docs/config.md's Pintos example, taken from the docs and run as written through `diverge run`
 * on upstream Pintos (fixtures/pintos: the pinned JHU CS318 source, its threads project built in
 * real Docker with Debian's gcc, each kernel a boot disk made by Pintos' own pintos-mkdisk, booted
 * by SeaBIOS in real QEMU from Pintos' own loader, each test's command line written into the
 * loader's argument sector of a per-boot copy). staff-alt, a timer_sleep that blocks instead of
 * busy-waiting, is silent against the staff kernel over 5 runs of every test; each student
 * variant comes out as the truth file says: the panic a crash with Pintos' panic line, the hang
 * a hang at its test's own time limit, the off-by-one sleep an output divergence, the sleep that
 * is late one boot in two flaky over 10 runs.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, REPO_ROOT, scratchDir, testContext } from '../helpers/fixtures.js';
import { buildFile, docsTeachingExample, fixtureTruth } from '../helpers/teaching.js';

const PINTOS = path.join(REPO_ROOT, 'fixtures/pintos');
const TRUTH = fixtureTruth(PINTOS);

/** The docs' example, as written. */
const docExample = () => docsTeachingExample('# Upstream Pintos');

/**
 * The example changed: `repeat` boots per test, only `tests` (one time limit for all), another
 * `append`.
 */
function variantOf(
  example: string,
  change: { repeat: number; tests?: string[]; append?: string },
): string {
  let text = example.replace(/^harness:\n/m, `harness:\n  repeat: ${change.repeat}\n`);
  if (change.append) text = text.replace(/^ {2}append: .*$/m, `  append: '${change.append}'`);
  if (change.tests)
    text = text
      .replace(/^ {2}tests:.*\n(?: {4}- .*\n)*/m, `  tests: [${change.tests.join(', ')}]\n`)
      .replace(/^ {2}test-timeouts: .*$/m, "  test-timeouts: [{ test: '**', timeout: 20s }]")
      .replace(/^normalize:\n(?: {2}.*\n)+/m, '');
  if (text === example) throw new Error('the example did not change');
  return text;
}

describe("the docs' Pintos example on upstream Pintos, booted from its own loader", () => {
  /** The build context and config, laid out as the docs' example expects them. */
  let dir: string;
  let outs: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = scratchDir('pintos');
    outs = scratchDir('pintos-runs');
    for (const entry of ['Dockerfile', '.dockerignore', 'src', 'variants'])
      cpSync(path.join(PINTOS, entry), path.join(dir, entry), { recursive: true });
    writeFileSync(path.join(dir, 'diverge.yml'), docExample());
    // The staff disk, built outside the context (its build log too); the variants' builds reuse
    // its stages, and `diverge run` reuses an image it already built.
    const built = scratchDir('pintos-built');
    await buildFile(
      testContext('pintos'),
      { context: dir, dockerfile: 'Dockerfile', target: 'disk', args: { VARIANT: 'staff' } },
      '/out/os.dsk',
      `${built}/os.dsk`,
    );
    mkdirSync(path.join(dir, 'staff'));
    cpSync(`${built}/os.dsk`, path.join(dir, 'staff', 'os.dsk'));
    // One observation cache for this file's runs: the first boots the reference, the rest reuse it.
    env = { ...process.env, XDG_CACHE_HOME: scratchDir('pintos-cache') };
  }, 900_000);

  /** `diverge run` of `config` (default: the example) with the candidate built as `variant`. */
  async function run(
    variant: string,
    config = path.join(dir, 'diverge.yml'),
  ): Promise<{ code: number; report: Report }> {
    const out = path.join(outs, `${variant}-${path.basename(config, '.yml')}`);
    const result = await cli(['run', '-c', config, '--variant', variant, '-o', out], env);
    expect(result.stderr).not.toMatch(/^diverge: /m);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      `${variant}/report.json`,
    );
    expect(report.references.map((r) => r.name)).toEqual(TRUTH.references);
    return { code: result.code, report };
  }

  /** A variant of the example, written beside it (so its paths resolve the same). */
  function config(
    name: string,
    change: { repeat: number; tests?: string[]; append?: string },
  ): string {
    const file = path.join(dir, `${name}.yml`);
    writeFileSync(file, variantOf(docExample(), change));
    return file;
  }

  const classes = (report: Report) =>
    Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));
  const meant = (variant: string, tests = TRUTH.tests) => {
    const want: Record<string, string> = Object.fromEntries(tests.map((t) => [t, 'same']));
    for (const [cls, named] of Object.entries(TRUTH.variants[variant] ?? {}))
      for (const test of named) if (test in want) want[test] = cls;
    return want;
  };
  const verdictOf = (report: Report, test: string) =>
    report.tests.find((t) => t.id === test)?.verdict;
  const candidateBoots = (report: Report, test: string) =>
    report.boots.filter((b) => b.kernel === 'candidate' && b.test === test);

  it.each(TRUTH.silent)(
    '%s: no divergence from staff over 5 runs of every test',
    async (variant) => {
      const { code, report } = await run(variant, config('five-runs', { repeat: 5 }));
      expect(classes(report)).toEqual(meant(variant));
      expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
      for (const test of TRUTH.tests) {
        const boots = candidateBoots(report, test);
        expect(boots).toHaveLength(5);
        expect(boots.every((b) => b.outcome === 'completed')).toBe(true);
      }
      expect(code).toBe(0);
    },
    900_000,
  );

  it("panic: a crash of alarm-negative, with Pintos' panic line, and nothing else", async () => {
    const { code, report } = await run('panic');
    expect(classes(report)).toEqual(meant('panic'));
    expect(verdictOf(report, 'alarm-negative')?.reason).toContain(
      "Kernel PANIC at ../../devices/timer.c:95 in timer_sleep(): assertion `ticks >= 0' failed.",
    );
    expect(candidateBoots(report, 'alarm-negative').every((b) => b.outcome === 'panic')).toBe(true);
    expect(code).toBe(1);
  }, 600_000);

  it('hang: alarm-zero hangs, stopped at its own time limit, not the stall timeout', async () => {
    const { code, report } = await run('hang');
    expect(classes(report)).toEqual(meant('hang'));
    const limit = 'time limit of test alarm-zero: still running after 20000 ms';
    expect(verdictOf(report, 'alarm-zero')?.reason).toContain(
      `${limit} (harness.test-timeouts: **)`,
    );
    const boots = candidateBoots(report, 'alarm-zero');
    expect(boots.length).toBeGreaterThan(0);
    for (const boot of boots) {
      expect(boot).toMatchObject({ outcome: 'timeout', message: expect.stringContaining(limit) });
      // The stall timeout (30 s of silence) would have stopped it later.
      expect(boot.durationMs).toBeGreaterThanOrEqual(20_000);
      expect(boot.durationMs).toBeLessThan(30_000);
    }
    expect(code).toBe(1);
  }, 600_000);

  it('wrong-result: every sleep a tick long shows in alarm-simultaneous only', async () => {
    const { code, report } = await run('wrong-result');
    expect(classes(report)).toEqual(meant('wrong-result'));
    const verdict = verdictOf(report, 'alarm-simultaneous');
    expect(verdict?.diff).toMatch(/^\+.*woke up after 11 ticks$/m);
    expect(verdict?.diff).toMatch(/^-.*woke up after 10 ticks$/m);
    expect(code).toBe(1);
  }, 600_000);

  it('flaky: a sleep late one boot in two is flaky over 10 runs, not a plain divergence', async () => {
    // About 7 boots in 16 are late: all 10 runs alike (then not flaky) about 1 time in 300.
    const tests = ['alarm-simultaneous', 'alarm-zero'];
    const { report } = await run('flaky', config('ten-runs', { repeat: 10, tests }));
    expect(classes(report)).toEqual(meant('flaky', tests));
    // Both kinds of boot were seen: some as staff's, some a tick late.
    const outputs = report.tests
      .find((t) => t.id === 'alarm-simultaneous')
      ?.observations.candidate?.map((o) => o.output.join('\n'));
    expect(outputs?.length).toBeGreaterThanOrEqual(10); // and the reruns of a divergent test
    expect(outputs?.some((o) => o.includes('11 ticks'))).toBe(true);
    expect(outputs?.some((o) => !o.includes('11 ticks'))).toBe(true);
  }, 900_000);

  it('the observation cache keys on the command line the loader hands the kernel', async () => {
    const staff = path.join(dir, 'staff', 'os.dsk');
    const runOn = async (file: string, out: string) => {
      const args = ['run', '-c', file, '--candidate', staff, '-o', path.join(outs, out)];
      const result = await cli(args, env);
      expect(result.code).toBe(0);
      return result.stderr;
    };
    const tests = ['alarm-zero'];
    const asIs = config('cache-as-is', { repeat: 1, tests });
    await runOn(asIs, 'cache-1');
    expect(await runOn(asIs, 'cache-2')).toMatch(
      /staff\[alarm-zero\]#1: from the observation cache/,
    );
    // The same disk and test, another command line: booted again, and the kernel read it.
    const seeded = config('cache-seeded', { repeat: 1, tests, append: '-q -rs=7 run {test}' });
    expect(await runOn(seeded, 'cache-3')).not.toMatch(/from the observation cache/);
    const log = readFileSync(path.join(outs, 'cache-3', 'logs', 'staff-alarm-zero-1.log'), 'utf8');
    expect(log).toContain('Kernel command line: -q -rs=7 run alarm-zero');
  }, 600_000);
});
