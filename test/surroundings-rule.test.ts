/**
 * The ESLint rule that keeps the environment, the working and temporary directories and the
 * clock in the entry points and the run context (eslint.config.js), run with the project's
 * config through ESLint's Node API in a child process (ESLint loads its config with import(),
 * which Jest's module system does not serve).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './helpers/fixtures.js';

const LINT = `
import { ESLint } from 'eslint';
const files = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const found = {};
for (const [file, code] of Object.entries(files)) {
  const [result] = await eslint.lintText(code, { filePath: file });
  found[file] = result.messages.map((m) => m.line + ' ' + m.ruleId);
}
console.log(JSON.stringify(found));
`;

/** Each file's messages as `line rule`, as the project's config gives them. */
function lint(files: Record<string, string>): Record<string, string[]> {
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', LINT, JSON.stringify(files)],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out) as Record<string, string[]>;
}

const SURROUNDINGS = [
  "import { tmpdir } from 'node:os';",
  "import { env } from 'node:process';",
  'export const a = process.env.HOME;',
  'export const b = process.cwd();',
  'export const c = Date.now();',
  'export const d = new Date();',
  'export const e = new Date(0).toISOString();',
  'export const f = tmpdir();',
  'export const { env: g } = process;',
  'export const h = Date();',
  'export const i = env;',
  'export const j = performance.now();',
  '',
].join('\n');

describe('the rule on reading the surroundings', () => {
  it('fires below the entry points on every way of reading them, not on new Date(t)', () => {
    const found = lint({
      'src/qemu/surroundings.ts': SURROUNDINGS,
      'src/entry/surroundings.ts': SURROUNDINGS,
      'src/context.ts': SURROUNDINGS,
      'test/surroundings.ts': SURROUNDINGS,
    });
    expect(found['src/qemu/surroundings.ts']).toEqual([
      '1 no-restricted-imports',
      '2 no-restricted-imports',
      '3 no-restricted-properties',
      '4 no-restricted-properties',
      '5 no-restricted-properties',
      '6 no-restricted-syntax',
      '9 no-restricted-properties',
      '10 no-restricted-syntax',
      '12 no-restricted-properties',
    ]);
    // The entry points and the run context read them; tests and benchmarks may.
    expect(found['src/entry/surroundings.ts']).toEqual([]);
    expect(found['src/context.ts']).toEqual([]);
    expect(found['test/surroundings.ts']).toEqual([]);
  });
});
