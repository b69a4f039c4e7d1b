/**
 * The candidate kernel from `kernel.build`: the image built (or found unchanged), then the
 * kernel and its extra files taken out of it.
 */
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import type { Clock } from '../context.js';
import type { DockerAccess } from './docker.js';
import { extractFiles, extractImages, type ExtractedFile } from './extract.js';
import { imagesManifest, isManyImages, noTestsFor } from '../model/images.js';
import { BuildError } from './errors.js';
import { sha256 } from '../util/digest.js';
import { type BuildRecipe, type BuildRequest, buildImage, type BuiltImage } from './image.js';
import { isolated } from '../model/limits.js';

export type DockerKernelSettings = Extract<NonNullable<Settings['kernel']>, { build: unknown }>;

export interface BuiltKernel {
  image: BuiltImage;
  /**
   * The kernel file; for a kernel of many images (`{test}` in kernel.path, model/images.ts) its
   * path keeps `{test}` where each test's name goes, and its digest is the images' digest.
   */
  kernel: ExtractedFile;
  extra: ExtractedFile[];
}

/** The build argument that names a kernel variant, as the Action's matrix sets it. */
export const VARIANT_ARG = 'VARIANT';

/**
 * The variant a run reports: the flag, else the VARIANT argument of the build that makes the
 * candidate, else `default`. A candidate given as a file was not built, so the build's argument
 * says nothing about it.
 */
export function variantOf(
  settings: Settings,
  flag: string | undefined,
  candidateFile?: string,
): string {
  if (flag) return flag;
  if (candidateFile !== undefined) return 'default';
  return settings.kernel?.build?.args[VARIANT_ARG] ?? 'default';
}

/** The recipe with the variant as its VARIANT build argument. */
export function kernelRecipe(kernel: DockerKernelSettings, variant: string): BuildRecipe {
  const args = { ...kernel.build.args };
  if (variant !== 'default' || VARIANT_ARG in args) args[VARIANT_ARG] = variant;
  return { ...kernel.build, args };
}

export async function buildKernel(
  access: DockerAccess,
  kernel: DockerKernelSettings,
  options: {
    variant: string;
    /** Where the build log and the extracted files go. */
    outDir: string;
    progress: (line: string) => void;
    output?: (line: string) => void;
    /** See BuildRequest. */
    contextCache: string;
    clock: Clock;
    /**
     * Another source directory to build with the same recipe: the Dockerfile still comes from
     * the recipe's context (diverge grade: the staff's Dockerfile over a student's source).
     */
    source?: string;
    /**
     * Someone else's code (a submission `diverge grade` builds): no network whatever the config
     * says. Builds never get a token or the environment: only the config's build arguments.
     */
    untrusted?: boolean;
    /** `harness.tests`: the images of a kernel of many images, one per test. */
    tests?: readonly string[];
  },
): Promise<BuiltKernel> {
  const docker = await access.client();
  const recipe = kernelRecipe(kernel, options.variant);
  const image = await buildImage(docker, {
    recipe: options.source
      ? {
          ...recipe,
          context: options.source,
          outsideDockerfile: path.resolve(recipe.context, recipe.dockerfile),
        }
      : recipe,
    field: 'kernel.build',
    role: 'kernel',
    logFile: path.join(options.outDir, 'logs', 'build-kernel.log'),
    progress: options.progress,
    ...(options.output ? { output: options.output } : {}),
    contextCache: options.contextCache,
    clock: options.clock,
    limits: options.untrusted ? isolated(kernel.build.limits) : kernel.build.limits,
    ...chosenBuilder(access, kernel),
    ...(access.buildCache ? { cache: access.buildCache } : {}),
  });
  const destDir = path.join(options.outDir, 'kernels', 'candidate');
  const many = isManyImages(kernel.path);
  if (many && !options.tests)
    throw new BuildError(noTestsFor('kernel.path', kernel.path), { field: 'kernel.path' });
  const files = await extractFiles(
    docker,
    image.tag,
    [
      ...(many ? [] : [{ inImage: kernel.path, field: 'kernel.path' }]),
      ...kernel.extra.map((inImage, i) => ({ inImage, field: `kernel.extra[${i}]` })),
    ],
    destDir,
  );
  const extra = many ? files : files.slice(1);
  const extracted: ExtractedFile | undefined = many
    ? await extractImages(
        docker,
        image.tag,
        { inImage: kernel.path, field: 'kernel.path', tests: options.tests ?? [] },
        destDir,
      ).then(({ path: template, images }) => ({
        inImage: kernel.path,
        path: template,
        mode: images[0]?.file.mode ?? 0o644,
        bytes: images.reduce((sum, { file }) => sum + file.bytes, 0),
        digest: sha256(
          imagesManifest(images.map(({ test, file }) => ({ test, digest: file.digest }))),
        ),
      }))
    : files[0];
  if (!extracted) throw new Error('extractFiles returned nothing for kernel.path');
  options.progress(
    `kernel.path: ${kernel.path} (${many ? `${options.tests?.length} images, ` : ''}${extracted.bytes} bytes, ${extracted.digest}) taken from ${image.tag}` +
      (extra.length ? ` with ${extra.length} extra file(s)` : ''),
  );
  return { image, kernel: extracted, extra };
}

/**
 * Readies the staff's recipe for untrusted builds. A submission is built with no network, so
 * the steps of the staff's Dockerfile that need one (a toolchain stage's `apt-get`) must already
 * be in Docker's layer cache when it runs: the staff's own context is built first, trusted, with
 * the config's limits, through the engine even if its image exists, so that every layer before
 * the Dockerfile copies in the submission's files is there to be reused (the classic builder's
 * cache key is the parent layer and the step, not the network it had). A staff context that
 * does not build through (it may hold no kernel source at all) is no error: the layers before
 * the step that failed are cached all the same; the message says which step it was.
 */
export async function prepareStaffLayers(
  access: DockerAccess,
  kernel: DockerKernelSettings,
  options: { variant: string; outDir: string; contextCache: string; clock: Clock },
): Promise<{ ok: true; image: BuiltImage } | { ok: false; message: string }> {
  try {
    const docker = await access.client();
    const image = await buildImage(docker, {
      recipe: kernelRecipe(kernel, options.variant),
      field: 'kernel.build',
      role: 'kernel',
      logFile: path.join(options.outDir, 'logs', 'build-kernel.log'),
      progress: () => undefined,
      contextCache: options.contextCache,
      clock: options.clock,
      limits: kernel.build.limits,
      throughEngine: true,
      ...chosenBuilder(access, kernel),
      ...(access.buildCache ? { cache: access.buildCache } : {}),
    });
    return { ok: true, image };
  } catch (error) {
    return { ok: false, message: ((error as Error).message.split('\n')[0] ?? '').trim() };
  }
}

/** The builder of the kernel's Dockerfile and where it was chosen: the machine's over the config's. */
function chosenBuilder(
  access: DockerAccess,
  kernel: DockerKernelSettings,
): Pick<BuildRequest, 'builder' | 'chosenBy'> {
  if (access.builder)
    return { builder: access.builder, chosenBy: `DIVERGE_BUILDER=${access.builder}` };
  const { builder } = kernel.build;
  return builder ? { builder, chosenBy: `kernel.build.builder: ${builder}` } : {};
}
