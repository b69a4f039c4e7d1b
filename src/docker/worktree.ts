/**
 * A commit's kernel built from a temporary git worktree, so the user's checkout (its files, its
 * index, its HEAD) is never touched: the base commit of `base: true` and every step of a bisect.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../context.js';
import { untilDone } from '../util/interrupt.js';
import type { DockerAccess } from './docker.js';
import { buildKernel, type BuiltKernel, type DockerKernelSettings } from './kernel.js';

const git = promisify(execFile);

/**
 * `git worktree add` and `remove` of one repository, one at a time: git reads every worktree's
 * administrative directory while it makes another, and two at once can fail with
 * "failed to read .git/worktrees/…/commondir" (bisect builds several commits at once).
 */
let worktreeCommands: Promise<unknown> = Promise.resolve();
function worktreeCommand(args: string[]): Promise<unknown> {
  const run = worktreeCommands.then(() => git('git', args));
  worktreeCommands = run.catch(() => undefined);
  return run;
}

/** Git could not do what was asked (no repository, an unknown commit): named in the message. */
export class GitError extends Error {}

/** The top of the git repository `dir` (kernel.build.context) is in. */
export async function gitTop(dir: string): Promise<string> {
  const { stdout } = await git('git', ['-C', dir, 'rev-parse', '--show-toplevel']).catch(
    (error: Error) => {
      throw new GitError(
        `kernel.build.context ${dir} is not in a git repository: ${error.message.trim()}`,
      );
    },
  );
  return stdout.trim();
}

/** Whether `ref` names a commit in the repository at `top`. */
const isCommit = (top: string, ref: string) =>
  git('git', ['-C', top, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).then(
    () => true,
    () => false,
  );

/**
 * What `base: true` compares with when no pull request or push event says: the merge-base of
 * HEAD with `branch` (origin/BRANCH when origin has it, else BRANCH as git reads it), or with
 * origin's default branch (origin/HEAD, else origin/main, else origin/master). `ref` is the
 * branch it was taken from, as reports show it. A GitError says what is missing and what to give.
 */
export async function localBase(
  top: string,
  branch: string | undefined,
): Promise<{ ref: string; sha: string }> {
  let ref: string | undefined;
  if (branch !== undefined) {
    for (const candidate of [`origin/${branch}`, branch])
      if (ref === undefined && (await isCommit(top, candidate))) ref = candidate;
    if (ref === undefined)
      throw new GitError(
        `--base-ref ${branch}: neither origin/${branch} nor ${branch} is a branch of ${top}`,
      );
  } else {
    const remotes = (await git('git', ['-C', top, 'remote'])).stdout.split('\n').filter(Boolean);
    if (!remotes.includes('origin'))
      throw new GitError(
        `${top} has no remote "origin"${remotes.length ? ` (only ${remotes.join(', ')})` : ''}, so its default branch is not known: give --base-ref BRANCH or --base-sha SHA`,
      );
    const head = await git('git', [
      '-C',
      top,
      'symbolic-ref',
      '--quiet',
      '--short',
      'refs/remotes/origin/HEAD',
    ]).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
    for (const candidate of [head, 'origin/main', 'origin/master'])
      if (ref === undefined && candidate && (await isCommit(top, candidate))) ref = candidate;
    if (ref === undefined)
      throw new GitError(
        `origin's default branch is not known in ${top} (no origin/HEAD, origin/main or origin/master: run git fetch origin, or git remote set-head origin --auto): give --base-ref BRANCH or --base-sha SHA`,
      );
  }
  const { stdout } = await git('git', ['-C', top, 'merge-base', 'HEAD', ref]).catch(() => {
    throw new GitError(`HEAD and ${ref} have no common commit in ${top}: give --base-sha SHA`);
  });
  return { ref, sha: stdout.trim() };
}

export interface WorktreeBuild {
  variant: string;
  /** Scratch space: the worktree is made (and removed) under it. */
  workDir: string;
  /** Where the build log and the extracted kernel go. */
  outDir: string;
  progress: (line: string) => void;
  contextCache: string;
  clock: Clock;
}

/**
 * Checks `sha` out in a fresh worktree of the repository around `kernel.build.context`, builds
 * the kernel there with the same recipe (context, Dockerfile, target, arguments), and removes
 * the worktree whatever happened. Docker's tags by context digest make an unchanged context a
 * reuse, not a rebuild.
 */
export async function buildCommitKernel(
  docker: DockerAccess,
  kernel: DockerKernelSettings,
  sha: string,
  options: WorktreeBuild,
): Promise<BuiltKernel> {
  const top = await gitTop(kernel.build.context);
  const worktree = await mkdtemp(path.join(options.workDir, WORKTREE_PREFIX));
  await rm(worktree, { recursive: true });
  // Interrupted (SIGINT, SIGTERM), the worktree is removed all the same, after its `add` ends.
  const done = untilDone(() => removeWorktree(top, worktree));
  try {
    await worktreeCommand(['-C', top, 'worktree', 'add', '--detach', worktree, sha]).catch(
      (error: Error) => {
        throw new GitError(`cannot check out ${sha}: ${error.message.trim()}`);
      },
    );
    const context = path.join(worktree, path.relative(top, kernel.build.context));
    return await buildKernel(
      docker,
      { ...kernel, build: { ...kernel.build, context } },
      {
        variant: options.variant,
        outDir: options.outDir,
        progress: options.progress,
        contextCache: options.contextCache,
        clock: options.clock,
      },
    );
  } finally {
    done();
    await removeWorktree(top, worktree);
  }
}

/** What the worktrees of `buildCommitKernel` are named, under its `workDir`. */
const WORKTREE_PREFIX = 'worktree-';

/** Unregisters and deletes one worktree: git's record of it and its directory. */
async function removeWorktree(top: string, worktree: string): Promise<void> {
  await worktreeCommand(['-C', top, 'worktree', 'remove', '--force', worktree]).catch(
    () => undefined,
  );
  await rm(worktree, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Removes the worktrees an earlier run left in `workDir` (it was killed with SIGKILL while it
 * built a commit): their directories, and git's records of them in the repository around
 * `context`. The caller holds the output folder `workDir` is in, so no live run uses them.
 * Returns how many there were.
 */
export async function removeLeftWorktrees(context: string, workDir: string): Promise<number> {
  const left = (await readdir(workDir).catch(() => [] as string[])).filter((name) =>
    name.startsWith(WORKTREE_PREFIX),
  );
  if (left.length === 0) return 0;
  const top = await gitTop(context);
  for (const name of left) await removeWorktree(top, path.join(workDir, name));
  await worktreeCommand(['-C', top, 'worktree', 'prune']).catch(() => undefined);
  return left.length;
}
