/**
 * The action on a runner: the local pipeline (build, fetch, boot, judge) wired to GitHub — a
 * check run per leg, the sticky pull-request comment, the job summary, outputs and artifacts.
 * `runAction` reads as its steps; each is a small function below. The token goes to the GitHub
 * client only: never into a Docker build or a guest.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dockerAccess } from '../docker/docker.js';
import { variantOf } from '../docker/kernel.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { annotationsFor, locateTests } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import { stateOf } from '../github/comment.js';
import { eventBase, type EventPayload, workflowFile } from '../github/environment.js';
import { publishedArtifactName } from '../references/sources/index.js';
import { type MarkdownOptions, renderMarkdown } from '../render/markdown.js';
import type { Report } from '../model/report.js';
import { type CacheKeys, cacheKeys, restoreCaches, saveCaches } from './cache.js';
import {
  type ActionEnvironment,
  type GitHubContext,
  isDefaultBranchPush,
  runUrl,
} from './environment.js';
import { writeCourseOutputs } from './course-outputs.js';
import { listFiles } from './files.js';
import { type ActionInputs, readInputs } from './inputs.js';
import {
  completeOnce,
  createCheck,
  publish,
  type Publisher,
  reportMissed,
  withErrorBoundary,
} from './publish.js';
import { type PullRequestRecord, REPORT_ARTIFACT_PREFIX } from './published.js';
import { CHECK_RUN_STATE } from './post.js';
import type { ActionServices } from './services.js';
import { finishedBoots } from './cancel.js';
import { grantKvm, installQemu, tcgNote } from './host.js';
import { bisectPush } from './bisect.js';
import { type KeptHistory, keepHistory } from './history.js';
import { trackIssues } from './issues.js';
import type { BisectCulprit } from '../history/tracking.js';
import { shellQuote } from '../util/shell.js';

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
  const publisher = await createCheck(core, step.github, checkTarget(step), services.clock, {
    mode: step.inputs.checkRun,
    ...(step.access.canWrite ? {} : { readOnly: FORK_READ_ONLY }),
  });
  if (!publisher) return;
  if (publisher.checkRun) core.saveState(CHECK_RUN_STATE, checkRunState(publisher));
  await withErrorBoundary(core, publisher, async () => {
    const leg = await loadLeg(step);
    services.cancellation.onCancel((signal) => cancelRun(step, publisher, leg, signal));
    await setUpHost(step, leg);
    const restored = await restoreCaches(services.cache, core, services.run.cache, leg.cacheKeys);
    const { kernels, report } = await runPipeline(step, leg);
    if (services.cancellation.cancelled) return; // cancelRun reports what finished
    const tcg = await accelerator(step, leg, report);
    // The course's files (JUnit, Classroom) are in the artifact; the summary and the comment
    // link the artifact, so they come after its upload.
    await writeCourseOutputs(services.core, leg.settings, leg.outDir, report);
    const artifactId = await uploadArtifacts(step, leg, kernels);
    const pages = {
      tcg,
      ...htmlReportOf(step, report, artifactId),
      reproduce: reproduce(step, leg),
    };
    await writeOutputs(step, leg, report, pages);
    await publishReport(step, publisher, report, pages);
    const culprit = step.inputs.bisect ? await bisectPush({ ...step, ...leg }) : undefined;
    if (step.inputs.history) await historyStep(step, leg, step.inputs.history, culprit);
    await saveCaches(services.cache, core, services.run.cache, leg.cacheKeys, {
      ...restored,
      defaultBranchPush: isDefaultBranchPush(env.context),
    });
    concludeStep(step, leg, report);
  });
}

/**
 * `history: <branch>`: the run kept in the branch, then (track-issues) the tracked issues
 * brought in line; what goes wrong there is a warning only.
 */
async function historyStep(step: Step, leg: Leg, branch: string, culprit?: BisectCulprit) {
  const { env, services, inputs, github } = step;
  const { core } = services;
  let kept: KeptHistory | undefined;
  try {
    kept = await keepHistory({
      env,
      core,
      branch,
      report: path.join(leg.outDir, 'report.json'),
      now: services.clock.now(),
    });
    if (kept) core.setOutput('history-site', kept.site);
  } catch (error) {
    core.warning(`history: the run was not kept in ${branch}: ${(error as Error).message}`);
  }
  if (!kept || !inputs.trackIssues) return;
  try {
    await trackIssues({
      env,
      core,
      github,
      timeline: kept.timeline,
      branch,
      closeAfter: inputs.trackIssuesCloseAfter,
      ...(culprit ? { culprit } : {}),
    });
  } catch (error) {
    core.warning(`track-issues: ${(error as Error).message}`);
  }
}

/** What the post: step needs to complete a check run a killed main step left in progress. */
function checkRunState({ target, checkRun }: Publisher): string {
  return JSON.stringify({ owner: target.owner, repo: target.repo, id: checkRun?.id });
}

const FORK_READ_ONLY =
  'this pull request comes from a fork, so its token cannot write checks or comments: the report is in the job summary and the artifacts; publish it with the report/ sub-action from a workflow_run workflow (see the README)';

/**
 * A cancelled run (SIGINT/SIGTERM): QEMU stopped, the check run completed as cancelled with the
 * boots that finished, the partial report uploaded, the step failed.
 */
async function cancelRun(step: Step, publisher: Publisher, leg: Leg, signal: string) {
  const { core, run } = step.services;
  const stopped = run.processes.killAll();
  if (publisher.completed) return; // too late: the verdict is out
  publisher.cancelling = true;
  const finished = await finishedBoots(leg.outDir);
  const text = [
    `diverge was cancelled (${signal}): ${stopped} QEMU process(es) stopped.`,
    finished.length
      ? `Boots that finished:\n${finished.map((line) => `- ${line}`).join('\n')}`
      : 'No boot had finished.',
  ].join('\n\n');
  await core.summary
    .addRaw(`\n\n${text}\n`)
    .write()
    .catch(() => undefined);
  await completeOnce(publisher, {
    conclusion: 'cancelled',
    title: 'cancelled',
    summary: text,
    annotations: [],
  }).catch((error: Error) => core.warning(`could not complete the check run: ${error.message}`));
  await uploadReport(step, leg, ['observations']);
  core.setFailed(`cancelled (${signal})`);
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
    cacheKeys: cacheKeys(configText, variant),
  };
}

/** Builds and fetches the kernels, then boots and judges them, each in a log group. */
async function runPipeline(
  { env, services, github, inputs }: Step,
  { settings, variant, outDir }: Leg,
): Promise<{ kernels: Kernels; report: Report }> {
  const { core, pipeline, run: context } = services;
  const docker = dockerAccess(
    context.dockerHost,
    undefined,
    (line) => core.info(line),
    context.waits.dockerMs,
    context.builder,
    inputs.buildCache,
  );
  const { owner, repo } = env.context.repo;
  const workflow = workflowFile(env.workflowRef);
  const base = eventBase(env.context.payload as EventPayload);
  const run = {
    variant,
    repository: `${owner}/${repo}`,
    ...(workflow ? { workflow } : {}),
    ...(base.ref ? { baseBranch: base.ref } : {}),
    ...(base.sha ? { baseSha: base.sha } : {}),
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
        clock: context.clock,
        waits: context.waits,
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

/** install-qemu and kvm: QEMU installed and /dev/kvm opened before anything boots. */
async function setUpHost({ services, inputs }: Step, { settings }: Leg) {
  const { core, host, run } = services;
  if (inputs.installQemu === 'auto') await installQemu(core, host, settings, run);
  if (inputs.kvm === 'auto') await grantKvm(core, host, run);
}

/**
 * The accel output; when the run fell back to TCG, a warning that says why, returned for the top
 * of the job summary and the check.
 */
async function accelerator({ services }: Step, { outDir }: Leg, report: Report) {
  const { core } = services;
  const accel = report.run.host.accel;
  core.setOutput('accel', accel);
  const saved = await readFile(path.join(outDir, 'boots.json'), 'utf8').catch(() => '{}');
  const reason = (JSON.parse(saved) as { host?: { accelReason?: string } }).host?.accelReason;
  const note = tcgNote(accel, reason);
  if (note) core.warning(note);
  return note;
}

/** The job summary and the step's outputs. */
async function writeOutputs(step: Step, leg: Leg, report: Report, pages: Pages) {
  const { env, services, inputs } = step;
  const { core } = services;
  const { tcg, ...markdown } = pages;
  await core.summary
    .addRaw(
      (tcg ? `> **${tcg}**\n\n` : '') +
        renderMarkdown(report, {
          reportUrl: runUrl(env),
          title: inputs.baseCheckName,
          ...markdown,
        }),
    )
    .write();
  core.setOutput('conclusion', report.summary.conclusion);
  core.setOutput('divergences', report.summary.divergences);
  core.setOutput('regressions', report.summary.byClass.regression ?? 0);
  core.setOutput('report', path.join(leg.outDir, 'report.json'));
  core.setOutput('report-html', path.join(leg.outDir, 'report.html'));
}

/** What the summary and the comment say beside the report: the accelerator, links, a command. */
type Pages = Pick<MarkdownOptions, 'htmlReport' | 'reproduce'> & { tcg: string | undefined };

/**
 * Where the uploaded report.html is, for the Markdown to say (the artifact's own address when
 * the upload gave its id); nothing when nothing is uploaded.
 */
function htmlReportOf({ env, inputs }: Step, report: Report, artifactId?: number) {
  const run = runUrl(env);
  return inputs.uploadArtifacts
    ? {
        htmlReport: {
          artifact: `${REPORT_ARTIFACT_PREFIX}${report.variant}`,
          runUrl: run,
          ...(artifactId !== undefined ? { url: `${run}/artifacts/${artifactId}` } : {}),
        },
      }
    : {};
}

/** The command that runs the same judgement in a clone of the repository (README: Run locally). */
function reproduce({ env, inputs }: Step, leg: Leg): string {
  const config = path.relative(env.workspace, inputs.config).split(path.sep).join('/');
  const quoted = (word: string) => (/^[\w./=-]+$/.test(word) ? word : shellQuote(word));
  const variant = inputs.variant ? ['--variant', leg.variant] : [];
  return ['diverge', 'run', '--config', config, ...variant].map(quoted).join(' ');
}

/**
 * The report artifact, with the pull-request record the report/ sub-action needs to publish a
 * fork's report; on a push, the built kernel, which later pull requests take as their base. An
 * upload that fails is a warning: the verdict does not depend on it. Returns the report
 * artifact's id, when it was uploaded.
 */
async function uploadArtifacts(step: Step, leg: Leg, kernels: Kernels) {
  const { env, inputs } = step;
  const reportId = await uploadReport(step, leg);
  if (inputs.publishKernel && env.context.eventName === 'push') {
    const kernel = kernels.candidate.path;
    await upload(
      step,
      publishedArtifactName(leg.variant),
      path.dirname(kernel),
      [kernel],
      'publish the kernel',
      inputs.kernelRetentionDays,
    );
  }
  return reportId;
}

/** The report artifact (whatever of it exists, and `partial` entries), with the pull-request record. */
async function uploadReport(
  step: Step,
  { variant, outDir }: Leg,
  partial: string[] = [],
): Promise<number | undefined> {
  const { inputs, access } = step;
  if (!inputs.uploadArtifacts) return undefined;
  const pr = access.pullRequest;
  if (pr) {
    await mkdir(outDir, { recursive: true });
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
    'report.html',
    'junit.xml',
    'boots.json',
    'pull-request.json',
    'logs',
    ...partial,
  ]);
  return upload(
    step,
    `${REPORT_ARTIFACT_PREFIX}${variant}`,
    outDir,
    files,
    'upload the report artifact',
  );
}

async function upload(
  { services }: Step,
  name: string,
  dir: string,
  files: string[],
  what: string,
  retentionDays = 30,
): Promise<number | undefined> {
  const { core, artifacts } = services;
  try {
    const { id } = await artifacts.uploadArtifact(name, files, dir, { retentionDays });
    core.info(`uploaded artifact ${name} (id ${id}, ${files.length} files)`);
    return id;
  } catch (error) {
    core.warning(`could not ${what}: ${(error as Error).message}`);
    return undefined;
  }
}

/** The check's title: the headline a person reads in the checks list. */
function checkTitle(report: Report): string {
  const { summary } = report;
  if (summary.conclusion === 'neutral') return summary.note ?? 'no conclusion';
  if (summary.divergences === 0) return `no divergences in ${summary.tests} tests`;
  return `${summary.divergences} divergences (${summary.failing} failing) in ${summary.tests} tests`;
}

/**
 * The check run with one annotation per divergence (or, without a check run, annotations of the
 * step), the comment on the pull request, their pages as outputs, and in the job summary what
 * could not be published.
 */
async function publishReport(step: Step, publisher: Publisher, report: Report, pages: Pages) {
  const { env, services, inputs, access } = step;
  const { tcg, ...links } = pages;
  const located = await locateTests(
    report.tests.map((t) => t.id),
    [path.dirname(inputs.config)],
    env.workspace,
  );
  const fallback = path.relative(env.workspace, inputs.config).split(path.sep).join('/');
  const markdown = (budgetBytes: number) =>
    renderMarkdown(report, {
      budgetBytes,
      reportUrl: runUrl(env),
      title: inputs.baseCheckName,
      ...links,
    });
  const pr = access.pullRequest;
  const { core } = services;
  const published = await publish(
    core,
    publisher,
    {
      conclusion: report.summary.conclusion,
      title: checkTitle(report),
      summary: (tcg ? `> **${tcg}**\n\n` : '') + markdown(64_000),
      annotations: annotationsFor(report, located, fallback),
    },
    pr && {
      issueNumber: pr.number,
      mode: inputs.comment,
      replacement: inputs.commentMode,
      divergences: report.summary.divergences,
      state: stateOf([{ report }]),
      markdown,
    },
  );
  core.setOutput('check-url', published.checkUrl ?? '');
  core.setOutput('comment-url', published.commentUrl ?? '');
  await reportMissed(core, publisher);
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
