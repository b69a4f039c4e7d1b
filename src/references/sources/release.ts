/** `release:` — an asset of a tagged release. */
import {
  apiFailure,
  downloadIntoCache,
  type FetchContext,
  type FetchedKernel,
  fail,
  redirectTarget,
  type Reference,
  ReferenceFetchError,
  requireGitHub,
  type Source,
  splitRepository,
} from './common.js';

export async function fromRelease(
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
