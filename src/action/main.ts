/**
 * The action on a runner: the local pipeline (build, fetch, boot, judge) wired to GitHub — a
 * check run per leg, the sticky pull-request comment, the job summary, outputs and artifacts.
 * `runAction` reads as its steps; each is a small function below. The token goes to the GitHub
 * client only: never into a Docker build or a guest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dockerAccess } from '../build/docker.js';
import { variantOf } from '../build/kernel.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { annotationsFor, locateTests } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import { stateOf } from '../github/comment.js';
import { workflowFile } from '../github/environment.js';
import { publishedArtifactName } from '../references/sources/index.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Report } from '../report/types.js';
import { type CacheKeys, cacheKeys, restoreCaches, saveCaches } from './cache.js';
import { type ActionEnvironment, type GitHubContext, runUrl } from './environment.js';
import { writeCourseOutputs } from './course-outputs.js';
import { listFiles } from './files.js';
import { type ActionInputs, readInputs } from './inputs.js';
import { createCheck, type OpenCheck, publish, withErrorBoundary } from './publish.js';
import { type PullRequestRecord, REPORT_ARTIFACT_PREFIX } from './published.js';
import type { ActionServices } from './services.js';

interface PullRequest {
  number: number;
  head: { sha: string; repo?: { full_name?: string } | null };
  base: { sha: string; ref: string; repo: { full_name: string } };
}

interface EventAccess {
  pullRequest?: PullRequest;
  fork: boolean;
  canWrite: boolean;
}

/** What the event allows: a fork's pull_request token cannot write checks or comments. */
export function eventAccess(context: GitHubContext): EventAccess {
  const pullRequest = context.payload.pull_request as PullRequest | undefined;
  const fork =
    pullRequest !== undefined &&
    pullRequest.head.repo?.full_name !== pullRequest.base.repo.full_name;
  const canWrite = !(context.eventName === 'pull_request' && fork);
  return { ...(pullRequest ? { pullRequest } : {}), fork, canWrite };
}

/** What every step after the guard works with. */
interface Step {
  env: ActionEnvironment;
  services: ActionServices;
  inputs: ActionInputs;
  access: EventAccess;
  github: GitHub;
}

/** This leg: the config (with the fail-on input applied), its variant, where its files go. */
interface Leg {
  settings: Settings;
  variant: string;
  outDir: string;
  cacheKeys: CacheKeys;
}

type Kernels = Awaited<ReturnType<ActionServices['pipeline']['resolveKernels']>>;

/**
 * The root action: guard → check run created → caches restored → pipeline → outputs → artifacts
 * → publish → caches saved. Once the check run exists, any failure completes it.
 */
export async function runAction(env: ActionEnvironment, services: ActionServices): Promise<void> {
  const { core } = services;
  const guarded = guard(env, services);
  if (!guarded) return;
  const step: Step = { env, services, ...guarded, github: services.github(guarded.inputs.token) };
  let check: OpenCheck | undefined;
  if (step.access.canWrite) {
    check = await createCheck(core, step.github, checkTarget(step));
    if (!check) return;
  } else
    core.warning(
      'this pull request comes from a fork, so its token cannot write checks or comments: the report is in the job summary and the artifacts; publish it with the report/ sub-action from a workflow_run workflow (see the README)',
    );
  await withErrorBoundary(core, check, async () => {
    const leg = await loadLeg(step);
    await restoreCaches(services.cache, core, services.run.cache, leg.cacheKeys);
    const { kernels, report } = await runPipeline(step, leg);
    await writeOutputs(step, leg, report);
    await uploadArtifacts(step, leg, kernels);
    if (check) await publishReport(step, check, report);
    await saveCaches(services.cache, core, services.run.cache, leg.cacheKeys);
    concludeStep(step, leg, report);
  });
}

/**
 * The inputs, and what the event allows. Refuses (fails the step, returns undefined) on a bad
 * input, and on a fork's code under pull_request_target unless allowed.
 */
function guard(
  env: ActionEnvironment,
  { core }: ActionServices,
): Pick<Step, 'inputs' | 'access'> | undefined {
  let inputs: ActionInputs;
  try {
    inputs = readInputs((name) => core.getInput(name), env.workspace);
  } catch (error) {
    core.setFailed((error as Error).message);
    return undefined;
  }
  const access = eventAccess(env.context);
  if (env.context.eventName === 'pull_request_target' && access.fork && !inputs.allowForkCode) {
    core.setFailed(
      "refusing to build a fork's kernel under pull_request_target: that event runs with a write token. Use pull_request plus the report/ sub-action in a workflow_run workflow (see the README), or set allow-fork-code: true if you accept the risk.",
    );
    return undefined;
  }
  return { inputs, access };
}

/** The check run of this leg, on the pull request's head (else the pushed commit). */
function checkTarget({ env, inputs, access }: Step) {
  const { owner, repo } = env.context.repo;
  return {
    owner,
    repo,
    headSha: access.pullRequest?.head.sha ?? env.context.sha,
    name: inputs.checkName,
    detailsUrl: runUrl(env),
  };
}

async function loadLeg({ env, inputs }: Step): Promise<Leg> {
  const settings = await loadConfig(inputs.config);
  const variant = variantOf(settings, inputs.variant);
  const configText = await readFile(inputs.config, 'utf8');
  if (inputs.failOn) settings.failOn = inputs.failOn;
  return {
    settings,
    variant,
    outDir: path.join(env.runnerTemp, 'diverge', variant),
    cacheKeys: cacheKeys(configText, variant, env.context.runId),
  };
}

/** Builds and fetches the kernels, then boots and judges them, each in a log group. */
async function runPipeline(
  { env, services, access, github }: Step,
  { settings, variant, outDir }: Leg,
): Promise<{ kernels: Kernels; report: Report }> {
  const { core, pipeline, run: context } = services;
  const docker = dockerAccess(context.dockerHost, undefined, (line) => core.info(line));
  const { owner, repo } = env.context.repo;
  const pr = access.pullRequest;
  const workflow = workflowFile(env.workflowRef);
  const run = {
    variant,
    repository: `${owner}/${repo}`,
    ...(workflow ? { workflow } : {}),
    ...(pr ? { baseBranch: pr.base.ref, baseSha: pr.base.sha } : {}),
  };
  const kernels = await core.group('diverge: build and fetch the kernels', () =>
    pipeline.resolveKernels(
      settings,
      {},
      {
        docker,
        variant,
        outDir,
        progress: (line) => core.info(line),
        output: (line) => core.info(`  ${line}`),
        github,
        run,
        cache: context.cache,
      },
    ),
  );
  const report = await core.group('diverge: boot and judge', () =>
    pipeline.runDifferential(context, settings, kernels, {
      outDir,
      docker,
      variant,
      progress: (line) => core.info(line),
    }),
  );
  return { kernels, report };
}

/** The job summary and the step's outputs. */
async function writeOutputs({ env, services, inputs }: Step, leg: Leg, report: Report) {
  const { core } = services;
  await core.summary
    .addRaw(renderMarkdown(report, { reportUrl: runUrl(env), title: inputs.baseCheckName }))
    .write();
  core.setOutput('conclusion', report.summary.conclusion);
  core.setOutput('divergences', report.summary.divergences);
  core.setOutput('regressions', report.summary.byClass.regression ?? 0);
  core.setOutput('report', path.join(leg.outDir, 'report.json'));
  await writeCourseOutputs(core, leg.settings, leg.outDir, report);
}

/**
 * The report artifact, with the pull-request record the report/ sub-action needs to publish a
 * fork's report; on a push, the built kernel, which later pull requests take as their base. An
 * upload that fails is a warning: the verdict does not depend on it.
 */
async function uploadArtifacts(step: Step, { variant, outDir }: Leg, kernels: Kernels) {
  const { env, inputs, access } = step;
  if (inputs.uploadArtifacts) {
    const pr = access.pullRequest;
    if (pr) {
      const record: PullRequestRecord = {
        number: pr.number,
        headSha: pr.head.sha,
        baseRepository: pr.base.repo.full_name,
      };
      await writeFile(path.join(outDir, 'pull-request.json'), JSON.stringify(record));
    }
    const files = await listFiles(outDir, [
      'report.json',
      'report.md',
      'junit.xml',
      'boots.json',
      'pull-request.json',
      'logs',
    ]);
    await upload(
      step,
      `${REPORT_ARTIFACT_PREFIX}${variant}`,
      outDir,
      files,
      'upload the report artifact',
    );
  }
  if (inputs.publishKernel && env.context.eventName === 'push') {
    const kernel = kernels.candidate.path;
    await upload(
      step,
      publishedArtifactName(variant),
      path.dirname(kernel),
      [kernel],
      'publish the kernel',
    );
  }
}

async function upload(
  { services }: Step,
  name: string,
  dir: string,
  files: string[],
  what: string,
): Promise<void> {
  const { core, artifacts } = services;
  try {
    const { id } = await artifacts.uploadArtifact(name, files, dir, { retentionDays: 30 });
    core.info(`uploaded artifact ${name} (id ${id}, ${files.length} files)`);
  } catch (error) {
    core.warning(`could not ${what}: ${(error as Error).message}`);
  }
}

/** The check's title: the headline a person reads in the checks list. */
function checkTitle(report: Report): string {
  const { summary } = report;
  if (summary.conclusion === 'neutral') return summary.note ?? 'no conclusion';
  if (summary.divergences === 0) return `no divergences in ${summary.tests} tests`;
  return `${summary.divergences} divergences (${summary.failing} failing) in ${summary.tests} tests`;
}

/** The check run with one annotation per divergence, and the comment on the pull request. */
async function publishReport(
  { env, services, inputs, access }: Step,
  check: OpenCheck,
  report: Report,
) {
  const located = await locateTests(
    report.tests.map((t) => t.id),
    [path.dirname(inputs.config)],
    env.workspace,
  );
  const fallback = path.relative(env.workspace, inputs.config).split(path.sep).join('/');
  const markdown = (budgetBytes: number) =>
    renderMarkdown(report, { budgetBytes, reportUrl: runUrl(env), title: inputs.baseCheckName });
  const pr = access.pullRequest;
  await publish(
    services.core,
    check,
    {
      conclusion: report.summary.conclusion,
      title: checkTitle(report),
      summary: markdown(65_000),
      annotations: annotationsFor(report, located, fallback),
    },
    pr && {
      issueNumber: pr.number,
      mode: inputs.comment,
      divergences: report.summary.divergences,
      state: stateOf([{ report }]),
      markdown,
    },
  );
}

/** Fails the step on failing divergences; a run without a conclusion is a warning. */
function concludeStep({ services }: Step, { settings }: Leg, report: Report): void {
  const { core } = services;
  if (report.summary.conclusion === 'failure')
    core.setFailed(
      `${report.summary.failing} failing divergences (fail-on: ${settings.failOn.join(', ')})`,
    );
  else if (report.summary.conclusion === 'neutral')
    core.warning(`no conclusion: ${report.summary.note ?? 'every reference is broken'}`);
}
