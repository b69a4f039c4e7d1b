/**
 * `diverge grade` builds every submission as untrusted code, in real Docker: with no network
 * (while the staff's Dockerfile may still fetch its toolchain: the staff's recipe is built
 * first, trusted, and the submissions reuse its layers), and with nothing in reach but the
 * submission's own files. The staff's Dockerfile here is the course's with one more toolchain
 * step that needs the network (a TCP connection to a server of the test, with a fresh nonce so
 * no cache holds it): a submission that builds proves the step was prepared for it. Both ways
 * of building a submission are held to this: the staff's Dockerfile (`kernel.build`) and one
 * command in its toolchain stage (`grading.build`).
 */
import { cpSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COURSE_COMMAND_BUILD, generateCourse } from '../helpers/course-submissions.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import {
  courseReferences,
  dockerHostAddress,
  gradebookIn,
  gradeCli,
  inKernelRule,
} from '../helpers/course.js';
import { type CliResult, scratchDir, testContext } from '../helpers/fixtures.js';
import type { Gradebook } from '../../src/model/gradebook.js';

const dir = scratchDir('grade-isolation');
const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
let references: Awaited<ReturnType<typeof courseReferences>>;

beforeAll(async () => {
  references = await courseReferences(testContext('grade-isolation'), path.join(dir, 'staff'));
}, 900_000);

const MODES = [
  {
    build: 'dockerfile' as const,
    prepared: /kernel\.build: the staff's recipe is built/,
    netReason:
      /^did not build: kernel\.build: step \d+\/\d+ \(RUN make kernel .*\) failed: .*a submission's build has no network \(diverge grade never gives one\)/,
  },
  {
    build: 'command' as const,
    prepared: /grading\.build: stage toolchain is built/,
    netReason:
      /^did not build: grading\.build: grading\.build\.run \(make kernel .*\) exited with code 2: a submission's build has no network \(diverge grade never gives one\)/,
  },
];

describe.each(MODES)('diverge grade builds submissions as untrusted code ($build)', (mode) => {
  const root = path.join(dir, mode.build);
  const out = path.join(root, 'out');
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.end('toolchain\n');
  });
  let result: CliResult;
  let gradebook: Gradebook;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const reach = `bash -c 'cat < /dev/tcp/${dockerHostAddress()}/${(server.address() as { port: number }).port}'`;

    // The staff's course, its toolchain stage reaching the network.
    const staff = path.join(root, 'staff-course');
    cpSync(COURSE_DIR, staff, { recursive: true, filter: (from) => !/\/out(\/|$)/.test(from) });
    const dockerfile = readFileSync(path.join(staff, 'Dockerfile'), 'utf8');
    const toolchain = 'rm -rf /var/lib/apt/lists/*\n';
    expect(dockerfile).toContain(toolchain);
    writeFileSync(
      path.join(staff, 'Dockerfile'),
      dockerfile.replace(
        toolchain,
        `${toolchain}RUN echo ${path.basename(dir)}-${mode.build} && ${reach} > /etc/toolchain && test -s /etc/toolchain\n`,
      ),
    );

    const course = await generateCourse(path.join(root, 'course'), {
      count: 3,
      seed: 1,
      kinds: ['correct'],
      unique: path.basename(dir),
      references,
      build: mode.build,
    });
    const config = readFileSync(course.config, 'utf8');
    expect(config.includes(COURSE_COMMAND_BUILD.join('\n'))).toBe(mode.build === 'command');
    writeFileSync(course.config, config.replace(JSON.stringify(COURSE_DIR), JSON.stringify(staff)));
    const student = (name: string) => path.join(course.submissions, name);
    const names = Object.keys(course.students).sort();
    ['honest', 'net', 'peek'].forEach((name, i) =>
      renameSync(student(names[i] as string), student(name)),
    );
    // Student code runs in the kernel rule of their Makefile, which the staff's Dockerfile runs.
    const beforeKernel = (name: string, line: string) => inKernelRule(student(name), line);
    beforeKernel('net', reach);
    // Links to another student's source and to the staff's kernel, and the same files by their
    // paths on this host: a build that reads any of them fails with status 9.
    symlinkSync('../../honest', path.join(student('peek'), 'kernel', 'other'));
    symlinkSync(references.staff, path.join(student('peek'), 'kernel', 'staff'));
    const targets = [
      'kernel/other/kernel/main.c',
      'kernel/staff',
      path.join(student('honest'), 'kernel', 'main.c'),
      references.staff,
      path.join(staff, 'Dockerfile'),
    ];
    beforeKernel(
      'peek',
      // The probe itself works: it reads the student's own file.
      `@cat kernel/main.c >/dev/null && echo "reads its own kernel/main.c"; for f in ${targets.join(' ')}; do if cat "$$f" >/dev/null 2>&1; then echo "could read $$f"; exit 9; fi; done`,
    );

    result = await gradeCli(course, out, env);
    gradebook = gradebookIn(out);
  }, 900_000);
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const row = (name: string) => gradebook.students.find((s) => s.name === name);

  it("prepares the staff's toolchain with the network, once, and every other build goes without", () => {
    expect(result.stderr).not.toMatch(/^diverge: /m);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(mode.prepared);
    // The staff's build reached the server; no submission did.
    expect(connections).toBe(1);
    expect(row('honest')).toMatchObject({
      conclusion: 'success',
      build: { outcome: 'built' },
      score: row('honest')?.max,
    });
  });

  it('fails a submission whose build reaches for the network, with the reason in its row', () => {
    expect(row('net')).toMatchObject({
      score: 0,
      conclusion: 'failure',
      build: { outcome: 'failed' },
      boot: { outcome: 'not-booted' },
    });
    expect(row('net')?.reason).toMatch(mode.netReason);
  });

  it("lets no submission read another's files or the staff's", () => {
    const peek = row('peek');
    expect(peek).toMatchObject({ conclusion: 'success', build: { outcome: 'built' } });
    const log = readFileSync(path.join(out, peek?.build.log ?? 'none'), 'utf8');
    expect(log).toMatch(/^reads its own kernel\/main\.c$/m);
    expect(log).not.toMatch(/^could read /m);
  });
});
