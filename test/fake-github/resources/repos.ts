/** Repositories and pull requests: read-only, seeded by tests. */
import type { PullRecord } from '../state.js';
import { type Ctx, type Handler, notFound, num, paginate, repoOf, str } from './context.js';
import { nodeId } from './shapes.js';

export function pullShape(ctx: Ctx, pull: PullRecord): Record<string, unknown> {
  const repo = ctx.state.repo(pull.repo);
  const headRepo = ctx.state.repo(pull.head.repoFullName);
  if (!repo || !headRepo) throw new Error(`pull request ${pull.number} lost its repositories`);
  const api = ctx.urls.repoApi(repo.fullName);
  const web = ctx.urls.repoWeb(repo.fullName);
  const url = `${api}/pulls/${pull.number}`;
  const html = `${web}/pull/${pull.number}`;
  const side = (record: typeof repo, ref: string, sha: string) => ({
    label: `${record.owner}:${ref}`,
    ref,
    sha,
    user: ctx.shapes.user(record.owner),
    repo: ctx.shapes.repo(record, 'full'),
  });
  const comments = ctx.state.commentsOf(repo.fullName, pull.number).length;
  const href = (h: string) => ({ href: h });
  return {
    url,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.head.sha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: ctx.shapes.user(pull.user),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(headRepo, pull.head.ref, pull.head.sha),
    base: side(repo, pull.base.ref, pull.base.sha),
    _links: {
      self: href(url),
      html: href(html),
      issue: href(`${api}/issues/${pull.number}`),
      comments: href(`${api}/issues/${pull.number}/comments`),
      review_comments: href(`${url}/comments`),
      review_comment: href(`${api}/pulls/comments{/number}`),
      commits: href(`${url}/commits`),
      statuses: href(`${api}/statuses/${pull.head.sha}`),
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: false,
    merged: false,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** `pull-request-minimal`, as check runs and workflow runs list their pull requests. */
export function pullMinimal(ctx: Ctx, pull: PullRecord): Record<string, unknown> {
  const ref = (fullName: string, branch: string, sha: string) => {
    const repo = ctx.state.repo(fullName);
    return {
      ref: branch,
      sha,
      repo: { id: repo?.id ?? 0, url: ctx.urls.repoApi(fullName), name: repo?.name ?? '' },
    };
  };
  return {
    id: pull.id,
    number: pull.number,
    url: `${ctx.urls.repoApi(pull.repo)}/pulls/${pull.number}`,
    head: ref(pull.head.repoFullName, pull.head.ref, pull.head.sha),
    base: ref(pull.repo, pull.base.ref, pull.base.sha),
  };
}

export const repoHandlers: Record<string, Handler> = {
  'repos/get': (ctx) => ({
    status: 200,
    body: ctx.shapes.repo(repoOf(ctx), 'full', ctx.token),
  }),

  // Classroom-style courses list their assignment's repositories by the organisation.
  'repos/list-for-org': (ctx) => {
    const org = str(ctx.params.org).toLowerCase();
    const type = str(ctx.query.type ?? 'all');
    const sort = str(ctx.query.sort ?? 'created');
    const direction = str(ctx.query.direction ?? (sort === 'full_name' ? 'asc' : 'desc'));
    const repos = [...ctx.state.repos.values()]
      .filter((r) => r.owner.toLowerCase() === org)
      .filter((r) =>
        type === 'forks'
          ? r.fork
          : type === 'sources'
            ? !r.fork
            : type === 'public'
              ? !r.private
              : type === 'private'
                ? r.private
                : true,
      )
      .sort((a, b) =>
        sort === 'full_name'
          ? a.fullName.localeCompare(b.fullName)
          : a.createdAt.localeCompare(b.createdAt) || a.id - b.id,
      );
    if (direction === 'desc') repos.reverse();
    if (repos.length === 0 && !ctx.state.users.has(org)) throw notFound();
    const page = paginate(ctx, repos);
    return {
      status: 200,
      body: page.items.map((r) => ({
        ...ctx.shapes.repo(r, 'minimal'),
        default_branch: r.defaultBranch,
      })),
      headers: page.headers,
    };
  },

  // A branch, or a commit, of a repository whose content was seeded; the archive is on storage.
  'repos/download-tarball-archive': (ctx) => {
    const repo = repoOf(ctx);
    const ref = decodeURIComponent(str(ctx.params.ref)).replace(/^(?:refs\/)?heads\//, '');
    const sha = repo.branches.get(ref) ?? (repo.tarballs.has(ref) ? ref : undefined);
    const data = sha === undefined ? undefined : repo.tarballs.get(sha);
    if (sha === undefined || !data) throw notFound();
    const name = `${repo.owner}-${repo.name}-${sha.slice(0, 7)}.tar.gz`;
    return {
      status: 302,
      headers: { location: ctx.blobs.signDownload(data, 'application/x-gzip', name) },
    };
  },

  'pulls/get': (ctx) => {
    const repo = repoOf(ctx);
    const pull = ctx.state.pull(repo.fullName, num(ctx.params.pull_number));
    if (!pull) throw notFound();
    return { status: 200, body: pullShape(ctx, pull) };
  },
};
