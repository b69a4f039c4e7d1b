/** Commit comments: create (what `diverge bisect` in the action posts on the culprit commit). */
import type { CommitCommentRecord } from '../state.js';
import { timestamp } from '../state.js';
import { type Handler, repoOf, str, unprocessable } from './context.js';
import { MAX_COMMENT } from './comments.js';
import { nodeId } from './shapes.js';

export const commitCommentHandlers: Record<string, Handler> = {
  'repos/create-commit-comment': (ctx) => {
    const repo = repoOf(ctx);
    const body = ctx.body as { body: string; path?: string; line?: number };
    const text = str(body.body);
    if (text.trim() === '')
      throw unprocessable('body cannot be blank', { resource: 'CommitComment', field: 'body' });
    if ([...text].length > MAX_COMMENT)
      throw unprocessable(`body is too long (maximum is ${MAX_COMMENT} characters)`, {
        resource: 'CommitComment',
        field: 'body',
      });
    const comment: CommitCommentRecord = {
      id: ctx.state.nextId(),
      repo: repo.fullName,
      commitSha: str(ctx.params.commit_sha),
      body: text,
      ...(body.path !== undefined ? { path: body.path } : {}),
      ...(body.line !== undefined ? { line: body.line } : {}),
      user: ctx.token?.login ?? 'ghost',
      createdAt: timestamp(),
    };
    ctx.state.commitComments.push(comment);
    const api = ctx.urls.repoApi(repo.fullName);
    const shape = {
      id: comment.id,
      node_id: nodeId('CC', comment.id),
      url: `${api}/comments/${comment.id}`,
      html_url: `${ctx.urls.repoWeb(repo.fullName)}/commit/${comment.commitSha}#commitcomment-${comment.id}`,
      body: text,
      path: comment.path ?? null,
      position: null,
      line: comment.line ?? null,
      commit_id: comment.commitSha,
      user: ctx.shapes.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
      author_association: comment.user.endsWith('[bot]') ? 'NONE' : 'CONTRIBUTOR',
    };
    return { status: 201, body: shape, headers: { location: shape.url } };
  },
};
