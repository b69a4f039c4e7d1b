/**
 * Entry point of the root action's `post:` step (dist/post.js): see action/post.ts. Most jobs
 * end with their check run completed: then the step reads one variable and loads nothing else.
 * The toolkit and the GitHub client are imported only for a check run left in progress.
 */
import { CHECK_RUN_STATE } from '../action/post.js';

// Where @actions/core's getState finds what the main step saved.
if (process.env[`STATE_${CHECK_RUN_STATE}`]) await import('./post-run.js');
