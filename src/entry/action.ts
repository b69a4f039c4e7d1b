/**
 * Entry point of the root action (dist/index.js): reads the runner's environment once, builds the
 * real services and runs the steps of action/main.ts.
 */
import { DefaultArtifactClient } from '@actions/artifact';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { actionGitHub } from '../action/client.js';
import { actionEnvironment } from '../action/environment.js';
import { runAction } from '../action/main.js';
import { createRunContext } from '../context.js';
import { resolveKernels } from '../references/resolve.js';
import { runDifferential } from '../run/candidate.js';

const environment = actionEnvironment(process.env, context);
await runAction(environment, {
  core,
  github: actionGitHub(environment.apiUrl, core.info),
  artifacts: new DefaultArtifactClient(),
  cache,
  run: createRunContext(process.env),
  pipeline: { resolveKernels, runDifferential },
});
