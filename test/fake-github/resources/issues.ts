/**
 * Issues: list a repository's (by state and labels), get, create, update (title, body, labels,
 * state and its reason). The author is the token's login; labels are created as they are named,
 * as GitHub does for a caller that may push. Pull requests are issues too: the list shows them
 * with a `pull_request` field, as GitHub's does.
 */
import type { IssueRecord } from '../state.js';
import { timestamp } from '../state.js';
import { MAX_COMMENT } from './comments.js';
import {
  type Ctx,
  type Handler,
  notFound,
  num,
  paginate,
  repoOf,
  str,
  unprocessable,
} from './context.js';
import { nodeId } from './shapes.js';

/** GitHub's limit on issue titles, in characters. */
const MAX_TITLE = 256;

type Label = string | { name?: string };

function labelShape(ctx: Ctx, repo: string, name: string): Record<string, unknown> {
  const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_007, 7);
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${ctx.urls.repoApi(repo)}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: 'ededed',
    default: false,
  };
}

function issueShape(ctx: Ctx, issue: IssueRecord): Record<string, unknown> {
  const api = `${ctx.urls.repoApi(issue.repo)}/issues/${issue.number}`;
  const web = `${ctx.urls.repoWeb(issue.repo)}/${issue.isPull ? 'pull' : 'issues'}/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId('I', issue.id),
    url: api,
    repository_url: ctx.urls.repoApi(issue.repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: web,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: ctx.shapes.user(issue.user),
    labels: issue.labels.map((name) => labelShape(ctx, issue.repo, name)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: ctx.state.commentsOf(issue.repo, issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: issue.user.endsWith('[bot]') ? 'NONE' : 'OWNER',
    ...(issue.isPull
      ? {
          pull_request: {
            url: `${ctx.urls.repoApi(issue.repo)}/pulls/${issue.number}`,
            html_url: web,
            diff_url: `${web}.diff`,
            patch_url: `${web}.patch`,
          },
        }
      : {}),
  };
}

function findIssue(ctx: Ctx): IssueRecord {
  const repo = repoOf(ctx);
  const issue = ctx.state.issue(repo.fullName, num(ctx.params.issue_number));
  if (!issue) throw notFound();
  return issue;
}

function checkText(fields: { title?: unknown; body?: unknown }): void {
  if (typeof fields.title === 'string') {
    if (fields.title.trim() === '')
      throw unprocessable('title cannot be blank', { resource: 'Issue', field: 'title' });
    if ([...fields.title].length > MAX_TITLE)
      throw unprocessable(`title is too long (maximum is ${MAX_TITLE} characters)`, {
        resource: 'Issue',
        field: 'title',
      });
  }
  if (typeof fields.body === 'string' && [...fields.body].length > MAX_COMMENT)
    throw unprocessable(`body is too long (maximum is ${MAX_COMMENT} characters)`, {
      resource: 'Issue',
      field: 'body',
    });
}

const labelNames = (labels: Label[] | undefined): string[] =>
  [...new Set((labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))))].filter(
    (name) => name !== '',
  );

export const issueHandlers: Record<string, Handler> = {
  'issues/list-for-repo': (ctx) => {
    const repo = repoOf(ctx);
    const state = str(ctx.query.state ?? 'open');
    const wanted = ctx.query.labels === undefined ? [] : str(ctx.query.labels).split(',');
    const since = ctx.query.since === undefined ? '' : timestamp(str(ctx.query.since));
    const direction = str(ctx.query.direction ?? 'desc') === 'asc' ? 1 : -1;
    const field = str(ctx.query.sort ?? 'created') === 'updated' ? 'updatedAt' : 'createdAt';
    const all = [...ctx.state.issues.values()]
      .filter((i) => i.repo.toLowerCase() === repo.fullName.toLowerCase())
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => wanted.every((name) => i.labels.includes(name.trim())))
      .filter((i) => i.updatedAt >= since)
      .sort((a, b) => direction * (a[field].localeCompare(b[field]) || a.number - b.number));
    const page = paginate(ctx, all);
    return { status: 200, body: page.items.map((i) => issueShape(ctx, i)), headers: page.headers };
  },

  'issues/get': (ctx) => ({ status: 200, body: issueShape(ctx, findIssue(ctx)) }),

  'issues/create': (ctx) => {
    const repo = repoOf(ctx);
    const body = ctx.body as { title: string | number; body?: string | null; labels?: Label[] };
    const title = String(body.title);
    checkText({ title, body: body.body });
    const issue = ctx.state.addIssue(repo.fullName, {
      title,
      body: body.body ?? '',
      labels: labelNames(body.labels),
      login: ctx.token?.login ?? 'ghost',
    });
    const shape = issueShape(ctx, issue);
    return { status: 201, body: shape, headers: { location: str(shape.url) } };
  },

  'issues/update': (ctx) => {
    const issue = findIssue(ctx);
    const body = ctx.body as {
      title?: string | number | null;
      body?: string | null;
      state?: 'open' | 'closed';
      state_reason?: IssueRecord['stateReason'];
      labels?: Label[];
    };
    const title = body.title === undefined || body.title === null ? undefined : String(body.title);
    checkText({ title, body: body.body });
    if (title !== undefined) issue.title = title;
    if (body.body !== undefined) issue.body = body.body ?? '';
    if (body.labels !== undefined) issue.labels = labelNames(body.labels);
    const at = timestamp();
    if (body.state !== undefined && body.state !== issue.state) {
      issue.state = body.state;
      issue.closedAt = body.state === 'closed' ? at : null;
      issue.stateReason = body.state === 'closed' ? (body.state_reason ?? 'completed') : 'reopened';
    }
    issue.updatedAt = at;
    return { status: 200, body: issueShape(ctx, issue) };
  },
};
