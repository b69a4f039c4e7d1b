/**
 * `--reference NAME=PATH` of run, grade and bisect: the flag's references replace the config's
 * (whose own reference here is a file that is not there), and PATH is a kernel file or a source
 * directory built with kernel.build's recipe. Through the bundled CLI, on the course
 * fixture built in real Docker and booted in real QEMU. And the globs the references judge: a
 * rubric or --test glob that matches none of the tests they reported stops the run before any
 * student is graded or any commit built (typos.test.ts has the checks made before --out).
 */
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  existsSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { validateBisect } from '../../src/bisect/model.js';
import { validateReport } from '../../src/report/validate.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import { courseReferences, gradebookIn } from '../helpers/course.js';
import { courseHistory, historyConfig } from '../helpers/course-history.js';
import { cli, scratchDir, testContext } from '../helpers/fixtures.js';

const dir = scratchDir('reference-flag');
const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
/** The course's source, outside any config's context: a reference built from a directory. */
const source = path.join(dir, 'source');
let staff: string;
let staffAlt: string;
let harness: string;
/** The course with a config whose only reference is a file that is not there. */
let config: string;

beforeAll(async () => {
  ({ staff, staffAlt, harness } = await courseReferences(
    testContext('reference-flag'),
    path.join(dir, 'staff'),
  ));
  const copy = (to: string) =>
    cpSync(COURSE_DIR, to, {
      recursive: true,
      filter: (from) => !from.startsWith(path.join(COURSE_DIR, 'out')),
    });
  copy(source);
  copy(path.join(dir, 'course', 'kernel'));
  config = path.join(dir, 'course', 'diverge.yml');
  writeFileSync(
    config,
    `${historyConfig(harness)}references: [{ name: old, file: gone/kernel.elf }]\n`,
  );
}, 600_000);

describe('run --reference', () => {
  it('builds a source directory with the recipe, as grade and bisect do', async () => {
    const out = path.join(dir, 'run');
    const result = await cli(
      ['run', '-c', config, '--candidate', staffAlt, '-r', `src=${source}`, '-o', out],
      env,
    );
    expect(result.stderr).not.toMatch(/^diverge: /m);
    expect(result.code).toBe(0);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      'report.json',
    );
    expect(report.references).toEqual([
      expect.objectContaining({
        name: 'src',
        source: expect.objectContaining({ build: { context: source } }),
      }),
    ]);
    expect(report.summary).toMatchObject({ divergences: 0 });
  }, 600_000);

  it('names the reference whose source does not build, exit 2', async () => {
    const broken = path.join(dir, 'broken');
    cpSync(source, broken, { recursive: true });
    appendFileSync(path.join(broken, 'kernel', 'main.c'), '\nstatic int line_editor = ;\n');
    const result = await cli(
      ['run', '-c', config, '--candidate', staffAlt, '-r', `wip=${broken}`, '-o', `${broken}-out`],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^diverge: reference wip \\(${broken}\\): kernel\\.build`, 'm'),
    );
  }, 600_000);
});

describe('grade --reference', () => {
  it('grades against a kernel file and a source directory instead of the config references', async () => {
    const out = path.join(dir, 'grade');
    const result = await cli(
      [
        'grade',
        '-c',
        config,
        '--submission',
        `alt=${staffAlt}`,
        '-r',
        `staff=${staff}`,
        '-r',
        `src=${source}`,
        '-o',
        out,
      ],
      env,
    );
    expect(result.stderr).not.toMatch(/^diverge: /m);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('reference src: kernel.path: /out/kernel.elf');
    const gradebook = gradebookIn(out);
    expect(gradebook.basis.references.map((r) => r.name)).toEqual(['staff', 'src']);
    const [alt] = gradebook.students;
    expect(alt).toMatchObject({ name: 'alt', conclusion: 'success' });
    expect(alt?.score).toBe(alt?.max);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'students', 'alt', 'report.json'), 'utf8')),
      'alt/report.json',
    );
    expect(report.references.map((r) => [r.name, r.source])).toEqual([
      ['staff', { file: staff }],
      ['src', expect.objectContaining({ build: { context: source }, path: '/out/kernel.elf' })],
    ]);
  }, 600_000);

  it('stops at a rubric glob no reference test matches, naming the nearest, before grading anyone', async () => {
    const typo = path.join(dir, 'course', 'typo.yml');
    writeFileSync(
      typo,
      `${readFileSync(config, 'utf8')}grading: { points: [{ test: 'alloc_distnct', points: 2 }] }\n`,
    );
    const out = path.join(dir, 'grade-typo');
    const result = await cli(
      ['grade', '-c', typo, '--submission', `alt=${staffAlt}`, '-r', `staff=${staff}`, '-o', out],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^diverge: .*typo\.yml: grading\.points\[0\]\.test: "alloc_distnct" matches no test \(nearest: alloc_distinct\b/m,
    );
    expect(existsSync(path.join(out, 'students'))).toBe(false);
  }, 600_000);
});

describe('bisect --reference', () => {
  const PLAN = { commits: 6, culprit: 4, broken: 2, harmless: 1, salt: `${process.pid}` };
  let history: ReturnType<typeof courseHistory>;
  beforeAll(() => {
    history = courseHistory(path.join(dir, 'repo'), PLAN, 'harness.bin');
    copyFileSync(harness, path.join(history.dir, 'harness.bin'));
  });
  const bisect = (out: string, ...more: string[]) =>
    cli(
      [
        'bisect',
        '-c',
        history.config,
        '--good',
        history.shas[0] as string,
        '--bad',
        'main',
        '-j',
        '2',
        ...more,
        '-o',
        out,
      ],
      env,
    );

  it('judges each commit against a source directory built with the recipe, and the good revision', async () => {
    const out = path.join(dir, 'bisect');
    const result = await bisect(out, '-r', `staff=${source}`);
    expect(result.stderr).not.toMatch(/^diverge: /m);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('reference staff: kernel.path: /out/kernel.elf');
    const found = validateBisect(
      JSON.parse(readFileSync(path.join(out, 'bisect.json'), 'utf8')),
      'bisect.json',
    );
    expect(found.references).toEqual(['staff', 'good']);
    expect(found.culprit?.sha).toBe(history.shas[PLAN.culprit]);
  }, 900_000);

  it('stops at a --test glob no reference test matches, naming the nearest, before building a commit', async () => {
    const result = await bisect(
      path.join(dir, 'bisect-typo'),
      '-r',
      `staff=${staff}`,
      '--no-good-reference',
      '--test',
      'alloc_distnct',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^diverge: --test "alloc_distnct" matches no test \(nearest: alloc_distinct\b/m,
    );
    expect(result.stderr).not.toContain('round 1');
    expect(result.stderr).not.toContain('nothing to blame');
  }, 600_000);
});
