/**
 * `diverge grade` the way course staff meet it: generated submissions of the fixture course
 * built from source in real Docker (the staff's Dockerfile over each student's files), booted
 * in real QEMU against the staff kernels, graded under the generated config's rubric and
 * compared with the generator's truth. The run is killed half-way and started again; two
 * shards merged must equal the whole.
 *
 * Size: 40 submissions drawn from 10 kinds, so the 40 share about 10 distinct sources and
 * Docker builds each source once (identical contexts share an image); the staff kernels are
 * booted once per grading (and come from the observation cache after that).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type GeneratedCourse, generateCourse } from '../helpers/course-submissions.js';
import { courseReferences, gradeArgs, gradebookIn, gradeCli } from '../helpers/course.js';
import {
  cli,
  CLI,
  NODE24,
  qemuProcessesMentioning,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';

const COUNT = 40;
const dir = scratchDir('grade');
// The CLI runs with the test's own cache directory, so nothing another run cached is met.
const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
const context = testContext('grade');
let course: GeneratedCourse;

const grade = (out: string, ...more: string[]) => gradeCli(course, out, env, ...more);
/** The students whose grade is on disk, with when it was written. */
const finished = (out: string): Map<string, number> => {
  const students = path.join(out, 'students');
  if (!existsSync(students)) return new Map();
  return new Map(
    readdirSync(students)
      .filter((name) => existsSync(path.join(students, name, 'grade.json')))
      .map((name) => [name, statSync(path.join(students, name, 'grade.json')).mtimeMs]),
  );
};

beforeAll(async () => {
  course = await generateCourse(path.join(dir, 'course'), {
    count: COUNT,
    seed: 13,
    references: await courseReferences(context, path.join(dir, 'staff')),
  });
}, 900_000);

describe('diverge grade on 40 generated submissions', () => {
  const out = path.join(dir, 'out');
  let killedAfter: Map<string, number>;
  let resumed: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    // Killed once a few students are graded, by SIGKILL: the CLI gets no chance to tidy up.
    const child = spawn(NODE24, [CLI, ...gradeArgs(course, out)], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (finished(out).size < 8) {
      const ended = await Promise.race([exited, new Promise((r) => setTimeout(r, 200, 'poll'))]);
      if (ended !== 'poll')
        throw new Error(`grade ended (${String(ended)}) before it could be killed`);
    }
    child.kill('SIGKILL');
    await exited;
    // Its QEMUs outlive it (a hung kernel would spin on): end them, as a CI runner ends the
    // process tree of a cancelled job.
    for (const line of qemuProcessesMentioning(dir))
      process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    for (let i = 0; i < 50 && qemuProcessesMentioning(dir).length > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(qemuProcessesMentioning(dir)).toEqual([]);
    killedAfter = finished(out);
    resumed = await grade(out);
  }, 1_200_000);

  it('ends with a valid gradebook where every student has the intended classes and score', () => {
    expect(resumed.stderr).not.toMatch(/^diverge: /m);
    expect(resumed.code).toBe(0);
    const gradebook = gradebookIn(out);
    expect(gradebook.students.map((s) => s.name)).toEqual(Object.keys(course.students).sort());
    for (const student of gradebook.students) {
      const truth = course.students[student.name];
      expect({
        name: student.name,
        kind: truth?.kind,
        tests: student.tests,
        score: student.score,
        max: student.max,
      }).toEqual({
        name: student.name,
        kind: truth?.kind,
        tests: truth?.classes,
        score: truth?.score,
        max: truth?.max,
      });
    }
    // The draw covered every kind, build failures included.
    expect(new Set(Object.values(course.students).map((s) => s.kind)).size).toBeGreaterThanOrEqual(
      9,
    );
  });

  it('gives a submission that does not build its row, 0 points and the reason', () => {
    const gradebook = gradebookIn(out);
    const broken = gradebook.students.filter((s) => !course.students[s.name]?.builds);
    expect(broken.length).toBeGreaterThan(0);
    for (const student of broken) {
      expect(student).toMatchObject({
        score: 0,
        conclusion: 'failure',
        report: null,
        build: { outcome: 'failed' },
        boot: { outcome: 'not-booted' },
      });
      const kind = course.students[student.name]?.kind;
      expect(student.reason).toMatch(
        kind === 'compile-error'
          ? /^did not build: .*(error|RUN make kernel)/s
          : /^did not build: .*kernel\.elf/s,
      );
      expect(existsSync(path.join(out, student.build.log ?? 'none'))).toBe(true);
      expect(student.reason).toContain(`(build log: ${student.build.log})`);
    }
    const csv = readFileSync(path.join(out, 'gradebook.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^student,score,max,conclusion,regression,crash,/);
    expect(csv).toHaveLength(COUNT + 2); // header, rows, and the empty string after the last CRLF
    expect(readFileSync(path.join(out, 'gradebook.md'), 'utf8')).toContain(
      '## Distribution of scores',
    );
  });

  it('re-grades no student finished before the kill', () => {
    expect(killedAfter.size).toBeGreaterThanOrEqual(8);
    const after = finished(out);
    for (const [name, mtime] of killedAfter) expect([name, after.get(name)]).toEqual([name, mtime]);
    expect(resumed.stderr.match(/kept from the last run/g)?.length).toBe(killedAfter.size);
    expect(after.size).toBe(COUNT);
  });

  it('gives the same gradebook from two shards merged as from one run', async () => {
    const shards = [path.join(dir, 'shard-1'), path.join(dir, 'shard-2')];
    // One after the other: the fixture's short stall timeout wants a machine that is not overrun.
    const results = [
      await grade(shards[0] as string, '--shard', '1/2'),
      await grade(shards[1] as string, '--shard', '2/2'),
    ];
    for (const result of results) expect(result.code).toBe(0);
    const sizes = shards.map((s) => gradebookIn(s).students.length);
    expect(sizes).toEqual([COUNT / 2, COUNT / 2]);
    const merged = path.join(dir, 'merged');
    const merge = await cli(['grade', 'merge', ...shards, '--out', merged], env);
    expect(merge.stderr).not.toMatch(/^diverge: /m);
    expect(merge.code).toBe(0);
    // Row by row the same grades; each row's checksum covers its own report.json's bytes, whose
    // times differ from one run to the next.
    const unsealed = (dir: string) => {
      const book = gradebookIn(dir);
      return { ...book, students: book.students.map(({ checksum: _, ...row }) => row) };
    };
    expect(unsealed(merged)).toEqual(unsealed(out));
    // Every student's report came along.
    for (const student of gradebookIn(merged).students)
      if (student.report) expect(existsSync(path.join(merged, student.report))).toBe(true);
  }, 1_200_000);
});
