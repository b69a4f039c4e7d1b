/**
 * Builds an image through the Engine API and follows its log. The API ends a failed build like
 * a successful one (HTTP 200, stream closed), so failure is read from the stream's `error`
 * records; the step it happened in and the last lines before it go into the error.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import withSession from 'dockerode/lib/session.js';
import type { Clock } from '../context.js';
import { CappedLog } from '../util/capped-log.js';
import { sha256 } from '../util/digest.js';
import { BUILD_LOG_CAP_BYTES, TOOL_VERSION } from '../model/constants.js';
import stripAnsi from 'strip-ansi';
import { cleanLine } from '../util/console.js';
import { type BuildContext, packContext, scanContext } from './context.js';
import { BuildError, DockerUnavailableError, LastLines } from './errors.js';
import { type BuildLimits, limitHit } from '../model/limits.js';
import {
  BASE_IMAGE_VERTEX,
  type Builder,
  type BuilderChoice,
  BUILDKIT_STEP,
  BuildKitProgress,
  buildKitFeature,
  decodeTrace,
  FRONTEND_VERTEX,
  syntaxDirective,
  withoutSyntaxDirective,
} from './buildkit.js';
import { type BuildCache, buildxDriver, cacheFlags, runBuildx } from './buildx.js';

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
  /**
   * Which builder (model/builder.ts): `auto` is BuildKit for a Dockerfile the classic builder
   * cannot build (`RUN --mount`, heredocs, `# syntax=`) and the classic builder otherwise, since
   * only the classic builder holds each step to limits.memory and limits.processes. `buildkit`
   * is BuildKit whenever the engine has it; either falls back to the classic builder when not.
   */
  builder?: BuilderChoice | Builder;
  /** Where `builder` was chosen, as the user wrote it (`kernel.build.builder: classic`): messages name it. */
  chosenBy?: string;
  /**
   * A build cache outside the engine (the action's `build-cache` input): the build goes through
   * `docker buildx build` with `--cache-from`/`--cache-to` when buildx has a builder that can
   * export one, and through the engine without it otherwise (said once).
   */
  cache?: BuildCache;
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
  /** The builder that built it (none when `cached`): buildx for a build with `cache`. */
  builder?: Builder | 'buildx';
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
  id?: string;
  aux?: { ID?: string } | string;
}

/** Engines known to have BuildKit (Linux, API 1.39 or later), or not, by client. */
const buildKitEngines = new WeakMap<Docker, Promise<boolean>>();

function engineHasBuildKit(docker: Docker): Promise<boolean> {
  let known = buildKitEngines.get(docker);
  if (!known) {
    known = docker.version().then(
      (version) => {
        const [major = 0, minor = 0] = (version.ApiVersion ?? '').split('.').map(Number);
        return version.Os === 'linux' && (major > 1 || (major === 1 && minor >= 39));
      },
      () => false,
    );
    buildKitEngines.set(docker, known);
  }
  return known;
}

/** Whether buildx can take a build cache, asked once per process. */
let buildxUsable: Promise<{ driver?: string; why?: string }> | undefined;

/** `# syntax=` frontends that could not be fetched in this process: not asked for again. */
const unreachableFrontends = new Set<string>();

/** Why the engine refused a BuildKit build outright: it has none (an old or Windows engine). */
const NO_BUILDKIT =
  /buildkit (?:is )?not supported|session.*not (?:found|supported)|page not found/i;

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

/** The builder a build uses: the choice, the Dockerfile's needs and what the engine has. */
async function pickBuilder(
  docker: Docker,
  choice: BuilderChoice | Builder,
  need: string | undefined,
): Promise<Builder> {
  if (choice === 'classic') return 'classic';
  if (choice === 'auto' && !need) return 'classic';
  return (await engineHasBuildKit(docker)) ? 'buildkit' : 'classic';
}

/**
 * Builds `request.recipe` unless an image of the same recipe digest exists. The whole log goes
 * to `logFile` (capped, without ANSI colours; BuildKit's progress as `--progress=plain` prints
 * it); steps go to `progress`; the classic builder's intermediate containers are removed even
 * when a step fails (`forcerm`), so a failed build leaves none behind.
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

  const dockerfilePath = recipe.outsideDockerfile ?? path.join(recipe.context, recipe.dockerfile);
  const dockerfileText = await readFile(dockerfilePath, 'utf8').catch(() => '');
  const need = buildKitFeature(dockerfileText);
  const builder = await pickBuilder(docker, request.builder ?? 'auto', need);
  if (request.cache && request.builder !== 'classic') {
    buildxUsable ??= buildxDriver(request.cache.program);
    const usable = await buildxUsable;
    if (!usable.why)
      return buildWithBuildx(docker, request, context, tag, digest, request.cache, started);
    if (!warnedNoBuildx) {
      warnedNoBuildx = true;
      progress(`build-cache: not used: ${usable.why}; building through the Docker engine`);
    }
  }
  const syntax = syntaxDirective(dockerfileText);
  if (builder === 'buildkit' && syntax && unreachableFrontends.has(syntax))
    return builtinFrontend(docker, request, dockerfileText, syntax, started);

  const size = (context.bytes / (1024 * 1024)).toFixed(1);
  progress(
    `${field}: building ${tag} from ${recipe.context} (${context.entries.length} entries, ${size} MiB)` +
      (recipe.target ? `, target ${recipe.target}` : '') +
      (builder === 'buildkit' ? ' with BuildKit' : ''),
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
  const kit = builder === 'buildkit' ? new BuildKitProgress() : undefined;
  let session: { id: string; done: () => void } | undefined;
  let refused: string | undefined;
  // Closing the connection cancels the build: the engine kills the step's container.
  const timer = limits
    ? setTimeout(() => {
        timedOut = true;
        (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      }, limits.timeMs)
    : undefined;
  const stepLimits: Promise<void>[] = [];
  const writeLine = (line: string) => {
    request.output?.(line);
    last.add(line);
  };
  try {
    if (kit) {
      log.write(
        Buffer.from(
          `BuildKit build (${need ? `the Dockerfile uses ${need}` : (request.chosenBy ?? 'DIVERGE_BUILDER=buildkit')})` +
            (limits
              ? `: ${field}.limits.time and .network hold; .memory and .processes are not enforced by the engine's BuildKit\n`
              : '\n'),
        ),
      );
      session = await new Promise((resolve, reject) =>
        withSession(docker, undefined, (error, id, done) =>
          error ? reject(error) : resolve({ id, done }),
        ),
      );
    }
    try {
      stream = await docker.buildImage(packContext(context), {
        t: tag,
        dockerfile: recipe.dockerfile,
        ...(recipe.target ? { target: recipe.target } : {}),
        buildargs: { ...recipe.args },
        labels: { 'diverge.recipe': digest, 'diverge.role': request.role },
        ...(session
          ? // A number, so that dockerode opens no session of its own: this one is closed below.
            { version: 2 as unknown as '2', session: session.id }
          : { rm: true, forcerm: true }),
        ...(limits && {
          ...(kit ? {} : { memory: limits.memoryBytes, memswap: limits.memoryBytes }),
          ulimits: fileSizeLimit(limits),
          ...(limits.network ? {} : { networkmode: 'none' }),
        }),
      } as Docker.ImageBuildOptions);
      if (timedOut) (stream as unknown as { destroy: () => void }).destroy();
    } catch (error) {
      if (error instanceof DockerUnavailableError) throw error;
      const message = engineMessage(error);
      if (kit && NO_BUILDKIT.test(message)) refused = message;
      else {
        log.write(Buffer.from(`${message}\n`));
        const target = /failed to reach build target (\S+)/.exec(message);
        if (target)
          throw new BuildError(
            `${field}.target: no stage named ${target[1]} in ${recipe.dockerfile}`,
            { field },
          );
        throw new BuildError(`${field}: ${recipe.dockerfile}: ${message}`, { field });
      }
    }
    for await (const record of stream && !refused ? records(stream) : []) {
      if (typeof record.aux === 'object' && record.aux.ID) imageId = record.aux.ID;
      if (kit && record.id === 'moby.buildkit.trace' && typeof record.aux === 'string') {
        let lines: string[];
        try {
          lines = kit.lines(decodeTrace(record.aux));
        } catch {
          continue;
        }
        log.write(Buffer.from(lines.map((line) => `${stripAnsi(line)}\n`).join('')));
        for (const raw of lines) {
          const line = cleanLine(raw).slice(0, LastLines.MAX_CHARS);
          if (!line.trim()) continue;
          const stepMatch = BUILDKIT_STEP.exec(line);
          if (stepMatch && !request.output) progress(`${field}: step ${stepMatch[1]}`);
          writeLine(line);
        }
        continue;
      }
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
    if (kit) log.write(Buffer.from(kit.end().join('\n')));
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    clearTimeout(timer);
    session?.done();
    await Promise.all(stepLimits);
    await log.close();
  }
  if (refused) {
    buildKitEngines.set(docker, Promise.resolve(false));
    progress(`${field}: the Docker engine has no BuildKit (${refused}); using the classic builder`);
    return buildImage(docker, { ...request, builder: 'classic' });
  }
  if (timedOut && limits) {
    const why = `${field}: stopped at the time limit: ${field}.limits.time is ${limits.timeMs / 1000} s`;
    throw new BuildError(`${why} (build log: ${request.logFile})`, {
      field,
      lastLines: last.lines,
    });
  }
  if (failure !== undefined && kit) {
    const frontend = kit.failed && FRONTEND_VERTEX.exec(kit.failed.name);
    if (frontend && syntax) {
      unreachableFrontends.add(syntax);
      return builtinFrontend(docker, request, dockerfileText, syntax, started, kit.failed?.error);
    }
    throw buildKitFailure(request, kit, failure, last, dockerfileText);
  }
  if (failure !== undefined) {
    const hit = limits && limitHit(field, limits, failure, last.lines);
    if (hit) failure = `${failure}: ${hit}`;
    const classicNeed = need && builder === 'classic' ? classicCannot(request, need) : '';
    throw new BuildError(
      `${failureMessage(field, step, cleanLine(failure).slice(0, LastLines.MAX_CHARS))}${classicNeed} (build log: ${request.logFile})${last.tail}`,
      { field, lastLines: last.lines },
    );
  }
  const built = await docker.getImage(tag).inspect();
  const durationMs = request.clock.now() - started;
  const seconds = (durationMs / 1000).toFixed(1);
  progress(`${field}: built ${tag} in ${seconds} s${kit ? ' with BuildKit' : ''}`);
  return {
    tag,
    id: imageId ?? built.Id,
    recipeDigest: digest,
    cached: false,
    durationMs,
    builder,
  };
}

let warnedNoBuildx = false;

/**
 * The build through `docker buildx build` with the cache's `--cache-from` and `--cache-to`,
 * `--load`ed into the engine under `tag`: the same context, arguments, labels, network and time
 * limit as through the engine, the same log (buildx's `--progress=plain`), the same errors.
 */
async function buildWithBuildx(
  docker: Docker,
  request: BuildRequest,
  context: BuildContext,
  tag: string,
  digest: string,
  cache: BuildCache,
  started: number,
): Promise<BuiltImage> {
  const { recipe, field, progress, limits } = request;
  progress(
    `${field}: building ${tag} with docker buildx, cache type=gha scope ${cache.scope}` +
      (recipe.target ? `, target ${recipe.target}` : ''),
  );
  const args = [
    '--progress=plain',
    '--load',
    '-t',
    tag,
    '-f',
    recipe.dockerfile,
    ...(recipe.target ? ['--target', recipe.target] : []),
    ...Object.entries(recipe.args).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    '--label',
    `diverge.recipe=${digest}`,
    '--label',
    `diverge.role=${request.role}`,
    ...(limits && !limits.network ? ['--network', 'none'] : []),
    ...cacheFlags(cache),
  ];
  await mkdir(path.dirname(request.logFile), { recursive: true });
  const log = new CappedLog(request.logFile, BUILD_LOG_CAP_BYTES, 'build log');
  log.write(Buffer.from(`docker buildx build ${args.join(' ')} -\n`));
  const last = new LastLines();
  let failedStep: string | undefined;
  let error: string | undefined;
  const names = new Map<string, string>();
  const stop = new AbortController();
  let timedOut = false;
  const timer = limits
    ? setTimeout(() => {
        timedOut = true;
        stop.abort();
      }, limits.timeMs)
    : undefined;
  let code: number | null;
  try {
    code = await runBuildx({
      ...(cache.program ? { docker: cache.program } : {}),
      args,
      context: packContext(context),
      signal: stop.signal,
      line: (raw) => {
        log.write(Buffer.from(`${stripAnsi(raw)}\n`));
        const line = cleanLine(raw).slice(0, LastLines.MAX_CHARS);
        if (!line.trim()) return;
        const vertex = /^(#\d+) (.*)$/.exec(line);
        if (vertex?.[1] && vertex[2] && !names.has(vertex[1])) {
          names.set(vertex[1], vertex[2]);
          if (BUILDKIT_STEP.test(line) && !request.output) progress(`${field}: step ${vertex[2]}`);
        }
        const failed = /^(#\d+) ERROR: (.*)$/.exec(line);
        if (failed?.[1] && failed[2] && !failedStep) {
          failedStep = names.get(failed[1]);
          error = failed[2];
        }
        request.output?.(line);
        last.add(line);
      },
    });
  } finally {
    clearTimeout(timer);
    await log.close();
  }
  if (timedOut && limits)
    throw new BuildError(
      `${field}: stopped at the time limit: ${field}.limits.time is ${limits.timeMs / 1000} s (build log: ${request.logFile})`,
      { field, lastLines: last.lines },
    );
  if (code !== 0) {
    let why = error ?? last.lines.findLast((line) => /ERROR/.test(line)) ?? `exit status ${code}`;
    const hit = limits && limitHit(field, limits, why, last.lines);
    if (hit) why = `${why}: ${hit}`;
    const what = failedStep ? `step ${failedStep.slice(0, 200)}` : 'docker buildx build';
    throw new BuildError(
      `${field}: ${what} failed: ${why} (build log: ${request.logFile})${last.tail}`,
      {
        field,
        lastLines: last.lines,
      },
    );
  }
  const built = (await docker.getImage(tag).inspect()).Id;
  const durationMs = request.clock.now() - started;
  progress(`${field}: built ${tag} in ${(durationMs / 1000).toFixed(1)} s with docker buildx`);
  return { tag, id: built, recipeDigest: digest, cached: false, durationMs, builder: 'buildx' };
}

/** Why a Dockerfile that needs BuildKit failed with the classic builder. */
function classicCannot(request: BuildRequest, need: string): string {
  const why =
    request.builder === 'classic'
      ? (request.chosenBy ?? 'DIVERGE_BUILDER=classic')
      : 'the Docker engine has no BuildKit (Linux engine, API 1.39 or later)';
  return `; the Dockerfile uses ${need}, which only BuildKit builds, and ${why}`;
}

/**
 * The build again with the Dockerfile's `# syntax=` line made a comment, so that the engine's
 * own Dockerfile frontend builds it: the frontend image the line names could not be had (no
 * registry reachable, as here). The build log and progress say so.
 */
async function builtinFrontend(
  docker: Docker,
  request: BuildRequest,
  dockerfileText: string,
  syntax: string,
  started: number,
  why?: string,
): Promise<BuiltImage> {
  const { field, recipe } = request;
  const note =
    `${field}: the Dockerfile's \`# syntax=${syntax}\` frontend image is not on this machine and could not be pulled` +
    `${why ? ` (${cleanLine(why).slice(0, 300)})` : ''}; building with the Docker engine's built-in Dockerfile frontend instead`;
  request.progress(note);
  const rewritten = path.join(path.dirname(request.logFile), 'Dockerfile.builtin-frontend');
  await mkdir(path.dirname(rewritten), { recursive: true });
  await writeFile(rewritten, withoutSyntaxDirective(dockerfileText));
  const built = await buildImage(docker, {
    ...request,
    builder: 'buildkit',
    recipe: { ...recipe, outsideDockerfile: rewritten },
  });
  await appendNote(request.logFile, note);
  return { ...built, durationMs: request.clock.now() - started };
}

async function appendNote(file: string, note: string): Promise<void> {
  await appendFile(file, `${note}\n`).catch(() => undefined);
}

/** A failed BuildKit build, said by the step that failed (its name as the Dockerfile has it). */
function buildKitFailure(
  request: BuildRequest,
  kit: BuildKitProgress,
  failure: string,
  last: LastLines,
  dockerfileText: string,
): BuildError {
  const { field, limits, recipe } = request;
  const clean = (text: string) => cleanLine(text).slice(0, LastLines.MAX_CHARS);
  const target = /target stage (\S+) could not be found/.exec(failure);
  if (target)
    return new BuildError(`${field}.target: no stage named ${target[1]} in ${recipe.dockerfile}`, {
      field,
    });
  let error = clean(kit.failed?.error ?? failure);
  let hit = limits && limitHit(field, limits, error, last.lines);
  // A staff step run again offline: BuildKit keyed its cached result on the staff's network.
  if (hit && limits?.submission && !limits.network && /has no network/.test(hit))
    hit =
      "a submission's build has no network (diverge grade never gives one), and BuildKit keys a step's cache on its network mode, so a step of the staff's recipe that ran with the network is run again without it: what needs the network belongs in a base image the recipe starts FROM (or build with the classic builder: kernel.build.builder: auto or classic; or grading.build)";
  if (hit) error = `${error}: ${hit}`;
  let message: string;
  const base = kit.failed && BASE_IMAGE_VERTEX.exec(kit.failed.name);
  if (base)
    message = `${field}: base image ${base[1]} is not on this machine and could not be pulled: ${error}`;
  else if (kit.failed) message = `${field}: step ${kit.failed.name.slice(0, 200)} failed: ${error}`;
  else if (/dockerfile parse error|unknown instruction/i.test(failure))
    message = `${field}: ${recipe.dockerfile}: ${clean(failure)}${/unknown instruction/i.test(failure) && /<</.test(dockerfileText) ? " (heredocs need Dockerfile syntax 1.4: the engine's built-in frontend is older; a newer Docker engine, or the `# syntax=docker/dockerfile:1` frontend image, builds them)" : ''}`;
  else message = `${field}: the build failed: ${clean(failure)}`;
  return new BuildError(`${message} (build log: ${request.logFile})${last.tail}`, {
    field,
    lastLines: last.lines,
  });
}
