/**
 * Entry point of the root action (dist/index.js): reads the runner's environment once, builds the
 * real services and runs the steps of action/main.ts. SIGINT and SIGTERM (a cancelled workflow)
 * cancel the run (action/cancel.ts), then end the process.
 */
import { tmpdir } from 'node:os';
import { DefaultArtifactClient } from '@actions/artifact';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { createCancellation, stoppableProcesses } from '../action/cancel.js';
import { actionGitHub } from '../action/client.js';
import { actionEnvironment } from '../action/environment.js';
import { runnerCommands } from '../action/host.js';
import { runAction } from '../action/main.js';
import { createRunContext } from '../context.js';
import { useProxy } from '../util/proxy.js';
import { dropDependencyWarnings } from '../util/warnings.js';
import { undoAll } from '../util/interrupt.js';
import { resolveKernels } from '../references/resolve.js';
import { runDifferential } from '../run/candidate.js';

dropDependencyWarnings();
const environment = actionEnvironment(process.env, context, {
  cwd: process.cwd(),
  tempDir: tmpdir(),
});
const run = createRunContext(process.env);
useProxy(run.proxy, core);
const cancellation = createCancellation();
run.processes = stoppableProcesses(run.processes, cancellation);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () =>
    Promise.all([cancellation.cancel(signal), undoAll(15_000)]).finally(() =>
      // Exit once the log is out: stdout to a pipe is written asynchronously.
      process.stdout.write('', () => process.exit(1)),
    ),
  );
process.on('exit', () => run.processes.killAll());
await runAction(environment, {
  core,
  github: actionGitHub(environment.apiUrl, core.info),
  clock: run.clock,
  artifacts: new DefaultArtifactClient(),
  cache,
  run,
  pipeline: { resolveKernels, runDifferential },
  cancellation,
  host: runnerCommands(),
});
// Files the disk refused were said as they happened; the step fails for the infrastructure.
if (run.unwritten.length > 0) core.setFailed(`not written: ${run.unwritten.join('; ')}`);
