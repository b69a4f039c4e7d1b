/**
 * The action as the runner runs it: `node dist/index.js` with INPUT_* variables, a real
 * pull_request event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against the fake GitHub
 * server, booting real Debian kernels. The harness prints 60 tests whose result and output
 * depend on the kernel version, so a 6.12 candidate against 6.1 references diverges in all of
 * them: more than 50 annotations, and a report too big for one comment.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import {
  fixtureKernels,
  linuxHarness,
  NODE24,
  qemuProcessesMentioning,
  REPO_ROOT,
  scratchDir,
} from '../helpers/fixtures.js';

const TOKEN = 'ghs_action_write';
const READ_TOKEN = 'ghs_action_read';
/** A teaching assistant's personal access token. */
const PAT = 'ghp_ta_alice';
const REPO = 'course/kernel';
let fake: FakeGitHub;
let kernels: Record<string, string>;
let harness: string;
let workspace: string;
/**
 * One observation cache for the runs on the 60-test harness: the first run boots the two
 * references, the later runs take them from the cache, as a repository's CI does; every run
 * boots its candidate (diverge never takes a candidate from the cache). The cancelled runs, on
 * another harness, get a cache each.
 */
let observations: string;

/** 60 tests; on 6.12 each fails and prints a long line that differs from 6.1's. */
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
case "$(uname -r)" in 6.12*) new=1 ;; *) new=0 ;; esac
pad=$(printf '%0700d' 0)
echo "KTAP version 1"
echo "1..60"
i=1
while [ $i -le 60 ]; do
  if [ $new = 1 ]; then echo "# case $i changed $pad"; echo "not ok $i case_$i"
  else echo "# case $i as expected $pad"; echo "ok $i case_$i"; fi
  i=$((i + 1))
done
sleep 1 # let the serial port drain: poweroff does not wait for it
poweroff -f
`;

beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
  writeFileSync(path.join(harness, 'init'), INIT);
  chmodSync(path.join(harness, 'init'), 0o755);
  fake = await startFakeRepo(REPO, TOKEN);
  fake.state.addToken(READ_TOKEN, { permissions: 'read' });
  fake.state.addToken(PAT, { permissions: 'write', login: 'ta-alice' });
  fake.state.addPull(REPO, {
    number: 7,
    head: { sha: 'c'.repeat(40), ref: 'feature' },
    base: { sha: 'b'.repeat(40), ref: 'main' },
  });
  workspace = scratchDir('action-ws');
  observations = scratchDir('action-cache');
  // The harness's own source, where annotations should point.
  mkdirSync(path.join(workspace, 'harness'));
  writeFileSync(
    path.join(workspace, 'harness', 'cases.txt'),
    Array.from({ length: 60 }, (_, i) => `case_${i + 1}: checks thing ${i + 1}`).join('\n'),
  );
}, 120_000);
afterAll(async () => {
  await fake.close();
});

interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

let sha = 0;
const nextSha = () => (++sha).toString(16).padStart(40, 'a');

interface ActionOptions {
  candidate: string;
  headSha: string;
  event?: string;
  fork?: boolean;
  /** A push to main instead of a pull request. */
  push?: boolean;
  token?: string;
  inputs?: Record<string, string>;
  /** Another harness directory than the 60-test one, and its timeouts. */
  harness?: { dir: string; timeouts: string };
}

/** Runs dist/index.js for a pull_request event on `headSha` with `candidate` as the kernel. */
async function runAction(options: ActionOptions): Promise<ActionRun> {
  const { env, dir } = prepareRun(options);
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(
      NODE24,
      [path.join(REPO_ROOT, 'dist', 'index.js')],
      { env, cwd: workspace, maxBuffer: 64 * 1024 * 1024 },
      (error, out) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
    ),
  );
  return { code, stdout, ...runFiles(dir) };
}

/** The runner's files of a run: outputs and job summary. */
function runFiles(dir: string): Pick<ActionRun, 'outputs' | 'summary'> {
  return {
    outputs: heredocs(path.join(dir, 'output')),
    summary: readFileSync(path.join(dir, 'summary'), 'utf8'),
  };
}

/** GITHUB_OUTPUT and GITHUB_STATE use the heredoc form: name<<delimiter, value, delimiter. */
function heredocs(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([^]*?)\n\2$/gm))
    values[match[1] as string] = match[3] as string;
  return values;
}

/** The workspace's config, the event file and the runner's environment of one run. */
function prepareRun(options: ActionOptions): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = scratchDir('action-run');
  writeFileSync(
    path.join(workspace, 'diverge.yml'),
    [
      `kernel: { file: ${options.candidate} }`,
      'references:',
      `  - { name: debian-a, file: ${kernels.X86_61_A} }`,
      `  - { name: debian-b, file: ${kernels.X86_61_B} }`,
      options.harness
        ? `harness: { dir: ${options.harness.dir}, rerun-divergent: 0, timeouts: ${options.harness.timeouts} }`
        : `harness: { dir: ${harness}, rerun-divergent: 0 }`,
      // Kernel messages on the console could break into the harness's long lines.
      "machine: { append: 'console=ttyS0 panic=-1 quiet' }",
      '',
    ].join('\n'),
  );
  const runId = fake.state.addWorkflowRun(REPO, {
    workflowFile: 'kernel.yml',
    branch: 'feature',
    headSha: options.headSha,
    event: options.event ?? 'pull_request',
  });
  const head = options.fork ? 'student/kernel' : REPO;
  const event = {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      head: { sha: options.headSha, ref: 'feature', repo: { full_name: head } },
      base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: REPO } },
    },
    repository: { full_name: REPO, name: 'kernel', owner: { login: 'course' } },
  };
  const push = { ref: 'refs/heads/main', after: options.headSha, repository: event.repository };
  writeFileSync(path.join(dir, 'event.json'), JSON.stringify(options.push ? push : event));
  writeFileSync(path.join(dir, 'output'), '');
  writeFileSync(path.join(dir, 'summary'), '');
  writeFileSync(path.join(dir, 'state'), '');
  const inputs = {
    'github-token': options.token ?? TOKEN,
    config: 'diverge.yml',
    ...options.inputs,
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...fake.runtimeEnv(REPO, runId),
    GITHUB_EVENT_NAME: options.push ? 'push' : (options.event ?? 'pull_request'),
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_WORKFLOW_REF: `${REPO}/.github/workflows/kernel.yml@refs/pull/7/merge`,
    RUNNER_TEMP: dir,
    XDG_CACHE_HOME: options.harness ? path.join(dir, 'cache') : observations,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  return { env: { ...env, GITHUB_STATE: path.join(dir, 'state') }, dir };
}

describe('the action on a pull request', () => {
  it('check run in progress → completed with batched annotations; one comment, updated on the next push', async () => {
    const first = await runAction({ candidate: kernels.X86_612 as string, headSha: nextSha() });
    expect(first.stdout).toContain('::group::diverge: boot and judge');
    expect(first.code).toBe(1); // failing divergences fail the step
    expect(first.outputs).toMatchObject({
      conclusion: 'failure',
      divergences: '60',
      regressions: '60',
    });
    expect(first.outputs.report).toMatch(/report\.json$/);
    // report.html beside it, and the comment says which artifact holds it.
    expect(first.outputs['report-html']).toBe(first.outputs.report?.replace(/json$/, 'html'));
    expect(existsSync(first.outputs['report-html'] ?? '')).toBe(true);
    expect(first.summary).toContain('60 failing divergences against debian-a, debian-b');

    const [check] = fake.state.checkRunsOf(REPO, `${'a'.repeat(39)}1`);
    expect(check?.name).toBe('diverge');
    expect(check?.history.map((h) => h.status)).toEqual(['in_progress', 'completed', 'completed']);
    expect(check?.conclusion).toBe('failure');
    expect(check?.history.map((h) => h.annotationsAdded)).toEqual([0, 50, 10]);
    expect(check?.annotations).toHaveLength(60);
    expect(check?.annotations[0]).toMatchObject({
      path: 'harness/cases.txt',
      annotation_level: 'failure',
      title: 'regression: case_1',
    });
    expect(check?.annotations[0]?.start_line).toBe(1);

    const comments = fake.state.commentsOf(REPO, 7);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    // 60 long diffs do not fit: the comment is cut under GitHub's limit and links the run.
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(
      /more divergences? .*not shown; \[see the full report\]\(https:\/\/github\.com\/course\/kernel\/actions\/runs\/\d+\)/,
    );
    const artifact = fake.state.artifactsOf(REPO).find((a) => a.name === 'diverge-report-default');
    expect(artifact).toBeDefined();
    // The page's artifact, linked by its own address.
    expect(body).toMatch(
      new RegExp(
        `\\[report\\.html\\]\\(https://github\\.com/course/kernel/actions/runs/\\d+/artifacts/${artifact?.id}\\) in the artifact \`diverge-report-default\` of \\[this run\\]`,
      ),
    );

    // The next push fixes everything: the same comment is updated and says so.
    const second = await runAction({ candidate: kernels.X86_61_B as string, headSha: nextSha() });
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ conclusion: 'success', divergences: '0' });
    const after = fake.state.commentsOf(REPO, 7);
    expect(after).toHaveLength(1);
    expect(after[0]?.history).toHaveLength(2);
    expect(after[0]?.body).toContain('**Since the previous push:**');
    expect(after[0]?.body).toMatch(/\*\*resolved:\*\* `case_1`, `case_2`/);
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 300_000);

  it('a fork: read-only token, no check or comment, the summary and artifact still written', async () => {
    const checksBefore = fake.state.checkRunsOf(REPO).length;
    const artifactsBefore = fake.state.artifactsOf(REPO).length;
    const run = await runAction({
      candidate: kernels.X86_61_B as string,
      headSha: nextSha(),
      fork: true,
      token: READ_TOKEN,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('::warning::this pull request comes from a fork');
    expect(run.summary).toContain('no divergences against debian-a, debian-b');
    expect(fake.state.checkRunsOf(REPO)).toHaveLength(checksBefore);
    // The report artifact goes through the runtime token, which a fork's run still has.
    expect(fake.state.artifactsOf(REPO)).toHaveLength(artifactsBefore + 1);
    expect(fake.violations).toEqual([]);
  }, 300_000);

  it('a read-only token on a pull request (403 on check creation): annotations, summary, artifact; fails only on the verdict', async () => {
    const headSha = nextSha();
    const artifactsBefore = fake.state.artifactsOf(REPO).length;
    const run = await runAction({
      candidate: kernels.X86_612 as string,
      headSha,
      token: READ_TOKEN,
      inputs: { 'check-run': 'auto' },
    });
    expect(fake.state.checkRunsOf(REPO, headSha)).toEqual([]);
    // The divergences as workflow commands on the harness source, where the check would put them.
    // (A loaded machine may turn a regression into a hang: the class is not what this checks.)
    expect(run.stdout).toMatch(
      /^::error title=[a-z-]+%3A case_1,file=harness\/cases\.txt,line=1,endLine=1::/m,
    );
    expect(run.stdout.match(/^::error title=[a-z-]+%3A case_\d+,file=harness\//gm)).toHaveLength(
      60,
    );
    expect(run.summary).toContain('60 failing divergences against debian-a, debian-b');
    expect(run.summary).toMatch(
      /\*\*Not published:\*\*\n- the check run: GitHub refused it \(Resource not accessible by integration/,
    );
    expect(run.summary).toMatch(
      /- the pull request comment: Resource not accessible by integration/,
    );
    expect(fake.state.artifactsOf(REPO)).toHaveLength(artifactsBefore + 1);
    // The step fails on the verdict (failing divergences), not on the refusal.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error::60 failing divergences');
    expect(run.outputs['check-url']).toBe('');
    expect(fake.violations).toEqual([]);
  }, 300_000);

  it("a personal access token's comment is found again by its user, next to the bot's", async () => {
    const number = 7;
    const before = fake.state.commentsOf(REPO, number).length;
    const options = { candidate: kernels.X86_612 as string, token: PAT };
    const first = await runAction({ ...options, headSha: nextSha() });
    const second = await runAction({ ...options, headSha: nextSha() });
    const comments = fake.state.commentsOf(REPO, number);
    const mine = comments.filter((c) => c.user === 'ta-alice');
    expect(comments).toHaveLength(before + 1);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.history).toHaveLength(2);
    expect(first.outputs['comment-url']).toBe(second.outputs['comment-url']);
    expect(first.outputs['comment-url']).toMatch(/#issuecomment-\d+$/);
    expect(first.outputs['check-url']).toMatch(/\/runs\/\d+$/);
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 600_000);

  it('on a push, publishes the kernel for later pull requests to find as their base', async () => {
    const headSha = nextSha();
    const run = await runAction({ candidate: kernels.X86_61_B as string, headSha, push: true });
    expect(run.code).toBe(0);
    const names = fake.state.artifactsOf(REPO).map((a) => a.name);
    expect(names).toContain('diverge-kernel-default');
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check?.conclusion).toBe('success');
    expect(run.stdout).not.toContain('pull request comment');
  }, 300_000);

  it('refuses to build a fork under pull_request_target unless allowed', async () => {
    const run = await runAction({
      candidate: kernels.X86_61_B as string,
      headSha: nextSha(),
      fork: true,
      event: 'pull_request_target',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::refusing to build a fork's kernel under pull_request_target",
    );
  });

  it('a run that cannot start says why in the job summary and the check', async () => {
    const headSha = nextSha();
    const run = await runAction({ candidate: '/nonexistent/kernel.elf', headSha });
    expect(run.code).toBe(1);
    expect(run.summary).toContain('diverge could not run');
    expect(run.summary).toContain('/nonexistent/kernel.elf');
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check).toMatchObject({ conclusion: 'failure' });
    expect(check?.output.title).toBe('diverge could not run');
  });

  it('a GitHub error completing the check run still completes it, as a failure', async () => {
    const headSha = nextSha();
    fake.state.injectFault({
      method: 'PATCH',
      path: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      status: 422,
    });
    const run = await runAction({ candidate: kernels.X86_61_B as string, headSha });
    expect(run.code).toBe(1);
    expect(run.summary).toContain('diverge could not run');
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check?.history.map((h) => h.status)).toEqual(['in_progress', 'completed']);
    expect(check).toMatchObject({ conclusion: 'failure' });
    expect(check?.output.title).toBe('diverge could not run');
  }, 300_000);

  it('fails the step naming a bad input', async () => {
    const run = await runAction({
      candidate: kernels.X86_61_B as string,
      headSha: nextSha(),
      inputs: { comment: 'sometimes' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input comment: expected one of auto, always, never, got "sometimes"',
    );
  });
});

/** Prints a plan, then keeps talking (no stall) forever: every boot is in progress until stopped. */
const HANGING_INIT = `#!/bin/busybox sh
echo "KTAP version 1"
echo "1..1"
while true; do echo "# still working"; /bin/busybox sleep 1; done
`;

/** Long enough for the test to stop the run first. */
const HANGING_TIMEOUTS = '{ boot: 250s, total: 280s }';

async function until(what: () => string, condition: () => boolean, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** dist/index.js started in the background, with a boot in progress once `booting` resolves. */
function startAction(options: ActionOptions) {
  const { env, dir } = prepareRun(options);
  const child: ChildProcess = spawn(NODE24, [path.join(REPO_ROOT, 'dist', 'index.js')], {
    env,
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logs = path.join(dir, 'diverge', 'default', 'logs');
  // Any kernel's boot will do: under TCG on a loaded machine one may panic early.
  const harnessStarted = () =>
    (existsSync(logs) ? readdirSync(logs) : []).some((name) =>
      readFileSync(path.join(logs, name), 'utf8').includes('1..1'),
    );
  const booting = until(
    () => `a boot in progress; the step printed:\n${stdout}`,
    () => harnessStarted() && qemuProcessesMentioning(dir).length > 0,
  );
  return { child, dir, env, exited, booting, stdout: () => stdout };
}

describe('a cancelled run', () => {
  let hanging: string;
  beforeAll(async () => {
    hanging = await linuxHarness('x86_64');
    writeFileSync(path.join(hanging, 'init'), HANGING_INIT);
    chmodSync(path.join(hanging, 'init'), 0o755);
  }, 120_000);

  it('SIGTERM in the middle of a boot: QEMU stopped, the check completed as cancelled, the partial report uploaded', async () => {
    const headSha = nextSha();
    const artifactsBefore = fake.state.artifactsOf(REPO).length;
    const run = startAction({
      candidate: kernels.X86_61_B as string,
      headSha,
      harness: { dir: hanging, timeouts: HANGING_TIMEOUTS },
    });
    await run.booting;
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(1);
    expect(qemuProcessesMentioning(run.dir)).toEqual([]);
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check?.history.map((h) => h.status)).toEqual(['in_progress', 'completed']);
    expect(check).toMatchObject({ conclusion: 'cancelled', output: { title: 'cancelled' } });
    expect(check?.output.summary).toMatch(
      /diverge was cancelled \(SIGTERM\): [1-9]\d* QEMU process/,
    );
    expect(runFiles(run.dir).summary).toContain('diverge was cancelled (SIGTERM)');
    expect(run.stdout()).toContain('::error::cancelled (SIGTERM)');
    // The partial report: the serial logs so far.
    expect(run.stdout()).toMatch(
      /uploaded artifact diverge-report-default \(id \d+, [1-9]\d* files\)/,
    );
    expect(fake.state.artifactsOf(REPO)).toHaveLength(artifactsBefore + 1);
    expect(fake.violations).toEqual([]);
  }, 300_000);

  it('a main step killed outright: the post: step completes its check run as cancelled', async () => {
    const headSha = nextSha();
    const run = startAction({
      candidate: kernels.X86_61_B as string,
      headSha,
      harness: { dir: hanging, timeouts: HANGING_TIMEOUTS },
    });
    await run.booting;
    run.child.kill('SIGKILL');
    await run.exited;
    // The runner kills what is left of the step's processes; here the test does.
    for (const line of qemuProcessesMentioning(run.dir))
      process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    expect(fake.state.checkRunsOf(REPO, headSha)[0]?.status).toBe('in_progress');
    // The runner hands the main step's saved state to the post: step as STATE_<name>.
    const state = Object.fromEntries(
      Object.entries(heredocs(path.join(run.dir, 'state'))).map(([k, v]) => [`STATE_${k}`, v]),
    );
    const code = await new Promise<number | null>((resolve) =>
      spawn(NODE24, [path.join(REPO_ROOT, 'dist', 'post.js')], {
        env: { ...run.env, ...state },
        stdio: 'ignore',
      }).on('exit', resolve),
    );
    expect(code).toBe(0);
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(fake.violations).toEqual([]);
  }, 300_000);
});
