/**
 * `history: <branch>`: on the default branch's own runs (a push to it, a schedule, a manual run
 * of it; never a pull request), the run's record is added to the branch's `store/`, the
 * dashboard rendered into its `site/`, and the branch pushed. A concurrent push (another leg,
 * another run) is met by fetching the branch again and adding the record on top, a few times.
 * A history that cannot be kept is a warning: the run's verdict stands. docs/history.md.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gitTop } from '../docker/worktree.js';
import { allFacts } from '../history/facts.js';
import { eventOf, historyRecord } from '../history/record.js';
import { renderSite } from '../history/site.js';
import { appendRecord, readTimeline } from '../history/store.js';
import type { Timeline } from '../history/timeline.js';
import type { HistoryRecord } from '../model/history.js';
import { validateReport } from '../report/validate.js';
import { type ActionEnvironment, type GitHubContext, runUrl } from './environment.js';
import type { ActionCore } from './services.js';

const exec = promisify(execFile);
const git = (cwd: string, ...args: string[]) => exec('git', ['-C', cwd, ...args]);

/** Pushes tried before giving up on a branch others keep pushing to. */
export const PUSH_ATTEMPTS = 5;
/** Where the fetched history branch is kept in the checkout's repository. */
const TRACKING = 'refs/diverge/history';
/** The local branch a new history starts on, before its first push. */
const ORPHAN = 'diverge-history';
const BOT = [
  '-c',
  'user.name=github-actions[bot]',
  '-c',
  'user.email=41898282+github-actions[bot]@users.noreply.github.com',
];

/**
 * A run of the default branch itself: a push to it, a schedule (GitHub runs schedules on the
 * default branch only), or a manual run of it. Pull requests, forks' and other branches' runs
 * are not its history.
 */
export function isDefaultBranchRun(context: GitHubContext, ref: string | undefined): boolean {
  const payload = context.payload as { ref?: string; repository?: { default_branch?: string } };
  const branch = payload.repository?.default_branch;
  const own = !!branch && (payload.ref ?? ref) === `refs/heads/${branch}`;
  if (context.eventName === 'schedule') return true;
  return (context.eventName === 'push' || context.eventName === 'workflow_dispatch') && own;
}

export interface HistoryKeeping {
  env: ActionEnvironment;
  core: ActionCore;
  /** The history input: the branch that holds the store and the site. */
  branch: string;
  /** This run's report.json. */
  report: string;
  now: number;
}

/** The checkout's history branch, fetched into a worktree of its own (an orphan when new). */
async function checkOut(top: string, dir: string, branch: string): Promise<void> {
  await git(top, 'worktree', 'remove', '--force', dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  const fetched = await git(
    top,
    'fetch',
    '--no-tags',
    'origin',
    `+refs/heads/${branch}:${TRACKING}`,
  ).then(
    () => true,
    () => false,
  );
  if (fetched) {
    await git(top, 'worktree', 'add', '--detach', dir, TRACKING);
    return;
  }
  await git(top, 'worktree', 'add', '--detach', dir);
  // An earlier attempt's orphan (its push refused) is started again.
  await git(top, 'branch', '-q', '-D', ORPHAN).catch(() => undefined);
  await git(dir, 'checkout', '-q', '--orphan', ORPHAN);
  await git(dir, 'rm', '-r', '-q', '-f', '--ignore-unmatch', '.');
}

/** Adds the record, renders the site and commits both in the worktree at `dir`; the timeline it rendered. */
async function commitRun(dir: string, record: HistoryRecord, core: ActionCore): Promise<Timeline> {
  const store = path.join(dir, 'store');
  await appendRecord(store, record);
  const timeline = await readTimeline(store, (line) => core.warning(`history: ${line}`));
  await renderSite(timeline, allFacts(timeline), path.join(dir, 'site'));
  await git(dir, 'add', '-A', 'store', 'site');
  await git(
    dir,
    ...BOT,
    'commit',
    '-q',
    '-m',
    `diverge history: ${record.commit.slice(0, 12)} (${record.event})`,
  );
  return timeline;
}

/** A run kept: the rendered site's directory (for actions/upload-pages-artifact) and the history. */
export interface KeptHistory {
  site: string;
  timeline: Timeline;
}

/** Keeps the run in the history branch; undefined when this run is not the default branch's. */
export async function keepHistory(keeping: HistoryKeeping): Promise<KeptHistory | undefined> {
  const { env, core, branch } = keeping;
  if (!isDefaultBranchRun(env.context, env.ref)) {
    core.info(
      `history: a ${env.context.eventName} run is not the default branch's: nothing recorded`,
    );
    return undefined;
  }
  const event = eventOf(env.context.eventName);
  if (!event) return undefined;
  const report = validateReport(JSON.parse(await readFile(keeping.report, 'utf8')), keeping.report);
  const record = historyRecord(
    {
      commit: env.context.sha,
      ref: env.ref ?? `refs/heads/${branch}`,
      time: new Date(keeping.now).toISOString(),
      event,
    },
    [{ file: keeping.report, report, link: runUrl(env) }],
  );
  const top = await gitTop(env.workspace);
  const dir = path.join(env.runnerTemp, 'diverge-history');
  const site = path.join(env.runnerTemp, 'diverge-history-site');
  try {
    let timeline: Timeline;
    for (let attempt = 1; ; attempt++) {
      await checkOut(top, dir, branch);
      timeline = await commitRun(dir, record, core);
      try {
        await git(dir, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
        break;
      } catch (error) {
        if (attempt >= PUSH_ATTEMPTS)
          throw new Error(
            `git push to ${branch} failed ${attempt} times: ${(error as Error).message.trim()}`,
            {
              cause: error,
            },
          );
        core.info(
          `history: ${branch} moved while this run was added (attempt ${attempt}); adding it again`,
        );
      }
    }
    await rm(site, { recursive: true, force: true });
    await cp(path.join(dir, 'site'), site, { recursive: true });
    core.info(`history: ${record.commit.slice(0, 12)} added to ${branch}`);
    return { site, timeline };
  } finally {
    await git(top, 'worktree', 'remove', '--force', dir).catch(() => undefined);
  }
}
