/**
 * GET /user: the token's own user. An installation token (a bot, as GITHUB_TOKEN) is refused,
 * as GitHub refuses it: 403 "Resource not accessible by integration".
 */
import { ApiError, type Handler } from './context.js';

export const userHandlers: Record<string, Handler> = {
  'users/get-authenticated': (ctx) => {
    const token = ctx.token;
    if (!token || token.type === 'Bot')
      throw new ApiError(403, 'Resource not accessible by integration');
    return { status: 200, body: ctx.shapes.user(token.login) };
  },
};
