/**
 * Who a token acts as. A personal access token reads its user with GET /user; an app's
 * installation token (the workflow's GITHUB_TOKEN) is refused there (403 "Resource not accessible
 * by integration"), and acts as a bot.
 */
import type { GitHub } from './client.js';

/** The login of a user's token, or undefined for an app's installation token. */
export async function tokenLogin(github: GitHub): Promise<string | undefined> {
  try {
    const { data } = await github.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    if ((error as { status?: number }).status === 403) return undefined;
    throw error;
  }
}
