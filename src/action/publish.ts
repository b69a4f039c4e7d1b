/**
 * How both actions publish: the check run, created in progress before the work starts and
 * completed with the verdict, then the sticky pull-request comment. One error boundary around
 * the work: whatever fails after the check run exists completes it, so no check is left in
 * progress, and the step fails with the message.
 */
import { type CheckTarget, completeCheckRun, startCheckRun } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import {
  COMMENT_LIMIT,
  commentBody,
  type CommentState,
  frameBudget,
  upsertComment,
} from '../github/comment.js';
import type { CommentMode } from './inputs.js';
import type { ActionCore } from './services.js';

/** A check run created in progress, and the client that completes it. */
export interface OpenCheck {
  github: GitHub;
  target: CheckTarget & { checkRunId: number };
}

/** What a completed check run shows. */
export type CheckResult = Parameters<typeof completeCheckRun>[2];

export interface StickyComment {
  issueNumber: number;
  mode: CommentMode;
  /** A first comment is only posted when there are divergences (or mode is `always`). */
  divergences: number;
  state: CommentState;
  /** The Markdown under the change list, within `budgetBytes`. */
  markdown: (budgetBytes: number) => string;
}

/** The check run's title when diverge failed before it had a verdict. */
export const FAILED_TITLE = 'diverge could not run';

/** Creates the check run in progress; when GitHub refuses, fails the step and returns undefined. */
export async function createCheck(
  core: ActionCore,
  github: GitHub,
  target: CheckTarget,
): Promise<OpenCheck | undefined> {
  try {
    const checkRunId = await startCheckRun(github, target);
    return { github, target: { ...target, checkRunId } };
  } catch (error) {
    core.setFailed(
      `cannot create the check run in ${target.owner}/${target.repo}: ${(error as Error).message} (does the workflow grant checks: write?)`,
    );
    return undefined;
  }
}

/** Completes the check run with the verdict, then posts or updates the sticky comment. */
export async function publish(
  core: ActionCore,
  check: OpenCheck,
  result: CheckResult,
  comment: StickyComment | undefined,
): Promise<void> {
  const { github, target } = check;
  await completeCheckRun(github, target, result);
  core.info(
    `check run "${target.name}" completed: ${result.conclusion}, ${result.annotations.length} annotations`,
  );
  if (!comment || comment.mode === 'never') return;
  // The check run already carries the verdict: a comment that cannot be posted is a warning.
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
      { createIfMissing: comment.mode === 'always' || comment.divergences > 0 },
    );
    if (posted)
      core.info(`pull request comment ${posted.created ? 'created' : 'updated'}: ${posted.url}`);
  } catch (error) {
    core.warning(`could not post the pull request comment: ${(error as Error).message}`);
  }
}

/**
 * Runs `work`, the steps after the check run was created (there is none for a fork's read-only
 * token). Whatever it throws is written to the job summary and completes the check run as a
 * failure, and fails the step.
 */
export async function withErrorBoundary(
  core: ActionCore,
  check: OpenCheck | undefined,
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
    if (check)
      await completeCheckRun(check.github, check.target, {
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
