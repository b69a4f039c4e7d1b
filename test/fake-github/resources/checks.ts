/**
 * Check runs: create, update, get, list for a ref, list annotations. The store keeps every
 * annotation sent and the status/conclusion/output after each request, so tests can assert on
 * what the product published, not only on its final state.
 */
import type { Annotation, CheckOutput, CheckRunRecord } from '../state.js';
import { timestamp } from '../state.js';
import {
  ApiError,
  type Ctx,
  type Handler,
  notFound,
  num,
  paginate,
  repoOf,
  str,
  unprocessable,
} from './context.js';
import { pullMinimal } from './repos.js';
import { nodeId } from './shapes.js';

interface OutputBody {
  title?: string;
  summary?: string;
  text?: string;
  annotations?: Annotation[];
}

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: string;
  started_at?: string;
  conclusion?: string;
  completed_at?: string;
  output?: OutputBody;
}

const MAX_ANNOTATION_TEXT = 64 * 1024;

export function checkRunShape(ctx: Ctx, run: CheckRunRecord): Record<string, unknown> {
  const url = `${ctx.urls.repoApi(run.repo)}/check-runs/${run.id}`;
  const html = `${ctx.urls.repoWeb(run.repo)}/runs/${run.id}`;
  const pulls = [...ctx.state.pulls.values()].filter(
    (p) => p.repo === run.repo && p.head.sha === run.headSha && p.head.repoFullName === run.repo,
  );
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('CR', run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? '',
    url,
    html_url: html,
    details_url: run.detailsUrl ?? html,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    check_suite: { id: run.checkSuiteId },
    app: ctx.shapes.actionsApp(),
    pull_requests: pulls.map((p) => pullMinimal(ctx, p)),
  };
}

/** The rules GitHub applies beyond the schema, each a 422 and a violation. */
function checkAnnotations(annotations: Annotation[] | undefined): void {
  (annotations ?? []).forEach((a, i) => {
    const at = `output.annotations[${i}]`;
    const fail = (why: string, field: string) =>
      unprocessable(`${at}: ${why}`, { resource: 'CheckRun', field: `${at}.${field}` });
    if (a.start_line < 1) throw fail('start_line must be 1 or more', 'start_line');
    if (a.end_line < a.start_line) throw fail('end_line is before start_line', 'end_line');
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line)
      throw fail('start_column and end_column are only allowed on a single line', 'start_column');
    if (a.title !== undefined && a.title.length > 255)
      throw fail('title is longer than 255 characters', 'title');
    if (Buffer.byteLength(a.message) > MAX_ANNOTATION_TEXT)
      throw fail('message is larger than 64 KB', 'message');
    if (a.raw_details !== undefined && Buffer.byteLength(a.raw_details) > MAX_ANNOTATION_TEXT)
      throw fail('raw_details is larger than 64 KB', 'raw_details');
  });
}

function checkCompletion(body: CheckRunBody, hadConclusion: boolean): void {
  if (body.conclusion === 'stale')
    throw unprocessable('conclusion "stale" can only be set by GitHub', {
      resource: 'CheckRun',
      field: 'conclusion',
    });
  const completing = body.status === 'completed' || body.completed_at !== undefined;
  if (completing && !body.conclusion && !hadConclusion)
    throw unprocessable(
      '"conclusion" is required when status is completed or completed_at is set',
      {
        resource: 'CheckRun',
        field: 'conclusion',
        code: 'missing_field',
      },
    );
}

/** Applies a create or update body to a run and records the step in its history. */
function apply(run: CheckRunRecord, body: CheckRunBody): void {
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url;
  if (body.external_id !== undefined) run.externalId = body.external_id;
  if (body.started_at !== undefined) run.startedAt = timestamp(body.started_at);
  if (body.status !== undefined) run.status = body.status;
  // GitHub: "Providing conclusion will automatically set the status parameter to completed."
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed' && !run.completedAt)
    run.completedAt = timestamp(body.completed_at ?? Date.now());
  else if (body.completed_at !== undefined) run.completedAt = timestamp(body.completed_at);
  const added = body.output?.annotations ?? [];
  if (body.output) {
    const output: CheckOutput = {
      title: body.output.title ?? run.output.title,
      summary: body.output.summary ?? null,
      text: body.output.text ?? null,
    };
    run.output = output;
    run.annotations.push(...added.map((a) => ({ ...a })));
  }
  run.history.push({
    at: timestamp(),
    status: run.status,
    conclusion: run.conclusion,
    output: { ...run.output },
    annotationsAdded: added.length,
  });
}

function findRun(ctx: Ctx): CheckRunRecord {
  const repo = repoOf(ctx);
  const run = ctx.state.checkRuns.find(
    (r) => r.id === num(ctx.params.check_run_id) && r.repo === repo.fullName,
  );
  if (!run) throw notFound();
  return run;
}

/** A commit SHA, or a branch (`main`, `heads/main`, `refs/heads/main`) the store knows. */
function resolveRef(ctx: Ctx, ref: string): string {
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  const repo = repoOf(ctx);
  const branch = ref.replace(/^refs\//, '').replace(/^heads\//, '');
  const sha = repo.branches.get(branch);
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

export const checkHandlers: Record<string, Handler> = {
  'checks/create': (ctx) => {
    const repo = repoOf(ctx);
    const body = ctx.body as CheckRunBody;
    const headSha = str(body.head_sha);
    // GitHub looks the commit up; a branch name or a short SHA here is a classic mistake.
    if (!/^[0-9a-f]{40}$/i.test(headSha))
      throw unprocessable(`head_sha ${JSON.stringify(headSha)} is not a full commit SHA`, {
        resource: 'CheckRun',
        field: 'head_sha',
      });
    checkCompletion(body, false);
    checkAnnotations(body.output?.annotations);
    const suite = ctx.state.checkRuns.find(
      (r) => r.repo === repo.fullName && r.headSha === headSha.toLowerCase(),
    );
    const run: CheckRunRecord = {
      id: ctx.state.nextId(),
      repo: repo.fullName,
      name: str(body.name),
      headSha: headSha.toLowerCase(),
      status: body.status ?? 'queued',
      conclusion: null,
      startedAt: timestamp(body.started_at ?? Date.now()),
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      history: [],
      checkSuiteId: suite?.checkSuiteId ?? ctx.state.nextId(),
      login: ctx.token?.login ?? '',
    };
    apply(run, body);
    ctx.state.checkRuns.push(run);
    return { status: 201, body: checkRunShape(ctx, run) };
  },

  'checks/update': (ctx) => {
    const run = findRun(ctx);
    const body = ctx.body as CheckRunBody;
    checkCompletion(body, run.conclusion !== null);
    // The description marks output.title "**Required**" in prose only.
    if (body.output && body.output.title === undefined)
      throw unprocessable('output.title is required when output is given', {
        resource: 'CheckRun',
        field: 'output.title',
        code: 'missing_field',
      });
    checkAnnotations(body.output?.annotations);
    apply(run, body);
    return { status: 200, body: checkRunShape(ctx, run) };
  },

  'checks/get': (ctx) => ({ status: 200, body: checkRunShape(ctx, findRun(ctx)) }),

  'checks/list-annotations': (ctx) => {
    const run = findRun(ctx);
    const blob = `${ctx.urls.repoWeb(run.repo)}/blob/${run.headSha}`;
    const all = run.annotations.map((a) => ({
      path: a.path,
      blob_href: `${blob}/${a.path}`,
      start_line: a.start_line,
      end_line: a.end_line,
      start_column: a.start_column ?? null,
      end_column: a.end_column ?? null,
      annotation_level: a.annotation_level,
      title: a.title ?? null,
      message: a.message,
      raw_details: a.raw_details ?? null,
    }));
    const page = paginate(ctx, all);
    return { status: 200, body: page.items, headers: page.headers };
  },

  'checks/list-for-ref': (ctx) => {
    const repo = repoOf(ctx);
    const sha = resolveRef(ctx, str(ctx.params.ref));
    let runs = ctx.state.checkRuns
      .filter((r) => r.repo === repo.fullName && r.headSha === sha)
      .filter((r) => ctx.query.check_name === undefined || r.name === ctx.query.check_name)
      .filter((r) => ctx.query.status === undefined || r.status === ctx.query.status)
      // Every check run of the fake belongs to the GitHub Actions app.
      .filter(() => ctx.query.app_id === undefined || num(ctx.query.app_id) === 15368)
      .sort((a, b) => b.id - a.id);
    if (ctx.query.filter !== 'all') {
      // `latest`: the most recent run of each name.
      const seen = new Set<string>();
      runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
    }
    const page = paginate(ctx, runs);
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: page.items.map((r) => checkRunShape(ctx, r)) },
      headers: page.headers,
    };
  },
};
