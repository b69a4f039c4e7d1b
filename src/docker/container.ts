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
  /** Killed for writing more than `diskBytes` to its file system. */
  diskFull?: boolean;
}

/** How often a container's written bytes are measured against its disk limit. */
const DISK_POLL_MS = 1000;

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
    /** Bytes the container may write to its file system; killed past them (measured each second). */
    diskBytes?: number;
    prepare?: (container: Docker.Container) => Promise<void>;
    onStdout: (chunk: Buffer) => void;
    onStderr?: (chunk: Buffer) => void;
    inspect?: (container: Docker.Container, run: ContainerRun) => Promise<void>;
  },
): Promise<ContainerRun> {
  const container = await docker.createContainer(spec);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let diskFull = false;
  let finished = false;
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
    if (options.diskBytes !== undefined) {
      const cap = options.diskBytes;
      const measure = async () => {
        const written = await container
          .inspect({ size: true } as Docker.ContainerInspectOptions)
          .then((info) => (info as { SizeRw?: number }).SizeRw ?? 0)
          .catch(() => 0);
        if (written > cap) {
          diskFull = true;
          await container.kill().catch(() => undefined);
        } else if (!finished) poll = setTimeout(() => void measure(), DISK_POLL_MS);
      };
      poll = setTimeout(() => void measure(), DISK_POLL_MS);
    }
    await ended;
    finished = true;
    clearTimeout(poll);
    const { StatusCode: code } = (await container.wait()) as { StatusCode: number };
    const oomKilled = !timedOut && code !== 0 && (await oomKilledOf(container));
    const run = { exitCode: timedOut ? null : code, timedOut, oomKilled, diskFull };
    await options.inspect?.(container, run);
    return run;
  } finally {
    finished = true;
    clearTimeout(poll);
    clearTimeout(timer);
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function oomKilledOf(container: Docker.Container): Promise<boolean> {
  return (await container.inspect()).State?.OOMKilled === true;
}
