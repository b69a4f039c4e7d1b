/**
 * What the actions take from the runner's environment, read once by the entry points into one
 * typed object: nothing under src/action/ reads the environment itself (nor the working or
 * temporary directory: the entry points hand those in).
 */
import type { context } from '@actions/github';
import { DEFAULT_API_URL } from '../github/client.js';

/** The parts of @actions/github's event context the actions use. */
export type GitHubContext = Pick<
  typeof context,
  'eventName' | 'payload' | 'repo' | 'sha' | 'runId'
>;

export interface ActionEnvironment {
  /** GITHUB_WORKSPACE: the checkout, which input paths and annotations are relative to. */
  workspace: string;
  /** RUNNER_TEMP: where the report is written and artifacts are unpacked. */
  runnerTemp: string;
  /** GITHUB_SERVER_URL, for links to the workflow run. */
  serverUrl: string;
  /** GITHUB_API_URL (GitHub Enterprise Server has its own). */
  apiUrl: string;
  /** GITHUB_WORKFLOW_REF: the workflow whose earlier runs published the base kernel. */
  workflowRef?: string;
  /** GITHUB_REF: the ref the run is of (a schedule's payload has none). */
  ref?: string;
  context: GitHubContext;
}

/** The process's working and temporary directories: what stands in off a runner. */
export interface ProcessDirs {
  cwd: string;
  tempDir: string;
}

export function actionEnvironment(
  env: NodeJS.ProcessEnv,
  context: GitHubContext,
  dirs: ProcessDirs,
): ActionEnvironment {
  return {
    workspace: env.GITHUB_WORKSPACE ?? dirs.cwd,
    runnerTemp: env.RUNNER_TEMP ?? dirs.tempDir,
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL || DEFAULT_API_URL,
    ...(env.GITHUB_WORKFLOW_REF ? { workflowRef: env.GITHUB_WORKFLOW_REF } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    context,
  };
}

/** The page of the workflow run, which holds the full report and the artifacts. */
export function runUrl(environment: ActionEnvironment): string {
  const { context } = environment;
  return `${environment.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
}

/** A push to the repository's default branch: what the caches and bisect act on. */
export function isDefaultBranchPush(context: GitHubContext): boolean {
  const push = context.payload as { ref?: string; repository?: { default_branch?: string } };
  const branch = push.repository?.default_branch;
  return context.eventName === 'push' && !!branch && push.ref === `refs/heads/${branch}`;
}
