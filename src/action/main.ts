/**
 * The action on a runner: the local pipeline (build, fetch, boot, judge) wired to GitHub — a
 * check run per leg, the sticky pull-request comment, the job summary, outputs and artifacts.
 * The token goes to the GitHub client only: never into a Docker build or a guest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import * as core from '@actions/core';
import * as actionsGitHub from '@actions/github';
import { dockerAccess } from '../build/docker.js';
import { createRunContext } from '../context.js';
import { variantOf } from '../build/kernel.js';
import { loadConfig } from '../config/load.js';
import { runDifferential } from '../run/candidate.js';
import { annotationsFor, completeCheckRun, locateTests, startCheckRun } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import { actionGitHub } from './client.js';
import {
  COMMENT_LIMIT,
  commentBody,
  frameBudget,
  stateOf,
  upsertComment,
} from '../github/comment.js';
import { workflowFile } from '../github/environment.js';
import { publishedArtifactName } from '../references/sources/index.js';
import { resolveKernels } from '../references/resolve.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Report } from '../report/types.js';
import { type ActionInputs, readInputs } from './inputs.js';
import { cacheKeys, restoreCaches, saveCaches } from './cache.js';
import { listFiles } from './files.js';
import { type PullRequestRecord, REPORT_ARTIFACT_PREFIX } from './published.js';

type Context = typeof actionsGitHub.context;

interface PullRequest {
  number: number;
  head: { sha: string; repo?: { full_name?: string } | null };
  base: { sha: string; ref: string; repo: { full_name: string } };
}

/** What the event allows: a fork's pull_request token cannot write checks or comments. */
export function eventAccess(context: Context): {
  pullRequest?: PullRequest;
  fork: boolean;
  canWrite: boolean;
} {
  const pullRequest = context.payload.pull_request as PullRequest | undefined;
  const fork =
    pullRequest !== undefined &&
    pullRequest.head.repo?.full_name !== pullRequest.base.repo.full_name;
  const canWrite = !(context.eventName === 'pull_request' && fork);
  return { ...(pullRequest ? { pullRequest } : {}), fork, canWrite };
}

function runUrl(context: Context): string {
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  return `${server}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
}

/** The check's title: the headline a person reads in the checks list. */
function checkTitle(report: Report): string {
  const { summary } = report;
  if (summary.conclusion === 'neutral') return summary.note ?? 'no conclusion';
  if (summary.divergences === 0) return `no divergences in ${summary.tests} tests`;
  return `${summary.divergences} divergences (${summary.failing} failing) in ${summary.tests} tests`;
}

async function uploadArtifacts(name: string, outDir: string, files: string[]): Promise<void> {
  const client = new DefaultArtifactClient();
  const { id } = await client.uploadArtifact(name, files, outDir, { retentionDays: 30 });
  core.info(`uploaded artifact ${name} (id ${id}, ${files.length} files)`);
}

async function publish(
  github: GitHub,
  context: Context,
  inputs: ActionInputs,
  report: Report,
  access: ReturnType<typeof eventAccess>,
  checkRunId: number | undefined,
): Promise<void> {
  const { owner, repo } = context.repo;
  const headSha = access.pullRequest?.head.sha ?? context.sha;
  const conclusion = report.summary.conclusion;
  if (checkRunId !== undefined) {
    const settingsDir = path.dirname(inputs.config);
    const located = await locateTests(
      report.tests.map((t) => t.id),
      [settingsDir],
      process.env.GITHUB_WORKSPACE ?? inputs.workingDirectory,
    );
    const fallback = path
      .relative(process.env.GITHUB_WORKSPACE ?? inputs.workingDirectory, inputs.config)
      .split(path.sep)
      .join('/');
    const annotations = annotationsFor(report, located, fallback);
    await completeCheckRun(
      github,
      { owner, repo, headSha, name: inputs.checkName, checkRunId },
      {
        conclusion,
        title: checkTitle(report),
        summary: renderMarkdown(report, {
          budgetBytes: 65_000,
          reportUrl: runUrl(context),
          title: inputs.baseCheckName,
        }),
        annotations,
      },
    );
    core.info(
      `check run "${inputs.checkName}" completed: ${conclusion}, ${annotations.length} annotations`,
    );
  }
  const pr = access.pullRequest;
  if (!pr || !access.canWrite || inputs.comment === 'never') return;
  // The check run already carries the verdict: a comment that cannot be posted is a warning.
  try {
    const current = stateOf(report);
    const result = await upsertComment(
      github,
      { owner, repo, issueNumber: pr.number, checkName: inputs.checkName },
      (previous) =>
        commentBody(
          inputs.checkName,
          renderMarkdown(report, {
            budgetBytes: COMMENT_LIMIT - frameBudget(current),
            reportUrl: runUrl(context),
            title: inputs.baseCheckName,
          }),
          current,
          previous,
        ),
      { createIfMissing: inputs.comment === 'always' || report.summary.divergences > 0 },
    );
    if (result)
      core.info(`pull request comment ${result.created ? 'created' : 'updated'}: ${result.url}`);
  } catch (error) {
    core.warning(`could not post the pull request comment: ${(error as Error).message}`);
  }
}

export async function runAction(context: Context = actionsGitHub.context): Promise<void> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs();
  } catch (error) {
    core.setFailed((error as Error).message);
    return;
  }
  const access = eventAccess(context);
  if (context.eventName === 'pull_request_target' && access.fork && !inputs.allowForkCode) {
    core.setFailed(
      "refusing to build a fork's kernel under pull_request_target: that event runs with a write token. Use pull_request plus the report/ sub-action in a workflow_run workflow (see the README), or set allow-fork-code: true if you accept the risk.",
    );
    return;
  }
  const github = actionGitHub(inputs.token);
  const { owner, repo } = context.repo;
  const headSha = access.pullRequest?.head.sha ?? context.sha;
  let checkRunId: number | undefined;
  if (access.canWrite) {
    try {
      checkRunId = await startCheckRun(github, {
        owner,
        repo,
        headSha,
        name: inputs.checkName,
        detailsUrl: runUrl(context),
      });
    } catch (error) {
      core.setFailed(
        `cannot create the check run in ${owner}/${repo}: ${(error as Error).message} (does the workflow grant checks: write?)`,
      );
      return;
    }
  } else {
    core.warning(
      'this pull request comes from a fork, so its token cannot write checks or comments: the report is in the job summary and the artifacts; publish it with the report/ sub-action from a workflow_run workflow (see the README)',
    );
  }
  try {
    const settings = await loadConfig(inputs.config);
    const runContext = createRunContext(process.env);
    const keys = cacheKeys(
      await readFile(inputs.config, 'utf8'),
      variantOf(settings, inputs.variant),
      context.runId,
    );
    await restoreCaches(keys, runContext.cache);
    if (inputs.failOn) settings.failOn = inputs.failOn;
    const variant = variantOf(settings, inputs.variant);
    const outDir = path.join(
      process.env.RUNNER_TEMP ?? inputs.workingDirectory,
      'diverge',
      variant,
    );
    const docker = dockerAccess(runContext.dockerHost, undefined, (line) => core.info(line));
    const pr = access.pullRequest;
    const run = {
      variant,
      repository: `${owner}/${repo}`,
      ...(workflowFile(process.env.GITHUB_WORKFLOW_REF)
        ? { workflow: workflowFile(process.env.GITHUB_WORKFLOW_REF) as string }
        : {}),
      ...(pr ? { baseBranch: pr.base.ref, baseSha: pr.base.sha } : {}),
    };
    const kernels = await core.group('diverge: build and fetch the kernels', () =>
      resolveKernels(
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
          cache: runContext.cache,
        },
      ),
    );
    const report = await core.group('diverge: boot and judge', () =>
      runDifferential(runContext, settings, kernels, {
        outDir,
        docker,
        variant,
        progress: (line) => core.info(line),
      }),
    );
    const markdown = renderMarkdown(report, {
      reportUrl: runUrl(context),
      title: inputs.baseCheckName,
    });
    await core.summary.addRaw(markdown).write();
    core.setOutput('conclusion', report.summary.conclusion);
    core.setOutput('divergences', report.summary.divergences);
    core.setOutput('regressions', report.summary.byClass.regression ?? 0);
    core.setOutput('report', path.join(outDir, 'report.json'));

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
        'boots.json',
        'pull-request.json',
        'logs',
      ]);
      await uploadArtifacts(`${REPORT_ARTIFACT_PREFIX}${variant}`, outDir, files).catch(
        (error: Error) => core.warning(`could not upload the report artifact: ${error.message}`),
      );
    }
    if (inputs.publishKernel && context.eventName === 'push') {
      await uploadArtifacts(publishedArtifactName(variant), path.dirname(kernels.candidate.path), [
        kernels.candidate.path,
      ]).catch((error: Error) => core.warning(`could not publish the kernel: ${error.message}`));
    }
    await publish(github, context, inputs, report, access, checkRunId);
    await saveCaches(keys, runContext.cache);
    if (report.summary.conclusion === 'failure')
      core.setFailed(
        `${report.summary.failing} failing divergences (fail-on: ${settings.failOn.join(', ')})`,
      );
    else if (report.summary.conclusion === 'neutral')
      core.warning(`no conclusion: ${report.summary.note ?? 'every reference is broken'}`);
  } catch (error) {
    const message = (error as Error).message;
    // The job summary is written whatever happened: it is where people look first.
    await core.summary
      .addHeading('diverge could not run', 3)
      .addCodeBlock(message.slice(0, 60_000))
      .write()
      .catch(() => undefined);
    if (checkRunId !== undefined)
      await completeCheckRun(
        github,
        { owner, repo, headSha, name: inputs.checkName, checkRunId },
        {
          conclusion: 'failure',
          title: 'diverge could not run',
          summary: `\`\`\`\n${message.slice(0, 60_000)}\n\`\`\``,
          annotations: [],
        },
      ).catch(() => undefined);
    core.setFailed(message);
  }
}
