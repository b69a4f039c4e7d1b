import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { GitHubContext } from '../../src/action/environment.js';
import { type Cancellation, createCancellation } from '../../src/action/cancel.js';
import { runAction } from '../../src/action/main.js';
import type { Pipeline } from '../../src/action/services.js';
import { createRunContext } from '../../src/context.js';
import { readState } from '../../src/github/comment.js';
import type { Report } from '../../src/model/report.js';
import { scratchDir } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';
import {
  environment,
  fakeArtifacts,
  fakeCache,
  fakeCore,
  fakeGitHub,
  fakeHost,
  STOPPED_AT,
  STOPPED_CLOCK,
} from './fakes.js';

const failing = judgedReport(
  [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:fail'])],
  ['staff'],
);
const clean = judgedReport(
  [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:pass'])],
  ['staff'],
);

const HEAD = 'c'.repeat(40);
const TCG_REASON = 'KVM probe failed: /dev/kvm is missing or not accessible';
const REPO = { owner: 'course', repo: 'kernel' };

function pullRequestContext(options: { eventName?: string; fork?: boolean } = {}): GitHubContext {
  return {
    eventName: options.eventName ?? 'pull_request',
    payload: {
      pull_request: {
        number: 7,
        head: { sha: HEAD, repo: { full_name: options.fork ? 'student/kernel' : 'course/kernel' } },
        base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'course/kernel' } },
      },
    },
    repo: REPO,
    sha: 'a'.repeat(40),
    runId: 42,
  };
}

const pushContext: GitHubContext = {
  eventName: 'push',
  payload: {},
  repo: REPO,
  sha: HEAD,
  runId: 43,
};

/** The pipeline's two stages, writing the report where the real one would; or throwing. */
function fakePipeline(events: string[], result: Report | Error): Pipeline {
  return {
    resolveKernels: async (_settings, _flags, options) => {
      events.push('resolveKernels');
      mkdirSync(options.outDir, { recursive: true });
      const kernel = path.join(options.outDir, 'kernel.elf');
      writeFileSync(kernel, 'kernel');
      return {
        candidate: { name: 'candidate', path: kernel, source: { file: kernel } },
        references: [],
      };
    },
    runDifferential: async (_context, _settings, _kernels, options) => {
      events.push('runDifferential');
      if (result instanceof Error) throw result;
      writeFileSync(path.join(options.outDir, 'report.json'), JSON.stringify(result));
      writeFileSync(path.join(options.outDir, 'report.html'), '<!doctype html>');
      const host = {
        accel: result.run.host.accel,
        accelReason: `${result.run.host.accel}: ${TCG_REASON}`,
      };
      writeFileSync(path.join(options.outDir, 'boots.json'), JSON.stringify({ host }));
      return result;
    },
  };
}

/** Runs the action with fake services; the workspace holds a diverge.yml. */
async function run(
  context: GitHubContext,
  result: Report | Error,
  options: {
    inputs?: Record<string, string>;
    failing?: string[];
    /** GitHub refuses these operations with 403, as it refuses a read-only token. */
    refused?: string[];
    /** Set up the fake GitHub before the run. */
    seed?: (github: ReturnType<typeof fakeGitHub>) => void;
    pipeline?: (events: string[], cancellation: Cancellation) => Pipeline;
  } = {},
) {
  const events: string[] = [];
  const workspace = scratchDir('action-unit');
  writeFileSync(path.join(workspace, 'diverge.yml'), 'references:\n  - { name: staff, file: k }\n');
  const core = fakeCore(events, { 'github-token': 't', ...options.inputs });
  const github = fakeGitHub(events);
  for (const operation of options.failing ?? []) github.fail(operation);
  for (const operation of options.refused ?? []) github.fail(operation, 1, 403);
  options.seed?.(github);
  const artifacts = fakeArtifacts(events);
  const cancellation = createCancellation();
  await runAction(environment(context, { workspace, runnerTemp: path.join(workspace, 'tmp') }), {
    core,
    github: () => github.github,
    clock: STOPPED_CLOCK,
    artifacts,
    cache: fakeCache(events),
    run: createRunContext({ XDG_CACHE_HOME: path.join(workspace, 'cache') }),
    pipeline: options.pipeline?.(events, cancellation) ?? fakePipeline(events, result),
    cancellation,
    host: fakeHost(events),
  });
  return { events, core, github, artifacts };
}

describe('runAction', () => {
  it('runs its steps in order: check, caches, pipeline, artifacts, outputs, publish', async () => {
    const { events, core, github, artifacts } = await run(pullRequestContext(), failing);
    expect(events).toEqual([
      'checks.create diverge',
      'state check-run',
      'host: apt-get --version',
      'host: sudo -n apt-get update -q',
      'host: sudo -n apt-get install -y -q --no-install-recommends qemu-system-x86',
      'cache.restore',
      'group diverge: build and fetch the kernels',
      'resolveKernels',
      'group diverge: boot and judge',
      'runDifferential',
      'output accel',
      `warning: This run used TCG, 10–50× slower than KVM: tcg: ${TCG_REASON}.`,
      'output junit',
      'output classroom-result',
      'artifact diverge-report-default',
      'summary',
      'output conclusion',
      'output divergences',
      'output regressions',
      'output report',
      'output report-html',
      'checks.update failure',
      'users.getAuthenticated',
      'issues.listComments',
      'issues.createComment',
      'output check-url',
      'output comment-url',
      'failed: 1 failing divergences (fail-on: regression, crash, hang, missing, output)',
    ]);
    expect(core.outputs).toMatchObject({
      conclusion: 'failure',
      divergences: 1,
      regressions: 1,
      accel: 'tcg',
    });
    // The TCG fallback heads the job summary and the check.
    expect(core.summaryText()).toMatch(/^> \*\*This run used TCG/);
    expect(github.checks[0]?.output?.summary).toMatch(/^> \*\*This run used TCG/);
    // Started and completed at the times of the clock the entry point passes in.
    expect(github.checks[0]).toMatchObject({
      head_sha: HEAD,
      status: 'completed',
      started_at: STOPPED_AT,
      completed_at: STOPPED_AT,
    });
    expect(readState(github.comments[0]?.body ?? '')).toEqual({ b: 'regression' });
    // The report artifact carries the record report/ needs to comment for a fork.
    const [upload] = artifacts.uploads;
    const names = upload?.files.map((file) => path.basename(file));
    expect(names).toEqual([
      'report.json',
      'report.html',
      'junit.xml',
      'boots.json',
      'pull-request.json',
    ]);
    expect(core.outputs['report-html']).toMatch(/\/report\.html$/);
    // The check run and the comment link report.html's artifact, and say how to reproduce.
    const where =
      /\[report\.html\]\(https:\/\/github\.example\/course\/kernel\/actions\/runs\/\d+\/artifacts\/1\) in the artifact `diverge-report-default` of \[this run\]\(https:\/\/github\.example\/course\/kernel\/actions\/runs\/\d+\)/;
    expect(github.comments[0]?.body).toMatch(where);
    expect(github.checks[0]?.output?.summary).toMatch(where);
    expect(github.comments[0]?.body).toMatch(
      /#### Reproduce it locally\n\n```sh\ndiverge run --config \S*diverge\.yml\n```/,
    );
    const record = readFileSync(path.join(upload?.dir ?? '', 'pull-request.json'), 'utf8');
    expect(JSON.parse(record)).toEqual({
      number: 7,
      headSha: HEAD,
      baseRepository: 'course/kernel',
    });
  });

  it('outputs the Classroom result scored by the rubric and the path of junit.xml', async () => {
    const { core } = await run(pushContext, failing);
    const result = JSON.parse(
      Buffer.from(String(core.outputs['classroom-result']), 'base64').toString('utf8'),
    ) as unknown;
    // One point a test by default; b regressed and earns nothing.
    expect(result).toMatchObject({
      version: 1,
      status: 'fail',
      max_score: 2,
      tests: [
        { name: 'a', status: 'pass', score: 1, max_score: 1 },
        { name: 'b', status: 'fail', score: 0, max_score: 1 },
      ],
    });
    const junit = readFileSync(String(core.outputs.junit), 'utf8');
    expect(junit).toContain('<failure message=');
    expect(path.basename(String(core.outputs.junit))).toBe('junit.xml');
  });

  it('on a push, publishes the kernel after the report and does not comment', async () => {
    const { events, artifacts } = await run(pushContext, clean, {
      inputs: { 'kernel-retention-days': '90' },
    });
    const published = events.filter((e) => e.startsWith('artifact') || e.startsWith('issues'));
    expect(published).toEqual([
      'artifact diverge-report-default',
      'artifact diverge-kernel-default',
    ]);
    // The published kernel is kept as long as the input says; the report its 30 days.
    expect(artifacts.uploads.map((u) => u.retentionDays)).toEqual([30, 90]);
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
  });

  it('restores the caches on every event and saves them on pushes to the default branch only', async () => {
    const onMain: GitHubContext = {
      ...pushContext,
      payload: {
        ref: 'refs/heads/main',
        repository: { name: 'kernel', owner: { login: 'course' }, default_branch: 'main' },
      },
    };
    const onTopic: GitHubContext = {
      ...pushContext,
      payload: {
        ref: 'refs/heads/topic',
        repository: { name: 'kernel', owner: { login: 'course' }, default_branch: 'main' },
      },
    };
    for (const [context, saved] of [
      [onMain, true],
      [onTopic, false],
      [pullRequestContext(), false],
    ] as const) {
      const { events } = await run(context, clean);
      expect(events).toContain('cache.restore');
      expect(events.includes('cache.save')).toBe(saved);
    }
  });

  it("a fork's read-only run writes no check but still the summary, outputs and artifact", async () => {
    const { events } = await run(pullRequestContext({ fork: true }), clean);
    expect(events.filter((e) => /^(checks|issues)/.test(e))).toEqual([]);
    expect(events[0]).toMatch(/^warning: this pull request comes from a fork/);
    expect(events).toContain('summary');
    expect(events).toContain('artifact diverge-report-default');
  });

  it('refuses a fork under pull_request_target before creating anything', async () => {
    const { events } = await run(
      pullRequestContext({ eventName: 'pull_request_target', fork: true }),
      clean,
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^failed: refusing to build a fork's kernel/);
  });

  it('stops when the check run cannot be created, saying which permission it needs', async () => {
    const { events } = await run(pullRequestContext(), clean, { failing: ['checks.create'] });
    expect(events).toEqual([
      'checks.create diverge',
      expect.stringMatching(
        /^failed: cannot create the check run in course\/kernel: .*checks: write/,
      ),
    ]);
  });

  it('an exception in the pipeline completes the check run as a failure and fails the step', async () => {
    const { events, core, github } = await run(pullRequestContext(), new Error('QEMU vanished'));
    expect(events.slice(events.indexOf('runDifferential'))).toEqual([
      'runDifferential',
      'summary',
      'checks.update failure',
      'failed: QEMU vanished',
    ]);
    expect(github.checks[0]).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'diverge could not run' },
    });
    expect(github.checks[0]?.output?.summary).toContain('QEMU vanished');
    expect(core.summaryText()).toContain('diverge could not run');
  });

  it('a GitHub error while completing the check still completes it, as a failure', async () => {
    const { events, github } = await run(pullRequestContext(), clean, {
      failing: ['checks.update'],
    });
    expect(events.filter((e) => e.startsWith('checks.update'))).toHaveLength(2);
    expect(github.checks[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(events.at(-1)).toMatch(/^failed: fake GitHub refused the request \(422\)/);
  });

  it('a comment GitHub refuses is a warning: the check carries the verdict', async () => {
    const { events, github } = await run(pullRequestContext(), clean, {
      inputs: { comment: 'always' },
      failing: ['issues.createComment'],
    });
    expect(github.checks[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(events).toContain(
      'warning: could not post the pull request comment: fake GitHub refused the request (422)',
    );
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
  });

  it('a token GitHub refuses check runs to (403): builds, judges and annotates the step instead', async () => {
    const { events, core, github, artifacts } = await run(pullRequestContext(), failing, {
      refused: ['checks.create', 'issues.createComment'],
    });
    expect(github.checks).toEqual([]);
    expect(events).toContain('runDifferential');
    // The divergence as a workflow-command annotation, placed where the check run would put it.
    expect(events.filter((e) => e.startsWith('error'))).toEqual([
      expect.stringMatching(
        /^error: the test passes .* the candidate fails[^]*\[regression: b @ \S+:\d+\]$/,
      ),
    ]);
    expect(artifacts.uploads.map((u) => u.name)).toEqual(['diverge-report-default']);
    const summary = core.summaryText();
    expect(summary).toContain('**Not published:**');
    expect(summary).toMatch(/the check run: GitHub refused it .*`checks: write`/);
    expect(summary).toMatch(/the pull request comment: .*`pull-requests: write`/);
    // It fails on the verdict, and only on it.
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([
      'failed: 1 failing divergences (fail-on: regression, crash, hang, missing, output)',
    ]);
    expect(core.outputs['check-url']).toBe('');
  });

  it('a refused check run on a clean run does not fail the step', async () => {
    const { events, core } = await run(pullRequestContext(), clean, { refused: ['checks.create'] });
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
    expect(core.outputs.conclusion).toBe('success');
  });

  it('check-run: always fails the step when GitHub refuses the check run', async () => {
    const { events } = await run(pullRequestContext(), clean, {
      inputs: { 'check-run': 'always' },
      refused: ['checks.create'],
    });
    expect(events).toEqual([
      'checks.create diverge',
      expect.stringMatching(/^failed: cannot create the check run/),
    ]);
  });

  it('check-run: never creates no check run and annotates the step', async () => {
    const { events, core } = await run(pullRequestContext(), failing, {
      inputs: { 'check-run': 'never', comment: 'never' },
    });
    expect(events.filter((e) => e.startsWith('checks'))).toEqual([]);
    expect(events.filter((e) => e.startsWith('error:'))).toHaveLength(1);
    expect(core.summaryText()).not.toContain('Not published');
  });

  it("a personal access token finds its own comment again and leaves other people's alone", async () => {
    const marked = (text: string) => `<!-- diverge:comment diverge -->\n${text}`;
    const { github } = await run(pullRequestContext(), failing, {
      seed: (fake) => {
        fake.actAs('ta-alice');
        fake.addComment(marked('quoted by a student'), { type: 'User', login: 'student' });
        fake.addComment(marked('an earlier run'), { type: 'User', login: 'ta-alice' });
        fake.addComment(marked('another bot'), { type: 'Bot', login: 'other[bot]' });
      },
    });
    expect(github.comments.map((c) => [c.user.login, c.body.includes('an earlier run')])).toEqual([
      ['student', false],
      ['ta-alice', false],
      ['other[bot]', false],
    ]);
    expect(github.comments[1]?.body).toContain('diverge:state');
  });

  it('comment-mode: recreate posts the new comment at the bottom and deletes the old one', async () => {
    const { events, github } = await run(pullRequestContext(), failing, {
      inputs: { 'comment-mode': 'recreate' },
      seed: (fake) =>
        fake.addComment('<!-- diverge:comment diverge -->\nold', {
          type: 'Bot',
          login: 'github-actions[bot]',
        }),
    });
    expect(events.filter((e) => e.startsWith('issues'))).toEqual([
      'issues.listComments',
      'issues.createComment',
      'issues.deleteComment',
    ]);
    expect(github.comments.map((c) => c.id)).toEqual([2]);
  });

  it('a cancellation mid-boot completes the check as cancelled with the finished boots and uploads what exists', async () => {
    const { events, core, github, artifacts } = await run(pullRequestContext(), clean, {
      pipeline: (events, cancellation) => ({
        ...fakePipeline(events, clean),
        runDifferential: async (_context, _settings, _kernels, options) => {
          const observations = path.join(options.outDir, 'observations');
          mkdirSync(observations, { recursive: true });
          const boot = { kernel: 'staff', attempt: 1, outcome: 'completed', stage: 'done' };
          writeFileSync(
            path.join(observations, 'staff-1.json'),
            JSON.stringify({ kernel: 'staff', attempt: 1, boot, tests: [{ id: 'a' }] }),
          );
          await cancellation.cancel('SIGTERM');
          // The pipeline's own end comes after: it must not overwrite the cancellation.
          return clean;
        },
      }),
    });
    expect(github.checks[0]).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
      output: { title: 'cancelled' },
    });
    expect(github.checks[0]?.output?.summary).toContain(
      'staff#1: completed at stage done, 1 tests',
    );
    expect(events.filter((e) => e.startsWith('checks.update'))).toEqual([
      'checks.update cancelled',
    ]);
    expect(artifacts.uploads[0]?.files.map((f) => path.basename(f))).toContain('staff-1.json');
    expect(core.summaryText()).toContain('diverge was cancelled (SIGTERM)');
    expect(events).toContain('failed: cancelled (SIGTERM)');
  });
});
