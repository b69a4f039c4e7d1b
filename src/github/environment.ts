/**
 * What a run knows about GitHub from its environment: the variables a runner sets (and a user
 * may set locally to fetch artifact and release references), and the base of the event (a pull
 * request's, or a push's previous commit).
 */
import { readFileSync } from 'node:fs';
import { createGitHub, DEFAULT_API_URL, type GitHub, type GitHubRun } from './client.js';
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

/** The parts of a pull_request or push event payload that say what the run compares with. */
export interface EventPayload {
  pull_request?: { base?: { ref?: string; sha?: string } };
  ref?: string;
  before?: string;
}

/**
 * What `base: true` compares with: a pull request's base branch and commit; on a push, the
 * pushed branch and the commit before the push (none when the push created the branch).
 */
export function eventBase(event: EventPayload): { ref?: string; sha?: string } {
  if (event.pull_request) return event.pull_request.base ?? {};
  const branch = event.ref?.startsWith('refs/heads/') ? event.ref.slice(11) : undefined;
  const before = event.before && !/^0+$/.test(event.before) ? event.before : undefined;
  return { ...(branch ? { ref: branch } : {}), ...(before ? { sha: before } : {}) };
}

function baseOfEventFile(eventPath: string | undefined): { ref?: string; sha?: string } {
  if (!eventPath) return {};
  try {
    return eventBase(JSON.parse(readFileSync(eventPath, 'utf8')) as EventPayload);
  } catch {
    return {};
  }
}

export function githubFromEnvironment(
  env: NodeJS.ProcessEnv,
  overrides: { repository?: string; baseRef?: string; baseSha?: string; variant: string },
  log: (line: string) => void,
): GitHubEnvironment {
  const base = baseOfEventFile(env.GITHUB_EVENT_PATH);
  const run: GitHubRun = { variant: overrides.variant };
  const repository = overrides.repository ?? env.GITHUB_REPOSITORY;
  const workflow = workflowFile(env.GITHUB_WORKFLOW_REF);
  const baseBranch = overrides.baseRef ?? (env.GITHUB_BASE_REF || base.ref);
  const baseSha = overrides.baseSha ?? base.sha;
  if (repository) run.repository = repository;
  if (workflow) run.workflow = workflow;
  if (baseBranch) run.baseBranch = baseBranch;
  if (baseSha) run.baseSha = baseSha;
  if (!base.ref && !base.sha) run.local = true;
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
