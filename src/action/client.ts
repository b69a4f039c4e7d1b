import * as core from '@actions/core';
import { createGitHub, DEFAULT_API_URL, type GitHub } from '../github/client.js';

/** The GitHub client of an action step: the runner's API URL, retries logged in the step log. */
export function actionGitHub(token: string): GitHub {
  return createGitHub({
    token,
    baseUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL,
    log: (line) => core.info(line),
  });
}
