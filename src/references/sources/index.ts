/**
 * Every `references:` source turned into a kernel file, one module per source kind. Downloads go
 * through the kernel cache, so a second run finds what the first fetched; errors name the
 * reference and the cause.
 */
import { fromArtifact } from './artifact.js';
import { fromBase } from './base.js';
import type { FetchContext, FetchedKernel, Reference } from './common.js';
import { fromFile } from './file.js';
import { fromImage } from './image.js';
import { fromRelease } from './release.js';
import { fromUrl } from './url.js';

export {
  type FetchContext,
  type FetchedKernel,
  publishedArtifactName,
  type Reference,
  ReferenceFetchError,
} from './common.js';

type Kind = Reference['source']['kind'];
type Fetcher<K extends Kind> = (
  ref: Reference,
  source: Extract<Reference['source'], { kind: K }>,
  ctx: FetchContext,
) => Promise<FetchedKernel>;

const FETCHERS: { [K in Kind]: Fetcher<K> } = {
  artifact: fromArtifact,
  base: (ref, _source, ctx) => fromBase(ref, ctx),
  release: fromRelease,
  url: fromUrl,
  image: fromImage,
  file: (ref, source, ctx) => fromFile(ref, source, ctx.settings.harness.tests),
};

/** One reference as a kernel file, from the cache when it has it. */
export function fetchReference(ref: Reference, ctx: FetchContext): Promise<FetchedKernel> {
  const fetcher = FETCHERS[ref.source.kind] as Fetcher<Kind>;
  return fetcher(ref, ref.source, ctx);
}
