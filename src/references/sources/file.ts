/** `file:` — a kernel already on disk. */
import { stat } from 'node:fs/promises';
import { sha256File } from '../../util/digest.js';
import { isManyImages } from '../../model/images.js';
import { imagesDigest } from '../../qemu/kernel-image.js';
import { fail, type FetchedKernel, type Reference, type Source } from './common.js';

export async function fromFile(
  ref: Reference,
  source: Extract<Source, { kind: 'file' }>,
  tests: readonly string[] | undefined,
): Promise<FetchedKernel> {
  // A kernel of many images, one per test (model/images.ts): every test's image must be there.
  if (isManyImages(source.path)) {
    const digest = await imagesDigest(ref.name, source.path, tests).catch((error: Error) =>
      fail(ref, error.message.replace(/^kernel "[^"]*": /, '')),
    );
    return { path: source.path, digest, source: { file: source.path }, cached: false };
  }
  const info = await stat(source.path).catch(() => undefined);
  if (!info?.isFile()) fail(ref, `no kernel file at ${source.path}`);
  return {
    path: source.path,
    digest: await sha256File(source.path),
    source: { file: source.path },
    cached: false,
  };
}
