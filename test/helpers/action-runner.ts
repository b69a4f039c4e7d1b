/**
 * Runs the root action as the runner runs it: `node dist/index.js` with INPUT_* variables, an
 * event file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, and the runtime
 * variables of a workflow run of the fake GitHub server.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { NODE24, REPO_ROOT, scratchDir } from './fixtures.js';

export interface ActionProcess {
  fake: FakeGitHub;
  repo: string;
  /** The fake's workflow run this job belongs to. */
  runId: number;
  eventName: string;
  event: object;
  /** GITHUB_WORKSPACE, the checkout. */
  workspace: string;
  inputs: Record<string, string>;
  /** More variables (a proxy's). */
  env?: NodeJS.ProcessEnv;
}

export interface ActionProcessResult {
  code: number;
  stdout: string;
  /** The step's outputs (GITHUB_OUTPUT). */
  outputs: Record<string, string>;
  summary: string;
}

/** GITHUB_OUTPUT uses the heredoc form: name<<delimiter, value, delimiter. */
function heredocs(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([^]*?)\n\2$/gm))
    values[match[1] as string] = match[3] as string;
  return values;
}

export async function runActionProcess(job: ActionProcess): Promise<ActionProcessResult> {
  const dir = scratchDir('action-job');
  writeFileSync(path.join(dir, 'event.json'), JSON.stringify(job.event));
  for (const file of ['output', 'summary', 'state']) writeFileSync(path.join(dir, file), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...job.fake.runtimeEnv(job.repo, job.runId),
    GITHUB_EVENT_NAME: job.eventName,
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state'),
    RUNNER_TEMP: dir,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    ...Object.fromEntries(
      Object.entries(job.inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
    ),
    ...job.env,
  };
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(
      NODE24,
      [path.join(REPO_ROOT, 'dist', 'index.js')],
      { env, cwd: job.workspace, maxBuffer: 64 * 1024 * 1024 },
      (error, out) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
    ),
  );
  return {
    code,
    stdout,
    outputs: heredocs(readFileSync(path.join(dir, 'output'), 'utf8')),
    summary: readFileSync(path.join(dir, 'summary'), 'utf8'),
  };
}

/**
 * The fake GitHub with `repo` (default branch main) and `token`, which may write to it: where
 * every test of the action's API calls starts. The caller closes it.
 */
export async function startFakeRepo(repo: string, token: string): Promise<FakeGitHub> {
  const fake = await startFakeGitHub();
  fake.state.addToken(token, { permissions: 'write' });
  fake.state.addRepo(repo, { defaultBranch: 'main' });
  return fake;
}
