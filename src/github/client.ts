/**
 * The one place a GitHub REST client is made: Octokit with the retry plugin (5xx, resets and
 * timeouts retried with backoff; 4xx answers are final) and the throttling plugin (primary and
 * secondary rate limits waited out, a bounded number of times). The base URL comes from the
 * caller, which reads GITHUB_API_URL, so GitHub Enterprise Server works the same way.
 */
import { retry } from '@octokit/plugin-retry';
import { type ThrottlingOptions, throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { TOOL_NAME, TOOL_VERSION } from '../model/constants.js';

export type GitHub = InstanceType<typeof GitHubClient>;
const GitHubClient = Octokit.plugin(retry, throttling);

export interface GitHubOptions {
  token: string;
  /** REST API base, e.g. https://api.github.com or https://ghes.example/api/v3. */
  baseUrl: string;
  log: (line: string) => void;
  /** Retries of a failed request (5xx, reset, timeout); default 3. */
  retries?: number;
  /** Backoff unit in ms: the n-th retry waits n² units; default 1000. */
  retryBaseMs?: number;
  /** Rate-limit waits accepted per request before giving up; default 2. */
  rateLimitRetries?: number;
  /**
   * Space writes as Octokit's throttling plugin does, 1 s apart and 3 s for writes that notify
   * (issues, comments), to spare GitHub's secondary limits; default true. Tests against a fake
   * GitHub turn it off.
   */
  spaceWrites?: boolean;
}

/**
 * A limiter of the throttling plugin that runs every job at once: given as its `write` and
 * `notifications` groups, writes are not spaced (the plugin takes its limiters from the options).
 */
export const UNSPACED = {
  key: () => ({
    schedule: (_options: unknown, job: (...args: unknown[]) => unknown, ...args: unknown[]) =>
      Promise.resolve().then(() => job(...args)),
  }),
} as unknown as NonNullable<ThrottlingOptions['write']>;

export const DEFAULT_API_URL = 'https://api.github.com';

/** A rate limit that resets later than this (seconds) is not waited for: the request fails. */
export const MAX_RATE_LIMIT_WAIT_S = 300;

export function createGitHub(options: GitHubOptions): GitHub {
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const again = retryCount < rateLimitRetries && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
      const why =
        retryAfter > MAX_RATE_LIMIT_WAIT_S
          ? `giving up: it resets in ${retryAfter} s, more than the ${MAX_RATE_LIMIT_WAIT_S} s diverge waits`
          : 'giving up';
      options.log(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${again ? `retrying in ${retryAfter} s` : why}`,
      );
      return again;
    };
  return new GitHubClient({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: `${TOOL_NAME}/${TOOL_VERSION}`,
    // Failed requests become diverge's own errors, which name the reference or step; Octokit's
    // request log would only repeat them.
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: options.log,
      error: () => undefined,
    },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      doNotRetry: [400, 401, 403, 404, 410, 422, 451],
    },
    throttle: {
      ...(options.spaceWrites === false ? { write: UNSPACED, notifications: UNSPACED } : {}),
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
  });
}

/** Where a run is, as far as references care: which repository, workflow, branch and commit. */
export interface GitHubRun {
  /** `owner/name` of the repository under test. */
  repository?: string;
  /** File name of the running workflow (`kernel.yml`), the default workflow of artifacts. */
  workflow?: string;
  /** The pull request's base branch and commit, for `base: true` and default artifact branches. */
  baseBranch?: string;
  baseSha?: string;
  /**
   * No pull request or push event says what the base is (a run on a developer's machine): `base:
   * true` is then the merge-base of HEAD with `baseBranch`, else with origin's default branch.
   */
  local?: boolean;
  variant: string;
}
