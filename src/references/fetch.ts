/**
 * Every `references:` source turned into a kernel file: artifact, release, url, image, file and
 * base. Downloads go through the kernel cache, so a second run finds what the first fetched;
 * errors name the reference and the cause.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Settings } from '../config/settings.js';
import type { DockerAccess } from '../build/docker.js';
import { extractFiles } from '../build/extract.js';
import { pullIfMissing } from '../build/pull.js';
import { buildKernel } from '../build/kernel.js';
import { sha256File } from '../digest.js';
import type { GitHub } from '../github/client.js';
import type { KernelCache } from './cache.js';
import { download, DownloadError, redact } from './download.js';
import { ArchiveError, extractZip } from './zip.js';

export type Reference = Settings['references'][number];
type Source = Reference['source'];

/** A reference that could not be fetched; the message starts with `reference NAME:`. */
export class ReferenceFetchError extends Error {}

/** Where a run is, as far as references care: which repository, workflow, branch and commit. */
export interface RunContext {
  /** `owner/name` of the repository under test. */
  repository?: string;
  /** File name of the running workflow (`kernel.yml`), the default workflow of artifacts. */
  workflow?: string;
  /** The pull request's base branch and commit, for `base: true` and default artifact branches. */
  baseBranch?: string;
  baseSha?: string;
  variant: string;
}

export interface FetchContext {
  run: RunContext;
  github?: GitHub;
  docker: DockerAccess;
  cache: KernelCache;
  settings: Settings;
  /** Scratch space for downloads and worktrees. */
  workDir: string;
  progress: (line: string) => void;
  /** Backoff unit for download retries (tests shorten it). */
  retryBaseMs?: number;
}

export interface FetchedKernel {
  path: string;
  digest: string;
  /** What the report shows as the reference's source. */
  source: Record<string, unknown>;
  /** True when the kernel came from the cache, not the network or a build. */
  cached: boolean;
}

/** The artifact name a push publishes its kernel under, and `base: true` looks for. */
export const publishedArtifactName = (variant: string) => `diverge-kernel-${variant}`;

const MAX_KERNEL_BYTES = 1024 * 1024 * 1024;
/** Successful runs looked through for one that still has the artifact. */
const MAX_RUNS_SEARCHED = 50;

function fail(ref: Reference, message: string): never {
  throw new ReferenceFetchError(`reference ${ref.name}: ${message}`);
}

function splitRepository(ref: Reference, repository: string | undefined) {
  if (!repository)
    fail(ref, 'no repository: set it in the reference, or GITHUB_REPOSITORY (--repository)');
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo, full: repository };
}

/** A GitHub API failure, said in a user's words. */
function apiFailure(ref: Reference, what: string, error: unknown): never {
  const status = (error as { status?: number }).status;
  const message = (error as Error).message;
  if (status === 401) fail(ref, `${what}: GitHub refused the token (401 ${message})`);
  if (status === 403) fail(ref, `${what}: not allowed with this token (403 ${message})`);
  if (status === 404) fail(ref, `${what}: not found (404), or the token cannot see it`);
  fail(ref, `${what}: ${status ? `HTTP ${status} ` : ''}${message}`);
}

function requireGitHub(ref: Reference, ctx: FetchContext): GitHub {
  if (ctx.github) return ctx.github;
  fail(
    ref,
    `${ref.source.kind} references need the GitHub API: set GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise Server), or pass --reference ${ref.name}=PATH`,
  );
}

/** The storage URL a GitHub download endpoint redirects to; the token stays with GitHub. */
async function redirectTarget(
  github: GitHub,
  route: string,
  params: Record<string, unknown>,
): Promise<string> {
  const response = await github.request(route, { ...params, request: { redirect: 'manual' } });
  const location = response.headers.location;
  if (response.status >= 300 && response.status < 400 && location) return location;
  throw new Error(`expected a redirect to the file, got HTTP ${response.status}`);
}

async function fetchTo(ref: Reference, url: string, file: string, ctx: FetchContext) {
  try {
    return await download(url, file, {
      maxBytes: MAX_KERNEL_BYTES,
      log: (line) => ctx.progress(`reference ${ref.name}: ${line}`),
      ...(ctx.retryBaseMs !== undefined ? { retryBaseMs: ctx.retryBaseMs } : {}),
    });
  } catch (error) {
    if (error instanceof DownloadError) fail(ref, `download failed: ${error.message}`);
    throw error;
  }
}

/**
 * Downloads `url` into a scratch directory, lets `check` refuse the file by its digest, and
 * stores it in the kernel cache (under `key`, when the source has one).
 */
async function downloadIntoCache(
  ref: Reference,
  url: string,
  name: string,
  ctx: FetchContext,
  options: { key?: string; check?: (digest: string) => void },
) {
  const dir = await mkdtemp(path.join(ctx.workDir, `download-${ref.name}-`));
  try {
    const got = await fetchTo(ref, url, path.join(dir, name), ctx);
    options.check?.(got.digest);
    return await ctx.cache.store(path.join(dir, name), name, options.key);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromArtifact(
  ref: Reference,
  source: Extract<Source, { kind: 'artifact' }>,
  ctx: FetchContext,
): Promise<FetchedKernel> {
  const github = requireGitHub(ref, ctx);
  const { owner, repo, full } = splitRepository(ref, source.repository ?? ctx.run.repository);
  const workflow = source.workflow ?? ctx.run.workflow;
  const branch = source.branch ?? ctx.run.baseBranch;
  let runId = source.run;
  let artifact: { id: number; name: string; expired: boolean } | undefined;

  const artifactsOf = async (run: number) => {
    const all = await github.paginate(github.rest.actions.listWorkflowRunArtifacts, {
      owner,
      repo,
      run_id: run,
      name: source.name,
      per_page: 100,
    });
    return all.find((a) => a.name === source.name && !a.expired);
  };

  try {
    if (runId !== undefined) {
      artifact = await artifactsOf(runId);
      if (!artifact) fail(ref, `run ${runId} of ${full} has no artifact named ${source.name}`);
    } else {
      if (!workflow)
        fail(ref, 'no workflow: set artifact.workflow (the running workflow is not known here)');
      if (!branch)
        fail(ref, 'no branch: set artifact.branch (there is no pull request base branch here)');
      let searched = 0;
      for await (const page of github.paginate.iterator(github.rest.actions.listWorkflowRuns, {
        owner,
        repo,
        workflow_id: workflow,
        branch,
        status: 'success',
        per_page: 20,
      })) {
        for (const run of page.data) {
          if (searched++ >= MAX_RUNS_SEARCHED) break;
          artifact = await artifactsOf(run.id);
          if (artifact) {
            runId = run.id;
            break;
          }
        }
        if (artifact || searched >= MAX_RUNS_SEARCHED) break;
      }
      if (searched === 0) fail(ref, `no successful run of ${workflow} on ${branch} in ${full}`);
      if (!artifact)
        fail(
          ref,
          `none of the last ${searched} successful runs of ${workflow} on ${branch} in ${full} has an artifact named ${source.name} (expired, or never uploaded)`,
        );
    }
  } catch (error) {
    if (error instanceof ReferenceFetchError) throw error;
    if ((error as { status?: number }).status === 404 && runId === undefined)
      fail(ref, `no workflow ${workflow} in ${full} (404), or the token cannot see it`);
    apiFailure(ref, `looking for artifact ${source.name} in ${full}`, error);
  }
  const found = artifact as { id: number; name: string };
  const described = {
    artifact: { repository: full, run: runId, id: found.id, name: found.name },
  };
  const key = `artifact ${full} ${found.id} ${source.path ?? ''}`;
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };

  ctx.progress(`reference ${ref.name}: downloading artifact ${found.name} (run ${runId}, ${full})`);
  let url: string;
  try {
    url = await redirectTarget(
      github,
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      { owner, repo, artifact_id: found.id, archive_format: 'zip' },
    );
  } catch (error) {
    apiFailure(ref, `downloading artifact ${found.name}`, error);
  }
  const dir = await mkdtemp(path.join(ctx.workDir, `artifact-${ref.name}-`));
  try {
    await fetchTo(ref, url, path.join(dir, 'artifact.zip'), ctx);
    let files: string[];
    try {
      files = await extractZip(path.join(dir, 'artifact.zip'), path.join(dir, 'files'));
    } catch (error) {
      if (error instanceof ArchiveError)
        fail(ref, `artifact ${found.name} (id ${found.id}): ${error.message}`);
      throw error;
    }
    const wanted = source.path ?? (files.length === 1 ? files[0] : undefined);
    if (wanted === undefined)
      fail(
        ref,
        `artifact ${found.name} holds ${files.length} files (${files.slice(0, 10).join(', ')}); set artifact.path to the kernel's`,
      );
    if (!files.includes(wanted))
      fail(
        ref,
        `artifact ${found.name} has no ${wanted} (it holds ${files.slice(0, 10).join(', ') || 'nothing'})`,
      );
    const stored = await ctx.cache.store(path.join(dir, 'files', wanted), wanted, key);
    return { ...stored, source: described, cached: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromRelease(
  ref: Reference,
  source: Extract<Source, { kind: 'release' }>,
  ctx: FetchContext,
): Promise<FetchedKernel> {
  const github = requireGitHub(ref, ctx);
  const { owner, repo, full } = splitRepository(ref, source.repository ?? ctx.run.repository);
  let asset: { id: number; name: string; updated_at: string } | undefined;
  try {
    const { data: release } = await github.rest.repos.getReleaseByTag({
      owner,
      repo,
      tag: source.tag,
    });
    asset = release.assets.find((a) => a.name === source.asset);
    if (!asset)
      fail(
        ref,
        `release ${source.tag} of ${full} has no asset named ${source.asset} (assets: ${release.assets.map((a) => a.name).join(', ') || 'none'})`,
      );
  } catch (error) {
    if (error instanceof ReferenceFetchError) throw error;
    apiFailure(ref, `release ${source.tag} of ${full}`, error);
  }
  const found = asset as { id: number; name: string; updated_at: string };
  const described = { release: { repository: full, tag: source.tag, asset: found.name } };
  const key = `release ${full} ${found.id} ${found.updated_at}`;
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };

  ctx.progress(`reference ${ref.name}: downloading ${found.name} of release ${source.tag}`);
  let url: string;
  try {
    url = await redirectTarget(github, 'GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      owner,
      repo,
      asset_id: found.id,
      headers: { accept: 'application/octet-stream' },
    });
  } catch (error) {
    apiFailure(ref, `downloading ${found.name}`, error);
  }
  const stored = await downloadIntoCache(ref, url, found.name, ctx, { key });
  return { ...stored, source: described, cached: false };
}

async function fromUrl(
  ref: Reference,
  source: Extract<Source, { kind: 'url' }>,
  ctx: FetchContext,
): Promise<FetchedKernel> {
  const digest = `sha256:${source.sha256}`;
  const name = path.posix.basename(new URL(source.url).pathname) || 'kernel';
  const described = { url: redact(source.url), sha256: source.sha256 };
  // Content-addressed: a file with the promised digest is the file, wherever it came from.
  const cached = await ctx.cache.byDigest(digest, name);
  if (cached) return { ...cached, source: described, cached: true };
  ctx.progress(`reference ${ref.name}: downloading ${redact(source.url)}`);
  const stored = await downloadIntoCache(ref, source.url, name, ctx, {
    check: (got) => {
      if (got !== digest)
        fail(
          ref,
          `sha256 mismatch (expected ${source.sha256}, got ${got.slice('sha256:'.length)})`,
        );
    },
  });
  return { ...stored, source: described, cached: false };
}

async function fromImage(
  ref: Reference,
  source: Extract<Source, { kind: 'image' }>,
  ctx: FetchContext,
): Promise<FetchedKernel> {
  const docker = await ctx.docker.client();
  let id: string;
  try {
    id = await pullIfMissing(docker, source.ref, (line) =>
      ctx.progress(`reference ${ref.name}: ${line}`),
    );
  } catch (error) {
    fail(ref, `image ${(error as Error).message}`);
  }
  const described = { image: { ref: source.ref, id, path: source.path } };
  const key = `image ${id} ${source.path}`;
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };
  const dir = await mkdtemp(path.join(ctx.workDir, `image-${ref.name}-`));
  try {
    const [file] = await extractFiles(
      docker,
      source.ref,
      [{ inImage: source.path, field: `reference ${ref.name}: image.path` }],
      dir,
    ).catch((error: Error) => fail(ref, error.message.replace(/^reference \S+: /, '')));
    if (!file) fail(ref, `image ${source.ref} gave no file`);
    const stored = await ctx.cache.store(file.path, path.posix.basename(source.path), key);
    return { ...stored, source: described, cached: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function fromFile(
  ref: Reference,
  source: Extract<Source, { kind: 'file' }>,
): Promise<FetchedKernel> {
  const info = await stat(source.path).catch(() => undefined);
  if (!info?.isFile()) fail(ref, `no kernel file at ${source.path}`);
  return {
    path: source.path,
    digest: await sha256File(source.path),
    source: { file: source.path },
    cached: false,
  };
}

/**
 * The pull request's base kernel: the artifact an earlier push on the base branch published,
 * else the candidate's own recipe built from the base commit in a git worktree.
 */
async function fromBase(ref: Reference, ctx: FetchContext): Promise<FetchedKernel> {
  const { baseBranch, baseSha, variant } = ctx.run;
  if (!baseBranch && !baseSha)
    fail(ref, 'base: true needs a pull request (its base branch and commit); none is known here');
  if (ctx.github && baseBranch && ctx.run.workflow && ctx.run.repository) {
    try {
      const published = await fromArtifact(
        ref,
        { kind: 'artifact', name: publishedArtifactName(variant), branch: baseBranch },
        ctx,
      );
      return { ...published, source: { base: { branch: baseBranch }, ...published.source } };
    } catch (error) {
      if (!(error instanceof ReferenceFetchError)) throw error;
      ctx.progress(`${error.message}; building the base commit instead`);
    }
  }
  const kernel = ctx.settings.kernel;
  if (!baseSha || kernel?.build === undefined)
    fail(
      ref,
      `no kernel published on ${baseBranch ?? 'the base branch'}, and ${kernel?.build === undefined ? 'kernel.build is not set, so the base commit cannot be built' : 'the base commit is not known'}`,
    );
  const key = `base ${baseSha} ${variant} ${JSON.stringify(kernel.build)} ${kernel.path}`;
  const described = { base: { branch: baseBranch, sha: baseSha, built: true } };
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };

  const git = promisify(execFile);
  const { stdout } = await git('git', [
    '-C',
    kernel.build.context,
    'rev-parse',
    '--show-toplevel',
  ]).catch((error: Error) =>
    fail(ref, `kernel.build.context is not in a git repository: ${error.message}`),
  );
  const top = stdout.trim();
  const worktree = await mkdtemp(path.join(ctx.workDir, 'base-'));
  await rm(worktree, { recursive: true });
  ctx.progress(
    `reference ${ref.name}: building the base commit ${baseSha.slice(0, 12)} in a worktree`,
  );
  try {
    await git('git', ['-C', top, 'worktree', 'add', '--detach', worktree, baseSha]).catch(
      (error: Error) => fail(ref, `cannot check out the base commit ${baseSha}: ${error.message}`),
    );
    const context = path.join(worktree, path.relative(top, kernel.build.context));
    const built = await buildKernel(
      ctx.docker,
      { ...kernel, build: { ...kernel.build, context } },
      { variant, outDir: path.join(ctx.workDir, 'base-build'), progress: ctx.progress },
    );
    const stored = await ctx.cache.store(built.kernel.path, path.basename(kernel.path), key);
    return { ...stored, source: described, cached: false };
  } finally {
    await git('git', ['-C', top, 'worktree', 'remove', '--force', worktree]).catch(() => undefined);
  }
}

/** One reference as a kernel file, from the cache when it has it. */
export async function fetchReference(ref: Reference, ctx: FetchContext): Promise<FetchedKernel> {
  const { source } = ref;
  switch (source.kind) {
    case 'file':
      return fromFile(ref, source);
    case 'url':
      return fromUrl(ref, source, ctx);
    case 'artifact':
      return fromArtifact(ref, source, ctx);
    case 'release':
      return fromRelease(ref, source, ctx);
    case 'image':
      return fromImage(ref, source, ctx);
    case 'base':
      return fromBase(ref, ctx);
  }
}
