import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SURROUNDINGS =
  'Only src/entry/ and src/context.ts read the environment, the working, temporary and home directories and the clock: take them from the run context (or a value the entry point passes down)';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.tools/', '.cache/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  { ignores: ['src/render/client/**'], languageOptions: { globals: globals.node } },
  // The pages' scripts (bundled into src/render/html-scripts.ts) run in a browser.
  { files: ['src/render/client/**/*.ts'], languageOptions: { globals: globals.browser } },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Only the entry points and the run context read the process's surroundings: the
    // environment, the working and temporary directories, the home directory and the clock.
    // Everything else takes them from the run context the entry point builds (design.md).
    files: ['src/**/*.ts'],
    ignores: ['src/entry/**', 'src/context.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          ['process', 'env'],
          ['process', 'cwd'],
          ['process', 'hrtime'],
          ['os', 'tmpdir'],
          ['os', 'homedir'],
          ['Date', 'now'],
          ['performance', 'now'],
        ].map(([object, property]) => ({ object, property, message: SURROUNDINGS })),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['os', 'node:os', 'process', 'node:process'].map((name) => ({
            name,
            importNames: ['tmpdir', 'homedir', 'env', 'cwd', 'hrtime'],
            message: SURROUNDINGS,
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: `new Date() reads the clock. ${SURROUNDINGS}`,
        },
        {
          selector: "CallExpression[callee.name='Date']",
          message: `Date() reads the clock. ${SURROUNDINGS}`,
        },
      ],
    },
  },
  prettier,
);
