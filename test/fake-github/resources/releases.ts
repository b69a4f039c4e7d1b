/**
 * Releases and their assets. An asset's bytes come through a redirect to storage when the
 * client asks for `application/octet-stream`, as on GitHub; otherwise the asset's JSON.
 */
import { sha256 } from '../state.js';
import type { AssetRecord, ReleaseRecord } from '../state.js';
import {
  type Ctx,
  type Handler,
  newestFirst,
  notFound,
  num,
  paginate,
  repoOf,
  str,
} from './context.js';
import { nodeId } from './shapes.js';

function assetShape(ctx: Ctx, release: ReleaseRecord, asset: AssetRecord): Record<string, unknown> {
  return {
    url: `${ctx.urls.repoApi(release.repo)}/releases/assets/${asset.id}`,
    browser_download_url: `${ctx.urls.repoWeb(release.repo)}/releases/download/${encodeURIComponent(release.tag)}/${encodeURIComponent(asset.name)}`,
    id: asset.id,
    node_id: nodeId('RA', asset.id),
    name: asset.name,
    label: '',
    state: 'uploaded',
    content_type: asset.contentType,
    size: asset.data.length,
    digest: `sha256:${sha256(asset.data)}`,
    download_count: 0,
    created_at: asset.createdAt,
    updated_at: asset.createdAt,
    uploader: ctx.shapes.user(asset.uploader),
  };
}

function releaseShape(ctx: Ctx, release: ReleaseRecord): Record<string, unknown> {
  const api = ctx.urls.repoApi(release.repo);
  const url = `${api}/releases/${release.id}`;
  return {
    url,
    html_url: `${ctx.urls.repoWeb(release.repo)}/releases/tag/${encodeURIComponent(release.tag)}`,
    assets_url: `${url}/assets`,
    upload_url: `${url}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${release.tag}`,
    zipball_url: `${api}/zipball/${release.tag}`,
    id: release.id,
    node_id: nodeId('RE', release.id),
    tag_name: release.tag,
    target_commitish: release.targetCommitish,
    name: release.name,
    body: release.body,
    draft: release.draft,
    prerelease: release.prerelease,
    immutable: false,
    created_at: release.createdAt,
    updated_at: release.createdAt,
    published_at: release.publishedAt,
    author: ctx.shapes.user(release.author),
    assets: release.assets.map((a) => assetShape(ctx, release, a)),
  };
}

/** Drafts are visible only to those who can push, as on GitHub. */
function visible(ctx: Ctx): ReleaseRecord[] {
  const repo = repoOf(ctx);
  return ctx.state.releases.filter(
    (r) => r.repo === repo.fullName && (!r.draft || ctx.token?.permissions === 'write'),
  );
}

/** Serves a release asset's bytes: a redirect to storage, like GitHub's. */
export function assetRedirect(ctx: Pick<Ctx, 'blobs'>, asset: AssetRecord) {
  return {
    status: 302,
    headers: {
      location: ctx.blobs.signDownload(asset.data, 'application/octet-stream', asset.name),
    },
  };
}

export const releaseHandlers: Record<string, Handler> = {
  'repos/list-releases': (ctx) => {
    const all = visible(ctx).sort(newestFirst);
    const page = paginate(ctx, all);
    return {
      status: 200,
      body: page.items.map((r) => releaseShape(ctx, r)),
      headers: page.headers,
    };
  },

  'repos/get-release': (ctx) => {
    const release = visible(ctx).find((r) => r.id === num(ctx.params.release_id));
    if (!release) throw notFound();
    return { status: 200, body: releaseShape(ctx, release) };
  },

  'repos/get-latest-release': (ctx) => {
    const release = visible(ctx)
      .filter((r) => !r.draft && !r.prerelease)
      .sort(newestFirst)[0];
    if (!release) throw notFound();
    return { status: 200, body: releaseShape(ctx, release) };
  },

  'repos/get-release-by-tag': (ctx) => {
    // A draft has no tag yet as far as this endpoint is concerned.
    const release = visible(ctx).find((r) => !r.draft && r.tag === str(ctx.params.tag));
    if (!release) throw notFound();
    return { status: 200, body: releaseShape(ctx, release) };
  },

  'repos/list-release-assets': (ctx) => {
    const release = visible(ctx).find((r) => r.id === num(ctx.params.release_id));
    if (!release) throw notFound();
    const page = paginate(ctx, release.assets);
    return {
      status: 200,
      body: page.items.map((a) => assetShape(ctx, release, a)),
      headers: page.headers,
    };
  },

  'repos/get-release-asset': (ctx) => {
    const release = visible(ctx).find((r) =>
      r.assets.some((a) => a.id === num(ctx.params.asset_id)),
    );
    const asset = release?.assets.find((a) => a.id === num(ctx.params.asset_id));
    if (!release || !asset) throw notFound();
    const accept = str(ctx.headers.accept ?? '');
    if (accept.split(',').some((t) => t.trim().split(';')[0] === 'application/octet-stream'))
      return assetRedirect(ctx, asset);
    return { status: 200, body: assetShape(ctx, release, asset) };
  },
};

/**
 * `GET /{owner}/{repo}/releases/download/{tag}/{name}`: the web download a release asset's
 * `browser_download_url` points at (public repositories need no token).
 */
export function webAssetDownload(
  ctx: Pick<Ctx, 'state' | 'blobs'>,
  fullName: string,
  tag: string,
  name: string,
): ReturnType<typeof assetRedirect> | undefined {
  const repo = ctx.state.repo(fullName);
  if (!repo || repo.private) return undefined;
  const release = ctx.state.releases.find(
    (r) => r.repo === repo.fullName && !r.draft && r.tag === tag,
  );
  const asset = release?.assets.find((a) => a.name === name);
  return asset ? assetRedirect(ctx, asset) : undefined;
}
