import type { Settings } from '../config/settings.js';
import type { DockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import { buildKernel } from '../docker/kernel.js';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheDirs, Clock, Waits } from '../context.js';
import type { GitHub, GitHubRun } from '../github/client.js';
import { KernelFileError } from '../qemu/kernel-image.js';
import { KernelCache } from './cache.js';
import { type FetchContext, fetchReference } from './sources/index.js';

/** A kernel ready to boot, with where it came from (as reports show it). */
export interface ResolvedKernel {
  name: string;
  path: string;
  /** The kernel's own disk images (`kernel.extra`), attached after the shared ones. */
  disks?: readonly string[];
  source: Record<string, unknown>;
  /** `sha256:…` when fetching or extracting already computed it. */
  digest?: string;
}

export const CANDIDATE = 'candidate';

export interface ResolveOptions {
  docker: DockerAccess;
  variant: string;
  outDir: string;
  progress: (line: string) => void;
  /** Every line of the candidate's Docker build (the Action shows them in a log group). */
  output?: (line: string) => void;
  /** For artifact, release and base references; without it they fail with a clear message. */
  github?: GitHub;
  run?: GitHubRun;
  /** Reference kernels, and the candidate's build context digests, kept between runs. */
  cache: Pick<CacheDirs, 'kernels' | 'sources' | 'contexts'>;
  /** The run's clock: how long Docker builds take. */
  clock: Clock;
  retryBaseMs?: number;
  /** The run's waits (the download idle timeout, the retry backoff). */
  waits?: Pick<Waits, 'downloadIdleMs' | 'retryBaseMs'>;
}

async function resolveCandidate(
  settings: Settings,
  flag: string | undefined,
  options: ResolveOptions,
): Promise<ResolvedKernel> {
  const kernel = settings.kernel;
  // A directory is a source tree, built with kernel.build's recipe as a --reference one is.
  if (flag && (await stat(flag).catch(() => undefined))?.isDirectory())
    return builtFrom(settings, { name: CANDIDATE, path: flag }, options);
  if (flag) return { name: CANDIDATE, path: flag, source: { file: flag } };
  if (!kernel)
    throw new KernelFileError(
      'no candidate kernel: pass --candidate PATH, or set kernel.build or kernel.file in diverge.yml',
    );
  if (kernel.file !== undefined)
    return {
      name: CANDIDATE,
      path: kernel.file,
      ...(kernel.extra.length ? { disks: kernel.extra } : {}),
      source: { file: kernel.file },
    };
  const built = await buildKernel(options.docker, kernel, {
    ...options,
    contextCache: options.cache.contexts,
    ...(settings.harness.tests && { tests: settings.harness.tests }),
  });
  return {
    name: CANDIDATE,
    path: built.kernel.path,
    digest: built.kernel.digest,
    ...(built.extra.length ? { disks: built.extra.map((f) => f.path) } : {}),
    source: {
      build: {
        context: kernel.build.context,
        dockerfile: kernel.build.dockerfile,
        ...(kernel.build.target ? { target: kernel.build.target } : {}),
        variant: options.variant,
      },
      image: built.image.tag,
      path: kernel.path,
    },
  };
}

/** Why a `--reference` directory cannot be built (checked before --out too: commands/inputs). */
export const noRecipeFor = (name: string, dir: string): string =>
  `reference ${name}: ${dir} is a directory, which diverge builds with kernel.build, and the config has none`;

/**
 * A `--reference NAME=PATH`: a kernel file as it is, or a source directory built with
 * kernel.build's recipe (its Dockerfile over the directory's files, as `diverge grade` builds a
 * submission), trusted like the candidate's own build: the staff name their references.
 */
async function flaggedReference(
  settings: Settings,
  flagged: { name: string; path: string },
  options: ResolveOptions,
): Promise<ResolvedKernel> {
  const { name, path: source } = flagged;
  if (!(await stat(source).catch(() => undefined))?.isDirectory())
    return { name, path: source, source: { file: source } };
  return builtFrom(settings, flagged, options);
}

/** A source directory built with kernel.build's recipe: its Dockerfile over the directory. */
async function builtFrom(
  settings: Settings,
  flagged: { name: string; path: string },
  options: ResolveOptions,
): Promise<ResolvedKernel> {
  const { name, path: source } = flagged;
  const kernel = settings.kernel;
  if (!kernel?.build) throw new KernelFileError(noRecipeFor(name, source));
  const built = await buildKernel(options.docker, kernel, {
    variant: options.variant,
    outDir: name === CANDIDATE ? options.outDir : path.join(options.outDir, 'references', name),
    progress: (line) => options.progress(name === CANDIDATE ? line : `reference ${name}: ${line}`),
    contextCache: options.cache.contexts,
    clock: options.clock,
    source,
    ...(settings.harness.tests && { tests: settings.harness.tests }),
  }).catch((error: unknown) => {
    // The recipe is the config's, the source this reference's: say whose build it was.
    if (error instanceof BuildError)
      throw new BuildError(
        `${name === CANDIDATE ? 'candidate' : `reference ${name}`} (${source}): ${error.message}`,
        {
          field: error.field,
          lastLines: error.lastLines,
        },
      );
    throw error;
  });
  return {
    name,
    path: built.kernel.path,
    digest: built.kernel.digest,
    ...(built.extra.length ? { disks: built.extra.map((f) => f.path) } : {}),
    source: { build: { context: source }, image: built.image.tag, path: kernel.path },
  };
}

/**
 * The references as files: the flags' (kernel files, or source directories built with
 * kernel.build), else every `references:` entry fetched.
 */
export async function resolveReferences(
  settings: Settings,
  flagged: readonly { name: string; path: string }[] | undefined,
  options: ResolveOptions,
): Promise<ResolvedKernel[]> {
  if (flagged && flagged.length > 0) {
    const references: ResolvedKernel[] = [];
    // One at a time, as below: their build lines would interleave.
    for (const r of flagged) references.push(await flaggedReference(settings, r, options));
    return references;
  }
  const workDir = path.join(options.outDir, 'references');
  await mkdir(workDir, { recursive: true });
  const context: FetchContext = {
    run: options.run ?? { variant: options.variant },
    ...(options.github ? { github: options.github } : {}),
    docker: options.docker,
    cache: new KernelCache(options.cache, options.progress, path.join(workDir, 'uncached')),
    contextCache: options.cache.contexts,
    clock: options.clock,
    settings,
    workDir,
    progress: options.progress,
    ...(options.waits ?? {}),
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
  };
  const references: ResolvedKernel[] = [];
  // One at a time: the progress lines of two downloads would interleave.
  for (const reference of settings.references) {
    const fetched = await fetchReference(reference, context);
    if (reference.source.kind !== 'file')
      options.progress(
        `reference ${reference.name}: ${fetched.cached ? 'from the cache' : 'fetched'} (${fetched.digest})`,
      );
    references.push({
      name: reference.name,
      path: fetched.path,
      source: fetched.source,
      digest: fetched.digest,
    });
  }
  return references;
}

/**
 * The candidate and the references as files. Flags win over the config. The candidate comes
 * from its file or its Docker build; references are fetched from their sources (see sources/).
 */
export async function resolveKernels(
  settings: Settings,
  flags: { candidate?: string; references?: { name: string; path: string }[] },
  options: ResolveOptions,
): Promise<{ candidate: ResolvedKernel; references: ResolvedKernel[] }> {
  // References are checked first: a config mistake there should not wait for a kernel build.
  const references = await resolveReferences(settings, flags.references, options);
  if (references.some((r) => r.name === CANDIDATE))
    throw new KernelFileError(`a reference cannot be named "${CANDIDATE}"`);
  const candidate = await resolveCandidate(settings, flags.candidate, options);
  return { candidate, references };
}
