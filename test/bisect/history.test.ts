/** The commit range read from a real git repository with a merge: all of it, or first parents. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { commitRange, resolveRevision } from '../../src/bisect/history.js';
import { GitError } from '../../src/docker/worktree.js';
import { scratchDir } from '../helpers/fixtures.js';

let dir: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'A. Hacker',
      GIT_AUTHOR_EMAIL: 'a@example.org',
      GIT_COMMITTER_NAME: 'A. Hacker',
      GIT_COMMITTER_EMAIL: 'a@example.org',
    },
  }).trim();
const commit = (subject: string) => {
  writeFileSync(path.join(dir, 'log.txt'), `${subject}\n`, { flag: 'a' });
  git('add', '-A');
  git('commit', '-q', '-m', subject);
};

beforeAll(() => {
  dir = scratchDir('history');
  git('init', '-q', '-b', 'main');
  commit('A');
  commit('B');
  git('checkout', '-q', '-b', 'side');
  writeFileSync(path.join(dir, 'side.txt'), 'side\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'S1');
  writeFileSync(path.join(dir, 'side.txt'), 'side 2\n');
  git('commit', '-q', '-am', 'S2');
  git('checkout', '-q', 'main');
  commit('C');
  git('merge', '-q', '--no-ff', '-m', 'M', 'side');
  commit('D');
});

const subjects = (commits: { subject: string }[]) => commits.map((c) => c.subject);

describe('commitRange', () => {
  it('lists every commit after good up to bad, oldest first, merged branches included', async () => {
    const good = await resolveRevision(dir, 'main~3', '--good');
    const bad = await resolveRevision(dir, 'main', '--bad');
    expect(good.subject).toBe('B');
    const all = subjects(await commitRange(dir, good, bad, { firstParent: false }));
    expect([...all].sort()).toEqual(['C', 'D', 'M', 'S1', 'S2']);
    expect(all.indexOf('S1')).toBeLessThan(all.indexOf('S2'));
    expect(all.slice(-2)).toEqual(['M', 'D']);
  });

  it('with first parents only, a merge is one step', async () => {
    const good = await resolveRevision(dir, 'main~3', '--good');
    const bad = await resolveRevision(dir, 'main', '--bad');
    const range = await commitRange(dir, good, bad, { firstParent: true });
    expect(subjects(range)).toEqual(['C', 'M', 'D']);
    expect(range[2]).toMatchObject({ author: 'A. Hacker <a@example.org>' });
    expect(range[2]?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(Number.isNaN(Date.parse(range[2]?.date ?? ''))).toBe(false);
  });

  it('refuses unknown revisions and a good revision that is not an ancestor of bad', async () => {
    await expect(resolveRevision(dir, 'nope', '--bad')).rejects.toThrow(
      new GitError(`--bad nope: no such commit in ${dir}`),
    );
    const side = await resolveRevision(dir, 'side', '--good');
    const c = await resolveRevision(dir, 'main~2', '--bad');
    await expect(commitRange(dir, side, c, { firstParent: false })).rejects.toThrow(
      /must be an ancestor of --bad/,
    );
    await expect(commitRange(dir, c, c, { firstParent: false })).rejects.toThrow(
      /must be an ancestor of --bad .* \(and not the same commit\)/,
    );
  });
});
