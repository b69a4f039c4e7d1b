import { createGitHub, type GitHub } from '../github/client.js';

/** GitHub clients of an action step: the runner's API URL, retries logged in the step log. */
export function actionGitHub(
  apiUrl: string,
  log: (line: string) => void,
): (token: string) => GitHub {
  return (token) => createGitHub({ token, baseUrl: apiUrl, log });
}
