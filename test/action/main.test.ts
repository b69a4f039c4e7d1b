import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { GitHubContext } from '../../src/action/environment.js';
import { runAction } from '../../src/action/main.js';
import type { Pipeline } from '../../src/action/services.js';
import { createRunContext } from '../../src/context.js';
import { readState } from '../../src/github/comment.js';
import type { Report } from '../../src/report/types.js';
import { scratchDir } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';
import { environment, fakeArtifacts, fakeCache, fakeCore, fakeGitHub } from './fakes.js';

const failing = judgedReport(
  [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:fail'])],
  ['staff'],
);
const clean = judgedReport(
  [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:pass'])],
  ['staff'],
);

const HEAD = 'c'.repeat(40);
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
      return result;
    },
  };
}

/** Runs the action with fake services; the workspace holds a diverge.yml. */
async function run(
  context: GitHubContext,
  result: Report | Error,
  options: { inputs?: Record<string, string>; failing?: string[] } = {},
) {
  const events: string[] = [];
  const workspace = scratchDir('action-unit');
  writeFileSync(path.join(workspace, 'diverge.yml'), 'references:\n  - { name: staff, file: k }\n');
  const core = fakeCore(events, { 'github-token': 't', ...options.inputs });
  const github = fakeGitHub(events);
  for (const operation of options.failing ?? []) github.fail(operation);
  const artifacts = fakeArtifacts(events);
  await runAction(environment(context, { workspace, runnerTemp: path.join(workspace, 'tmp') }), {
    core,
    github: () => github.github,
    artifacts,
    cache: fakeCache(events),
    run: createRunContext({ XDG_CACHE_HOME: path.join(workspace, 'cache') }),
    pipeline: fakePipeline(events, result),
  });
  return { events, core, github, artifacts };
}

describe('runAction', () => {
  it('runs its steps in order: check, caches, pipeline, outputs, artifacts, publish, caches', async () => {
    const { events, core, github, artifacts } = await run(pullRequestContext(), failing);
    expect(events).toEqual([
      'checks.create diverge',
      'cache.restore',
      'group diverge: build and fetch the kernels',
      'resolveKernels',
      'group diverge: boot and judge',
      'runDifferential',
      'summary',
      'output conclusion',
      'output divergences',
      'output regressions',
      'output report',
      'output junit',
      'output classroom-result',
      'artifact diverge-report-default',
      'checks.update failure',
      'issues.listComments',
      'issues.createComment',
      'cache.save',
      'failed: 1 failing divergences (fail-on: regression, crash, hang, missing, output)',
    ]);
    expect(core.outputs).toMatchObject({ conclusion: 'failure', divergences: 1, regressions: 1 });
    expect(github.checks[0]).toMatchObject({ head_sha: HEAD, status: 'completed' });
    expect(readState(github.comments[0]?.body ?? '')).toEqual({ b: 'regression' });
    // The report artifact carries the record report/ needs to comment for a fork.
    const [upload] = artifacts.uploads;
    const names = upload?.files.map((file) => path.basename(file));
    expect(names).toEqual(['report.json', 'junit.xml', 'pull-request.json']);
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
    const { events } = await run(pushContext, clean);
    const published = events.filter((e) => e.startsWith('artifact') || e.startsWith('issues'));
    expect(published).toEqual([
      'artifact diverge-report-default',
      'artifact diverge-kernel-default',
    ]);
    expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
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
});
