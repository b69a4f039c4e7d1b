/**
 * What every reference source shares: the fetch context, the error that names the reference,
 * GitHub API failures said in a user's words, and downloads into the kernel cache.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DockerAccess } from '../../docker/docker.js';
import type { Settings } from '../../config/settings.js';
import type { Clock } from '../../context.js';
import type { GitHub, GitHubRun } from '../../github/client.js';
import type { KernelCache } from '../cache.js';
import { download, DownloadError } from '../download.js';

export type Reference = Settings['references'][number];
export type Source = Reference['source'];

/** A reference that could not be fetched; the message starts with `reference NAME:`. */
export class ReferenceFetchError extends Error {}

/**
 * A reference that could not be fetched because a server failed (5xx, rate limits, resets,
 * stalls), even after retries: the infrastructure's fault, not the config's.
 */
export class ReferenceUnavailableError extends Error {}

export interface FetchContext {
  run: GitHubRun;
  github?: GitHub;
  docker: DockerAccess;
  cache: KernelCache;
  /** Where a base build keeps its context's file digests. */
  contextCache: string;
  /** The run's clock, for a base build. */
  clock: Clock;
  settings: Settings;
  /** Scratch space for downloads and worktrees. */
  workDir: string;
  progress: (line: string) => void;
  /** Backoff unit for download retries (tests shorten it). */
  retryBaseMs?: number;
  /** How long a download may send nothing. */
  downloadIdleMs?: number;
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

export const MAX_KERNEL_BYTES = 1024 * 1024 * 1024;

export function fail(ref: Reference, message: string): never {
  throw new ReferenceFetchError(`reference ${ref.name}: ${message}`);
}

function unavailable(ref: Reference, message: string): never {
  throw new ReferenceUnavailableError(`reference ${ref.name}: ${message}`);
}

export function splitRepository(ref: Reference, repository: string | undefined) {
  if (!repository)
    fail(ref, 'no repository: set it in the reference, or GITHUB_REPOSITORY (--repository)');
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo, full: repository };
}

/** A GitHub API failure, said in a user's words. */
export function apiFailure(ref: Reference, what: string, error: unknown): never {
  const status = (error as { status?: number }).status;
  const message = (error as Error).message;
  if ((status === 403 || status === 429) && /rate limit/i.test(message))
    unavailable(ref, `${what}: GitHub's rate limit (HTTP ${status} ${message})`);
  if (status === 429 || (status !== undefined && status >= 500))
    unavailable(ref, `${what}: GitHub answered HTTP ${status} ${message}, also after retries`);
  if (status === 401) fail(ref, `${what}: GitHub refused the token (401 ${message})`);
  if (status === 403) fail(ref, `${what}: not allowed with this token (403 ${message})`);
  if (status === 404) fail(ref, `${what}: not found (404), or the token cannot see it`);
  fail(ref, `${what}: ${status ? `HTTP ${status} ` : ''}${message}`);
}

export function requireGitHub(ref: Reference, ctx: FetchContext): GitHub {
  if (ctx.github) return ctx.github;
  fail(
    ref,
    `${ref.source.kind} references need the GitHub API: set GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise Server), or pass --reference ${ref.name}=PATH`,
  );
}

/** The storage URL a GitHub download endpoint redirects to; the token stays with GitHub. */
export async function redirectTarget(
  github: GitHub,
  route: string,
  params: Record<string, unknown>,
): Promise<string> {
  const response = await github.request(route, { ...params, request: { redirect: 'manual' } });
  const location = response.headers.location;
  if (response.status >= 300 && response.status < 400 && location) return location;
  throw new Error(`expected a redirect to the file, got HTTP ${response.status}`);
}

export async function fetchTo(ref: Reference, url: string, file: string, ctx: FetchContext) {
  try {
    return await download(url, file, {
      maxBytes: MAX_KERNEL_BYTES,
      log: (line) => ctx.progress(`reference ${ref.name}: ${line}`),
      ...(ctx.retryBaseMs !== undefined ? { retryBaseMs: ctx.retryBaseMs } : {}),
      ...(ctx.downloadIdleMs !== undefined ? { idleMs: ctx.downloadIdleMs } : {}),
    });
  } catch (error) {
    if (error instanceof DownloadError)
      (error.transient ? unavailable : fail)(ref, `download failed: ${error.message}`);
    throw error;
  }
}

/**
 * Downloads `url` into a scratch directory, lets `check` refuse the file by its digest, and
 * stores it in the kernel cache (under `key`, when the source has one).
 */
export async function downloadIntoCache(
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
