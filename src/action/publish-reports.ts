/**
 * The report/ sub-action: publishes report artifacts that other jobs (a matrix) or another
 * workflow (a fork's pull_request run, published from workflow_run) uploaded. It reads every
 * `diverge-report-<variant>` artifact of the run, validates each report against the schema (they
 * may come from a fork: they are untrusted), and posts one combined check run and one sticky
 * comment with the variant × class table.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GitHub } from '../github/client.js';
import { stateOf } from '../github/comment.js';
import { download } from '../references/download.js';
import { extractZip } from '../references/zip.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderMatrixMarkdown } from '../render/matrix.js';
import type { Report } from '../model/report.js';
import { validateReport } from '../report/validate.js';
import type { ActionEnvironment, GitHubContext } from './environment.js';
import { type PublishingInputs, readReportInputs } from './inputs.js';
import { createCheck, publish, type Publisher, withErrorBoundary } from './publish.js';
import { REPORT_ARTIFACT_PREFIX, type PullRequestRecord } from './published.js';
import type { ActionCore, PublishServices } from './services.js';

interface Published {
  variant: string;
  report: Report;
  pullRequest?: PullRequestRecord;
}

/**
 * Downloads and validates every report artifact of `runId`; an artifact that fails is skipped
 * with a warning, and none at all is an error.
 */
async function readPublished(
  core: ActionCore,
  github: GitHub,
  env: ActionEnvironment,
  runId: number,
): Promise<Published[]> {
  const { owner, repo } = env.context.repo;
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
    const dir = await mkdtemp(path.join(env.runnerTemp, 'diverge-report-'));
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
  if (published.length === 0)
    throw new Error(`no ${REPORT_ARTIFACT_PREFIX}* artifact with a valid report in run ${runId}`);
  return published;
}

/** The workflow run whose artifacts are published: the triggering one under workflow_run. */
function triggeringRun(context: GitHubContext): { id: number; head_sha: string } | undefined {
  return context.payload.workflow_run as { id: number; head_sha: string } | undefined;
}

/** The commit the check run goes on: the pull request's head, else the run's. */
function headShaOf(context: GitHubContext): string {
  const pr = context.payload.pull_request as { head: { sha: string } } | undefined;
  return pr?.head.sha ?? triggeringRun(context)?.head_sha ?? context.sha;
}

/**
 * The pull request to comment on. From a workflow_run event the number comes from the uploaded
 * record, which the fork wrote; it is only believed when its head commit is the run's and its
 * base is this repository.
 */
function pullRequestOf(
  core: ActionCore,
  context: GitHubContext,
  published: Published[],
): number | undefined {
  const pr = context.payload.pull_request as { number: number } | undefined;
  if (pr) return pr.number;
  const run = triggeringRun(context);
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
    return pullRequest.number;
  }
  return undefined;
}

const WORST = ['failure', 'neutral', 'success'] as const;

/** The reports taken together: the worst conclusion, every divergence, the variant table. */
function combine(published: Published[]) {
  return {
    published,
    conclusion:
      WORST.find((c) => published.some((p) => p.report.summary.conclusion === c)) ?? 'neutral',
    divergences: published.reduce((n, p) => n + p.report.summary.divergences, 0),
    table: renderMatrixMarkdown(published),
  };
}

type Combined = ReturnType<typeof combine>;

/**
 * The report/ sub-action: check run created → reports read → summary and outputs → publish.
 * Once the check run exists, any failure completes it.
 */
export async function runPublishReports(
  env: ActionEnvironment,
  services: PublishServices,
): Promise<void> {
  const { core } = services;
  let inputs: PublishingInputs;
  try {
    inputs = readReportInputs((name) => core.getInput(name));
  } catch (error) {
    core.setFailed((error as Error).message);
    return;
  }
  const github = services.github(inputs.token);
  const { owner, repo } = env.context.repo;
  const check = await createCheck(
    core,
    github,
    { owner, repo, headSha: headShaOf(env.context), name: inputs.checkName },
    services.clock,
  );
  if (!check) return;
  await withErrorBoundary(core, check, async () => {
    const runId = triggeringRun(env.context)?.id ?? env.context.runId;
    const published = await readPublished(core, github, env, runId);
    const combined = combine(published);
    await core.summary.addRaw(combined.table).write();
    core.setOutput('conclusion', combined.conclusion);
    core.setOutput('divergences', combined.divergences);
    // Each variant's report.html is in its artifact, in the run that uploaded them.
    const artifactsRun = `${env.serverUrl}/${owner}/${repo}/actions/runs/${runId}`;
    await publishCombined(
      core,
      check,
      inputs,
      combined,
      pullRequestOf(core, env.context, published),
      artifactsRun,
    );
    if (combined.conclusion === 'failure') core.setFailed('a variant has failing divergences');
  });
}

/** One check run and one comment for all variants: the table, then each report in its share. */
async function publishCombined(
  core: ActionCore,
  check: Publisher,
  inputs: PublishingInputs,
  { published, conclusion, divergences, table }: Combined,
  issueNumber: number | undefined,
  artifactsRun: string,
): Promise<void> {
  const details = (budget: number) => {
    const each = Math.floor((budget - table.length - 200) / published.length);
    return published
      .map(({ report, variant }) =>
        renderMarkdown(report, {
          budgetBytes: Math.max(each, 200),
          title: inputs.checkName,
          htmlReport: { artifact: `${REPORT_ARTIFACT_PREFIX}${variant}`, runUrl: artifactsRun },
        }),
      )
      .join('\n\n');
  };
  await publish(
    core,
    check,
    {
      conclusion,
      title: `${published.length} variants, ${divergences} divergences`,
      summary: `${table}\n${details(60_000)}`,
      annotations: [],
    },
    issueNumber === undefined
      ? undefined
      : {
          issueNumber,
          mode: inputs.comment,
          divergences,
          state: stateOf(published),
          markdown: (budget) =>
            `### ${inputs.checkName}: variants\n\n${table}\n${details(budget - 100)}`,
        },
  );
}
