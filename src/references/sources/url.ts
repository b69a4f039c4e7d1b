/** `url:` with `sha256:` — any download, content-addressed by its promised digest. */
import path from 'node:path';
import { redact } from '../download.js';
import {
  downloadIntoCache,
  fail,
  type FetchContext,
  type FetchedKernel,
  type Reference,
  type Source,
} from './common.js';

export async function fromUrl(
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
