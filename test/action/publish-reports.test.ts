import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GitHubContext } from '../../src/action/environment.js';
import { runPublishReports } from '../../src/action/publish-reports.js';
import { readState } from '../../src/github/comment.js';
import { scratchDir } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';
import { zipOf } from '../helpers/zip.js';
import { environment, fakeCore, fakeGitHub, serveFiles, STOPPED_CLOCK } from './fakes.js';

const report = (failing: boolean) =>
  judgedReport(
    [
      boot('staff', 1, ['a:pass', 'b:pass']),
      boot('candidate', 1, ['a:pass', failing ? 'b:fail' : 'b:pass']),
    ],
    ['staff'],
  );

const HEAD = 'c'.repeat(40);
const context: GitHubContext = {
  eventName: 'pull_request',
  payload: { pull_request: { number: 7, head: { sha: HEAD } } },
  repo: { owner: 'course', repo: 'kernel' },
  sha: 'a'.repeat(40),
  runId: 42,
};

let storage: Awaited<ReturnType<typeof serveFiles>>;
beforeAll(async () => {
  storage = await serveFiles({
    '/clean.zip': await zipOf({ 'report.json': JSON.stringify(report(false)) }),
    '/failing.zip': await zipOf({ 'report.json': JSON.stringify(report(true)) }),
  });
});
afterAll(() => storage.close());

/** Runs report/ over the given artifacts (name → file on the storage server). */
async function publishReports(
  artifacts: Record<string, string>,
  options: { inputs?: Record<string, string>; failing?: string[] } = {},
) {
  const events: string[] = [];
  const core = fakeCore(events, { 'github-token': 't', 'check-name': 'course', ...options.inputs });
  const github = fakeGitHub(events);
  for (const [name, file] of Object.entries(artifacts))
    github.addArtifact(name, `${storage.url}/${file}`);
  for (const operation of options.failing ?? []) github.fail(operation);
  const dir = scratchDir('report-unit');
  await runPublishReports(environment(context, { workspace: dir, runnerTemp: dir }), {
    core,
    github: () => github.github,
    clock: STOPPED_CLOCK,
  });
  return { events, core, github };
}

describe('runPublishReports', () => {
  it('creates the check first, then reads the artifacts, writes the outputs and publishes', async () => {
    const { events, github } = await publishReports({
      'diverge-report-staff-alt': 'clean.zip',
      'diverge-report-wrong-result': 'failing.zip',
    });
    expect(events).toEqual([
      'checks.create course',
      'actions.listWorkflowRunArtifacts 42',
      'actions.downloadArtifact',
      'actions.downloadArtifact',
      'summary',
      'output conclusion',
      'output divergences',
      'checks.update failure',
      'users.getAuthenticated',
      'issues.listComments',
      'issues.createComment',
      'failed: a variant has failing divergences',
    ]);
    expect(github.checks[0]).toMatchObject({ head_sha: HEAD, status: 'completed' });
    expect(github.checks[0]?.output?.title).toBe('2 variants, 1 divergences');
    expect(readState(github.comments[0]?.body ?? '')).toEqual({ 'wrong-result: b': 'regression' });
    // Each variant says where its report.html is: its artifact, in the run that uploaded it.
    for (const variant of ['staff-alt', 'wrong-result'])
      for (const text of [github.checks[0]?.output?.summary, github.comments[0]?.body])
        expect(text).toContain(
          `\`report.html\` in the artifact \`diverge-report-${variant}\` of [this run](https://github.example/course/kernel/actions/runs/42)`,
        );
  });

  it.each(['issues.listComments', 'issues.createComment'])(
    'a GitHub error in %s is a warning, not a failure',
    async (operation) => {
      const { events, github } = await publishReports(
        { 'diverge-report-staff-alt': 'clean.zip' },
        { inputs: { comment: 'always' }, failing: [operation] },
      );
      expect(github.checks[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
      expect(events).toContain(
        'warning: could not post the pull request comment: fake GitHub refused the request (422)',
      );
      expect(events.filter((e) => e.startsWith('failed'))).toEqual([]);
    },
  );

  it('an error reading the artifacts completes the check as a failure, with the message', async () => {
    const { events, core, github } = await publishReports(
      { 'diverge-report-staff-alt': 'clean.zip' },
      { failing: ['actions.listWorkflowRunArtifacts'] },
    );
    expect(github.checks[0]).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'diverge could not run' },
    });
    expect(github.checks[0]?.output?.summary).toContain('fake GitHub refused the request (422)');
    expect(core.summaryText()).toContain('diverge could not run');
    expect(events.at(-1)).toBe('failed: fake GitHub refused the request (422)');
  });

  it('no valid report completes the check as a failure naming the run', async () => {
    const { events, github } = await publishReports({ 'diverge-report-broken': 'missing.zip' });
    expect(events).toContainEqual(
      expect.stringMatching(/^warning: skipping artifact diverge-report-broken: .*HTTP 404/),
    );
    expect(github.checks[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(events.at(-1)).toBe(
      'failed: no diverge-report-* artifact with a valid report in run 42',
    );
  });

  it('a GitHub error completing the check completes it as a failure and fails the step', async () => {
    const { events, github } = await publishReports(
      { 'diverge-report-staff-alt': 'clean.zip' },
      { failing: ['checks.update'] },
    );
    expect(events.filter((e) => e.startsWith('checks.update'))).toEqual([
      'checks.update success',
      'checks.update failure',
    ]);
    expect(github.checks[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(events.at(-1)).toBe('failed: fake GitHub refused the request (422)');
  });

  it('stops when the check run cannot be created', async () => {
    const { events } = await publishReports(
      { 'diverge-report-staff-alt': 'clean.zip' },
      { failing: ['checks.create'] },
    );
    expect(events).toEqual([
      'checks.create course',
      expect.stringMatching(/^failed: cannot create the check run in course\/kernel/),
    ]);
  });
});
