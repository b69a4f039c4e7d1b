/**
 * The starter kits of examples/ run as a course would run them, on upstream xv6-riscv and Pintos
 * (the pinned sources of fixtures/xv6-riscv and fixtures/pintos), in real Docker and QEMU:
 *
 * - the staff repository (the upstream tree as the staff's solution, the kit's Dockerfile,
 *   build-staff.sh and staff/diverge.yml) builds its staff kernel with build-staff.sh, and
 *   `diverge grade` grades two students' repositories with the kit's config: one correct (the
 *   upstream tree), one broken (a fixture variant's patch applied), each scored by the kit's
 *   rubric;
 * - the Pintos kit's Gradescope run_autograder, in Gradescope's directory layout, builds the broken
 *   student with make (no Docker, as on Gradescope) and writes results.json by the rubric;
 * - the xv6 student template's workflow (student/.github/workflows/diverge.yml, `uses:
 *   OWNER/diverge@v1`) runs under act against the fake GitHub server, on a push of a correct
 *   student: it fetches the staff kernel from the release of the course's kernels repository
 *   (as publish-kernel.yml leaves it) with the student's own token, and its check run passes.
 *   It shares the grading's observation cache (keyed by the content of every file QEMU is
 *   given), so the boots the grading made of the same kernels on the same disk are not made
 *   again: this run is about the workflow, the release and the action.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import { ACT, actEnv } from '../helpers/act.js';
import { cli, NODE24, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

interface Row {
  name: string;
  score: number | null;
  max: number;
  conclusion: string;
  tests: Record<string, string>;
}

function sh(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<{ code: number; log: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          log: `${stdout}${stderr}`,
        }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A kit laid out as a repository: the upstream tree, then the kit's files named in `files`. */
function repository(
  name: string,
  kit: string,
  upstream: string,
  files: Record<string, string>,
): string {
  const dir = scratchDir(name);
  cpSync(upstream, dir, { recursive: true });
  for (const [from, to] of Object.entries(files))
    cpSync(path.join(kit, from), path.join(dir, to), { recursive: true });
  return dir;
}

/** The shipped action alone (action.yml and dist/, with the sub-actions' metadata). */
function actionCopy(): string {
  const dir = scratchDir('kit-action');
  for (const file of ['action.yml', 'dist', 'report/action.yml', 'grade/action.yml'])
    cpSync(path.join(REPO_ROOT, file), path.join(dir, file), { recursive: true });
  return dir;
}

/** A copy of `dir` with a fixture variant's patch applied, as a student's broken repository. */
async function patched(dir: string, dest: string, patch: string): Promise<void> {
  cpSync(dir, dest, { recursive: true });
  const result = await sh('patch', ['-p1', '--forward'], {
    cwd: dest,
    input: readFileSync(patch, 'utf8'),
  });
  if (result.code !== 0) throw new Error(`patch ${patch}: ${result.log}`);
}

interface Kit {
  name: string;
  kit: string;
  fixture: string;
  /** The kit's files every repository of the course holds (the student template's). */
  shared: Record<string, string>;
  broken: { variant: string; tests: Record<string, string> };
}

const KITS: Kit[] = [
  {
    name: 'xv6-riscv',
    kit: path.join(REPO_ROOT, 'examples/xv6-riscv'),
    fixture: path.join(REPO_ROOT, 'fixtures/xv6-riscv'),
    shared: { Dockerfile: 'Dockerfile', '.dockerignore': '.dockerignore', course: 'course' },
    broken: { variant: 'wrong-result', tests: { trunctest: 'regression' } },
  },
  {
    name: 'pintos',
    kit: path.join(REPO_ROOT, 'examples/pintos'),
    fixture: path.join(REPO_ROOT, 'fixtures/pintos'),
    shared: { Dockerfile: 'Dockerfile', '.dockerignore': '.dockerignore' },
    broken: { variant: 'panic', tests: { 'alarm-negative': 'crash' } },
  },
];

/** The staff repositories, by kit: kept for the act test, which publishes xv6's staff kernel. */
const staffDirs = new Map<string, string>();
/** Their observation caches: the act run boots what the grading already booted from it. */
const caches = new Map<string, string>();
/** Their students' repositories (alice correct, bob broken). */
const studentDirs = new Map<string, string>();

describe.each(KITS)('the $name kit', (kit) => {
  let staff: string;
  let students: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const upstream = path.join(kit.fixture, 'src');
    staff = repository(`kit-${kit.name}-staff`, kit.kit, upstream, {
      ...kit.shared,
      'build-staff.sh': 'build-staff.sh',
      'staff/diverge.yml': 'diverge.yml',
      'staff/.github': '.github',
    });
    staffDirs.set(kit.name, staff);
    students = scratchDir(`kit-${kit.name}-students`);
    const template = {
      ...kit.shared,
      'student/diverge.yml': 'diverge.yml',
      'student/.github': '.github',
    };
    const correct = repository(`kit-${kit.name}-correct`, kit.kit, upstream, template);
    cpSync(correct, path.join(students, 'alice'), { recursive: true });
    await patched(
      correct,
      path.join(students, 'bob'),
      path.join(kit.fixture, 'variants', `${kit.broken.variant}.patch`),
    );
    env = { ...process.env, XDG_CACHE_HOME: scratchDir(`kit-${kit.name}-cache`) };
    caches.set(kit.name, env.XDG_CACHE_HOME as string);
    studentDirs.set(kit.name, students);
  }, 600_000);

  it("build-staff.sh builds the staff kernel, and grade scores a correct and a broken student by the kit's rubric", async () => {
    const built = await sh('sh', ['build-staff.sh'], { cwd: staff });
    expect({ code: built.code, log: built.code ? built.log.slice(-2000) : '' }).toEqual({
      code: 0,
      log: '',
    });
    const config = parse(readFileSync(path.join(staff, 'diverge.yml'), 'utf8')) as {
      references: { file: string }[];
      harness: { tests: string[]; disks?: { file: string }[] };
      grading: { points: { test: string; points: number }[]; 'default-points': number };
    };
    for (const file of [
      ...config.references.map((r) => r.file),
      ...(config.harness.disks ?? []).map((d) => d.file),
    ])
      expect(existsSync(path.join(staff, file))).toBe(true);

    const out = path.join(scratchDir(`kit-${kit.name}-grades`), 'grades');
    const result = await cli(
      ['grade', '-c', path.join(staff, 'diverge.yml'), '--submissions', students, '-o', out],
      env,
    );
    expect(result.stderr).not.toMatch(/^diverge: /m);
    expect(result.code).toBe(0);
    const book = JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as {
      students: Row[];
    };
    const points = (test: string) =>
      config.grading.points.find((p) => p.test === test)?.points ??
      config.grading['default-points'];
    const max = config.harness.tests.reduce((sum, test) => sum + points(test), 0);
    const same = Object.fromEntries(config.harness.tests.map((t) => [t, 'same']));
    const lost = Object.keys(kit.broken.tests).reduce((sum, test) => sum + points(test), 0);
    expect(book.students).toEqual([
      expect.objectContaining({
        name: 'alice',
        score: max,
        max,
        conclusion: 'success',
        tests: same,
      }),
      expect.objectContaining({
        name: 'bob',
        score: max - lost,
        max,
        conclusion: 'failure',
        tests: { ...same, ...kit.broken.tests },
      }),
    ]);
  }, 900_000);
});

describe("the Pintos kit's Gradescope autograder", () => {
  it("run_autograder builds the broken student with make and writes Gradescope's results.json by the rubric", async () => {
    const staff = staffDirs.get('pintos');
    const students = studentDirs.get('pintos');
    if (!staff || !students || !existsSync(path.join(staff, 'out/os.dsk')))
      throw new Error('the pintos kit test builds the staff disk first');
    // Gradescope's layout: the autograder zip in source/, the student's files in submission/.
    const root = scratchDir('kit-gradescope');
    cpSync(path.join(staff, 'diverge.yml'), path.join(root, 'source/diverge.yml'));
    cpSync(path.join(staff, 'out'), path.join(root, 'source/out'), { recursive: true });
    cpSync(path.join(students, 'bob'), path.join(root, 'submission'), { recursive: true });
    const script = path.join(REPO_ROOT, 'examples/pintos/gradescope/run_autograder');
    const { code, log } = await sh('bash', [script], {
      cwd: root,
      env: {
        ...process.env,
        AUTOGRADER: root,
        NODE: NODE24,
        DIVERGE: path.join(REPO_ROOT, 'dist/cli.js'),
        XDG_CACHE_HOME: caches.get('pintos'),
      },
    });
    expect({ code, log: code ? log.slice(-2000) : '' }).toEqual({ code: 0, log: '' });
    const results = JSON.parse(readFileSync(path.join(root, 'results/results.json'), 'utf8')) as {
      score: number;
      tests: { name: string; score: number; max_score: number; status: string }[];
    };
    const config = parse(readFileSync(path.join(staff, 'diverge.yml'), 'utf8')) as {
      harness: { tests: string[] };
    };
    expect(results.tests.map((t) => t.name)).toEqual(config.harness.tests);
    for (const test of results.tests)
      expect([test.name, test.status]).toEqual([
        test.name,
        test.name === 'alarm-negative' ? 'failed' : 'passed',
      ]);
    const max = results.tests.reduce((sum, t) => sum + t.max_score, 0);
    expect(results.score).toBe(max - 2);
  }, 300_000);
});

describe("the xv6 student template's workflow under act", () => {
  const TOKEN = 'ghs_act_kit_student';
  const REPO = 'course/lab1-alice';
  const KERNELS = 'course/xv6-kernels';
  let fake: FakeGitHub;

  beforeAll(async () => {
    if (!existsSync(ACT)) throw new Error(`${ACT} is missing: run scripts/setup.sh`);
    fake = await startFakeRepo(REPO, TOKEN);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("a push of a correct student: the staff kernel from the course's release, and a passing check", async () => {
    const staff = staffDirs.get('xv6-riscv');
    if (!staff || !existsSync(path.join(staff, 'out/kernel')))
      throw new Error('the xv6-riscv kit test builds the staff kernel first');
    // What publish-kernel.yml leaves: the staff kernel and disk as assets of release lab1.
    fake.state.addRepo(KERNELS, { defaultBranch: 'main' });
    fake.state.addRelease(KERNELS, {
      tag: 'lab1',
      assets: {
        kernel: readFileSync(path.join(staff, 'out/kernel')),
        'fs.img': readFileSync(path.join(staff, 'out/fs.img')),
      },
    });
    // The student's repository: the template with the course's name for its kernels repository.
    const kit = path.join(REPO_ROOT, 'examples/xv6-riscv');
    const dir = repository('kit-act-student', kit, path.join(REPO_ROOT, 'fixtures/xv6-riscv/src'), {
      Dockerfile: 'Dockerfile',
      '.dockerignore': '.dockerignore',
      course: 'course',
      'student/diverge.yml': 'diverge.yml',
      'student/.github': '.github',
    });
    const config = path.join(dir, 'diverge.yml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('COURSE/xv6-kernels', KERNELS));
    rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    const git = (...args: string[]) =>
      sh('git', ['-c', 'user.name=alice', '-c', 'user.email=alice@example.org', ...args], {
        cwd: dir,
      });
    await git('init', '-q', '-b', 'main');
    // -f: xv6's .gitignore names mkfs, the tool's own directory, which upstream tracks anyway.
    await git('add', '-A', '-f');
    await git('commit', '-qm', 'lab1');
    const head = (await git('rev-parse', 'HEAD')).log.trim();

    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'diverge.yml',
      branch: 'main',
      headSha: head,
      event: 'push',
    });
    const work = scratchDir('kit-act');
    const event = path.join(work, 'event.json');
    writeFileSync(
      event,
      JSON.stringify({
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: head,
        repository: {
          full_name: REPO,
          name: 'lab1-alice',
          owner: { login: 'course' },
          default_branch: 'main',
        },
      }),
    );
    const runtime = fake.runtimeEnv(REPO, runId);
    const keep = [
      'ACTIONS_RESULTS_URL',
      'ACTIONS_RUNTIME_TOKEN',
      'GITHUB_API_URL',
      'GITHUB_RUN_ID',
      'GITHUB_REPOSITORY',
    ];
    const envFile = path.join(work, 'act.env');
    writeFileSync(
      envFile,
      [
        ...keep.map((key) => `${key}=${runtime[key]}`),
        `XDG_CACHE_HOME=${caches.get('xv6-riscv')}`,
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const { code, log } = await sh(
      ACT,
      [
        'push',
        '-W',
        '.github/workflows/diverge.yml',
        '-P',
        'ubuntu-latest=-self-hosted',
        '-e',
        event,
        '-s',
        `GITHUB_TOKEN=${TOKEN}`,
        '--env-file',
        envFile,
        // The action as the kit names it: this checkout's action.yml and dist/ (built), without
        // the rest of the checkout, which act would copy whole.
        '--local-repository',
        `OWNER/diverge@v1=${actionCopy()}`,
      ],
      {
        cwd: dir,
        env: actEnv(),
      },
    );
    expect([code, log.slice(-3000)]).toEqual([0, expect.stringContaining('Job succeeded')]);
    expect(log).toContain(`downloading kernel of release lab1`);
    const check = fake.state.checkRunsOf(REPO, head).find((c) => c.name === 'diverge');
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(check?.output.summary).toContain('no divergences against staff');
    expect(fake.violations).toEqual([]);
    writeFileSync(path.join(work, 'act.log'), log);
    process.stderr.write(
      `kits: the student workflow under act took ${Date.now() - started} ms (log: ${work}/act.log)\n`,
    );
  }, 600_000);
});
