/**
 * The one place diverge connects to a Docker engine. Entry points create a `DockerAccess` and
 * pass it down; nothing connects until a stage really needs Docker, so runs that boot files
 * never need a daemon.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import type { BuilderChoice } from '../model/builder.js';
import { owner, ownerGone, untilDone } from '../util/interrupt.js';
import type { BuildCache } from './buildx.js';
import { DockerUnavailableError } from './errors.js';

/**
 * The label of every container diverge creates: the process that made it (`owner()`), so that
 * a later run removes what a run killed with SIGKILL left (its owner gone), and only that.
 */
export const OWNER_LABEL = 'diverge.owner';

/** How long a Docker call may wait for the engine's answer, by default (DIVERGE_DOCKER_TIMEOUT). */
export const DOCKER_TIMEOUT_MS = 120_000;

export interface DockerAccess {
  /** A client to an engine that answered a ping; the first call checks, later ones reuse it. */
  client(): Promise<Docker>;
  /** The machine's builder for Dockerfiles (DIVERGE_BUILDER), over the config's; unset: the config's. */
  readonly builder: BuilderChoice | undefined;
  /** The action's `build-cache`: kernel builds through buildx with this cache (see buildx.ts). */
  readonly buildCache?: BuildCache;
}

/**
 * Turns a failed connection into a message that says what to do about it. `host` is where the
 * engine was expected, as the user would write it (the run context's Docker host).
 */
export function explainDockerError(error: unknown, host: string): DockerUnavailableError {
  if (error instanceof DockerUnavailableError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' || code === 'ECONNREFUSED'
      ? `no Docker engine is listening at ${host}: start dockerd (or set DOCKER_HOST)`
      : code === 'EACCES' || code === 'EPERM'
        ? `permission denied on ${host}: run as a member of the docker group or as root`
        : `cannot reach the Docker engine at ${host}: ${(error as Error).message}`;
  return new DockerUnavailableError(why);
}

/**
 * `host` names the engine in messages; dockerode finds it the same way (DOCKER_HOST, else the
 * local socket).
 */
export function dockerAccess(
  host: string,
  create: () => Docker = () => new Docker(),
  log: (line: string) => void = () => undefined,
  timeoutMs: number = DOCKER_TIMEOUT_MS,
  builder?: BuilderChoice,
  buildCache?: BuildCache,
): DockerAccess {
  let ready: Promise<Docker> | undefined;
  return {
    builder,
    ...(buildCache ? { buildCache } : {}),
    client() {
      ready ??= (async () => {
        const docker = guarded(create(), host, timeoutMs);
        try {
          await docker.ping();
          const version = await docker.version();
          log(`Docker engine ${version.Version} (API ${version.ApiVersion}) at ${host}`);
        } catch (error) {
          throw explainDockerError(error, host);
        }
        await removeAbandoned(docker, log);
        return docker;
      })();
      return ready;
    },
  };
}

interface DialOptions {
  method: string;
  path: string;
  isStream?: boolean;
  hijack?: boolean;
  openStdin?: boolean;
  abortSignal?: AbortSignal;
}
type DialCallback = (error: unknown, data?: unknown) => void;

/**
 * Every call of `docker` gets a timeout, and a connection lost in the middle of an answer says
 * so: a wedged engine (it accepts connections and never answers) would otherwise hang the run in
 * silence, and a cut stream end it with Node's bare "aborted". The engine's own answers (a 404,
 * a failed build) pass through untouched. Streamed answers may then be silent for as long again
 * between chunks, except a build's, whose steps may compute in silence for long: builds are
 * bounded by `kernel.build.limits.time`.
 */
function guarded(docker: Docker, host: string, timeoutMs: number): Docker {
  owned(docker);
  const modem = docker.modem as { dial: (options: DialOptions, callback: DialCallback) => void };
  const dial = modem.dial.bind(modem);
  const seconds = `${timeoutMs / 1000} s`;
  modem.dial = (options, callback) => {
    const operation = `${options.method} ${options.path.replace(/\?.*$/, '')}`;
    const stopped = new AbortController();
    let answered = false;
    const answer: DialCallback = (error, data) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      callback(error, data);
    };
    const timer = setTimeout(() => {
      answer(
        new DockerUnavailableError(
          `the Docker engine at ${host} did not answer ${operation} within ${seconds} (DIVERGE_DOCKER_TIMEOUT)`,
        ),
      );
      stopped.abort();
    }, timeoutMs);
    const signals = [stopped.signal, ...(options.abortSignal ? [options.abortSignal] : [])];
    dial({ ...options, abortSignal: AbortSignal.any(signals) }, (error, data) => {
      if (error) return answer(connectionLost(error, host, operation) ?? error);
      if (!options.isStream || options.hijack || options.openStdin) return answer(null, data);
      const watchSilence = !/^\/(v[\d.]+\/)?build$/.test(options.path.replace(/\?.*$/, ''));
      answer(null, watched(data as IncomingMessage, host, operation, watchSilence ? timeoutMs : 0));
    });
  };
  return docker;
}

/**
 * Every container this process creates is labelled with its owner and removed if the command is
 * interrupted (SIGINT, SIGTERM) before it removes it itself: a build or checker container runs
 * on in the engine when only diverge dies, past its time limit, which diverge's timer kept.
 */
function owned(docker: Docker): void {
  if (typeof docker.createContainer !== 'function') return;
  const create = docker.createContainer.bind(docker) as (
    spec: Docker.ContainerCreateOptions,
  ) => Promise<Docker.Container>;
  docker.createContainer = (async (spec: Docker.ContainerCreateOptions) => {
    const container = await create({ ...spec, Labels: { ...spec.Labels, [OWNER_LABEL]: owner() } });
    const done = untilDone(() => container.remove({ force: true }).catch(() => undefined));
    const remove = container.remove.bind(container) as (options?: object) => Promise<unknown>;
    container.remove = ((options?: object) => {
      done();
      return remove(options);
    }) as Docker.Container['remove'];
    return container;
  }) as Docker['createContainer'];
}

/**
 * Removes the containers a diverge process on this machine made and did not live to remove
 * (killed with SIGKILL): running, they would hold CPU and memory past every limit. Said once
 * per container; a container of a live run, or of another machine, is not touched.
 */
async function removeAbandoned(docker: Docker, log: (line: string) => void): Promise<void> {
  if (typeof docker.listContainers !== 'function') return;
  const found = await docker
    .listContainers({ all: true, filters: { label: [OWNER_LABEL] } })
    .catch(() => []);
  for (const info of found) {
    const label = info.Labels?.[OWNER_LABEL];
    if (label === undefined || !ownerGone(label)) continue;
    const pid = label.split(' ')[1];
    await docker
      .getContainer(info.Id)
      .remove({ force: true })
      .then(
        () =>
          log(
            `removed container ${info.Id.slice(0, 12)} (${info.Labels?.['diverge.role'] ?? 'diverge'}, ${info.State}) left by diverge process ${pid}, which is gone`,
          ),
        () => undefined,
      );
  }
}

/** The engine went away mid-call (reset, hang-up); undefined for its own answers and refusals. */
function connectionLost(error: unknown, host: string, operation: string) {
  const { code, statusCode } = error as { code?: string; statusCode?: number };
  if (statusCode !== undefined || code === 'ENOENT' || code === 'ECONNREFUSED') return undefined;
  if (code === 'EACCES' || code === 'EPERM' || error instanceof DockerUnavailableError)
    return undefined;
  return new DockerUnavailableError(
    `the connection to the Docker engine at ${host} was cut during ${operation} (${(error as Error).message})`,
  );
}

/** `response` as a stream that ends with a message naming the engine when the answer is cut. */
function watched(response: IncomingMessage, host: string, operation: string, silenceMs: number) {
  const out = new PassThrough();
  let ended = false;
  let silence: NodeJS.Timeout | undefined;
  const listen = () => {
    if (!silenceMs) return;
    clearTimeout(silence);
    silence = setTimeout(() => {
      out.destroy(
        new DockerUnavailableError(
          `the Docker engine at ${host} sent nothing for ${silenceMs / 1000} s during ${operation} (DIVERGE_DOCKER_TIMEOUT)`,
        ),
      );
      response.destroy();
    }, silenceMs);
  };
  const cut = (error?: Error) => {
    clearTimeout(silence);
    if (ended) return;
    ended = true;
    out.destroy(
      new DockerUnavailableError(
        `the connection to the Docker engine at ${host} was cut during ${operation}${error ? ` (${error.message})` : ''}`,
      ),
    );
  };
  listen();
  response.on('data', listen);
  response.on('end', () => {
    ended = true;
    clearTimeout(silence);
  });
  response.on('error', cut);
  response.on('aborted', () => cut());
  response.on('close', () => cut());
  // A reader that stops early (a build at its time limit) closes the connection.
  out.on('close', () => {
    clearTimeout(silence);
    if (!response.complete) response.destroy();
  });
  response.pipe(out);
  return out;
}
