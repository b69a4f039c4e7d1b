/** `image:` — a file taken out of a container image (pulled when missing). */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { DockerUnavailableError } from '../../docker/errors.js';
import { extractFiles } from '../../docker/extract.js';
import { pullIfMissing } from '../../docker/pull.js';
import {
  fail,
  type FetchContext,
  type FetchedKernel,
  type Reference,
  type Source,
} from './common.js';

export async function fromImage(
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
    if (error instanceof DockerUnavailableError) throw error;
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
    ).catch((error: Error) => {
      if (error instanceof DockerUnavailableError) throw error;
      fail(ref, error.message.replace(/^reference \S+: /, ''));
    });
    if (!file) fail(ref, `image ${source.ref} gave no file`);
    const stored = await ctx.cache.store(file.path, path.posix.basename(source.path), key);
    return { ...stored, source: described, cached: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
