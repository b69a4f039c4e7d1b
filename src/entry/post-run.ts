/** The post step's work when the main step left a check run in progress (see post-action.ts). */
import { tmpdir } from 'node:os';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { actionGitHub } from '../action/client.js';
import { actionEnvironment } from '../action/environment.js';
import { proxySettings, systemClock } from '../context.js';
import { useProxy } from '../util/proxy.js';
import { runPost } from '../action/post.js';

const environment = actionEnvironment(process.env, context, {
  cwd: process.cwd(),
  tempDir: tmpdir(),
});
useProxy(proxySettings(process.env), core);
await runPost({
  core,
  github: actionGitHub(environment.apiUrl, core.info),
  clock: systemClock,
});
