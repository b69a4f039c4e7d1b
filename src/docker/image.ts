/**
 * Builds an image through the Engine API and follows its log. The API ends a failed build like
 * a successful one (HTTP 200, stream closed), so failure is read from the stream's `error`
 * records; the step it happened in and the last lines before it go into the error.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { Clock } from '../context.js';
import { CappedLog } from '../util/capped-log.js';
import { sha256 } from '../util/digest.js';
import { BUILD_LOG_CAP_BYTES, TOOL_VERSION } from '../model/constants.js';
import stripAnsi from 'strip-ansi';
import { cleanLine } from '../util/console.js';
import { type BuildContext, packContext, scanContext } from './context.js';
import { BuildError, DockerUnavailableError, LastLines } from './errors.js';
import { type BuildLimits, limitHit } from '../model/limits.js';

/** What to build: `kernel.build` or `harness.image.build` of the config. */
export interface BuildRecipe {
  context: string;
  dockerfile: string;
  target?: string | undefined;
  args: Readonly<Record<string, string>>;
  /** A host Dockerfile sent as `dockerfile` instead of the context's own (see scanContext). */
  outsideDockerfile?: string;
}

export interface BuildRequest {
  recipe: BuildRecipe;
  /** The config field the recipe came from, named in errors: `kernel.build`. */
  field: string;
  /** What the image is for, part of its tag: `kernel`, `harness`. */
  role: string;
  logFile: string;
  progress: (line: string) => void;
  /** Every line the build prints (the Action folds them into a log group). */
  output?: (line: string) => void;
  /** Where the context's file digests are kept between builds (the run context's cache). */
  contextCache: string;
  /** The run's clock: how long the build took. */
  clock: Clock;
  /** Bounds on the build's steps (kernel builds: student code); none for the staff's own images. */
  limits?: BuildLimits;
  /**
   * Build through the engine even when an image of the recipe exists: Docker's layer cache, not
   * the tag, decides what runs, so layers deleted since (an image prune) are built again.
   */
  throughEngine?: boolean;
}

export interface BuiltImage {
  /** `diverge-<role>:<recipe digest>`, so an unchanged recipe finds its image. */
  tag: string;
  id: string;
  /** Digest over the context and every build parameter. */
  recipeDigest: string;
  /** True when an image of the same recipe already existed and nothing was built. */
  cached: boolean;
  durationMs: number;
}

/** A stream record longer than this is not one diverge can use; it is dropped, not buffered. */
const MAX_RECORD = 1024 * 1024;
const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** The builder's own bookkeeping, which says nothing about why a step failed. */
const BUILDER_CHATTER = /^(?: ---> |Removing intermediate container )/;
/** The classic builder names each RUN step's container as it creates it. */
const STEP_CONTAINER = /^ ---> Running in ([0-9a-f]{12,64})$/;

interface BuildRecord {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** The digest an image is tagged by: same context, Dockerfile, target and arguments, same tag. */
export function recipeDigest(recipe: BuildRecipe, context: BuildContext): string {
  const args = Object.entries(recipe.args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256(
    JSON.stringify({
      tool: TOOL_VERSION,
      context: context.digest,
      dockerfile: recipe.dockerfile,
      target: recipe.target ?? null,
      args,
    }),
  );
}

/**
 * Holds a step's container to the process limit. The build API takes no process limit, so it is
 * set on each RUN step's container as the builder names it; a container already gone is fine.
 */
async function limitProcesses(
  docker: Docker,
  id: string,
  limits: BuildLimits,
  field: string,
  progress: (line: string) => void,
): Promise<void> {
  try {
    await docker.getContainer(id).update({ PidsLimit: limits.processes });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const gone = status === 404 || status === 409 || /stopped container/.test(engineMessage(error));
    if (!gone)
      progress(
        `${field}: could not limit the processes of step container ${id}: ${engineMessage(error)}`,
      );
  }
}

/**
 * The Engine API's `ulimits` for a build: the kernel's file size limit at the disk limit, so a
 * step that writes a file past it gets SIGXFSZ (`File size limit exceeded`, `File too large`).
 */
export const fileSizeLimit = (limits: BuildLimits): string =>
  JSON.stringify([{ Name: 'fsize', Soft: limits.diskBytes, Hard: limits.diskBytes }]);

/** Splits a build stream into JSON records without holding more than one record in memory. */
async function* records(stream: NodeJS.ReadableStream): AsyncGenerator<BuildRecord> {
  let pending = '';
  for await (const chunk of stream) {
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield parseRecord(line);
    }
    if (pending.length > MAX_RECORD) pending = '';
  }
  if (pending.trim()) yield parseRecord(pending.trim());
}

function parseRecord(line: string): BuildRecord {
  try {
    return JSON.parse(line) as BuildRecord;
  } catch {
    return { stream: `${line}\n` };
  }
}

/** Engine errors given as an HTTP status (bad Dockerfile, unknown target) carry a JSON message. */
function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  const reason = (error as { reason?: string }).reason;
  const message = json?.message ?? reason ?? (error as Error).message;
  return message.replace(/^\(HTTP code \d+\) [\w ]+ - /, '').trim();
}

/** The step a failure happened in, said the way a reader finds it in the Dockerfile. */
function failureMessage(field: string, step: RegExpExecArray | undefined, error: string): string {
  if (!step) return `${field}: the build failed: ${error}`;
  const [, n, total, instruction] = step;
  const what = `${field}: step ${n}/${total} (${(instruction ?? '').slice(0, 200)})`;
  if (/^FROM\s/i.test(instruction ?? '')) {
    const image = (instruction ?? '').split(/\s+/)[1];
    return `${what} failed: base image ${image} is not on this machine and could not be pulled: ${error}`;
  }
  return `${what} failed: ${error}`;
}

/**
 * Builds `request.recipe` unless an image of the same recipe digest exists. The whole log goes
 * to `logFile` (capped); steps go to `progress`; intermediate containers are removed even when
 * a step fails (`forcerm`), so a failed build leaves none behind.
 */
export async function buildImage(docker: Docker, request: BuildRequest): Promise<BuiltImage> {
  const started = request.clock.now();
  const { recipe, field, progress } = request;
  const context = await scanContext(
    recipe.context,
    recipe.dockerfile,
    field,
    request.contextCache,
    recipe.outsideDockerfile,
  );
  const digest = recipeDigest(recipe, context);
  const tag = `diverge-${request.role}:${digest.slice('sha256:'.length, 'sha256:'.length + 24)}`;

  const existing = request.throughEngine
    ? undefined
    : await docker
        .getImage(tag)
        .inspect()
        .catch(() => undefined);
  if (existing) {
    progress(`${field}: image ${tag} is up to date (recipe unchanged), not rebuilding`);
    return { tag, id: existing.Id, recipeDigest: digest, cached: true, durationMs: 0 };
  }

  const size = (context.bytes / (1024 * 1024)).toFixed(1);
  progress(
    `${field}: building ${tag} from ${recipe.context} (${context.entries.length} entries, ${size} MiB)` +
      (recipe.target ? `, target ${recipe.target}` : ''),
  );
  await mkdir(path.dirname(request.logFile), { recursive: true });
  const log = new CappedLog(request.logFile, BUILD_LOG_CAP_BYTES, 'build log');
  const last = new LastLines();
  let step: RegExpExecArray | undefined;
  let failure: string | undefined;
  let imageId: string | undefined;
  const { limits } = request;
  let stream: NodeJS.ReadableStream | undefined;
  let timedOut = false;
  // Closing the connection cancels the build: the engine kills the step's container.
  const timer = limits
    ? setTimeout(() => {
        timedOut = true;
        (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      }, limits.timeMs)
    : undefined;
  const stepLimits: Promise<void>[] = [];
  try {
    try {
      stream = await docker.buildImage(packContext(context), {
        t: tag,
        dockerfile: recipe.dockerfile,
        ...(recipe.target ? { target: recipe.target } : {}),
        buildargs: { ...recipe.args },
        labels: { 'diverge.recipe': digest, 'diverge.role': request.role },
        rm: true,
        forcerm: true,
        ...(limits && {
          memory: limits.memoryBytes,
          memswap: limits.memoryBytes,
          ulimits: fileSizeLimit(limits),
          ...(limits.network ? {} : { networkmode: 'none' }),
        }),
      });
      if (timedOut) (stream as unknown as { destroy: () => void }).destroy();
    } catch (error) {
      if (error instanceof DockerUnavailableError) throw error;
      const message = engineMessage(error);
      log.write(Buffer.from(`${message}\n`));
      const target = /failed to reach build target (\S+)/.exec(message);
      if (target)
        throw new BuildError(
          `${field}.target: no stage named ${target[1]} in ${recipe.dockerfile}`,
          { field },
        );
      throw new BuildError(`${field}: ${recipe.dockerfile}: ${message}`, { field });
    }
    for await (const record of records(stream)) {
      if (record.aux?.ID) imageId = record.aux.ID;
      const text = record.stream ?? (record.status ? `${record.status}\n` : '');
      if (text) {
        // Without the compiler's colours: the log is read as text, in a browser or a terminal.
        log.write(Buffer.from(stripAnsi(text)));
        for (const raw of text.split('\n')) {
          const line = cleanLine(raw).slice(0, LastLines.MAX_CHARS);
          if (!line.trim()) continue;
          const container = limits && STEP_CONTAINER.exec(raw);
          if (limits && container?.[1])
            stepLimits.push(limitProcesses(docker, container[1], limits, field, progress));
          const stepMatch = STEP.exec(line);
          if (stepMatch) {
            step = stepMatch;
            // With every line going to `output`, a step line there says it already.
            if (!request.output)
              progress(`${field}: step ${stepMatch[1]}/${stepMatch[2]}: ${stepMatch[3]}`);
          }
          request.output?.(line);
          if (BUILDER_CHATTER.test(line)) continue;
          last.add(line);
        }
      }
      if (record.error || record.errorDetail) {
        failure = (record.errorDetail?.message ?? record.error ?? 'unknown error').trim();
        log.write(Buffer.from(`${failure}\n`));
      }
    }
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    clearTimeout(timer);
    await Promise.all(stepLimits);
    await log.close();
  }
  if (timedOut && limits) {
    const why = `${field}: stopped at the time limit: ${field}.limits.time is ${limits.timeMs / 1000} s`;
    throw new BuildError(`${why} (build log: ${request.logFile})`, {
      field,
      lastLines: last.lines,
    });
  }
  if (failure !== undefined) {
    const hit = limits && limitHit(field, limits, failure, last.lines);
    if (hit) failure = `${failure}: ${hit}`;
    throw new BuildError(
      `${failureMessage(field, step, cleanLine(failure).slice(0, LastLines.MAX_CHARS))} (build log: ${request.logFile})${last.tail}`,
      { field, lastLines: last.lines },
    );
  }
  const built = await docker.getImage(tag).inspect();
  const durationMs = request.clock.now() - started;
  const seconds = (durationMs / 1000).toFixed(1);
  progress(`${field}: built ${tag} in ${seconds} s`);
  return {
    tag,
    id: imageId ?? built.Id,
    recipeDigest: digest,
    cached: false,
    durationMs,
  };
}
