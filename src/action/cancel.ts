/**
 * A cancelled run. When a workflow is cancelled the runner sends the step SIGINT, then SIGTERM,
 * then kills it. On the first signal the action stops QEMU (and every QEMU process a boot still
 * tries to start), completes its check run as cancelled with the boots that finished, uploads
 * the partial report, and exits. A step killed outright leaves that to the `post:` step (post.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessRegistry } from '../context.js';
import type { KernelObservation } from '../results/observe.js';

export interface Cancellation {
  readonly cancelled: boolean;
  /** What the run does when cancelled; the latest one set wins. */
  onCancel(handler: (signal: string) => Promise<void>): void;
  /** Runs the handler, once whatever the number of signals. */
  cancel(signal: string): Promise<void>;
}

export function createCancellation(): Cancellation {
  let handler: (signal: string) => Promise<void> = async () => undefined;
  let running: Promise<void> | undefined;
  return {
    get cancelled() {
      return running !== undefined;
    },
    onCancel: (next) => void (handler = next),
    cancel: (signal) => (running ??= handler(signal)),
  };
}

/** The registry of a cancellable run: once cancelled, a process that starts is killed at once. */
export function stoppableProcesses(
  registry: ProcessRegistry,
  cancellation: Cancellation,
): ProcessRegistry {
  return {
    add: (child: ChildProcess) =>
      cancellation.cancelled ? void child.kill('SIGKILL') : registry.add(child),
    delete: (child) => registry.delete(child),
    killAll: () => registry.killAll(),
  };
}

/** The boots that finished before the cancellation: one line each, from their observations. */
export async function finishedBoots(outDir: string): Promise<string[]> {
  const dir = path.join(outDir, 'observations');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const lines: string[] = [];
  for (const name of names.sort()) {
    const { boot, tests } = JSON.parse(
      await readFile(path.join(dir, name), 'utf8'),
    ) as KernelObservation;
    lines.push(
      `${boot.kernel}#${boot.attempt}: ${boot.outcome} at stage ${boot.stage}, ${tests.length} tests`,
    );
  }
  return lines;
}
