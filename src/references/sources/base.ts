/** `base: true` — the pull request's base kernel, published on push or built from the base commit. */
import path from 'node:path';
import { buildCommitKernel, GitError } from '../../build/worktree.js';
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
 * else the candidate's own recipe built from the base commit in a git worktree.
 */
export async function fromBase(ref: Reference, ctx: FetchContext): Promise<FetchedKernel> {
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

  ctx.progress(
    `reference ${ref.name}: building the base commit ${baseSha.slice(0, 12)} in a worktree`,
  );
  try {
    const built = await buildCommitKernel(ctx.docker, kernel, baseSha, {
      variant,
      workDir: ctx.workDir,
      outDir: path.join(ctx.workDir, 'base-build'),
      progress: ctx.progress,
      contextCache: ctx.contextCache,
    });
    const stored = await ctx.cache.store(built.kernel.path, path.basename(kernel.path), key);
    return { ...stored, source: described, cached: false };
  } catch (error) {
    if (error instanceof GitError) fail(ref, error.message);
    throw error;
  }
}
