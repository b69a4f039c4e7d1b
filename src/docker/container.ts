/**
 * One command in one container, to its end or its time limit: a submission's one-command build
 * (command.ts) and the course checker's run on a test's transcript (results/checker.ts). The
 * caller describes the container (image, command, limits, mounts); this attaches to its output
 * before it starts, kills it at the time limit and removes it whatever happened.
 */
import { Writable } from 'node:stream';
import type Docker from 'dockerode';

export interface ContainerRun {
  /** The engine's answer when the container ended; null when it was killed at the time limit. */
  exitCode: number | null;
  timedOut: boolean;
  /** The kernel's OOM killer ended it: the memory limit, not the command, decided. */
  oomKilled: boolean;
}

/**
 * Runs `spec` (its container created as given), calling `prepare` before it starts (to put
 * files in) and `onStdout` / `onStderr` with its output as it comes; `inspect` sees the ended
 * container before it is removed (to copy files out).
 */
export async function runContainer(
  docker: Docker,
  spec: Docker.ContainerCreateOptions,
  options: {
    timeMs: number;
    prepare?: (container: Docker.Container) => Promise<void>;
    onStdout: (chunk: Buffer) => void;
    onStderr?: (chunk: Buffer) => void;
    inspect?: (container: Docker.Container, run: ContainerRun) => Promise<void>;
  },
): Promise<ContainerRun> {
  const container = await docker.createContainer(spec);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await options.prepare?.(container);
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
    })) as NodeJS.ReadableStream;
    const sink = (take: (chunk: Buffer) => void) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          take(chunk);
          done();
        },
      });
    const stdout = sink(options.onStdout);
    docker.modem.demuxStream(stream, stdout, options.onStderr ? sink(options.onStderr) : stdout);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    await container.start();
    timer = setTimeout(() => {
      timedOut = true;
      container.kill().catch(() => undefined);
      // The engine ends the attached stream when the container stops; should it not, the run
      // ends all the same.
      setTimeout(() => (stream as { destroy?: () => void }).destroy?.(), 10_000).unref();
    }, options.timeMs);
    await ended;
    const { StatusCode: code } = (await container.wait()) as { StatusCode: number };
    const oomKilled = !timedOut && code !== 0 && (await oomKilledOf(container));
    const run = { exitCode: timedOut ? null : code, timedOut, oomKilled };
    await options.inspect?.(container, run);
    return run;
  } finally {
    clearTimeout(timer);
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function oomKilledOf(container: Docker.Container): Promise<boolean> {
  return (await container.inspect()).State?.OOMKilled === true;
}
