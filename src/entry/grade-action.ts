/**
 * Entry point of the grade/ sub-action (dist/grade.js): `diverge grade` on a runner, for the
 * staff's own repository (a deadline run, a schedule, a manual run). Its inputs become the
 * command's flags; the token goes to the command as GITHUB_TOKEN (for --github-org and GitHub
 * references), never to a build. The gradebook's Markdown is added to the job summary; the step
 * fails when the command could not grade (usage, no references), and warns when some rows were
 * not graded (infrastructure), which a later run with the same `out` grades. With `merge`, the
 * step is `diverge grade merge` of the shards' gradebooks instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { runCli } from '../commands/main.js';
import { EXIT } from '../model/constants.js';

const input = (name: string) => core.getInput(name).trim();
const cwd = path.resolve(process.cwd(), input('working-directory') || '.');
// Every path of the inputs is relative to working-directory, as the root action's are.
process.chdir(cwd);
const out = input('out') || 'gradebook';
const shards = core.getMultilineInput('merge').flatMap((line) => expand(line.trim()));
const args =
  shards.length > 0
    ? ['grade', 'merge', ...shards, '--out', out]
    : ['grade', '--config', input('config') || 'diverge.yml', '--out', out];

/** A shard's gradebook directory, or several when its last component has a `*` (`shards/gradebook-*`). */
function expand(pattern: string): string[] {
  const base = path.basename(pattern);
  if (!base.includes('*')) return [pattern];
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
  const found = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => re.test(name))
        .sort()
    : [];
  if (found.length === 0) throw new Error(`merge: nothing matches ${pattern}`);
  return found.map((name) => path.join(dir, name));
}
const flag = (name: string, value: string) => {
  if (value !== '') args.push(`--${name}`, value);
};
if (shards.length === 0) {
  flag('submissions', input('submissions'));
  flag('github-org', input('github-org'));
  flag('repo-prefix', input('repo-prefix'));
  flag('shard', input('shard'));
  flag('jobs', input('jobs'));
  flag('variant', input('variant'));
  if (core.getBooleanInput('sources-only')) args.push('--sources-only');
  for (const line of core.getMultilineInput('references')) flag('reference', line.trim());
}

const token = input('github-token');
if (token !== '') core.setSecret(token);
const code = await runCli({
  argv: [process.execPath, 'diverge', ...args],
  env: { ...process.env, ...(token === '' ? {} : { GITHUB_TOKEN: token }) },
  cwd,
  stderr: (text) => process.stderr.write(text),
  tty: false,
});

const dir = path.resolve(cwd, out);
core.setOutput('gradebook', dir);
const markdown = path.join(dir, 'gradebook.md');
if (existsSync(markdown)) await core.summary.addRaw(readFileSync(markdown, 'utf8')).write();
if (code === EXIT.infrastructure && existsSync(path.join(dir, 'gradebook.json'))) {
  const book = JSON.parse(readFileSync(path.join(dir, 'gradebook.json'), 'utf8')) as {
    students: { conclusion: string }[];
  };
  const neutral = book.students.filter((s) => s.conclusion === 'neutral').length;
  core.setOutput('not-graded', String(neutral));
  if (neutral > 0)
    core.warning(
      `${neutral} of ${book.students.length} submissions not graded (the infrastructure kept them from it): run again with the same out to grade them`,
    );
  else core.setFailed(`diverge grade exited with code ${code}`);
} else {
  core.setOutput('not-graded', '0');
  if (code !== EXIT.ok) core.setFailed(`diverge grade exited with code ${code}`);
}
