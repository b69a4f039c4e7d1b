/**
 * docs/unikernels.md's Solo5 example, taken from the docs and run as written on upstream Solo5
 * (fixtures/solo5: the pinned v0.12.1 and v0.11.0 trees, built in real Docker by
 * examples/solo5/Dockerfile, each test unikernel booted in real QEMU): a kernel that is many
 * images, one per test. `diverge grade` takes both releases and four trees of v0.12.1 with one
 * injected bug each in the virtio bindings as submissions (source trees, built with the config's
 * recipe) against both releases given as `--reference NAME=DIR`; each bug is found with its
 * class on its own test image and nowhere else, and either release is silent. `diverge run --candidate DIR` of v0.12.1 against itself is silent over 3 runs of every
 * test. The images are built once (Docker's cache keeps them between runs of this file).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Gradebook } from '../../src/model/gradebook.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';
import { fixtureTruth } from '../helpers/teaching.js';

const SOLO5 = path.join(REPO_ROOT, 'fixtures/solo5');
const EXAMPLE = path.join(REPO_ROOT, 'examples/solo5');
const TRUTH = fixtureTruth(SOLO5);
const RELEASE = path.join(SOLO5, 'v0.12.1');
/** The pinned releases (fixtures/solo5/vX.Y.Z): every reference, and silent submissions. */
const release = (name: string): string => path.join(SOLO5, name);

/** The docs' Solo5 example: the YAML block of docs/unikernels.md that opens with its comment. */
function docsExample(): string {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/unikernels.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map(([, yaml]) => yaml ?? '');
  const block = blocks.find((yaml) =>
    yaml.startsWith("# yaml-language-server: $schema=../../schema/config.v1.json\n# Solo5's"),
  );
  if (!block) throw new Error('docs/unikernels.md: no Solo5 example');
  return block;
}

/** A pinned release as it is, or v0.12.1 with `variants/NAME.patch` applied, as a tree of its own. */
function variantTree(dir: string, name: string): string {
  const tree = path.join(dir, name);
  cpSync(TRUTH.variants[name] ? RELEASE : release(name), tree, { recursive: true });
  if (TRUTH.variants[name]) {
    const patch = spawnSync(
      'patch',
      ['-p1', '--forward', '-i', path.join(SOLO5, 'variants', `${name}.patch`)],
      {
        cwd: tree,
        encoding: 'utf8',
      },
    );
    if (patch.status !== 0) throw new Error(`${name}.patch: ${patch.stdout}${patch.stderr}`);
  }
  return tree;
}

describe("the docs' Solo5 example: each Solo5 tree one kernel of 12 test unikernels", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let gradebook: Gradebook;
  let gradeOut: string;
  let gradeCode: number;
  const runDir = scratchDir('solo5-run');

  beforeAll(async () => {
    dir = scratchDir('solo5');
    for (const entry of ['Dockerfile', 'storage.img'])
      cpSync(path.join(EXAMPLE, entry), path.join(dir, entry));
    writeFileSync(path.join(dir, 'diverge.yml'), docsExample());
    const trees = scratchDir('solo5-trees');
    for (const name of [...TRUTH.silent, ...Object.keys(TRUTH.variants)]) variantTree(trees, name);
    env = { ...process.env, XDG_CACHE_HOME: scratchDir('solo5-cache') };
    gradeOut = path.join(scratchDir('solo5-grade'), 'out');
    // Every pinned release a reference: a divergence is a behaviour none of them has.
    const references = TRUTH.references.flatMap((name) => [
      '--reference',
      `${name}=${release(name)}`,
    ]);
    const args = ['grade', '-c', path.join(dir, 'diverge.yml'), '--submissions', trees];
    const result = await cli([...args, ...references, '--out', gradeOut], env);
    gradeCode = result.code;
    if (result.code === 2) throw new Error(result.stderr);
    gradebook = JSON.parse(
      readFileSync(path.join(gradeOut, 'gradebook.json'), 'utf8'),
    ) as Gradebook;
  }, 900_000);

  it('the example is examples/solo5/diverge.yml, word for word', () => {
    expect(docsExample()).toBe(readFileSync(path.join(EXAMPLE, 'diverge.yml'), 'utf8'));
  });

  const meant = (variant: string): Record<string, string> => {
    const want: Record<string, string> = Object.fromEntries(TRUTH.tests.map((t) => [t, 'same']));
    for (const [cls, named] of Object.entries(TRUTH.variants[variant] ?? {}))
      for (const test of named) want[test] = cls;
    return want;
  };
  const studentReport = (name: string): Report =>
    validateReport(
      JSON.parse(readFileSync(path.join(gradeOut, 'students', name, 'report.json'), 'utf8')),
      `${name}/report.json`,
    );

  it.each([...TRUTH.silent, ...Object.keys(TRUTH.variants)])(
    '%s: one kernel, each test on its own image, every class as the truth file says',
    (name) => {
      const row = gradebook.students.find((s) => s.name === name);
      expect(row?.tests).toEqual(meant(name));
      const report = studentReport(name);
      expect(report.references.map((r) => r.name)).toEqual(TRUTH.references);
      // One boot per test, each of its own image, named in the boot's command line.
      for (const test of TRUTH.tests) {
        const boots = report.boots.filter((b) => b.kernel === 'candidate' && b.test === test);
        expect(boots.length).toBeGreaterThanOrEqual(1);
        const logPath = boots[0]?.log ?? '';
        const log = [path.join(gradeOut, 'students', name, logPath), path.join(gradeOut, logPath)]
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file, 'utf8'))[0];
        if (test !== 'output')
          expect(log).toMatch(new RegExp(`Solo5 standalone test_(${test}|verbose) `));
      }
      // The kernel's digest is its images' digest, not one file's.
      expect(report.candidate.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    },
  );

  it("the bugs' verdicts say what the console showed", () => {
    const verdict = (name: string, test: string) =>
      studentReport(name).tests.find((t) => t.id === test)?.verdict;
    expect(verdict('cmdline', 'hello')?.diff).toMatch(/^\+Command line is: 'Hello_Solo'$/m);
    // test_blk returns 1 when a block reads back wrong: no SUCCESS, and a failing exit.
    expect(verdict('blk-sector', 'blk')?.diff).toMatch(/^-pass\n\+fail\b[\s\S]*^-SUCCESS$/m);
    expect(verdict('yield-once', 'time')?.diff).toMatch(/ERROR: slept too little/);
    const hung = studentReport('blk-notify').boots.filter(
      (b) => b.kernel === 'candidate' && b.test === 'blk',
    );
    expect(hung.every((b) => b.outcome === 'stalled' || b.outcome === 'timeout')).toBe(true);
    // Every other submission's digest differs from v0.12.1's: the images changed.
    const digests = new Set(gradebook.students.map((s) => studentReport(s.name).candidate.digest));
    expect(digests.size).toBe(gradebook.students.length);
    expect(gradeCode).not.toBe(2);
  });

  it('v0.12.1 as --candidate DIR is silent against itself over 3 runs of every test', async () => {
    const config = path.join(dir, 'three-runs.yml');
    const example = docsExample();
    const three = example.replace(/^harness:\n/m, 'harness:\n  repeat: 3\n');
    expect(three).not.toBe(example);
    writeFileSync(config, three);
    const out = path.join(runDir, 'out');
    const reference = `${TRUTH.references[0]}=${RELEASE}`;
    const result = await cli(
      ['run', '-c', config, '--candidate', RELEASE, '--reference', reference, '-o', out],
      env,
    );
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      'report.json',
    );
    expect(Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]))).toEqual(
      meant('v0.12.1'),
    );
    for (const test of TRUTH.tests)
      expect(report.boots.filter((b) => b.kernel === 'candidate' && b.test === test)).toHaveLength(
        3,
      );
    expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
    expect(result.code).toBe(0);
  }, 600_000);

  it('images already built: {test} in a file reference and in --candidate, judged the same', async () => {
    // The images the run above took out of v0.12.1's build, one folder per test.
    const images = path.join(
      runDir,
      'out',
      'kernels',
      'candidate',
      'images',
      '{test}',
      'test_{test}.virtio',
    );
    expect(existsSync(images.replaceAll('{test}', 'blk'))).toBe(true);
    const config = path.join(dir, 'files.yml');
    writeFileSync(
      config,
      `${docsExample()}references:\n  - { name: v0.12.1, file: '${images}' }\n`,
    );
    const out = path.join(scratchDir('solo5-files'), 'out');
    const result = await cli(['run', '-c', config, '--candidate', images, '-o', out], env);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      'report.json',
    );
    expect(Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]))).toEqual(
      meant('v0.12.1'),
    );
    // The same images, the same kernel: one digest for both, the built tree's.
    expect(report.candidate.digest).toBe(report.references[0]?.digest);
    expect(result.code).toBe(0);
    // A missing image is named with its test before anything boots.
    const missing = await cli(
      ['run', '-c', config, '--candidate', path.join(dir, 'none', 'test_{test}.virtio'), '-o', out],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `kernel "candidate[hello]": file not found: ${path.join(dir, 'none', 'test_hello.virtio')}`,
    );
  }, 300_000);
});
