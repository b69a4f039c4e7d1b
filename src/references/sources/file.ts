/** `file:` — a kernel already on disk. */
import { stat } from 'node:fs/promises';
import { sha256File } from '../../util/digest.js';
import { fail, type FetchedKernel, type Reference, type Source } from './common.js';

export async function fromFile(
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
