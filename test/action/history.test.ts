/**
 * `history: <branch>` with real git: a bare repository stands in for GitHub's, a clone of it for
 * the runner's checkout. Three pushes and a scheduled run of a kernel where one commit breaks a
 * test and a later one fixes it: the branch holds four records and the dashboard; a concurrent
 * push (a hook refusing the first) is met by adding again; a pull request's run writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { GitHubContext } from '../../src/action/environment.js';
import { isDefaultBranchRun, keepHistory } from '../../src/action/history.js';
import { allFacts } from '../../src/history/facts.js';
import { readTimeline } from '../../src/history/store.js';
import { scratchDir } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';
import { environment, fakeCore } from './fakes.js';

const run = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();

const repository = { default_branch: 'main' };
const repo = { owner: 'os', repo: 'kernel' };

function contextOf(eventName: string, sha: string, payload: object = {}): GitHubContext {
  return { eventName, sha, repo, runId: 7, payload } as GitHubContext;
}

/** A report.json where `broken` tests regress against staff. */
function report(dir: string, name: string, broken: string[]): string {
  const tests = (kernel: string) =>
    ['net.tcp', 'fs.write'].map(
      (id) => `${id}:${kernel === 'candidate' && broken.includes(id) ? 'fail' : 'pass'}`,
    );
  const file = path.join(dir, `${name}.json`);
  const judged = judgedReport(
    [boot('staff', 1, tests('staff')), boot('candidate', 1, tests('candidate'))],
    ['staff'],
  );
  writeFileSync(file, JSON.stringify(judged));
  return file;
}

describe('history: <branch> in the action', () => {
  it('keeps every run of the default branch in the branch, and nothing of a pull request', async () => {
    const root = scratchDir('action-history');
    const origin = path.join(root, 'origin.git');
    const workspace = path.join(root, 'workspace');
    run(root, 'init', '-q', '--bare', '-b', 'main', origin);
    // GitHub's side moves once under the run: the first push to the branch is refused.
    const hook = path.join(origin, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        'while read old new ref; do',
        `  if [ "$ref" = refs/heads/history ] && [ ! -e "${root}/refused" ]; then`,
        `    touch "${root}/refused"; echo "refusing once" >&2; exit 1`,
        '  fi',
        'done',
        '',
      ].join('\n'),
    );
    chmodSync(hook, 0o755);
    run(root, 'clone', '-q', origin, workspace);
    const commit = (subject: string) => {
      run(
        workspace,
        '-c',
        'user.name=K',
        '-c',
        'user.email=k@example.org',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        subject,
      );
      run(workspace, 'push', '-q', 'origin', 'HEAD:main');
      return run(workspace, 'rev-parse', 'HEAD');
    };
    const runnerTemp = path.join(root, 'tmp');
    mkdirSync(runnerTemp);
    const events: string[] = [];
    const core = fakeCore(events, {});
    const keep = (context: GitHubContext, file: string, hour: number) =>
      keepHistory({
        env: { ...environment(context, { workspace, runnerTemp }), ref: 'refs/heads/main' },
        core,
        branch: 'history',
        report: file,
        now: Date.UTC(2026, 11, 6, hour),
      });
    const push = (sha: string) => contextOf('push', sha, { ref: 'refs/heads/main', repository });

    const good = commit('one');
    const site = await keep(push(good), report(root, 'one', []), 1);
    const culprit = commit('two: breaks net.tcp');
    await keep(push(culprit), report(root, 'two', ['net.tcp']), 2);
    await keep(contextOf('schedule', culprit), report(root, 'nightly', ['net.tcp']), 3);
    // Run on the pull request that fixes it: not the default branch's history.
    expect(
      await keep(
        contextOf('pull_request', 'f'.repeat(40), { pull_request: { number: 1 } }),
        report(root, 'pr', []),
        4,
      ),
    ).toBeUndefined();
    const fix = commit('three: fixes net.tcp');
    await keep(push(fix), report(root, 'three', []), 5);

    expect(core.lines).toContain(
      'history: history moved while this run was added (attempt 1); adding it again',
    );
    expect(core.lines).toContain(
      "history: a pull_request run is not the default branch's: nothing recorded",
    );
    expect(events.filter((e) => e.startsWith('warning'))).toEqual([]);
    // The branch as GitHub would hold it: four commits, the store and the site.
    expect(run(origin, 'log', '--format=%s', 'history').split('\n')).toEqual([
      `diverge history: ${fix.slice(0, 12)} (push)`,
      `diverge history: ${culprit.slice(0, 12)} (schedule)`,
      `diverge history: ${culprit.slice(0, 12)} (push)`,
      `diverge history: ${good.slice(0, 12)} (push)`,
    ]);
    const clone = path.join(root, 'clone');
    run(root, 'clone', '-q', '-b', 'history', origin, clone);
    expect(existsSync(path.join(clone, 'site', 'index.html'))).toBe(true);
    const timeline = await readTimeline(path.join(clone, 'store'), () => undefined);
    expect(timeline.runs.map((r) => [r.commit, r.event])).toEqual([
      [good, 'push'],
      [culprit, 'push'],
      [culprit, 'schedule'],
      [fix, 'push'],
    ]);
    const tcp = allFacts(timeline).find((f) => f.id === 'net.tcp');
    expect(tcp).toMatchObject({
      state: 'good',
      fixedAt: { commit: fix },
      lastGood: { commit: fix },
    });
    // What the dashboard said while it was broken: the feed has the break at the culprit.
    expect(readFileSync(path.join(clone, 'site', 'feed.xml'), 'utf8')).toContain(
      `net.tcp: good → broken at ${culprit.slice(0, 12)}`,
    );
    expect(timeline.runs[1]?.link).toBe('https://github.example/os/kernel/actions/runs/7');
    // The returned site is the first run's render, copied out of the worktree.
    expect(
      JSON.parse(readFileSync(path.join(site?.site ?? '', 'badge.json'), 'utf8')).message,
    ).toBe('passing');
    expect(run(workspace, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('is the default branch run: its pushes, schedules and manual runs only', () => {
    const on = (eventName: string, payload: object, ref?: string) =>
      isDefaultBranchRun(contextOf(eventName, 'a'.repeat(40), payload), ref);
    expect(on('push', { ref: 'refs/heads/main', repository })).toBe(true);
    expect(on('push', { ref: 'refs/heads/topic', repository })).toBe(false);
    expect(on('schedule', {}, 'refs/heads/main')).toBe(true);
    expect(on('workflow_dispatch', { ref: 'refs/heads/main', repository })).toBe(true);
    expect(on('workflow_dispatch', { ref: 'refs/heads/topic', repository })).toBe(false);
    expect(on('pull_request', { repository }, 'refs/pull/1/merge')).toBe(false);
    expect(on('pull_request_target', { repository }, 'refs/heads/main')).toBe(false);
  });
});
