import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { C as CHECK_RUN_STATE } from './chunks/post.js';

/**
 * Entry point of the root action's `post:` step (dist/post.js): see action/post.ts. Most jobs
 * end with their check run completed: then the step reads one variable and loads nothing else.
 * The toolkit and the GitHub client are imported only for a check run left in progress.
 */
// Where @actions/core's getState finds what the main step saved.
if (process.env[`STATE_${CHECK_RUN_STATE}`])
    await import('./chunks/post-run.js');
