/**
 * `base: true` — the pull request's base kernel (on a push, the kernel before the push), published
 * on push or built from the base commit.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildCommitKernel, GitError, gitTop, localBase } from '../../docker/worktree.js';
import { fromArtifact } from './artifact.js';
import {
  fail,
  type FetchContext,
  type FetchedKernel,
  publishedArtifactName,
  type Reference,
  ReferenceFetchError,
} from './common.js';

/**
 * The pull request's base kernel: the artifact an earlier push on the base branch published,
 * else the candidate's own recipe built from the base commit in a git worktree. With no event
 * (a local run), the base commit is the merge-base of HEAD with --base-ref or with origin's
 * default branch (see localBase).
 */
export async function fromBase(ref: Reference, ctx: FetchContext): Promise<FetchedKernel> {
  const { baseBranch, variant, local } = ctx.run;
  let baseSha = ctx.run.baseSha;
  if (!baseBranch && !baseSha && !local)
    fail(
      ref,
      'base: true needs a pull request (its base branch and commit) or a push (the commit before it); none is known here',
    );
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
  let branch = baseBranch;
  if (!baseSha && local && kernel?.build !== undefined) {
    const merged = await localBaseOf(ref, kernel.build.context, baseBranch);
    ctx.progress(
      `reference ${ref.name}: the base is ${merged.sha.slice(0, 12)}, where HEAD branched from ${merged.ref}`,
    );
    ({ sha: baseSha, ref: branch } = merged);
  }
  if (!baseSha || kernel?.build === undefined)
    fail(
      ref,
      `no kernel published on ${baseBranch ?? 'the base branch'}, and ${kernel?.build === undefined ? 'kernel.build is not set, so the base commit cannot be built' : 'the base commit is not known'}`,
    );
  const key = `base ${baseSha} ${variant} ${JSON.stringify(kernel.build)} ${kernel.path}`;
  const described = {
    base: { branch, sha: baseSha, built: true, ...(ctx.run.baseSha ? {} : { mergeBase: true }) },
  };
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };

  ctx.progress(
    `reference ${ref.name}: building the base commit ${baseSha.slice(0, 12)} in a worktree`,
  );
  try {
    await fetchIfMissing(ref, await gitTop(kernel.build.context), baseSha, ctx);
    const built = await buildCommitKernel(ctx.docker, kernel, baseSha, {
      variant,
      workDir: ctx.workDir,
      outDir: path.join(ctx.workDir, 'base-build'),
      progress: ctx.progress,
      contextCache: ctx.contextCache,
      clock: ctx.clock,
    });
    const stored = await ctx.cache.store(built.kernel.path, path.basename(kernel.path), key);
    return { ...stored, source: described, cached: false };
  } catch (error) {
    if (error instanceof GitError) fail(ref, error.message);
    throw error;
  }
}

/** The local base of `ref` (see localBase), a git problem said as the reference's. */
export async function localBaseOf(
  ref: Reference,
  context: string,
  branch: string | undefined,
): Promise<{ ref: string; sha: string }> {
  try {
    return await localBase(await gitTop(context), branch);
  } catch (error) {
    if (error instanceof GitError) fail(ref, `base: true: ${error.message}`);
    throw error;
  }
}

/**
 * A shallow clone (actions/checkout's default depth of 1) lacks the base commit: it is fetched
 * alone from origin, with the credentials the checkout left in the git config.
 */
async function fetchIfMissing(ref: Reference, top: string, sha: string, ctx: FetchContext) {
  const git = promisify(execFile);
  const present = await git('git', ['-C', top, 'cat-file', '-e', `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
  if (present) return;
  ctx.progress(
    `reference ${ref.name}: the base commit ${sha.slice(0, 12)} is not in this clone: fetching it from origin`,
  );
  await git('git', ['-C', top, 'fetch', '--quiet', '--no-tags', '--depth=1', 'origin', sha]).catch(
    (error: Error) =>
      fail(
        ref,
        `the base commit ${sha} is not in this clone and fetching it from origin failed (${error.message.trim()}); check out with fetch-depth: 0`,
      ),
  );
}
