/**
 * The report/ sub-action as the runner runs it (dist/publish.js) for the fork pattern: a
 * workflow_run event whose triggering run (a fork's pull request, read-only token) uploaded its
 * reports and a pull-request record. The record is believed only when it matches the run.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeGitHub, Fault } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import { NODE24, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';

const TOKEN = 'ghs_report_write';
const REPO = 'course/kernel';
let fake: FakeGitHub;
let pr = 20;

beforeAll(async () => {
  fake = await startFakeRepo(REPO, TOKEN);
});
afterAll(async () => {
  await fake.close();
});

const report = (failing: boolean) =>
  JSON.stringify(
    judgedReport(
      [
        boot('staff', 1, ['a:pass', 'b:pass']),
        boot('candidate', 1, ['a:pass', failing ? 'b:fail' : 'b:pass']),
      ],
      ['staff'],
    ),
  );

/**
 * A fork's run that uploaded two legs' reports, and the workflow_run that publishes them;
 * `faults` are armed just before report/ runs.
 */
async function publishFor(
  record: { headSha?: string; baseRepository?: string },
  faults: Fault[] = [],
) {
  const number = ++pr;
  const headSha = number.toString(16).padStart(40, 'f');
  fake.state.addPull(REPO, {
    number,
    head: { sha: headSha, ref: 'student', repoFullName: 'student/kernel' },
    base: { sha: 'e'.repeat(40), ref: 'main' },
  });
  const runId = fake.state.addWorkflowRun(REPO, {
    workflowFile: 'course-matrix.yml',
    branch: 'student',
    headSha,
    event: 'pull_request',
    headRepoFullName: 'student/kernel',
  });
  const pullRequest = JSON.stringify({
    number,
    headSha: record.headSha ?? headSha,
    baseRepository: record.baseRepository ?? REPO,
  });
  for (const [variant, failing] of [
    ['staff-alt', false],
    ['wrong-result', true],
  ] as const)
    await fake.state.addArtifact(REPO, runId, {
      name: `diverge-report-${variant}`,
      files: { 'report.json': report(failing), 'pull-request.json': pullRequest },
    });

  const dir = scratchDir('report-action');
  writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({
      action: 'completed',
      workflow_run: {
        id: runId,
        head_sha: headSha,
        head_repository: { full_name: 'student/kernel' },
      },
      repository: { full_name: REPO, name: 'kernel', owner: { login: 'course' } },
    }),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_EVENT_NAME: 'workflow_run',
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: fake.url,
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_RUN_ID: '999',
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_OUTPUT: path.join(dir, 'output'),
    RUNNER_TEMP: dir,
    'INPUT_GITHUB-TOKEN': TOKEN,
    'INPUT_CHECK-NAME': 'course',
  };
  writeFileSync(path.join(dir, 'summary'), '');
  writeFileSync(path.join(dir, 'output'), '');
  for (const fault of faults) fake.state.injectFault(fault);
  const result = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(NODE24, [path.join(REPO_ROOT, 'dist', 'publish.js')], { env }, (error, stdout) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
    ),
  );
  return { ...result, number, headSha, summary: readFileSync(path.join(dir, 'summary'), 'utf8') };
}

describe('report/ for a fork, from workflow_run', () => {
  it('publishes one check on the head commit and one comment with the variant table', async () => {
    const { code, stdout, number, headSha } = await publishFor({});
    expect(code).toBe(1); // wrong-result fails the combined check
    expect(stdout).toContain('check run "course" completed: failure');
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check).toMatchObject({ name: 'course', status: 'completed', conclusion: 'failure' });
    const comments = fake.state.commentsOf(REPO, number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('| staff-alt | · | 2 | success |');
    expect(comments[0]?.body).toContain('| wrong-result | 1 | 1 | failure |');
    expect(fake.violations).toEqual([]);
  });

  it('does not comment where an uploaded record points at another commit or repository', async () => {
    for (const record of [{ headSha: '0'.repeat(40) }, { baseRepository: 'someone/else' }]) {
      const { stdout, number } = await publishFor(record);
      expect(stdout).toContain('::warning::ignoring the pull request record of the triggering run');
      expect(fake.state.commentsOf(REPO, number)).toHaveLength(0);
    }
    expect(fake.violations).toEqual([]);
  });

  it('a GitHub error while publishing still completes the check run, as a failure', async () => {
    const { code, stdout, summary, headSha } = await publishFor({}, [
      { method: 'PATCH', path: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 422 },
    ]);
    expect(code).toBe(1);
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check?.history.map((h) => h.status)).toEqual(['in_progress', 'completed']);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check?.output.title).toBe('diverge could not run');
    expect(summary).toContain('diverge could not run');
    expect(stdout).toMatch(/^::error::/m);
  });

  it('a comment GitHub refuses is a warning: the check keeps the verdict', async () => {
    const { code, stdout, number, headSha } = await publishFor({}, [
      { method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 422 },
    ]);
    expect(code).toBe(1); // the verdict: wrong-result has a failing divergence
    expect(stdout).toContain('::warning::could not post the pull request comment');
    expect(stdout).toContain('::error::a variant has failing divergences');
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check?.output.title).toBe('2 variants, 1 divergences');
    expect(fake.state.commentsOf(REPO, number)).toHaveLength(0);
  });
});
