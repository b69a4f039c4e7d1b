/**
 * A course's submissions from GitHub (`diverge grade --github-org ORG --repo-prefix PREFIX`):
 * every repository of the organisation whose name starts with the prefix (GitHub Classroom
 * names them `<assignment>-<login>`) is one student. A repository whose own workflow published
 * its kernel (the action's `diverge-kernel-<variant>` artifact, on a push to its default
 * branch) gives that kernel; any other is downloaded at its default branch (the tarball
 * endpoint) into a directory to build. A repository that yields neither is still a submission,
 * with the reason, so that it gets its row in the gradebook.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GitHub } from '../github/client.js';
import { download } from '../references/download.js';
import {
  MAX_KERNEL_BYTES,
  publishedArtifactName,
  redirectTarget,
} from '../references/sources/common.js';
import { extractZip } from '../references/zip.js';
import { inParallel } from '../util/parallel.js';
import { extractTarball } from './tarball.js';

export interface Submission {
  /** The student: the repository name after the prefix (`lab1-alice` → `alice`). */
  name: string;
  /** A kernel to boot as is: the repository's published artifact. */
  kernel?: string;
  /** A directory to build with the config's `kernel.build` (the staff's recipe). */
  context?: string;
  /** Why the repository gave neither. */
  error?: string;
  /** Where it came from, for the gradebook and for telling an unchanged submission. */
  source: {
    repository: string;
    branch: string;
    artifact?: { id: number; run?: number; sha?: string; digest: string };
    tarball?: { digest: string };
  };
}

export interface GitHubSubmissionOptions {
  org: string;
  prefix: string;
  /** Whose published kernel to take: `diverge-kernel-<variant>`. */
  variant: string;
  /** Each submission's files go to `dir/NAME/` (`kernel/…` or `source/`). */
  dir: string;
  /** Take published kernels when there are (default); false builds every repository. */
  artifacts?: boolean;
  progress: (line: string) => void;
  /** Repositories fetched at once. */
  parallel?: number;
  /** Backoff unit for download retries (tests shorten it). */
  retryBaseMs?: number;
}

interface Repository {
  name: string;
  full_name: string;
  default_branch?: string;
  owner: { login: string };
}

/** The student's name in a repository name, or undefined when it does not have the prefix. */
export function studentOf(repository: string, prefix: string): string | undefined {
  if (!repository.toLowerCase().startsWith(prefix.toLowerCase())) return undefined;
  const rest = repository.slice(prefix.length).replace(/^[-_.]+/, '');
  return rest === '' || rest === '.' || rest === '..' ? repository : rest;
}

export async function submissionsFromGitHub(
  github: GitHub,
  options: GitHubSubmissionOptions,
): Promise<Submission[]> {
  const repositories = (
    (await github.paginate(github.rest.repos.listForOrg, {
      org: options.org,
      type: 'all',
      sort: 'full_name',
      per_page: 100,
    })) as Repository[]
  )
    .flatMap((repo) => {
      const name = studentOf(repo.name, options.prefix);
      return name === undefined ? [] : [{ repo, name }];
    })
    // By student name: the order shards split the course in.
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  options.progress(`${options.org}: ${repositories.length} repositories named ${options.prefix}*`);
  await mkdir(options.dir, { recursive: true });
  return inParallel(repositories, options.parallel ?? 4, ({ repo, name }) =>
    fetchSubmission(github, repo, name, options),
  );
}

/**
 * A submission as a NAME=PATH entry of `listSubmissions`: its published kernel, else its source
 * to build, else a path under `dir/missing/` that does not exist, so that it is graded as a row
 * saying the repository gave neither.
 */
export function submissionEntry(
  submission: Submission,
  dir: string,
): { name: string; path: string } {
  return {
    name: submission.name,
    path: submission.kernel ?? submission.context ?? path.join(dir, 'missing', submission.name),
  };
}

async function fetchSubmission(
  github: GitHub,
  repo: Repository,
  name: string,
  options: GitHubSubmissionOptions,
): Promise<Submission> {
  const branch = repo.default_branch ?? 'main';
  const source: Submission['source'] = { repository: repo.full_name, branch };
  const target = path.join(options.dir, name);
  const say = (line: string) => options.progress(`${name} (${repo.full_name}): ${line}`);
  await rm(target, { recursive: true, force: true });
  try {
    if (options.artifacts ?? true) {
      const kernel = await publishedKernel(github, repo, branch, target, options, say).catch(
        (error: unknown) => {
          say(
            `its published kernel could not be used (${(error as Error).message}); building its source`,
          );
          return undefined;
        },
      );
      if (kernel)
        return { name, kernel: kernel.path, source: { ...source, artifact: kernel.artifact } };
    }
    const tarball = await sourceAt(github, repo, branch, target, options);
    say(`source at ${branch} (${tarball.entries} entries) to build`);
    return {
      name,
      context: tarball.dir,
      source: { ...source, tarball: { digest: tarball.digest } },
    };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const why =
      status === 404
        ? `nothing at ${branch} (an empty repository, or the token cannot read it)`
        : (error as Error).message;
    say(why);
    return { name, error: `${repo.full_name}: ${why}`, source };
  }
}

const owner = (repo: Repository) => ({ owner: repo.owner.login, repo: repo.name });

/** The newest unexpired `diverge-kernel-<variant>` published from the default branch, if any. */
async function publishedKernel(
  github: GitHub,
  repo: Repository,
  branch: string,
  target: string,
  options: GitHubSubmissionOptions,
  say: (line: string) => void,
) {
  const name = publishedArtifactName(options.variant);
  const { data } = await github.rest.actions.listArtifactsForRepo({
    ...owner(repo),
    name,
    per_page: 100,
  });
  const artifact = data.artifacts.find(
    (a) => a.name === name && !a.expired && (a.workflow_run?.head_branch ?? branch) === branch,
  );
  if (!artifact) return undefined;
  const url = await redirectTarget(
    github,
    'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
    { ...owner(repo), artifact_id: artifact.id, archive_format: 'zip' },
  );
  const scratch = await mkdtemp(`${target}.artifact-`);
  try {
    const zip = path.join(scratch, 'artifact.zip');
    const got = await download(url, zip, {
      maxBytes: MAX_KERNEL_BYTES,
      log: say,
      ...retry(options),
    });
    const files = await extractZip(zip, path.join(scratch, 'files'));
    if (files.length !== 1)
      throw new Error(`artifact ${name} holds ${files.length} files, not one kernel`);
    const file = files[0] as string;
    const kernel = path.join(target, 'kernel', path.basename(file));
    await rm(target, { recursive: true, force: true });
    await mkdir(path.dirname(kernel), { recursive: true });
    await rename(path.join(scratch, 'files', file), kernel);
    say(`published kernel ${name} (artifact ${artifact.id})`);
    return {
      path: kernel,
      artifact: {
        id: artifact.id,
        ...(artifact.workflow_run?.id ? { run: artifact.workflow_run.id } : {}),
        ...(artifact.workflow_run?.head_sha ? { sha: artifact.workflow_run.head_sha } : {}),
        digest: got.digest,
      },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The repository at `branch`, extracted safely into `target/source`. */
async function sourceAt(
  github: GitHub,
  repo: Repository,
  branch: string,
  target: string,
  options: GitHubSubmissionOptions,
) {
  const url = await redirectTarget(github, 'GET /repos/{owner}/{repo}/tarball/{ref}', {
    ...owner(repo),
    ref: branch,
  });
  const scratch = await mkdtemp(`${target}.tarball-`);
  try {
    const file = path.join(scratch, 'source.tar.gz');
    const got = await download(url, file, { maxBytes: MAX_KERNEL_BYTES, ...retry(options) });
    const dir = path.join(target, 'source');
    const entries = await extractTarball(file, dir);
    return { dir, entries, digest: got.digest };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const retry = (options: GitHubSubmissionOptions) =>
  options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs };
