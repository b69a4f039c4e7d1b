/**
 * The sticky pull-request comment: one per check name, found again by a hidden marker among the
 * comments the token's own identity wrote (any bot for an app's token), and updated in place or
 * posted anew. It carries the divergences it showed in a second
 * hidden line, so the next push can say which divergences are new and which were resolved.
 */
import { isDivergence } from '../model/classes.js';
import { inlineCode } from '../render/escape.js';
import type { Report } from '../model/report.js';
import type { GitHub } from './client.js';

/** GitHub's limit on a comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

const MARKER = (checkName: string) => `<!-- diverge:comment ${encodeURIComponent(checkName)} -->`;
const STATE = /<!-- diverge:state ([A-Za-z0-9+/=]*) -->/;

/** What a comment remembers: each divergent test with its class. */
export type CommentState = Record<string, string>;

/** A report a comment shows; `variant` when the comment shows several legs' reports. */
export interface CommentedReport {
  variant?: string;
  report: Report;
}

/**
 * The comment's state, the one definition both actions use: each divergence of the candidate,
 * keyed by test id, as `variant: id` for a report that names its variant.
 */
export function stateOf(reports: readonly CommentedReport[]): CommentState {
  return Object.fromEntries(
    reports.flatMap(({ variant, report }) =>
      report.tests
        .filter((test) => isDivergence(test.verdict))
        .map((test) => [
          variant === undefined ? test.id : `${variant}: ${test.id}`,
          test.verdict.class,
        ]),
    ),
  );
}

export function readState(body: string): CommentState | undefined {
  const match = STATE.exec(body);
  if (!match) return undefined;
  try {
    const value = JSON.parse(Buffer.from(match[1] ?? '', 'base64').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return Object.fromEntries(
      Object.entries(value).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return undefined;
  }
}

/** New, resolved and changed divergences since the state of the previous comment. */
export function changesSince(previous: CommentState, current: CommentState): string[] {
  const added = Object.keys(current).filter((id) => !(id in previous));
  const resolved = Object.keys(previous).filter((id) => !(id in current));
  const changed = Object.keys(current).filter(
    (id) => id in previous && previous[id] !== current[id],
  );
  const list = (ids: string[], show: (id: string) => string) => {
    const shown = ids.slice(0, 20).map(show).join(', ');
    return ids.length > 20 ? `${shown} and ${ids.length - 20} more` : shown;
  };
  const lines: string[] = [];
  if (added.length)
    lines.push(`- **new:** ${list(added, (id) => `${inlineCode(id)} (${current[id]})`)}`);
  if (resolved.length) lines.push(`- **resolved:** ${list(resolved, inlineCode)}`);
  if (changed.length)
    lines.push(
      `- **changed:** ${list(changed, (id) => `${inlineCode(id)} (${previous[id]} → ${current[id]})`)}`,
    );
  return lines;
}

/**
 * The comment body: marker, what changed since the last push (when there was one), the report
 * as Markdown, and the state. `markdown` must already fit `COMMENT_LIMIT` minus the frame.
 */
export function commentBody(
  checkName: string,
  markdown: string,
  current: CommentState,
  previous: CommentState | undefined,
): string {
  const state = Buffer.from(JSON.stringify(current)).toString('base64');
  const parts = [MARKER(checkName)];
  if (previous) {
    const changes = changesSince(previous, current);
    parts.push(
      changes.length
        ? `**Since the previous push:**\n${changes.join('\n')}`
        : '**Since the previous push:** no change in the divergences.',
    );
  }
  parts.push(markdown.trimEnd(), `<!-- diverge:state ${state} -->`);
  return `${parts.join('\n\n')}\n`;
}

/** Bytes the frame around the Markdown may take: marker, change list (capped) and state. */
export function frameBudget(current: CommentState): number {
  return 8_000 + Buffer.byteLength(JSON.stringify(current)) * 2;
}

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  checkName: string;
}

/** How an earlier comment is replaced: edited in place, or deleted and posted anew at the bottom. */
export type CommentReplacement = 'update' | 'recreate';

export interface UpsertOptions {
  createIfMissing: boolean;
  /**
   * The login the token acts as (a personal access token's user): only its comments are
   * candidates. Undefined for an app's installation token (GITHUB_TOKEN), which cannot read its
   * own identity: then any bot's comment is.
   */
  author?: string;
  replacement?: CommentReplacement;
}

/**
 * Updates the comment an earlier run left (the newest one of this identity carrying this check's
 * marker), or with `recreate` posts a new one and deletes the earlier; creates one when
 * `createIfMissing` (a clean first run need not comment at all).
 */
export async function upsertComment(
  github: GitHub,
  target: StickyTarget,
  render: (previous: CommentState | undefined) => string,
  options: UpsertOptions = { createIfMissing: true },
): Promise<{ created: boolean; id: number; url: string } | undefined> {
  const { owner, repo, issueNumber } = target;
  const marker = MARKER(target.checkName);
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  // Only the token's own comments count: a person quoting the marker must not have theirs
  // overwritten.
  const { author } = options;
  const ours = (user: { login: string; type: string } | null | undefined) =>
    author === undefined
      ? user?.type === 'Bot'
      : user?.login.toLowerCase() === author.toLowerCase();
  const mine = comments.filter((c) => ours(c.user) && (c.body ?? '').startsWith(marker)).at(-1);
  const body = render(mine ? readState(mine.body ?? '') : undefined);
  if (mine && options.replacement !== 'recreate') {
    const { data } = await github.rest.issues.updateComment({
      owner,
      repo,
      comment_id: mine.id,
      body,
    });
    return { created: false, id: data.id, url: data.html_url };
  }
  if (!mine && !options.createIfMissing) return undefined;
  const { data } = await github.rest.issues.createComment({
    owner,
    repo,
    issue_number: issueNumber,
    body,
  });
  // Posted first, deleted second: a failure in between leaves two comments, never none.
  if (mine) await github.rest.issues.deleteComment({ owner, repo, comment_id: mine.id });
  return { created: true, id: data.id, url: data.html_url };
}
