/**
 * Entry point of the report/ sub-action (dist/publish.js): reads the runner's environment once
 * and runs action/publish-reports.ts with the real services.
 */
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { actionGitHub } from '../action/client.js';
import { actionEnvironment } from '../action/environment.js';
import { proxySettings, systemClock } from '../context.js';
import { useProxy } from '../util/proxy.js';
import { runPublishReports } from '../action/publish-reports.js';

const environment = actionEnvironment(process.env, context, {
  cwd: process.cwd(),
  tempDir: tmpdir(),
});
useProxy(proxySettings(process.env), core);
await runPublishReports(environment, {
  core,
  github: actionGitHub(environment.apiUrl, core.info),
  clock: systemClock,
});
