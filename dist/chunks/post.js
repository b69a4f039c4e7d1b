import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
/** The state key under which the main step saves its check run. */
const CHECK_RUN_STATE = 'check-run';
async function runPost({ core, github: client, clock }) {
    const saved = core.getState(CHECK_RUN_STATE);
    if (!saved)
        return;
    const { owner, repo, id } = JSON.parse(saved);
    const github = client(core.getInput('github-token'));
    try {
        const { data } = await github.rest.checks.get({ owner, repo, check_run_id: id });
        if (data.status === 'completed')
            return;
        await github.rest.checks.update({
            owner,
            repo,
            check_run_id: id,
            status: 'completed',
            conclusion: 'cancelled',
            completed_at: new Date(clock.now()).toISOString(),
            output: {
                title: 'cancelled',
                summary: 'The main step of diverge stopped before it completed this check run (the workflow was cancelled, or the step was killed).',
            },
        });
        core.info(`check run ${id} was left in progress: completed as cancelled`);
    }
    catch (error) {
        core.warning(`could not complete the check run ${id}: ${error.message}`);
    }
}

export { CHECK_RUN_STATE as C, runPost as r };
