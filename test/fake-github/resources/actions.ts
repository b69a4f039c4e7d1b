/**
 * GitHub Actions: workflows, workflow runs and their artifacts. Runs are seeded by tests;
 * artifacts are seeded too, or uploaded through the results service like a real job's.
 */
import type { ArtifactRecord, WorkflowRecord, WorkflowRunRecord } from '../state.js';
import {
  ApiError,
  type Ctx,
  type Handler,
  newestFirst,
  notFound,
  num,
  paginate,
  repoOf,
  str,
} from './context.js';
import { pullMinimal } from './repos.js';
import { nodeId } from './shapes.js';

/** `status` accepts a status or a conclusion (`success` means completed successfully). */
const STATUSES = new Set(['completed', 'in_progress', 'queued', 'requested', 'waiting', 'pending']);

function workflowShape(ctx: Ctx, workflow: WorkflowRecord): Record<string, unknown> {
  const repo = ctx.state.repo(workflow.repo);
  return {
    id: workflow.id,
    node_id: nodeId('W', workflow.id),
    name: workflow.name,
    path: `.github/workflows/${workflow.file}`,
    state: 'active',
    created_at: workflow.createdAt,
    updated_at: workflow.createdAt,
    url: `${ctx.urls.repoApi(workflow.repo)}/actions/workflows/${workflow.id}`,
    html_url: `${ctx.urls.repoWeb(workflow.repo)}/blob/${repo?.defaultBranch ?? 'main'}/.github/workflows/${workflow.file}`,
    badge_url: `${ctx.urls.repoWeb(workflow.repo)}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`,
  };
}

export function runShape(ctx: Ctx, run: WorkflowRunRecord): Record<string, unknown> {
  const repo = ctx.state.repo(run.repo);
  const headRepo = ctx.state.repo(run.headRepoFullName) ?? repo;
  const workflow = ctx.state.workflows.find((w) => w.id === run.workflowId);
  if (!repo || !headRepo || !workflow)
    throw new Error(`workflow run ${run.id} lost its repository`);
  const api = `${ctx.urls.repoApi(run.repo)}/actions/runs/${run.id}`;
  const actor = ctx.shapes.user(run.actor);
  const pulls =
    run.event === 'pull_request' && ctx.query.exclude_pull_requests !== true
      ? [...ctx.state.pulls.values()].filter(
          (p) => p.repo === run.repo && p.head.sha === run.headSha,
        )
      : [];
  const author = { name: run.actor, email: `${run.actor}@users.noreply.github.com` };
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WFR', run.id),
    head_branch: run.branch,
    head_sha: run.headSha,
    path: `.github/workflows/${workflow.file}`,
    display_title: run.displayTitle,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.checkSuiteId,
    check_suite_node_id: nodeId('CS', run.checkSuiteId),
    url: api,
    html_url: `${ctx.urls.repoWeb(run.repo)}/actions/runs/${run.id}`,
    pull_requests: pulls.map((p) => pullMinimal(ctx, p)),
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor,
    triggering_actor: actor,
    referenced_workflows: [],
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    check_suite_url: `${ctx.urls.repoApi(run.repo)}/check-suites/${run.checkSuiteId}`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${ctx.urls.repoApi(run.repo)}/actions/workflows/${run.workflowId}`,
    head_commit: {
      id: run.headSha,
      tree_id: run.headSha.split('').reverse().join(''),
      message: run.displayTitle,
      timestamp: run.createdAt,
      author,
      committer: author,
    },
    repository: ctx.shapes.repo(repo, 'minimal'),
    head_repository: ctx.shapes.repo(headRepo, 'minimal'),
    head_repository_id: headRepo.id,
  };
}

export function artifactShape(ctx: Ctx, artifact: ArtifactRecord): Record<string, unknown> {
  const url = `${ctx.urls.repoApi(artifact.repo)}/actions/artifacts/${artifact.id}`;
  const run = ctx.state.run(artifact.runId);
  const repo = ctx.state.repo(artifact.repo);
  return {
    id: artifact.id,
    node_id: nodeId('MDg6QXJ0aWZhY3Q', artifact.id),
    name: artifact.name,
    size_in_bytes: artifact.data.length,
    url,
    archive_download_url: `${url}/zip`,
    expired: artifact.expired,
    digest: artifact.digest,
    created_at: artifact.createdAt,
    updated_at: artifact.createdAt,
    expires_at: artifact.expiresAt,
    workflow_run: run
      ? {
          id: run.id,
          repository_id: repo?.id ?? 0,
          head_repository_id: ctx.state.repo(run.headRepoFullName)?.id ?? repo?.id ?? 0,
          head_branch: run.branch,
          head_sha: run.headSha,
        }
      : null,
  };
}

/** GitHub's `created` filter: `DATE`, `>=DATE`, `<DATE`, `DATE..DATE`, `*..DATE`. */
function createdFilter(expr: string): (at: string) => boolean {
  const start = (d: string) => Date.parse(d.length === 10 ? `${d}T00:00:00Z` : d);
  const end = (d: string) => (d.length === 10 ? start(d) + 86_400_000 - 1 : Date.parse(d));
  const range = /^(.+)\.\.(.+)$/.exec(expr);
  const [lo, hi] = range
    ? [
        range[1] === '*' ? -Infinity : start(range[1] as string),
        range[2] === '*' ? Infinity : end(range[2] as string),
      ]
    : expr.startsWith('>=')
      ? [start(expr.slice(2)), Infinity]
      : expr.startsWith('>')
        ? [end(expr.slice(1)) + 1, Infinity]
        : expr.startsWith('<=')
          ? [-Infinity, end(expr.slice(2))]
          : expr.startsWith('<')
            ? [-Infinity, start(expr.slice(1)) - 1]
            : [start(expr), end(expr)];
  if (Number.isNaN(lo) || Number.isNaN(hi))
    throw new ApiError(422, `Invalid value for created: ${expr}`, {
      violation: `query "created": ${JSON.stringify(expr)} is not a date or date range`,
    });
  return (at) => Date.parse(at) >= lo && Date.parse(at) <= hi;
}

function listRuns(ctx: Ctx, runs: WorkflowRunRecord[]) {
  const q = ctx.query;
  const created = q.created === undefined ? () => true : createdFilter(str(q.created));
  const status = q.status === undefined ? undefined : str(q.status);
  const matching = runs
    .filter((r) => q.branch === undefined || r.branch === q.branch)
    .filter((r) => q.event === undefined || r.event === q.event)
    .filter((r) => q.head_sha === undefined || r.headSha === q.head_sha)
    .filter((r) => q.actor === undefined || r.actor.toLowerCase() === str(q.actor).toLowerCase())
    .filter((r) => q.check_suite_id === undefined || r.checkSuiteId === num(q.check_suite_id))
    .filter((r) =>
      status === undefined
        ? true
        : STATUSES.has(status)
          ? r.status === status
          : r.conclusion === status,
    )
    .filter((r) => created(r.createdAt))
    .sort(newestFirst);
  const page = paginate(ctx, matching);
  return {
    status: 200,
    body: { total_count: matching.length, workflow_runs: page.items.map((r) => runShape(ctx, r)) },
    headers: page.headers,
  };
}

function findWorkflow(ctx: Ctx): WorkflowRecord {
  const repo = repoOf(ctx);
  const id = ctx.params.workflow_id;
  const workflow = ctx.state.workflows.find(
    (w) => w.repo === repo.fullName && (typeof id === 'number' ? w.id === id : w.file === id),
  );
  if (!workflow) throw notFound();
  return workflow;
}

function findRun(ctx: Ctx): WorkflowRunRecord {
  const repo = repoOf(ctx);
  const run = ctx.state.run(num(ctx.params.run_id));
  if (!run || run.repo !== repo.fullName) throw notFound();
  return run;
}

function findArtifact(ctx: Ctx): ArtifactRecord {
  const repo = repoOf(ctx);
  const artifact = ctx.state.artifacts.find(
    (a) => a.id === num(ctx.params.artifact_id) && a.repo === repo.fullName,
  );
  if (!artifact) throw notFound();
  return artifact;
}

function listArtifacts(ctx: Ctx, artifacts: ArtifactRecord[], ascending: boolean) {
  const matching = artifacts
    .filter((a) => ctx.query.name === undefined || a.name === ctx.query.name)
    .sort((a, b) => (ascending ? -newestFirst(a, b) : newestFirst(a, b)));
  const page = paginate(ctx, matching);
  return {
    status: 200,
    body: { total_count: matching.length, artifacts: page.items.map((a) => artifactShape(ctx, a)) },
    headers: page.headers,
  };
}

export const actionsHandlers: Record<string, Handler> = {
  'actions/get-workflow': (ctx) => ({ status: 200, body: workflowShape(ctx, findWorkflow(ctx)) }),

  'actions/list-workflow-runs': (ctx) => {
    const workflow = findWorkflow(ctx);
    return listRuns(
      ctx,
      ctx.state.runs.filter((r) => r.workflowId === workflow.id),
    );
  },

  'actions/list-workflow-runs-for-repo': (ctx) => {
    const repo = repoOf(ctx);
    return listRuns(
      ctx,
      ctx.state.runs.filter((r) => r.repo === repo.fullName),
    );
  },

  'actions/get-workflow-run': (ctx) => ({ status: 200, body: runShape(ctx, findRun(ctx)) }),

  'actions/list-workflow-run-artifacts': (ctx) => {
    const run = findRun(ctx);
    return listArtifacts(
      ctx,
      ctx.state.artifactsOf(run.repo, run.id),
      ctx.query.direction === 'asc',
    );
  },

  'actions/list-artifacts-for-repo': (ctx) =>
    listArtifacts(ctx, ctx.state.artifactsOf(repoOf(ctx).fullName), false),

  'actions/get-artifact': (ctx) => ({ status: 200, body: artifactShape(ctx, findArtifact(ctx)) }),

  'actions/delete-artifact': (ctx) => {
    const artifact = findArtifact(ctx);
    ctx.state.artifacts.splice(ctx.state.artifacts.indexOf(artifact), 1);
    return { status: 204 };
  },

  'actions/download-artifact': (ctx) => {
    const artifact = findArtifact(ctx);
    if (ctx.params.archive_format !== 'zip')
      throw new ApiError(404, 'Not Found', {
        violation: `archive_format ${JSON.stringify(ctx.params.archive_format)}: GitHub serves artifacts as zip only`,
      });
    if (artifact.expired) throw new ApiError(410, 'Artifact has expired');
    const location = ctx.blobs.signDownload(
      artifact.data,
      artifact.contentType,
      `${artifact.name}.zip`,
    );
    return { status: 302, headers: { location } };
  },
};
