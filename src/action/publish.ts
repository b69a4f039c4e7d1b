/**
 * How both actions publish: the check run, created in progress before the work starts and
 * completed with the verdict, then the sticky pull-request comment. One error boundary around
 * the work: whatever fails after the check run exists completes it, so no check is left in
 * progress, and the step fails with the message. A token that may not write checks or comments
 * (a fork, Dependabot, a workflow without `checks: write`) costs those two, never the run: the
 * divergences then become workflow-command annotations and the job summary says what was not
 * published and why.
 */
import {
  type Annotation,
  type CheckTarget,
  completeCheckRun,
  startCheckRun,
} from '../github/checks.js';
import type { Clock } from '../context.js';
import type { GitHub } from '../github/client.js';
import {
  COMMENT_LIMIT,
  commentBody,
  type CommentReplacement,
  type CommentState,
  frameBudget,
  upsertComment,
} from '../github/comment.js';
import { tokenLogin } from '../github/identity.js';
import type { CheckRunMode, CommentMode } from './inputs.js';
import type { ActionCore } from './services.js';

/** Where a leg publishes: the check run (when there is one) and what could not be published. */
export interface Publisher {
  github: GitHub;
  target: CheckTarget;
  /** When the check run starts and completes. */
  clock: Clock;
  /** The check run created in progress; none when check-run is never or the token may not. */
  checkRun?: { id: number; url: string };
  /** What could not be published, each with why: said in the job summary. */
  missed: string[];
  /** False for a fork's read-only token: a comment would only be refused. */
  canComment: boolean;
  /** The check run was completed: nothing completes it again. */
  completed?: boolean;
  /** The run is being cancelled: only the cancellation completes the check run. */
  cancelling?: boolean;
}

/**
 * Completes the check run, unless there is none, it is already complete, or a cancellation has
 * the last word; says whether it did.
 */
export async function completeOnce(publisher: Publisher, result: CheckResult): Promise<boolean> {
  const { checkRun } = publisher;
  if (!checkRun || publisher.completed) return false;
  if (publisher.cancelling && result.conclusion !== 'cancelled') return false;
  await completeCheckRun(
    publisher.github,
    { ...publisher.target, checkRunId: checkRun.id },
    result,
    publisher.clock,
  );
  publisher.completed = true;
  return true;
}

/** What a completed check run shows. */
export type CheckResult = Parameters<typeof completeCheckRun>[2];

export interface StickyComment {
  issueNumber: number;
  mode: CommentMode;
  replacement?: CommentReplacement;
  /** A first comment is only posted when there are divergences (or mode is `always`). */
  divergences: number;
  state: CommentState;
  /** The Markdown under the change list, within `budgetBytes`. */
  markdown: (budgetBytes: number) => string;
}

/** The check run's title when diverge failed before it had a verdict. */
export const FAILED_TITLE = 'diverge could not run';

/** GitHub's answer to a token without the permission (403 "Resource not accessible by integration"). */
const isRefusal = (error: unknown) => (error as { status?: number }).status === 403;

/**
 * Creates the check run in progress. With `auto`, a token GitHub refuses (403) or a fork's
 * read-only token (`readOnly` says why) leaves the leg without a check run; with `always` a
 * refusal fails the step (returns undefined), as does any other error.
 */
export async function createCheck(
  core: ActionCore,
  github: GitHub,
  target: CheckTarget,
  clock: Clock,
  options: { mode: CheckRunMode; readOnly?: string } = { mode: 'always' },
): Promise<Publisher | undefined> {
  const publisher: Publisher = {
    github,
    target,
    clock,
    missed: [],
    canComment: !options.readOnly,
  };
  if (options.mode === 'never') return publisher;
  if (options.readOnly && options.mode === 'auto') {
    core.warning(options.readOnly);
    publisher.missed.push(`the check run and the comment: ${options.readOnly}`);
    return publisher;
  }
  try {
    publisher.checkRun = await startCheckRun(github, target, clock);
    return publisher;
  } catch (error) {
    const message = (error as Error).message;
    if (options.mode === 'auto' && isRefusal(error)) {
      core.warning(
        `cannot create the check run: ${message}; the divergences are annotations of this step instead (grant checks: write to get a check run)`,
      );
      publisher.missed.push(
        `the check run: GitHub refused it (${message}); the workflow needs \`checks: write\``,
      );
      return publisher;
    }
    core.setFailed(
      `cannot create the check run in ${target.owner}/${target.repo}: ${message} (does the workflow grant checks: write?)`,
    );
    return undefined;
  }
}

const COMMAND_LEVEL = { failure: 'error', warning: 'warning', notice: 'notice' } as const;

/**
 * The annotations as workflow commands (::error file=…,line=…::), placed where the check run
 * would have put them, for a run without a check run. GitHub shows a few per step; the job
 * summary has them all.
 */
function annotateStep(core: ActionCore, annotations: readonly Annotation[]): void {
  for (const a of annotations)
    core[COMMAND_LEVEL[a.annotation_level]](a.message, {
      title: a.title,
      file: a.path,
      startLine: a.start_line,
      endLine: a.end_line,
    });
}

/** Where the verdict went: the pages a person opens. */
export interface Published {
  checkUrl?: string;
  commentUrl?: string;
}

/**
 * Completes the check run with the verdict (or, without one, annotates the step), then posts or
 * updates the sticky comment. A comment GitHub refuses is a warning and goes in `missed`.
 */
export async function publish(
  core: ActionCore,
  publisher: Publisher,
  result: CheckResult,
  comment: StickyComment | undefined,
): Promise<Published> {
  const { github, target, checkRun } = publisher;
  const published: Published = {};
  if (checkRun) {
    if (!(await completeOnce(publisher, result))) return published;
    published.checkUrl = checkRun.url;
    core.info(
      `check run "${target.name}" completed: ${result.conclusion}, ${result.annotations.length} annotations`,
    );
  } else annotateStep(core, result.annotations);
  if (!comment || comment.mode === 'never' || !publisher.canComment) return published;
  // The check run or the summary already carries the verdict: a refused comment is a warning.
  try {
    const budget = COMMENT_LIMIT - frameBudget(comment.state);
    const posted = await upsertComment(
      github,
      {
        owner: target.owner,
        repo: target.repo,
        issueNumber: comment.issueNumber,
        checkName: target.name,
      },
      (previous) => commentBody(target.name, comment.markdown(budget), comment.state, previous),
      {
        createIfMissing: comment.mode === 'always' || comment.divergences > 0,
        author: await tokenLogin(github),
        replacement: comment.replacement ?? 'update',
      },
    );
    if (posted) {
      published.commentUrl = posted.url;
      core.info(`pull request comment ${posted.created ? 'created' : 'updated'}: ${posted.url}`);
    }
  } catch (error) {
    const message = (error as Error).message;
    core.warning(`could not post the pull request comment: ${message}`);
    publisher.missed.push(
      `the pull request comment: ${message}${isRefusal(error) ? '; the workflow needs `pull-requests: write`' : ''}`,
    );
  }
  return published;
}

/** Says in the job summary what could not be published and why (nothing when all was). */
export async function reportMissed(core: ActionCore, publisher: Publisher): Promise<void> {
  if (publisher.missed.length === 0) return;
  await core.summary
    .addRaw(
      `\n\n**Not published:**\n${publisher.missed.map((m) => `- ${m}`).join('\n')}\n\nThe verdict above stands: the step fails only on it.\n`,
    )
    .write();
}

/**
 * Runs `work`, the steps after the check run was created (when there is one). Whatever it throws
 * is written to the job summary and completes the check run as a failure, and fails the step.
 */
export async function withErrorBoundary(
  core: ActionCore,
  publisher: Publisher,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const shown = message.slice(0, 60_000);
    // The job summary is written whatever happened: it is where people look first.
    await core.summary
      .addHeading(FAILED_TITLE, 3)
      .addCodeBlock(shown)
      .write()
      .catch(() => undefined);
    await completeOnce(publisher, {
      conclusion: 'failure',
      title: FAILED_TITLE,
      summary: `\`\`\`\n${shown}\n\`\`\``,
      annotations: [],
    }).catch((failure: Error) =>
      core.warning(`could not complete the check run: ${failure.message}`),
    );
    core.setFailed(message);
  }
}
