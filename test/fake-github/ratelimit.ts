/**
 * GitHub's primary rate limit: a budget per token per hour (60 per hour without one), reported
 * on every response in the `x-ratelimit-*` headers and by `GET /rate_limit`.
 */
import type { FakeState, RateWindow, TokenRecord } from './state.js';

const ANONYMOUS_LIMIT = 60;

export function rateWindow(state: FakeState, token: TokenRecord | undefined): RateWindow {
  const key = token ? `token:${token.token}` : 'anonymous';
  const now = Math.floor(Date.now() / 1000);
  let window = state.rate.get(key);
  if (!window || window.reset <= now) {
    window = { limit: token?.rateLimit ?? ANONYMOUS_LIMIT, used: 0, reset: now + 3600 };
    state.rate.set(key, window);
  }
  return window;
}

export function rateHeaders(window: RateWindow): Record<string, string> {
  return {
    'x-ratelimit-limit': String(window.limit),
    'x-ratelimit-remaining': String(Math.max(0, window.limit - window.used)),
    'x-ratelimit-reset': String(window.reset),
    'x-ratelimit-used': String(window.used),
    'x-ratelimit-resource': 'core',
  };
}

/** The `GET /rate_limit` body for a window; the other resources are reported untouched. */
export function rateLimitBody(window: RateWindow): Record<string, unknown> {
  const core = {
    limit: window.limit,
    used: window.used,
    remaining: Math.max(0, window.limit - window.used),
    reset: window.reset,
  };
  const fresh = (limit: number) => ({ limit, used: 0, remaining: limit, reset: window.reset });
  return {
    resources: {
      core,
      search: fresh(30),
      graphql: fresh(window.limit),
      integration_manifest: fresh(5000),
      code_search: fresh(10),
    },
    rate: core,
  };
}

export const PRIMARY_LIMIT_MESSAGE =
  'API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.';

export const SECONDARY_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';
