/**
 * The slow tier: every suite the fast tier (jest.unit.config.js) leaves out, with the whole
 * suite's settings (jest.config.js). scripts/test.sh (npm test) runs the fast tier first, on every
 * core, then this one on Jest's default of all cores but one: these suites boot QEMU under TCG,
 * which already fills the cores, and some give a boot a few seconds (see bench/test-suite.md).
 * Together the two tiers are exactly jest.config.js's suites.
 */
import base from './jest.config.js';
import { SLOW_DIRS, SLOW_FILES } from './jest.unit.config.js';

export default {
  ...base,
  testMatch: undefined,
  // A path is in this tier when the fast tier ignores it for being slow.
  testRegex: [
    ...SLOW_DIRS.map((dir) => `/${dir}.*\\.test\\.ts$`),
    ...SLOW_FILES.map((file) => `/${file.replaceAll('.', '\\.')}$`),
  ],
};
