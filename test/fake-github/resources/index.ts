/** Every implemented operation of the REST API, by its operationId in the description. */
import { rateLimitBody, rateWindow } from '../ratelimit.js';
import { actionsHandlers } from './actions.js';
import { checkHandlers } from './checks.js';
import { commentHandlers } from './comments.js';
import { commitCommentHandlers } from './commit-comments.js';
import type { Handler } from './context.js';
import { issueHandlers } from './issues.js';
import { releaseHandlers } from './releases.js';
import { repoHandlers } from './repos.js';
import { userHandlers } from './users.js';

export const handlers: Record<string, Handler> = {
  ...repoHandlers,
  ...checkHandlers,
  ...commentHandlers,
  ...issueHandlers,
  ...commitCommentHandlers,
  ...actionsHandlers,
  ...releaseHandlers,
  ...userHandlers,
  'rate-limit/get': (ctx) => ({
    status: 200,
    body: rateLimitBody(rateWindow(ctx.state, ctx.token)),
  }),
};

/** Operations that do not count against the rate limit, as on GitHub. */
export const FREE_OPERATIONS = new Set(['rate-limit/get']);
