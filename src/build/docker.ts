/**
 * The one place diverge connects to a Docker engine. Entry points create a `DockerAccess` and
 * pass it down; nothing connects until a stage really needs Docker, so runs that boot files
 * never need a daemon.
 */
import Docker from 'dockerode';
import { DockerUnavailableError } from './errors.js';

export interface DockerAccess {
  /** A client to an engine that answered a ping; the first call checks, later ones reuse it. */
  client(): Promise<Docker>;
}

/**
 * Turns a failed connection into a message that says what to do about it. `host` is where the
 * engine was expected, as the user would write it (the run context's Docker host).
 */
export function explainDockerError(error: unknown, host: string): DockerUnavailableError {
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
): DockerAccess {
  let ready: Promise<Docker> | undefined;
  return {
    client() {
      ready ??= (async () => {
        const docker = create();
        try {
          await docker.ping();
          const version = await docker.version();
          log(`Docker engine ${version.Version} (API ${version.ApiVersion}) at ${host}`);
        } catch (error) {
          throw explainDockerError(error, host);
        }
        return docker;
      })();
      return ready;
    },
  };
}
