/**
 * The fast tier, `npm run test:unit` (scripts/test-unit.sh): the suites that need no Docker, no
 * QEMU, no act, no browser and not the Debian kernels of .cache/kernels. `npm test` runs every
 * suite: this tier first, then the rest (jest.slow.config.js, built from the lists below); this
 * config only leaves the slow ones out, so a new suite lands in the fast tier unless it is put in
 * a slow folder or named below.
 *
 * Slow by folder: test/integration/ and test/faults/ drive the product as built (the bundled CLI
 * or action, act) against QEMU, Docker, Chromium or the Debian kernels; test/faults/doc.test.ts
 * only reads files and stays fast. Slow by name: SLOW_FILES, each with what it needs.
 *
 * A slow suite misplaced here fails rather than slowing the loop down: test/unit-tier.js takes
 * QEMU, Docker and Chromium away (failing stubs first on PATH, DOCKER_HOST and CHROMIUM pointing
 * at nothing), and a test gets 30 s here, not 120 s. Move such a suite to test/integration/.
 *
 * ts-jest only transpiles, here as in the whole suite (tsconfig.json sets isolatedModules): the
 * types are checked by `tsc --noEmit` in scripts/test.sh (npm test) or `npm run typecheck`.
 */
import base from './jest.config.js';

export const SLOW_DIRS = ['test/integration/', 'test/faults/(?!doc\\.test\\.ts$)'];

export const SLOW_FILES = [
  'test/render/html-hostile.test.ts', // Chromium
  'test/doctor/doctor.test.ts', // the host's QEMU (its version)
  'test/qemu/machines.test.ts', // the host's QEMU (each NIC of the machine table, started)
  'test/render/gradebook-html.test.ts', // Chromium
  'test/render/history-html.test.ts', // Chromium
  'test/compare/varying-references.test.ts', // the bundled CLI (dist/)
];

export default {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    ...[...SLOW_DIRS, ...SLOW_FILES].map((p) => `<rootDir>/${p}`),
  ],
  globalSetup: '<rootDir>/test/unit-tier.js',
  testTimeout: 30_000,
  // Every core, not Jest's default of all but one: the main process idles while the suites run,
  // and on a 2-core machine the default runs them one by one (about 50 s instead of 30 s).
  maxWorkers: '100%',
};
