/**
 * How `diverge grade` builds a submission's source: as untrusted code (no network, the build
 * limits, only its own files), either with the staff's Dockerfile (`kernel.build`) or with one
 * command in a stage of it (`grading.build`). Either way the staff's part is built first, once,
 * trusted, so that what needs the network is there for every submission.
 */
import path from 'node:path';
import type { Clock } from '../context.js';
import { type CommandBuild, buildWithCommand, prepareStage } from './command.js';
import { type BuildContext, scanContext } from './context.js';
import type { DockerAccess } from './docker.js';
import {
  type BuiltKernel,
  buildKernel,
  type DockerKernelSettings,
  prepareStaffLayers,
} from './kernel.js';
import { isolated } from '../model/limits.js';

export interface SubmissionBuilder {
  /**
   * The staff's part, with a line for the log saying what it was. Rejects only when the
   * submissions cannot be built at all (a `grading.build.stage` that does not build).
   */
  prepared: Promise<string>;
  /** `source` as its build sees it: the staff's Dockerfile over the submission's files. */
  scan(source: string): Promise<BuildContext>;
  /** Builds the source directory `source`, its log and kernel under `outDir`. */
  build(source: string, outDir: string): Promise<BuiltKernel>;
}

export interface SubmissionBuildOptions {
  variant: string;
  /** Where the staff's part keeps its log. */
  outDir: string;
  contextCache: string;
  clock: Clock;
  /** Runs a build in a slot of the queue the boots share. */
  slot: <T>(work: () => Promise<T>) => Promise<T>;
  /** `harness.tests`: the images of a kernel of many images (model/images.ts). */
  tests?: readonly string[];
}

export function submissionBuilder(
  access: DockerAccess,
  kernel: DockerKernelSettings,
  command: CommandBuild | undefined,
  options: SubmissionBuildOptions,
): SubmissionBuilder {
  const { variant, contextCache, clock, slot } = options;
  const staff = { variant, outDir: options.outDir, contextCache, clock };
  const staffDockerfile = path.resolve(kernel.build.context, kernel.build.dockerfile);
  const scan = (source: string) =>
    scanContext(source, kernel.build.dockerfile, 'kernel.build', contextCache, staffDockerfile);
  if (command) {
    const stage = slot(() => prepareStage(access, kernel, command, staff));
    return {
      scan,
      prepared: stage.then(
        (image) =>
          `grading.build: stage ${command.stage} is built (${image.tag}); each submission is one container of it, with no network`,
      ),
      build: async (source, outDir) => {
        const image = await stage;
        return slot(async () =>
          buildWithCommand(access, image, kernel, command, {
            variant,
            source: await scan(source),
            outDir,
            limits: isolated(kernel.build.limits),
            progress: () => undefined,
            clock,
          }),
        );
      },
    };
  }
  // A staff context that does not build through still leaves its layers up to the failing step.
  const layers = slot(() => prepareStaffLayers(access, kernel, staff));
  return {
    scan,
    prepared: layers.then((prepared) =>
      prepared.ok
        ? `kernel.build: the staff's recipe is built (${prepared.image.tag}); submissions build with no network, reusing its layers` +
          (prepared.image.builder === 'buildkit'
            ? " (with BuildKit, which keys a step's cache on its network mode: a step of the staff's recipe that needs the network is not reused by a submission's build and runs again without one; such a step belongs in a base image the recipe starts FROM; limits.memory and limits.processes are not enforced)"
            : '')
        : `kernel.build: the staff's recipe did not build through (${prepared.message}); submissions reuse the layers before that step and build with no network`,
    ),
    build: async (source, outDir) => {
      await layers;
      return slot(() =>
        buildKernel(access, kernel, {
          variant,
          outDir,
          progress: () => undefined,
          contextCache,
          clock,
          source,
          untrusted: true,
          ...(options.tests && { tests: options.tests }),
        }),
      );
    },
  };
}
