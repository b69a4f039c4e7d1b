/** What the main action uploads for the report/ sub-action to publish later. */

/** Report artifacts are named `diverge-report-<variant>`. */
export const REPORT_ARTIFACT_PREFIX = 'diverge-report-';

/**
 * The pull request a report belongs to, written beside it. A fork's run cannot comment, so the
 * workflow_run that publishes for it needs the number; it checks the rest against its own event.
 */
export interface PullRequestRecord {
  number: number;
  headSha: string;
  baseRepository: string;
}
