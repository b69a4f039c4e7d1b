/**
 * A submission built by one command (`grading.build`): the staff's recipe is built once up to a
 * stage that holds the tools, and each submission is one container of that stage, with the
 * submission's files put into its working directory and the command run there. That is one
 * container per submission, where a Docker build of the staff's Dockerfile takes one per step,
 * commits each step's layer and then copies the kernel into a final image: the fixture course's
 * build costs a third of the CPU this way (bench/grade.md). The command runs under the same
 * limits as a build's steps: no network, memory, processes and time.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { BUILD_LOG_CAP_BYTES } from '../model/constants.js';
import { MiB } from '../model/units.js';
import { ConsoleLines } from '../util/console.js';
import type { Clock } from '../context.js';
import { CappedLog } from '../util/capped-log.js';
import { type BuildContext, packContext } from './context.js';
import type { DockerAccess } from './docker.js';
import { BuildError, DockerUnavailableError, LastLines } from './errors.js';
import { type ContainerRun, runContainer } from './container.js';
import { copyFilesOut } from './extract.js';
import { buildImage, type BuiltImage } from './image.js';
import { type BuiltKernel, type DockerKernelSettings, kernelRecipe } from './kernel.js';
import { type BuildLimits, limitHit } from '../model/limits.js';

/** `grading.build` of the config. */
export interface CommandBuild {
  /** The stage of `kernel.build`'s Dockerfile the command runs in. */
  stage: string;
  /** The submission's paths put into the stage's working directory; all of it when absent. */
  copy?: readonly string[] | undefined;
  /** A shell command (`sh -c`), with `kernel.build.args` in its environment. */
  run: string;
  /** Where the command leaves the kernel: absolute, or relative to the working directory. */
  path: string;
  /** Other files to take out, like `kernel.extra`. */
  extra: readonly string[];
}

const FIELD = 'grading.build';

/**
 * Builds the stage from the staff's own context, trusted (the config's limits, its network),
 * so that a stage fetching its toolchain has it before any submission runs.
 */
export async function prepareStage(
  access: DockerAccess,
  kernel: DockerKernelSettings,
  command: CommandBuild,
  options: { variant: string; outDir: string; contextCache: string; clock: Clock },
): Promise<BuiltImage> {
  const docker = await access.client();
  const field = `${FIELD}.stage`;
  return buildImage(docker, {
    recipe: { ...kernelRecipe(kernel, options.variant), target: command.stage },
    field,
    role: 'stage',
    logFile: path.join(options.outDir, 'logs', 'build-stage.log'),
    progress: () => undefined,
    contextCache: options.contextCache,
    clock: options.clock,
    limits: kernel.build.limits,
  }).catch((error: unknown) => {
    // The stage is this field's value, not a target of its own.
    if (error instanceof BuildError && error.message.startsWith(`${field}.target: `))
      throw new BuildError(error.message.replace(`${field}.target: `, `${field}: `), { field });
    throw error;
  });
}

/** The entries of `source` that `copy` selects (a path selects itself and what is under it). */
export function selectEntries(source: BuildContext, copy: readonly string[] | undefined) {
  const own = source.entries.filter((entry) => entry.from === undefined);
  if (!copy) return own;
  const roots = copy.map((p) => path.posix.normalize(p).replace(/^\.\/|\/$/g, ''));
  if (roots.includes('.')) return own;
  return own.filter((entry) =>
    roots.some((root) => entry.name === root || entry.name.startsWith(`${root}/`)),
  );
}

/**
 * Runs `command` over `source` in a container of `stage`. The container has no network, the
 * limits' memory and process count, and is killed at the time limit; it never sees the host's
 * files, only the submission's as an archive. Its output goes to the build log (capped); a
 * failure names the exit code, the limit it hit and the last lines.
 */
export async function buildWithCommand(
  access: DockerAccess,
  stage: BuiltImage,
  kernel: DockerKernelSettings,
  command: CommandBuild,
  options: {
    variant: string;
    source: BuildContext;
    outDir: string;
    limits: BuildLimits;
    progress: (line: string) => void;
    clock: Clock;
  },
): Promise<BuiltKernel> {
  const started = options.clock.now();
  const docker = await access.client();
  const { limits } = options;
  const logFile = path.join(options.outDir, 'logs', 'build-kernel.log');
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = new CappedLog(logFile, BUILD_LOG_CAP_BYTES, 'build log');
  const last = new LastLines();
  const lines = new ConsoleLines();
  const workdir = (await docker.getImage(stage.id).inspect()).Config?.WorkingDir || '/';
  const env = Object.entries(kernelRecipe(kernel, options.variant).args).map(
    ([name, value]) => `${name}=${value}`,
  );
  const spec = {
    Image: stage.id,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [command.run],
    Env: env,
    WorkingDir: workdir,
    NetworkDisabled: !limits.network,
    Labels: { 'diverge.role': 'submission-build' },
    HostConfig: {
      NetworkMode: limits.network ? 'default' : 'none',
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      PidsLimit: limits.processes,
      Ulimits: [{ Name: 'fsize', Soft: limits.diskBytes, Hard: limits.diskBytes }],
    },
  };
  // Put in at the root, named under the working directory: the engine refuses an archive with
  // a link that climbs out of where it is extracted, and a student's link that climbs out of
  // the working directory (../../other-student) must stay a link to nothing here, as it does in
  // a Docker build, not fail the build.
  const putSubmission = async (container: Docker.Container) => {
    const under = workdir.replace(/^\/+/, '').replace(/\/*$/, '/').replace(/^\/$/, '');
    const entries = selectEntries(options.source, command.copy).map((entry) => ({
      ...entry,
      name: `${under}${entry.name}`,
      from: path.join(options.source.dir, entry.name),
    }));
    await container
      .putArchive(packContext({ ...options.source, entries }), { path: '/' })
      .catch((error: unknown) => {
        if (error instanceof DockerUnavailableError) throw error;
        throw new BuildError(
          `${FIELD}: the submission's files could not be put into ${workdir}: ${(error as Error).message}`,
          { field: FIELD },
        );
      });
  };
  // The log keeps clean lines (no colour codes, no control bytes): it is read as text.
  const keep = (line: string) => {
    log.write(Buffer.from(`${line}\n`));
    last.add(line);
  };
  let files: Awaited<ReturnType<typeof copyFilesOut>> = [];
  // The kernel and its extra files, taken out of the ended container when the command worked.
  const takeFiles = async (container: Docker.Container, run: ContainerRun) => {
    lines.end().forEach(keep);
    if (run.timedOut)
      throw new BuildError(
        `${FIELD}: stopped at the time limit: kernel.build.limits.time is ${limits.timeMs / 1000} s (build log: ${logFile})`,
        { field: FIELD, lastLines: last.lines },
      );
    if (run.diskFull)
      throw new BuildError(
        `${FIELD}: stopped: the build wrote more than its disk limit: kernel.build.limits.disk is ${limits.diskBytes / MiB}M (build log: ${logFile})`,
        { field: FIELD, lastLines: last.lines },
      );
    if (run.exitCode !== 0) {
      const failure = `${FIELD}.run (${command.run.slice(0, 200)}) exited with code ${run.exitCode}`;
      const hit = limitHit('kernel.build', limits, run.oomKilled ? 'Killed' : failure, last.lines);
      throw new BuildError(
        `${FIELD}: ${failure}${hit ? `: ${hit}` : ''} (build log: ${logFile})${last.tail}`,
        { field: FIELD, lastLines: last.lines },
      );
    }
    const inStage = (p: string) => path.posix.resolve(workdir, p);
    files = await copyFilesOut(
      container,
      `${stage.tag} (after ${FIELD}.run)`,
      [
        { inImage: inStage(command.path), field: `${FIELD}.path` },
        ...command.extra.map((p, i) => ({ inImage: inStage(p), field: `${FIELD}.extra[${i}]` })),
      ],
      path.join(options.outDir, 'kernels', 'candidate'),
    );
  };
  try {
    await runContainer(docker, spec, {
      timeMs: limits.timeMs,
      diskBytes: limits.diskBytes,
      prepare: putSubmission,
      onStdout: (chunk) => lines.push(chunk).forEach(keep),
      inspect: takeFiles,
    });
    const [extracted, ...extra] = files;
    if (!extracted) throw new Error('copyFilesOut returned nothing for grading.build.path');
    const durationMs = options.clock.now() - started;
    options.progress(`${FIELD}: built in ${(durationMs / 1000).toFixed(1)} s in ${stage.tag}`);
    return {
      image: { ...stage, cached: false, durationMs },
      kernel: extracted,
      extra,
    };
  } finally {
    await log.close();
  }
}
