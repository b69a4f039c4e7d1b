/**
 * Where and when a run was made, as `history add` records it when not told: the commit and ref
 * from GitHub's variables, else from the git checkout; the event from GitHub's; the time from
 * the clock. The entry passes the environment, the directory and the clock in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HISTORY_EVENTS, type HistoryEvent } from '../model/history.js';
import { eventOf, HistoryError, type RunPlace } from './record.js';

const exec = promisify(execFile);

export interface PlaceOptions {
  commit?: string;
  ref?: string;
  time?: string;
  event?: string;
}

async function gitLine(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await exec('git', ['-C', cwd, ...args]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function runPlace(
  options: PlaceOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  now: number,
): Promise<RunPlace> {
  const commit = options.commit ?? env['GITHUB_SHA'] ?? (await gitLine(cwd, ['rev-parse', 'HEAD']));
  if (!commit)
    throw new HistoryError(
      `history add: no --commit given, no GITHUB_SHA, and ${cwd} is not a git checkout`,
    );
  const ref =
    options.ref ??
    env['GITHUB_REF'] ??
    (await gitLine(cwd, ['symbolic-ref', '-q', 'HEAD'])) ??
    'HEAD';
  let event: HistoryEvent | undefined;
  if (options.event !== undefined) {
    if (!(HISTORY_EVENTS as readonly string[]).includes(options.event))
      throw new HistoryError(
        `history add: --event ${options.event} is not one of ${HISTORY_EVENTS.join(', ')}`,
      );
    event = options.event as HistoryEvent;
  } else {
    event = eventOf(env['GITHUB_EVENT_NAME']);
    if (!event)
      throw new HistoryError(
        `history add: a ${env['GITHUB_EVENT_NAME']} run is not one of the default branch's (push, schedule, workflow_dispatch): nothing recorded; pass --event to record it anyway`,
      );
  }
  const time = options.time ?? new Date(now).toISOString();
  return { commit, ref, time, event };
}
