/**
 * A history workflow run by act on this host against the fake GitHub server: a generated kernel
 * history (the course kernel: good, then a commit that breaks a test, then one that fixes it),
 * three pushes, a scheduled run and a pull request's run, each a `push` / `schedule` /
 * `pull_request` event of act in a clone whose `origin` is a local bare repository (GitHub's
 * side of `git push`). The action keeps the history branch and one tracked issue.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import { ACT, actEnv } from '../helpers/act.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const TOKEN = 'ghs_act_history';
const REPO = 'course/kernel';
const repository = {
  full_name: REPO,
  name: 'kernel',
  owner: { login: 'course' },
  default_branch: 'main',
};
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Student',
  GIT_AUTHOR_EMAIL: 'student@example.org',
  GIT_COMMITTER_NAME: 'Student',
  GIT_COMMITTER_EMAIL: 'student@example.org',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

const WORKFLOW = `name: history
on:
  push: { branches: [main] }
  pull_request:
  schedule: [{ cron: '17 3 * * *' }]
permissions: { contents: write, checks: write, issues: write }
jobs:
  diverge:
    runs-on: ubuntu-latest
    steps:
      # What actions/checkout does, from the bare repository standing in for GitHub's.
      - run: |
          git init -q .
          git remote add origin "$HISTORY_ORIGIN"
          git fetch -q --depth=1 origin "$GITHUB_SHA"
          git checkout -q --detach FETCH_HEAD
      - uses: course/diverge@v1
        with:
          config: diverge.yml
          history: diverge-history
          track-issues: true
          track-issues-close-after: 1
          comment: never
          upload-artifacts: false
          publish-kernel: false
          install-qemu: never
          kvm: never
`;

/** The course kernel judged against the staff kernel, one boot each. */
const CONFIG = `kernel: { file: kernel.elf }
references: [{ name: staff, file: refs/staff.elf }]
machine: { arch: x86_64, profile: pc, memory: 64M, cpus: 1, exit: isa-debug-exit, append: '' }
harness:
  initrd: refs/harness.bin
  results: { format: ktap, channel: console }
  timeouts: { boot: 20s, stall: 10s, total: 60s }
  repeat: 1
  rerun-divergent: 0
`;

/**
 * The action as a runner checks it out at its tag: the repository's files as they are in this
 * tree (dist/ as built here), without what git ignores. act packs the whole folder given to
 * --local-repository into memory for every run, and the working tree itself also holds
 * node_modules, .tools, .cache and .git (about 1.1 GB in 35,000 files): 149 s against 6 s for
 * one act run on a loaded host (bench/test-suite.md).
 */
function actionCheckout(): string {
  const dest = scratchDir('act-history-action');
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the tree, not yet in the index
    mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    cpSync(from, path.join(dest, file), { verbatimSymlinks: true });
  }
  return dest;
}

let fake: FakeGitHub;
let action: string;
let dir: string;
let clone: string;
let origin: string;
let kernels: string;

beforeAll(async () => {
  if (!existsSync(ACT)) throw new Error(`${ACT} is missing: run scripts/setup.sh`);
  fake = await startFakeRepo(REPO, TOKEN);
  action = actionCheckout();
  dir = scratchDir('act-history');
  kernels = path.join(dir, 'out');
  execFileSync(
    'make',
    ['-s', '-C', path.join(REPO_ROOT, 'fixtures/course'), `OUT=${kernels}`, 'variants', 'harness'],
    { stdio: 'pipe' },
  );
  origin = path.join(dir, 'origin.git');
  clone = path.join(dir, 'kernel');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(dir, 'init', '-q', '-b', 'main', clone);
  git(clone, 'remote', 'add', 'origin', origin);
  mkdirSync(path.join(clone, '.github/workflows'), { recursive: true });
  mkdirSync(path.join(clone, 'refs'));
  writeFileSync(path.join(clone, '.github/workflows/history.yml'), WORKFLOW);
  writeFileSync(path.join(clone, 'diverge.yml'), CONFIG);
  copyFileSync(path.join(kernels, 'variants/staff/kernel.elf'), path.join(clone, 'refs/staff.elf'));
  copyFileSync(path.join(kernels, 'harness.bin'), path.join(clone, 'refs/harness.bin'));
}, 300_000);
afterAll(async () => {
  await fake.close();
});

/** A commit whose kernel is the course's `variant`, pushed to origin's `branch`. */
function commit(variant: string, subject: string, branch = 'main'): string {
  copyFileSync(
    path.join(kernels, 'variants', variant, 'kernel.elf'),
    path.join(clone, 'kernel.elf'),
  );
  git(clone, 'add', '-A');
  git(clone, 'commit', '-q', '-m', subject);
  git(clone, 'push', '-q', 'origin', `HEAD:${branch}`);
  return git(clone, 'rev-parse', 'HEAD');
}

function act(event: string, payload: object): Promise<{ code: number; log: string }> {
  const sha = git(clone, 'rev-parse', 'HEAD');
  const runId = fake.state.addWorkflowRun(REPO, {
    workflowFile: 'history.yml',
    branch: 'main',
    headSha: sha,
    event,
  });
  const env = fake.runtimeEnv(REPO, runId);
  const keep = [
    'ACTIONS_RESULTS_URL',
    'ACTIONS_RUNTIME_TOKEN',
    'GITHUB_API_URL',
    'GITHUB_RUN_ID',
    'GITHUB_REPOSITORY',
  ];
  writeFileSync(
    path.join(dir, 'act.env'),
    [
      ...keep.map((key) => `${key}=${env[key]}`),
      `XDG_CACHE_HOME=${path.join(dir, 'cache')}`,
      `HISTORY_ORIGIN=${origin}`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'event.json'), JSON.stringify({ ...payload, repository }));
  return new Promise((resolve) =>
    execFile(
      ACT,
      [
        event,
        '-W',
        '.github/workflows/history.yml',
        '-P',
        'ubuntu-latest=-self-hosted',
        '-e',
        path.join(dir, 'event.json'),
        '-s',
        `GITHUB_TOKEN=${TOKEN}`,
        '--env-file',
        path.join(dir, 'act.env'),
        '--local-repository',
        `course/diverge@v1=${action}`,
        '--rm',
      ],
      {
        cwd: clone,
        env: actEnv(),
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          log: `${stdout}${stderr}`,
        }),
    ),
  );
}

const push = (before: string, after: string) =>
  act('push', { ref: 'refs/heads/main', before, after });
/** The history branch's commits on origin, newest first (none: the branch is not there). */
const historyLog = () => {
  try {
    return git(origin, 'log', '--format=%s', 'diverge-history').split('\n');
  } catch {
    return [];
  }
};

describe('a history workflow under act', () => {
  it('keeps three pushes and a schedule, opens one issue at the culprit and closes it after the fix; a pull request writes nothing', async () => {
    const none = '0'.repeat(40);
    const good = commit('staff', 'one: the staff kernel');
    const first = await push(none, good);
    expect(first.log).toMatch(/Job succeeded/);
    expect(historyLog()).toHaveLength(1);

    const culprit = commit('wrong-result', 'two: alloc_distinct hands out one page twice');
    // The run fails on its verdict; the history and the issue are kept all the same.
    expect((await push(good, culprit)).log).toMatch(/1 failing divergences/);
    expect(historyLog()).toHaveLength(2);
    const opened = fake.state.issuesOf(REPO);
    expect(opened.map((i) => [i.state, i.labels])).toEqual([['open', ['diverge']]]);
    expect(opened[0]?.title).toContain(`broken since ${culprit.slice(0, 12)}`);
    expect(opened[0]?.body).toContain(`| culprit | \`${culprit}\``);

    expect((await act('schedule', { schedule: '17 3 * * *' })).log).toMatch(
      /1 failing divergences/,
    );
    expect(historyLog()).toHaveLength(3);
    // Still broken: the same issue, nothing more.
    expect(fake.state.issuesOf(REPO)).toHaveLength(1);
    expect(fake.state.commentsOf(REPO, opened[0]?.number ?? 0)).toEqual([]);

    // The pull request that fixes it: judged, but neither its history nor its issues.
    const fix = commit('staff-alt', 'three: alloc_distinct fixed', 'fix');
    const pr = await act('pull_request', {
      action: 'opened',
      number: 5,
      pull_request: {
        number: 5,
        head: { sha: fix, ref: 'fix', repo: { full_name: REPO } },
        base: { sha: culprit, ref: 'main', repo: { full_name: REPO } },
      },
    });
    expect(pr.log).toMatch(/nothing recorded/);
    expect(historyLog()).toHaveLength(3);
    expect(fake.state.issuesOf(REPO)[0]?.state).toBe('open');

    git(clone, 'push', '-q', 'origin', 'HEAD:main');
    expect((await push(culprit, fix)).log).toMatch(/Job succeeded/);

    // The branch: four records, oldest last.
    expect(historyLog()).toEqual([
      `diverge history: ${fix.slice(0, 12)} (push)`,
      `diverge history: ${culprit.slice(0, 12)} (schedule)`,
      `diverge history: ${culprit.slice(0, 12)} (push)`,
      `diverge history: ${good.slice(0, 12)} (push)`,
    ]);
    const lines = (month: string) =>
      git(origin, 'show', `diverge-history:store/${month}`).split('\n').filter(Boolean);
    const months = git(origin, 'ls-tree', '--name-only', 'diverge-history:store/')
      .split('\n')
      .filter((name) => name.endsWith('.jsonl'));
    expect(months.flatMap(lines)).toHaveLength(4);
    // The dashboard as the scheduled run left it: broken since the culprit.
    const index = git(origin, 'show', 'diverge-history~1:site/index.html');
    expect(index).toContain(`since ${culprit.slice(0, 12)} (`);
    // The issue: closed after the fix, one good run being enough here.
    const [issue] = fake.state.issuesOf(REPO);
    expect([fake.state.issuesOf(REPO).length, issue?.state]).toEqual([1, 'closed']);
    expect(fake.state.commentsOf(REPO, issue?.number ?? 0).map((c) => c.body)).toEqual([
      expect.stringMatching(/has been good for 1 run in a row/),
    ]);
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 1_800_000);
});
