/** The commits a bisect searches, read from git: oldest first, the good revision left out. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Settings } from '../config/settings.js';
import type { DockerKernelSettings } from '../docker/kernel.js';
import { GitError, gitTop } from '../docker/worktree.js';
import type { Commit } from '../model/bisect.js';
import { IMAGE_PLACEHOLDER, isManyImages } from '../model/images.js';

/** Bad input to a bisect (unknown revisions, no kernel.build, a good revision that is bad). */
export class BisectInputError extends Error {}

const git = promisify(execFile);

const FIELD = '\x1f';
const FORMAT = ['%H', '%s', '%an <%ae>', '%aI'].join('%x1f');

function parseCommit(line: string): Commit {
  const [sha = '', subject = '', author = '', date = ''] = line.split(FIELD);
  return { sha, subject, author, date };
}

/** `rev` as a full commit sha; a GitError naming `what` (`--good`) when git does not know it. */
export async function resolveRevision(top: string, rev: string, what: string): Promise<Commit> {
  const { stdout } = await git('git', [
    '-C',
    top,
    'log',
    '-1',
    `--format=${FORMAT}`,
    `${rev}^{commit}`,
    '--',
  ]).catch(() => {
    throw new GitError(`${what} ${rev}: no such commit in ${top}`);
  });
  return parseCommit(stdout.trim());
}

/**
 * The commits after `good` up to and including `bad`, oldest first, along the ancestry path
 * (commits of side branches that never reached `bad` are not in it). With `firstParent`, only
 * the first-parent chain: a merge is one step, as a merge-heavy history wants.
 */
export async function commitRange(
  top: string,
  good: Commit,
  bad: Commit,
  options: { firstParent: boolean },
): Promise<Commit[]> {
  const isAncestor = await git('git', [
    '-C',
    top,
    'merge-base',
    '--is-ancestor',
    good.sha,
    bad.sha,
  ]).then(
    () => true,
    () => false,
  );
  if (!isAncestor || good.sha === bad.sha)
    throw new GitError(
      `--good ${good.sha.slice(0, 12)} must be an ancestor of --bad ${bad.sha.slice(0, 12)} (and not the same commit)`,
    );
  const { stdout } = await git(
    'git',
    [
      '-C',
      top,
      'log',
      '--reverse',
      '--topo-order',
      '--ancestry-path',
      ...(options.firstParent ? ['--first-parent'] : []),
      `--format=${FORMAT}`,
      `${good.sha}..${bad.sha}`,
      '--',
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map(parseCommit);
}

/**
 * What a bisect searches: the kernel's recipe, and the commits from `good` to `bad` in the git
 * repository of its build context. What git refuses is the user's input.
 */
export async function bisectRange(
  settings: Pick<Settings, 'configPath' | 'kernel'>,
  options: { good: string; bad: string; firstParent: boolean },
): Promise<{ kernel: DockerKernelSettings; good: Commit; bad: Commit; commits: Commit[] }> {
  const kernel = settings.kernel;
  if (kernel?.build === undefined)
    throw new BisectInputError(
      `${settings.configPath}: kernel.build is not set: bisect builds each commit's kernel with it`,
    );
  if (isManyImages(kernel.path))
    throw new BisectInputError(
      `${settings.configPath}: kernel.path ${kernel.path} names one image per test (${IMAGE_PLACEHOLDER}): bisect builds one kernel file per commit and cannot bisect a kernel of many images`,
    );
  const asInput = (error: unknown): never => {
    throw error instanceof GitError ? new BisectInputError(error.message) : error;
  };
  const top = await gitTop(kernel.build.context).catch(asInput);
  const good = await resolveRevision(top, options.good, '--good').catch(asInput);
  const bad = await resolveRevision(top, options.bad, '--bad').catch(asInput);
  const commits = await commitRange(top, good, bad, options).catch(asInput);
  return { kernel, good, bad, commits };
}
