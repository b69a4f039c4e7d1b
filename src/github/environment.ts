/**
 * What a run knows about GitHub from its environment: the variables a runner sets (and a user
 * may set locally to fetch artifact and release references), and the pull request in the event
 * payload.
 */
import { readFileSync } from 'node:fs';
import type { GitHubRun } from '../references/sources/index.js';
import { createGitHub, DEFAULT_API_URL, type GitHub } from './client.js';
import { waitsFrom } from '../context.js';

export interface GitHubEnvironment {
  github?: GitHub;
  run: GitHubRun;
}

/** `owner/repo/.github/workflows/kernel.yml@refs/heads/main` → `kernel.yml`. */
export function workflowFile(workflowRef: string | undefined): string | undefined {
  const match = /\/\.github\/workflows\/([^@/]+)@/.exec(workflowRef ?? '');
  return match?.[1];
}

interface PullRequestEvent {
  pull_request?: { base?: { ref?: string; sha?: string } };
}

function pullRequestBase(eventPath: string | undefined): { ref?: string; sha?: string } {
  if (!eventPath) return {};
  try {
    const event = JSON.parse(readFileSync(eventPath, 'utf8')) as PullRequestEvent;
    return event.pull_request?.base ?? {};
  } catch {
    return {};
  }
}

export function githubFromEnvironment(
  env: NodeJS.ProcessEnv,
  overrides: { repository?: string; baseRef?: string; baseSha?: string; variant: string },
  log: (line: string) => void,
): GitHubEnvironment {
  const base = pullRequestBase(env.GITHUB_EVENT_PATH);
  const run: GitHubRun = { variant: overrides.variant };
  const repository = overrides.repository ?? env.GITHUB_REPOSITORY;
  const workflow = workflowFile(env.GITHUB_WORKFLOW_REF);
  const baseBranch = overrides.baseRef ?? (env.GITHUB_BASE_REF || base.ref);
  const baseSha = overrides.baseSha ?? base.sha;
  if (repository) run.repository = repository;
  if (workflow) run.workflow = workflow;
  if (baseBranch) run.baseBranch = baseBranch;
  if (baseSha) run.baseSha = baseSha;
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) return { run };
  const github = createGitHub({
    token,
    baseUrl: env.GITHUB_API_URL || DEFAULT_API_URL,
    log,
    retryBaseMs: waitsFrom(env).retryBaseMs,
  });
  return { github, run };
}
