/** Entry point of the root action (dist/index.js): everything happens in action/main.ts. */
import { runAction } from '../action/main.js';

await runAction();
