/**
 * The project's own workflows run end to end by act (nektos/act) on this host
 * (`-P ubuntu-latest=-self-hosted`) for a pull_request event, against the fake GitHub server:
 * the self-test workflow, and the matrix example whose legs each publish a check run and whose
 * report/ job publishes one combined check and one comment with the variant × class table.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import { ACT, actEnv } from '../helpers/act.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const TOKEN = 'ghs_act_workflows';
const REPO = 'course/kernel';
const HEAD = 'd'.repeat(40);
let fake: FakeGitHub;
let dir: string;
let runId: number;

beforeAll(async () => {
  if (!existsSync(ACT)) throw new Error(`${ACT} is missing: run scripts/setup.sh`);
  fake = await startFakeRepo(REPO, TOKEN);
  fake.state.addPull(REPO, {
    number: 12,
    head: { sha: HEAD, ref: 'student' },
    base: { sha: 'e'.repeat(40), ref: 'main' },
  });
  runId = fake.state.addWorkflowRun(REPO, {
    workflowFile: 'course-matrix.yml',
    branch: 'student',
    headSha: HEAD,
    event: 'pull_request',
  });
  dir = scratchDir('act');
  writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({
      action: 'synchronize',
      number: 12,
      pull_request: {
        number: 12,
        head: { sha: HEAD, ref: 'student', repo: { full_name: REPO } },
        base: { sha: 'e'.repeat(40), ref: 'main', repo: { full_name: REPO } },
      },
      repository: { full_name: REPO, name: 'kernel', owner: { login: 'course' } },
    }),
  );
  // What a runner would set: the API, the results service for artifacts, this run.
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
    keep.map((key) => `${key}=${env[key]}`).join('\n') +
      `\nXDG_CACHE_HOME=${path.join(dir, 'cache')}\n`,
  );
});
afterAll(async () => {
  await fake.close();
});

function act(workflow: string): Promise<{ code: number; log: string }> {
  return new Promise((resolve) =>
    execFile(
      ACT,
      [
        'pull_request',
        '-W',
        `.github/workflows/${workflow}`,
        '-P',
        'ubuntu-latest=-self-hosted',
        '-e',
        path.join(dir, 'event.json'),
        '-s',
        `GITHUB_TOKEN=${TOKEN}`,
        '--env-file',
        path.join(dir, 'act.env'),
        // One job at a time, as legs on separate runners would be: sixteen TCG guests sharing
        // two cores would time the kernels' clocks out.
        '--concurrent-jobs',
        '1',
      ],
      {
        cwd: REPO_ROOT,
        // The action runs on Node 24, as `runs.using: node24` asks.
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

describe('workflows under act', () => {
  it('self-test: the action judges the staff kernel against staff and staff-alt', async () => {
    const { code, log } = await act('self-test.yml');
    expect(log).toContain('Job succeeded');
    expect(code).toBe(0);
    const check = fake.state.checkRunsOf(REPO, HEAD).find((c) => c.name === 'self-test');
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(check?.output.summary).toContain('no divergences against staff, staff-alt');
  }, 600_000);

  it('course-matrix: a check per leg, then one combined check and comment', async () => {
    const { log } = await act('course-matrix.yml');
    const checks = fake.state.checkRunsOf(REPO, HEAD);
    const byName = Object.fromEntries(checks.map((c) => [c.name, c.conclusion]));
    expect(byName).toMatchObject({
      'diverge (staff-alt)': 'success',
      'diverge (wrong-result)': 'failure',
      'diverge (changed-output)': 'failure',
      'diverge (missing-test)': 'failure',
      course: 'failure', // the worst leg
    });
    expect(log).toContain('[course-matrix/report   ]');
    const comments = fake.state.commentsOf(REPO, 12);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    // The variant × class table: a row per leg, a column per class that occurred.
    const lines = body.split('\n').filter((line) => line.startsWith('| '));
    const header = (lines[0] ?? '').split('|').map((cell) => cell.trim().replace(/`/g, ''));
    expect(header.slice(0, 2)).toEqual(['', 'variant']);
    const cell = (variant: string, column: string) =>
      lines
        .find((line) => line.startsWith(`| ${variant} |`))
        ?.split('|')
        .map((c) => c.trim())[header.indexOf(column)];
    expect(cell('wrong-result', 'regression')).toBe('1');
    expect(cell('missing-test', 'missing')).toBe('1');
    expect(cell('changed-output', 'output')).toBe('1');
    expect(cell('staff-alt', 'conclusion')).toBe('success');
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 900_000);
});
