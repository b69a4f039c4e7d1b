/**
 * Issue (and pull request) comments: list, get, create, update, delete. The author is the
 * token's login; every edit is kept in the comment's history.
 */
import type { CommentRecord } from '../state.js';
import { timestamp } from '../state.js';
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

/** GitHub's limit on comment bodies, in characters. */
export const MAX_COMMENT = 65536;

function commentShape(ctx: Ctx, comment: CommentRecord): Record<string, unknown> {
  const api = ctx.urls.repoApi(comment.repo);
  const issue = ctx.state.issue(comment.repo, comment.issueNumber);
  const kind = issue?.isPull ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${ctx.urls.repoWeb(comment.repo)}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: ctx.shapes.user(comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: comment.user.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR',
    performed_via_github_app: null,
    reactions: {
      url: `${api}/issues/comments/${comment.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  };
}

function checkBody(body: string): void {
  if (body.trim() === '')
    throw unprocessable('body cannot be blank', { resource: 'IssueComment', field: 'body' });
  const length = [...body].length;
  if (length > MAX_COMMENT)
    throw unprocessable(
      `body is too long (maximum is ${MAX_COMMENT} characters, this one has ${length})`,
      { resource: 'IssueComment', field: 'body' },
    );
}

function findComment(ctx: Ctx): CommentRecord {
  const repo = repoOf(ctx);
  const comment = ctx.state.comments.find(
    (c) => c.id === num(ctx.params.comment_id) && c.repo === repo.fullName,
  );
  if (!comment) throw notFound();
  return comment;
}

export const commentHandlers: Record<string, Handler> = {
  'issues/list-comments': (ctx) => {
    const repo = repoOf(ctx);
    const number = num(ctx.params.issue_number);
    if (!ctx.state.issue(repo.fullName, number)) throw notFound();
    const since = ctx.query.since === undefined ? '' : timestamp(str(ctx.query.since));
    const all = ctx.state
      .commentsOf(repo.fullName, number)
      .filter((c) => c.updatedAt >= since)
      .sort((a, b) => a.id - b.id);
    const page = paginate(ctx, all);
    return {
      status: 200,
      body: page.items.map((c) => commentShape(ctx, c)),
      headers: page.headers,
    };
  },

  'issues/get-comment': (ctx) => ({ status: 200, body: commentShape(ctx, findComment(ctx)) }),

  'issues/create-comment': (ctx) => {
    const repo = repoOf(ctx);
    const number = num(ctx.params.issue_number);
    if (!ctx.state.issue(repo.fullName, number)) throw notFound();
    const body = str((ctx.body as { body: string }).body);
    checkBody(body);
    const at = timestamp();
    const comment: CommentRecord = {
      id: ctx.state.nextId(),
      repo: repo.fullName,
      issueNumber: number,
      body,
      user: ctx.token?.login ?? 'ghost',
      createdAt: at,
      updatedAt: at,
      history: [body],
    };
    ctx.state.comments.push(comment);
    const shape = commentShape(ctx, comment);
    return { status: 201, body: shape, headers: { location: str(shape.url) } };
  },

  'issues/update-comment': (ctx) => {
    const comment = findComment(ctx);
    const body = str((ctx.body as { body: string }).body);
    checkBody(body);
    comment.body = body;
    comment.history.push(body);
    comment.updatedAt = timestamp();
    return { status: 200, body: commentShape(ctx, comment) };
  },

  'issues/delete-comment': (ctx) => {
    const comment = findComment(ctx);
    ctx.state.comments.splice(ctx.state.comments.indexOf(comment), 1);
    return { status: 204 };
  },
};
