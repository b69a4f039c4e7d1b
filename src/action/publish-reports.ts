/**
 * The report/ sub-action: publishes report artifacts that other jobs (a matrix) or another
 * workflow (a fork's pull_request run, published from workflow_run) uploaded. It reads every
 * `diverge-report-<variant>` artifact of the run, validates each report against the schema (they
 * may come from a fork: they are untrusted), and posts one combined check run and one sticky
 * comment with the variant × class table.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import * as actionsGitHub from '@actions/github';
import { isDivergentClass } from '../compare/classes.js';
import { completeCheckRun, startCheckRun } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import { actionGitHub } from './client.js';
import { type PublishingInputs, readReportInputs } from './inputs.js';
import { COMMENT_LIMIT, commentBody, frameBudget, upsertComment } from '../github/comment.js';
import { download } from '../references/download.js';
import { extractZip } from '../references/zip.js';
import { renderMarkdown } from '../render/markdown.js';
import { type MatrixRow, renderMatrixMarkdown } from '../render/matrix.js';
import type { Report } from '../report/types.js';
import { validateReport } from '../report/validate.js';
import { REPORT_ARTIFACT_PREFIX, type PullRequestRecord } from './published.js';

type Context = typeof actionsGitHub.context;

interface Published {
  variant: string;
  report: Report;
  pullRequest?: PullRequestRecord;
}

/** Downloads and validates every report artifact of `runId`. */
async function readPublished(
  github: GitHub,
  owner: string,
  repo: string,
  runId: number,
): Promise<Published[]> {
  const artifacts = (
    await github.paginate(github.rest.actions.listWorkflowRunArtifacts, {
      owner,
      repo,
      run_id: runId,
      per_page: 100,
    })
  ).filter((a) => a.name.startsWith(REPORT_ARTIFACT_PREFIX) && !a.expired);
  const published: Published[] = [];
  for (const artifact of artifacts.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? tmpdir(), 'diverge-report-'));
    try {
      const response = await github.request(
        'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
        {
          owner,
          repo,
          artifact_id: artifact.id,
          archive_format: 'zip',
          request: { redirect: 'manual' },
        },
      );
      const location = response.headers.location;
      if (!location) throw new Error(`artifact ${artifact.name}: no download redirect`);
      await download(location, path.join(dir, 'a.zip'), { maxBytes: 512 * 1024 * 1024 });
      await extractZip(path.join(dir, 'a.zip'), path.join(dir, 'files'));
      const file = path.join(dir, 'files', 'report.json');
      const report = validateReport(
        JSON.parse(await readFile(file, 'utf8')),
        `${artifact.name}/report.json`,
      );
      const record = await readFile(path.join(dir, 'files', 'pull-request.json'), 'utf8')
        .then((text) => JSON.parse(text) as PullRequestRecord)
        .catch(() => undefined);
      published.push({
        variant: artifact.name.slice(REPORT_ARTIFACT_PREFIX.length),
        report,
        ...(record ? { pullRequest: record } : {}),
      });
    } catch (error) {
      core.warning(`skipping artifact ${artifact.name}: ${(error as Error).message}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return published;
}

/**
 * The pull request to comment on. From a workflow_run event the number comes from the uploaded
 * record, which the fork wrote; it is only believed when its head commit is the run's and its
 * base is this repository.
 */
function pullRequestOf(
  context: Context,
  published: Published[],
): { number: number; headSha: string } | undefined {
  const pr = context.payload.pull_request as { number: number; head: { sha: string } } | undefined;
  if (pr) return { number: pr.number, headSha: pr.head.sha };
  const run = context.payload.workflow_run as { head_sha: string } | undefined;
  if (!run) return undefined;
  const here = `${context.repo.owner}/${context.repo.repo}`;
  for (const { pullRequest } of published) {
    if (!pullRequest) continue;
    if (pullRequest.headSha !== run.head_sha || pullRequest.baseRepository !== here) {
      core.warning(
        `ignoring the pull request record of the triggering run: it names head ${pullRequest.headSha} in ${pullRequest.baseRepository}, but the run built ${run.head_sha} for ${here}`,
      );
      continue;
    }
    return { number: pullRequest.number, headSha: run.head_sha };
  }
  return undefined;
}

const WORST = ['failure', 'neutral', 'success'] as const;

export async function runReportAction(context: Context = actionsGitHub.context): Promise<void> {
  let inputs: PublishingInputs;
  try {
    inputs = readReportInputs();
  } catch (error) {
    core.setFailed((error as Error).message);
    return;
  }
  const github = actionGitHub(inputs.token);
  const { owner, repo } = context.repo;
  const run = context.payload.workflow_run as { id: number; head_sha: string } | undefined;
  const runId = run?.id ?? context.runId;
  const published = await readPublished(github, owner, repo, runId);
  if (published.length === 0) {
    core.setFailed(`no ${REPORT_ARTIFACT_PREFIX}* artifact with a valid report in run ${runId}`);
    return;
  }
  const rows: MatrixRow[] = published.map(({ variant, report }) => ({ variant, report }));
  const conclusion =
    WORST.find((c) => published.some((p) => p.report.summary.conclusion === c)) ?? 'neutral';
  const table = renderMatrixMarkdown(rows);
  const pr = pullRequestOf(context, published);
  const headSha = pr?.headSha ?? run?.head_sha ?? context.sha;
  const details = (budget: number) => {
    const each = Math.floor((budget - table.length - 200) / published.length);
    return published
      .map(({ report }) =>
        renderMarkdown(report, { budgetBytes: Math.max(each, 200), title: inputs.checkName }),
      )
      .join('\n\n');
  };

  const checkRunId = await startCheckRun(github, { owner, repo, headSha, name: inputs.checkName });
  const divergences = published.reduce((n, p) => n + p.report.summary.divergences, 0);
  await completeCheckRun(
    github,
    { owner, repo, headSha, name: inputs.checkName, checkRunId },
    {
      conclusion,
      title: `${published.length} variants, ${divergences} divergences`,
      summary: `${table}\n${details(60_000)}`,
      annotations: [],
    },
  );
  core.info(`check run "${inputs.checkName}" completed: ${conclusion}`);
  await core.summary.addRaw(table).write();

  if (pr && inputs.comment !== 'never') {
    const state = Object.fromEntries(
      published.flatMap(({ variant, report }) =>
        report.tests
          .filter((t) => isDivergentClass(t.verdict.class))
          .map((t) => [`${variant}: ${t.id}`, t.verdict.class]),
      ),
    );
    const budget = COMMENT_LIMIT - frameBudget(state);
    const result = await upsertComment(
      github,
      { owner, repo, issueNumber: pr.number, checkName: inputs.checkName },
      (previous) =>
        commentBody(
          inputs.checkName,
          `### ${inputs.checkName}: variants\n\n${table}\n${details(budget - 100)}`,
          state,
          previous,
        ),
      { createIfMissing: inputs.comment === 'always' || divergences > 0 },
    );
    if (result)
      core.info(`pull request comment ${result.created ? 'created' : 'updated'}: ${result.url}`);
  }
  core.setOutput('conclusion', conclusion);
  core.setOutput('divergences', divergences);
  if (conclusion === 'failure') core.setFailed('a variant has failing divergences');
}
