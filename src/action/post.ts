/**
 * The action's `post:` step: runs after the job's steps whatever happened. A main step killed
 * outright (the runner's last resort after SIGINT and SIGTERM, or a crash) leaves its check run
 * in progress for good; this completes it as cancelled.
 */
import type { PublishServices } from './services.js';

/** The state key under which the main step saves its check run. */
export const CHECK_RUN_STATE = 'check-run';

export async function runPost({ core, github: client, clock }: PublishServices): Promise<void> {
  const saved = core.getState(CHECK_RUN_STATE);
  if (!saved) return;
  const { owner, repo, id } = JSON.parse(saved) as { owner: string; repo: string; id: number };
  const github = client(core.getInput('github-token'));
  try {
    const { data } = await github.rest.checks.get({ owner, repo, check_run_id: id });
    if (data.status === 'completed') return;
    await github.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      status: 'completed',
      conclusion: 'cancelled',
      completed_at: new Date(clock.now()).toISOString(),
      output: {
        title: 'cancelled',
        summary:
          'The main step of diverge stopped before it completed this check run (the workflow was cancelled, or the step was killed).',
      },
    });
    core.info(`check run ${id} was left in progress: completed as cancelled`);
  } catch (error) {
    core.warning(`could not complete the check run ${id}: ${(error as Error).message}`);
  }
}
