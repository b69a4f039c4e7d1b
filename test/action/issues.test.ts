/**
 * `track-issues` against the fake GitHub: a test breaks, stays broken, is fixed and stays good;
 * one issue is opened naming the culprit, commented on when it flips, closed after N good runs;
 * a duplicate left by a race is closed; a test broken before tracking began gets its issue once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { GitHubContext } from '../../src/action/environment.js';
import { trackIssues } from '../../src/action/issues.js';
import { createGitHub } from '../../src/github/client.js';
import { historyRecord } from '../../src/history/record.js';
import { timelineOf } from '../../src/history/timeline.js';
import { trackMarker } from '../../src/history/tracking.js';
import type { HistoryEvent, HistoryRecord } from '../../src/model/history.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { boot, judgedReport } from '../helpers/observations.js';
import { environment, fakeCore } from './fakes.js';

const REPO = 'os/kernel';
const TOKEN = 'ghs_track';
const repo = { owner: 'os', repo: 'kernel' };
const sha = (n: number) => n.toString(16).padEnd(40, 'c');

/** A run of the default branch where `broken` tests regress against staff. */
function record(n: number, broken: string[], event: HistoryEvent = 'push'): HistoryRecord {
  const tests = (kernel: string) =>
    ['net.tcp', 'fs.write'].map(
      (id) => `${id}:${kernel === 'candidate' && broken.includes(id) ? 'fail' : 'pass'}`,
    );
  const report = judgedReport(
    [boot('staff', 1, tests('staff')), boot('candidate', 1, tests('candidate'))],
    ['staff'],
  );
  return historyRecord(
    {
      commit: sha(n),
      ref: 'refs/heads/main',
      time: new Date(Date.UTC(2026, 11, 1, n)).toISOString(),
      event,
    },
    [{ file: `${n}.json`, report, link: `https://github.example/os/kernel/actions/runs/${n}` }],
  );
}

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.state.reset();
  fake.state.addToken(TOKEN, { permissions: 'write' });
  fake.state.addRepo(REPO, { defaultBranch: 'main' });
});

function tracker() {
  const events: string[] = [];
  const core = fakeCore(events, {});
  const github = createGitHub({
    token: TOKEN,
    baseUrl: fake.url,
    log: () => undefined,
    spaceWrites: false,
  });
  const context = {
    eventName: 'push',
    sha: sha(1),
    repo,
    runId: 1,
    payload: { ref: 'refs/heads/main', repository: { default_branch: 'main' } },
  } as unknown as GitHubContext;
  const env = environment(context, { workspace: '/w', runnerTemp: '/t' });
  const records: HistoryRecord[] = [];
  const track = (
    next: HistoryRecord,
    culprit?: { sha: string; subject: string; tests: string[] },
  ) => {
    records.push(next);
    return trackIssues({
      env,
      core,
      github,
      timeline: timelineOf(records),
      branch: 'diverge-history',
      closeAfter: 3,
      ...(culprit ? { culprit } : {}),
    });
  };
  return { track, events };
}

const issues = () => fake.state.issuesOf(REPO);
const comments = (n: number) => fake.state.commentsOf(REPO, n).map((c) => c.body);

describe('track-issues', () => {
  it('opens one issue at the break naming the culprit, comments on flips, closes after 3 good runs', async () => {
    const { track, events } = tracker();
    expect(await track(record(1, []))).toEqual([]);
    expect(await track(record(2, ['net.tcp']))).toEqual(['opened #1: net.tcp']);
    const [issue] = issues();
    expect(issue?.title).toBe(`diverge: net.tcp broken since ${sha(2).slice(0, 12)}`);
    expect(issue?.labels).toEqual(['diverge']);
    expect(issue?.body).toContain(trackMarker('net.tcp'));
    expect(issue?.body).toContain(
      `| culprit | \`${sha(2)}\` (the commit of the first broken run) |`,
    );
    expect(issue?.body).toContain('| classes | regression (fail) |');
    expect(issue?.body).toContain(
      `| first bad run | [${sha(2).slice(0, 12)}](https://github.example/os/kernel/actions/runs/2)`,
    );
    expect(issue?.body).toContain(
      '[the test in the dashboard](https://github.example/os/kernel/blob/diverge-history/site/tests/',
    );
    expect(issue?.body).toContain(`diverge bisect --good ${sha(1)} --bad ${sha(2)}`);
    // Still broken (the nightly run): no second issue, no comment.
    expect(await track(record(3, ['net.tcp'], 'schedule'))).toEqual([]);
    expect(await track(record(4, []))).toEqual(['commented on #1: net.tcp']);
    expect(comments(1)).toEqual([
      `\`net.tcp\` is good at [${sha(4).slice(0, 12)}](https://github.example/os/kernel/actions/runs/4) (the issue closes after 3 good runs in a row).`,
    ]);
    expect(await track(record(5, []))).toEqual([]);
    expect(await track(record(6, []))).toEqual(['closed #1: net.tcp']);
    expect(issues().map((i) => [i.number, i.state, i.stateReason])).toEqual([
      [1, 'closed', 'completed'],
    ]);
    expect(comments(1)[1]).toMatch(/has been good for 3 runs in a row .*: closing\.$/);
    // A new break after the close is a new issue: one open issue per test, never more.
    expect(await track(record(7, ['net.tcp']))).toEqual(['opened #2: net.tcp']);
    expect(events.filter((e) => e.startsWith('warning'))).toEqual([]);
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  });

  it("names the bisect's culprit when bisect ran over the break, and comments when it breaks again", async () => {
    const { track } = tracker();
    await track(record(1, []));
    const bisected = { sha: 'b'.repeat(40), subject: 'net: drop the *ack*', tests: ['net.tcp'] };
    expect(await track(record(2, ['net.tcp']), bisected)).toEqual(['opened #1: net.tcp']);
    expect(issues()[0]?.title).toBe(`diverge: net.tcp broken since ${'b'.repeat(12)}`);
    expect(issues()[0]?.body).toContain(
      `| culprit | \`${'b'.repeat(40)}\` (found by bisect: net: drop the \\*ack\\*) |`,
    );
    expect(await track(record(3, []))).toEqual(['commented on #1: net.tcp']);
    expect(await track(record(4, ['net.tcp']))).toEqual(['commented on #1: net.tcp']);
    expect(comments(1)[1]).toBe(
      `\`net.tcp\` is broken again at [${sha(4).slice(0, 12)}](https://github.example/os/kernel/actions/runs/4) (was good).`,
    );
    // The body now names the new break.
    expect(issues()[0]?.title).toBe(`diverge: net.tcp broken since ${sha(4).slice(0, 12)}`);
    expect(issues()).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it('closes a duplicate a race left open, and opens an issue for a test broken before tracking began once', async () => {
    for (let i = 0; i < 2; i++)
      fake.state.addIssue(REPO, {
        title: 'net.tcp',
        body: `${trackMarker('net.tcp')}\nbroken`,
        labels: ['diverge'],
        login: 'github-actions[bot]',
      });
    const { track } = tracker();
    await track(record(1, ['net.tcp', 'fs.write']));
    expect(issues().map((i) => [i.number, i.state, i.stateReason])).toEqual([
      [1, 'open', null],
      [2, 'closed', 'duplicate'],
      [3, 'open', null],
    ]);
    expect(comments(2)).toEqual(['Duplicate of #1: diverge keeps one issue per test.']);
    expect(issues()[2]?.body).toContain(trackMarker('fs.write'));
    // Closed by a person while still broken: not opened again for the same break.
    const fs = fake.state.issue(REPO, 3);
    if (fs) fs.state = 'closed';
    expect(await track(record(2, ['net.tcp', 'fs.write']))).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});
