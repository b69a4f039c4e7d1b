/**
 * `base: true` without an event: the merge-base of HEAD with origin's default branch (origin/HEAD,
 * else origin/main, else origin/master) or with --base-ref, found with git in a repository whose
 * remote is a bare repository on disk.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { GitError, localBase } from '../../src/docker/worktree.js';
import { scratchDir } from '../helpers/fixtures.js';

/** A clone of a bare remote whose main has `trunk` commits; HEAD is a topic branch two ahead. */
function cloneWithTopic(label: string, defaultBranch = 'main') {
  const dir = scratchDir(label);
  const remote = path.join(dir, 'remote.git');
  const seed = path.join(dir, 'seed');
  const repo = path.join(dir, 'repo');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
  const commit = (cwd: string, message: string) => {
    writeFileSync(path.join(cwd, 'file'), message);
    git(cwd, 'add', 'file');
    git(cwd, '-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-qm', message);
    return git(cwd, 'rev-parse', 'HEAD');
  };
  execFileSync('git', ['init', '-q', '--bare', '-b', defaultBranch, remote]);
  execFileSync('git', ['init', '-q', '-b', defaultBranch, seed]);
  commit(seed, 'one');
  const branchPoint = commit(seed, 'two');
  git(seed, 'push', '-q', remote, defaultBranch);
  execFileSync('git', ['clone', '-q', remote, repo]);
  git(repo, 'checkout', '-q', '-b', 'topic');
  commit(repo, 'topic one');
  commit(repo, 'topic two');
  // main moves on after the topic branched: the base is where it branched, not main's tip.
  commit(seed, 'three');
  git(seed, 'push', '-q', remote, defaultBranch);
  git(repo, 'fetch', '-q', 'origin');
  return { repo, branchPoint, git };
}

describe('localBase', () => {
  it("is the merge-base with origin's default branch, by origin/HEAD", async () => {
    const { repo, branchPoint } = cloneWithTopic('local-base-head', 'trunk');
    await expect(localBase(repo, undefined)).resolves.toEqual({
      ref: 'origin/trunk',
      sha: branchPoint,
    });
  });

  it('falls back to origin/main, then origin/master, when origin/HEAD is not set', async () => {
    const main = cloneWithTopic('local-base-main');
    main.git(main.repo, 'remote', 'set-head', 'origin', '-d');
    await expect(localBase(main.repo, undefined)).resolves.toEqual({
      ref: 'origin/main',
      sha: main.branchPoint,
    });
    const master = cloneWithTopic('local-base-master', 'master');
    master.git(master.repo, 'remote', 'set-head', 'origin', '-d');
    await expect(localBase(master.repo, undefined)).resolves.toEqual({
      ref: 'origin/master',
      sha: master.branchPoint,
    });
  });

  it('takes --base-ref as origin/BRANCH, else as a local branch', async () => {
    const { repo, branchPoint, git } = cloneWithTopic('local-base-ref');
    await expect(localBase(repo, 'main')).resolves.toEqual({
      ref: 'origin/main',
      sha: branchPoint,
    });
    git(repo, 'branch', 'mine', 'HEAD~1');
    await expect(localBase(repo, 'mine')).resolves.toEqual({
      ref: 'mine',
      sha: git(repo, 'rev-parse', 'HEAD~1'),
    });
    await expect(localBase(repo, 'mian')).rejects.toThrow(
      new GitError(`--base-ref mian: neither origin/mian nor mian is a branch of ${repo}`),
    );
  });

  it('says what to give when there is no remote, or origin has no default branch', async () => {
    const { repo, git } = cloneWithTopic('local-base-none');
    git(repo, 'remote', 'rename', 'origin', 'upstream');
    await expect(localBase(repo, undefined)).rejects.toThrow(
      new GitError(
        `${repo} has no remote "origin" (only upstream), so its default branch is not known: give --base-ref BRANCH or --base-sha SHA`,
      ),
    );
    git(repo, 'remote', 'remove', 'upstream');
    await expect(localBase(repo, undefined)).rejects.toThrow(/has no remote "origin", so/);
    git(repo, 'remote', 'add', 'origin', '/nonexistent.git');
    await expect(localBase(repo, undefined)).rejects.toThrow(
      /origin's default branch is not known .*: give --base-ref BRANCH or --base-sha SHA/,
    );
  });
});
