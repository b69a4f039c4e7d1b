import type Docker from 'dockerode';
import { DockerUnavailableError } from './errors.js';

/**
 * Makes sure `ref` is on the machine, pulling it when it is not; returns its image id. Throws a
 * message that says the image is neither here nor pullable, for the caller to prefix.
 */
export async function pullIfMissing(
  docker: Docker,
  ref: string,
  progress: (line: string) => void,
): Promise<string> {
  const present = await docker
    .getImage(ref)
    .inspect()
    .catch((error: unknown) => {
      if (error instanceof DockerUnavailableError) throw error;
      return undefined;
    });
  if (present) return present.Id;
  progress(`pulling ${ref}`);
  try {
    const stream = await docker.pull(ref);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null) =>
        error ? reject(error) : resolve(),
      ),
    );
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if (error instanceof DockerUnavailableError) throw error;
    throw new Error(
      `${ref} is not on this machine and could not be pulled: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
