/**
 * The docs' examples that test/helpers/docs-examples.ts says are booted here, booted through
 * the bundled CLI in real QEMU (and real Docker where they build): each YAML block is written
 * to a diverge.yml as the docs show it (a fragment into the course fixture's config), and the
 * files it names are given to it (the Linux fixture's kernels and harness, the course's).
 * Whatever the example leaves to the command line (a `--candidate`, references whose sources
 * need GitHub) is given as flags of the same names.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { buildLinuxHarness, COURSE_DIR } from '../../src/run/fixtures.js';
import { courseReferences, gradebookIn } from '../helpers/course.js';
import { blockOf, DOC_EXAMPLES, fragmentConfig } from '../helpers/docs-examples.js';
import { cli, fixtureKernels, scratchDir, testContext } from '../helpers/fixtures.js';

const dir = scratchDir('docs-examples');
const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
let linux: Record<string, string>;
let course: { staff: string; staffAlt: string; harness: string };

/** A fresh folder for one example, with its diverge.yml: the docs' block as it is. */
function exampleDir(id: string, config: string): { dir: string; config: string } {
  const at = path.join(dir, id);
  mkdirSync(at, { recursive: true });
  writeFileSync(path.join(at, 'diverge.yml'), config);
  return { dir: at, config: path.join(at, 'diverge.yml') };
}

/** The course fixture's source with its built harness where its config names it. */
function courseCopy(to: string): string {
  cpSync(COURSE_DIR, to, {
    recursive: true,
    filter: (from) => !from.startsWith(path.join(COURSE_DIR, 'out')),
  });
  mkdirSync(path.join(to, 'out'), { recursive: true });
  copyFileSync(course.harness, path.join(to, 'out', 'harness.bin'));
  return to;
}

/** `diverge run` of an example; its report. */
async function run(config: string, out: string, ...flags: string[]): Promise<Report> {
  const result = await cli(['run', '-c', config, ...flags, '-o', out], env);
  expect(result.stderr).not.toMatch(/^diverge: /m);
  expect(result.code).toBe(0);
  return validateReport(
    JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
    `${out}/report.json`,
  );
}

const allSame = (report: Report) => {
  expect(report.tests.length).toBeGreaterThan(0);
  expect(report.tests.filter((t) => t.verdict.class !== 'same')).toEqual([]);
};

/** The course config with `fragment`'s sections, in a course copy; `diverge grade` of it. */
async function gradeFragment(id: string) {
  const at = courseCopy(path.join(dir, id, 'course'));
  const config = path.join(at, 'diverge.yml');
  writeFileSync(config, fragmentConfig(blockOf(id).text));
  const student = courseCopy(path.join(dir, id, 'student'));
  const out = path.join(dir, id, 'out');
  const result = await cli(
    [
      'grade',
      '-c',
      config,
      '--submission',
      `student=${student}`,
      '-r',
      `staff=${course.staff}`,
      '-r',
      `staff-alt=${course.staffAlt}`,
      '-o',
      out,
    ],
    env,
  );
  expect(result.stderr).not.toMatch(/^diverge: /m);
  expect(result.code).toBe(0);
  expect(result.stderr).toMatch(/grading\.build: stage toolchain is built/);
  const [row] = gradebookIn(out).students;
  expect(row).toMatchObject({
    name: 'student',
    conclusion: 'success',
    build: { outcome: 'built' },
  });
  expect(row?.score).toBe(row?.max);
}

/** How each booted example is run. */
const BOOTS: Record<string, () => Promise<void>> = {
  // The README's config: the repository's Dockerfile (here: one that copies the Linux fixture
  // kernel to /out/kernel.elf) and harness/root. Its references come from a pull request's base
  // and another repository's artifact (the action's tests fetch those); here files by their names.
  'readme-config': async () => {
    const { dir: at, config } = exampleDir('readme-config', blockOf('readme-config').text);
    writeFileSync(
      path.join(at, 'Dockerfile'),
      'FROM scratch AS kernel\nCOPY kernel.elf /out/kernel.elf\n',
    );
    copyFileSync(linux.X86_61_A as string, path.join(at, 'kernel.elf'));
    await buildLinuxHarness(path.join(at, 'harness', 'root'));
    const a = linux.X86_61_A as string;
    const report = await run(config, path.join(at, 'out'), '-r', `base=${a}`, '-r', `staff=${a}`);
    expect(report.candidate.source).toMatchObject({ path: '/out/kernel.elf' });
    expect(report.references.map((r) => r.name)).toEqual(['base', 'staff']);
    allSame(report);
  },
  // "A minimal config, for a candidate given with --candidate and a KTAP harness".
  'config-minimal': async () => {
    const { dir: at, config } = exampleDir('config-minimal', blockOf('config-minimal').text);
    await buildLinuxHarness(path.join(at, 'harness', 'root'));
    const a = linux.X86_61_A as string;
    allSame(await run(config, path.join(at, 'out'), '--candidate', a, '-r', `staff=${a}`));
  },
  // The README's rubric on the course, whose alloc_* tests it names: Gradescope's file scores by it.
  'readme-grading': async () => {
    const at = courseCopy(path.join(dir, 'readme-grading'));
    const config = path.join(at, 'diverge.yml');
    writeFileSync(config, fragmentConfig(blockOf('readme-grading').text));
    const results = path.join(at, 'results.json');
    const flags = ['--candidate', course.staffAlt, '-r', `staff=${course.staff}`];
    allSame(await run(config, path.join(at, 'out'), ...flags, '--gradescope', results));
    const scored = JSON.parse(readFileSync(results, 'utf8')) as {
      tests: { name: string; score: number; max_score: number }[];
    };
    const alloc = scored.tests.filter((t) => t.name.startsWith('alloc_'));
    expect(alloc.length).toBeGreaterThan(0);
    for (const t of scored.tests)
      expect([t.name, t.score, t.max_score]).toEqual([
        t.name,
        t.name.startsWith('alloc_') ? 2 : 1,
        t.name.startsWith('alloc_') ? 2 : 1,
      ]);
  },
  // grading.build with the course's toolchain stage: a student's source, one container.
  'config-grading-build': () => gradeFragment('config-grading-build'),
  'grading-kernel-and-build': () => gradeFragment('grading-kernel-and-build'),
};

const BOOTED = DOC_EXAMPLES.filter((e) => e.coverage.by === 'boot' || 'boot' in e.coverage).map(
  (e) => e.id,
);

beforeAll(async () => {
  linux = await fixtureKernels();
  course = await courseReferences(testContext('docs-examples'), path.join(dir, 'staff'));
}, 900_000);

describe("the docs' examples, booted", () => {
  it('has a way to boot each example the mapping says is booted here, and no other', () => {
    expect(Object.keys(BOOTS).sort()).toEqual([...BOOTED].sort());
  });

  it.each(BOOTED)('%s', (id) => (BOOTS[id] as () => Promise<void>)(), 900_000);
});
