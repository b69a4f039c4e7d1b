/**
 * `diverge bisect` the way a user meets it: the bundled CLI bisects a generated 32-commit
 * history of the course kernel, each step built in real Docker from a git worktree and booted
 * in real QEMU. The history's truth: commit 26 breaks alloc_distinct, commit 16 does not build,
 * commit 21 makes sleep_ticks racy (commit 22 reverts it), commit 25 changes the kernel's clock
 * and memory layout without changing what any test sees. The positions are where the search's
 * rounds land for 31 candidate commits and two slots, so every one of them is really tested.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateBisect } from '../../src/bisect/model.js';
import { dockerAccess } from '../../src/docker/docker.js';
import { buildCourseHarness } from '../../src/run/demo.js';
import { type CourseHistory, courseHistory } from '../helpers/course-history.js';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import {
  cli,
  type CliResult,
  NODE24,
  REPO_ROOT,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';
import type { Bisect } from '../../src/model/bisect.js';

// A new salt each run: contexts no earlier run built, so `built` and `reused` mean what they say.
const PLAN = {
  commits: 32,
  culprit: 26,
  broken: 16,
  harmless: 25,
  flaky: 21,
  salt: `${process.pid}-${Date.now()}`,
  // Three boots a commit: the racy commit's runs disagree, and it is checked again, 7 times in 8.
  repeat: 3,
};

let history: CourseHistory;
let env: NodeJS.ProcessEnv;
let out: string;
let run: CliResult;
let bisect: Bisect;
let harnessFile: string;

beforeAll(async () => {
  const context = testContext('bisect');
  const scratch = scratchDir('bisect');
  const harness = await buildCourseHarness(
    context,
    dockerAccess(context.dockerHost, undefined, () => undefined),
    scratch,
    () => undefined,
  );
  history = courseHistory(path.join(scratch, 'repo'), PLAN, 'harness.bin');
  harnessFile = harness;
  copyFileSync(harness, path.join(history.dir, 'harness.bin'));
  // A cache of its own, so no earlier run's observations are met.
  env = { ...process.env, XDG_CACHE_HOME: scratchDir('bisect-cache') };
  out = path.join(scratch, 'out');
  run = await cli(
    [
      'bisect',
      '--config',
      history.config,
      '--good',
      history.shas[0] as string,
      '--bad',
      'main',
      '--jobs',
      '2',
      '--out',
      out,
    ],
    env,
  );
  bisect = validateBisect(
    JSON.parse(readFileSync(path.join(out, 'bisect.json'), 'utf8')),
    'bisect.json',
  );
}, 1_500_000);

const stepOf = (position: number) => bisect.steps.find((s) => s.sha === history.shas[position]);

describe('diverge bisect on a generated 32-commit history', () => {
  it('names the known commit, with the test it breaks, and exits 0', () => {
    expect(run.stderr).not.toMatch(/^diverge: /m);
    expect(run.code).toBe(0);
    expect(bisect.outcome).toBe('culprit');
    expect(bisect.culprit?.sha).toBe(history.shas[PLAN.culprit]);
    expect(bisect.culprit?.subject).toBe('alloc: skip the rounding up of block sizes');
    expect(bisect.culprit?.author).toBe('Course Staff <staff@example.org>');
    expect(bisect.undecided).toEqual([]);
    expect(bisect.tests.map((t) => [t.id, t.class])).toEqual([['alloc_distinct', 'regression']]);
    expect(bisect.tests[0]?.diff).toMatch(/^\+/m);
    expect(run.stdout).toContain(
      `first bad commit:\n  ${history.shas[PLAN.culprit]?.slice(0, 12)}`,
    );
    expect(readFileSync(path.join(out, 'bisect.md'), 'utf8')).toContain(
      `\`${history.shas[PLAN.culprit]}\` alloc: skip the rounding up of block sizes`,
    );
  });

  it('skips the commit that does not build', () => {
    expect(stepOf(PLAN.broken)).toMatchObject({ verdict: 'skip', build: 'skipped', boots: 0 });
    expect(stepOf(PLAN.broken)?.reason).toMatch(/^does not build: kernel\.build: step \d+\/\d+/);
    expect(bisect.skipped.map((c) => c.sha)).toEqual([history.shas[PLAN.broken]]);
  });

  it('tests the harmless change and finds it good', () => {
    expect(stepOf(PLAN.harmless)).toMatchObject({ verdict: 'good', build: 'built' });
  });

  it('boots the racy commit again rather than blaming it', () => {
    const flaky = stepOf(PLAN.flaky);
    expect(flaky?.verdict).toBe('good');
    // Three boots that passed everything, or twelve that disagree on sleep_ticks.
    if (flaky?.boots !== 3) expect(flaky).toMatchObject({ boots: 12, flaky: ['sleep_ticks'] });
  });

  it('reuses the kernel of a commit whose build context did not change, and reports each step', () => {
    expect(bisect.builds.reused).toBeGreaterThan(0);
    expect(bisect.builds.built + bisect.builds.reused + bisect.builds.skipped).toBe(
      bisect.steps.length,
    );
    expect(bisect.rounds).toBeLessThanOrEqual(6);
    for (const step of bisect.steps)
      expect(run.stderr).toContain(
        `round ${step.round}: ${step.sha.slice(0, 12)} ${step.verdict.toUpperCase()}`,
      );
    // The user's checkout is as it was: still on main, clean, no worktree left behind.
    expect(readFileSync(path.join(history.dir, '.git', 'HEAD'), 'utf8')).toBe(
      'ref: refs/heads/main\n',
    );
  });

  it('exits 2 when the bad revision does not diverge, and writes what it found', async () => {
    const again = await cli(
      [
        'bisect',
        '--config',
        history.config,
        '--good',
        history.shas[0] as string,
        '--bad',
        history.shas[3] as string,
        '--out',
        path.join(out, 'good-bad'),
      ],
      env,
    );
    expect(again.code).toBe(2);
    const written = JSON.parse(
      readFileSync(path.join(out, 'good-bad', 'bisect.json'), 'utf8'),
    ) as Bisect;
    expect(written).toMatchObject({ outcome: 'bad-revision-good', culprit: null });
  }, 600_000);

  it('exits 2 naming the nearest test ids when a --test glob matches no test, before blaming a commit', async () => {
    const typo = await cli(
      [
        'bisect',
        '--config',
        history.config,
        '--good',
        history.shas[0] as string,
        '--bad',
        'main',
        '--test',
        'alloc_distnct',
        '--out',
        path.join(out, 'typo'),
      ],
      env,
    );
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^diverge: --test "alloc_distnct" matches no test \(nearest: alloc_distinct\b/m,
    );
    expect(typo.stderr).not.toContain('nothing to blame');
    expect(typo.stdout).not.toContain('first bad commit');
  }, 600_000);

  it('exits 2 naming the revisions when good is not an ancestor of bad', async () => {
    const reversed = await cli(
      ['bisect', '--config', history.config, '--good', 'main', '--bad', history.shas[0] as string],
      env,
    );
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--good [0-9a-f]{12} must be an ancestor of --bad/);
    const unknown = await cli(
      ['bisect', '--config', history.config, '--good', 'no-such-rev', '--bad', 'main'],
      env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--good no-such-rev: no such commit');
    const prebuilt = path.join(scratchDir('bisect-file'), 'diverge.yml');
    writeFileSync(prebuilt, 'kernel: { file: kernel.elf }\n');
    const noBuild = await cli(['bisect', '--config', prebuilt, '--good', 'a', '--bad', 'b'], env);
    expect(noBuild.code).toBe(2);
    expect(noBuild.stderr).toContain(`${prebuilt}: kernel.build is not set`);
    const images = path.join(scratchDir('bisect-images'), 'diverge.yml');
    writeFileSync(path.join(path.dirname(images), 'Dockerfile'), 'FROM scratch\n');
    writeFileSync(
      images,
      'kernel: { build: { context: . }, path: "/out/test_{test}.virtio" }\nharness: { none: true, tests: [hello] }\n',
    );
    const many = await cli(['bisect', '--config', images, '--good', 'a', '--bad', 'b'], env);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain(
      `${images}: kernel.path /out/test_{test}.virtio names one image per test ({test}): bisect`,
    );
  });
});

describe('the action on a push with bisect: true', () => {
  const REPO = 'course/kernel';
  const TOKEN = 'ghs_bisect_write';
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeRepo(REPO, TOKEN);
  });
  afterAll(async () => {
    await fake.close();
  });

  it('bisects before..after in a shallow clone and names the culprit in a check run and a commit comment', async () => {
    const dir = scratchDir('action-bisect');
    const workspace = path.join(dir, 'workspace');
    // As actions/checkout leaves it: the pushed commit only.
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${history.dir}`, workspace]);
    copyFileSync(harnessFile, path.join(workspace, 'harness.bin'));
    const [before, after] = [history.shas[20] as string, history.shas[31] as string];
    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: after,
      event: 'push',
    });
    const event = {
      ref: 'refs/heads/main',
      before,
      after,
      repository: {
        full_name: REPO,
        name: 'kernel',
        owner: { login: 'course' },
        default_branch: 'main',
      },
    };
    for (const [file, text] of [
      ['event.json', JSON.stringify(event)],
      ['output', ''],
      ['summary', ''],
    ] as const)
      writeFileSync(path.join(dir, file), text);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...fake.runtimeEnv(REPO, runId),
      GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      GITHUB_WORKFLOW_REF: `${REPO}/.github/workflows/kernel.yml@refs/heads/main`,
      RUNNER_TEMP: dir,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      'INPUT_GITHUB-TOKEN': TOKEN,
      INPUT_CONFIG: 'diverge.yml',
      INPUT_BISECT: 'true',
    };
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        NODE24,
        [path.join(REPO_ROOT, 'dist', 'index.js')],
        { env, cwd: workspace, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    expect(run.stdout).toContain('::group::diverge: bisect the push');
    expect(run.stdout).not.toMatch(/::warning::bisect:/);
    const culprit = history.shas[PLAN.culprit] as string;
    expect(readFileSync(path.join(dir, 'output'), 'utf8')).toMatch(
      new RegExp(`^culprit<<(\\S+)\\n${culprit}\\n\\1$`, 'm'),
    );

    const check = fake.state.checkRunsOf(REPO, after).find((c) => c.name === 'diverge (bisect)');
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check?.output.title).toBe(
      `first bad commit ${culprit.slice(0, 12)}: alloc: skip the rounding up of block sizes`,
    );
    expect(check?.output.summary).toContain(
      `\`${culprit}\` alloc: skip the rounding up of block sizes`,
    );
    expect(check?.annotations).toEqual([
      expect.objectContaining({
        path: 'diverge.yml',
        annotation_level: 'failure',
        message: expect.stringContaining('alloc_distinct (regression)'),
      }),
    ]);

    const comments = fake.state.commitCommentsOf(REPO);
    expect(comments.map((c) => c.commitSha)).toEqual([culprit]);
    expect(comments[0]?.body).toContain(
      'the first commit of the push to main whose kernel diverges',
    );
    expect(comments[0]?.user).toBe('github-actions[bot]');
    expect(fake.violations).toEqual([]);
    // The shallow clone was deepened to reach `before`, no further than needed.
    const depth = execFileSync('git', ['-C', workspace, 'rev-list', '--count', 'HEAD'], {
      encoding: 'utf8',
    });
    expect(Number(depth)).toBeGreaterThan(11);
    expect(Number(depth)).toBeLessThan(32);
  }, 900_000);
});
