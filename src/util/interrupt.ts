/**
 * What an interrupted command must undo besides its QEMU processes (the context's process
 * registry stops those): the containers it runs and the git worktrees it checks commits out in.
 * Each is registered while it exists; on SIGINT or SIGTERM the entry point undoes what is still
 * registered, within a bound, before it dies of the signal. What SIGKILL leaves is found by the
 * next run from its owner (`owner()`, a process that is gone) and removed then.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

const pending = new Set<() => Promise<unknown>>();
let interrupted = false;

/**
 * Registers `undo` until the returned function is called. Once the command was interrupted,
 * `undo` runs at once: what is made after the signal does not outlive the command either.
 */
export function untilDone(undo: () => Promise<unknown>): () => void {
  if (interrupted) {
    void undo().catch(() => undefined);
    return () => undefined;
  }
  pending.add(undo);
  return () => void pending.delete(undo);
}

/** Undoes everything registered, waiting at most `timeoutMs`; resolves to how many there were. */
export async function undoAll(timeoutMs: number): Promise<number> {
  interrupted = true;
  const all = [...pending];
  pending.clear();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(all.map((undo) => undo())),
    new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
  ]);
  clearTimeout(timer);
  return all.length;
}

/** The start time of a process (Linux /proc), which tells a reused pid from the first one. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process `pid` that started at `started` still runs (a reused pid is not it). */
export function alive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EPERM') return false;
  }
  const now = startTime(pid);
  return started === undefined || now === undefined || now === started;
}

/** This machine, for as long as it is up: a pid means nothing on another host or after a reboot. */
function machine(): string {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: the host name alone.
  }
  return `${hostname()}/${boot}`;
}

/** `MACHINE PID START`: what made a thing that must not outlive it. */
export function owner(pid: number = process.pid): string {
  return `${machine()} ${pid} ${startTime(pid) ?? ''}`;
}

/**
 * Whether the owner a thing was labelled with (`owner()`) is a process of this machine that is
 * gone: only then may another run remove the thing. Another machine's, or a live one's, is not.
 */
export function ownerGone(label: string): boolean {
  const [where, pid, started] = label.split(' ');
  if (where !== machine() || pid === undefined || !/^\d+$/.test(pid)) return false;
  return !alive(Number(pid), started || undefined);
}
