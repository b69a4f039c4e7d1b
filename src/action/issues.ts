/**
 * `track-issues: true`: after the history branch took the run, the tracked issues (labelled
 * `diverge`, known by their marker) are opened, commented on, or closed as history/tracking.ts
 * plans. Runs only where the history does: the default branch's own runs.
 */
import type { GitHub } from '../github/client.js';
import { allFacts } from '../history/facts.js';
import { testPage } from '../history/site.js';
import {
  type BisectCulprit,
  type IssueWrite,
  markerOf,
  planIssues,
  TRACK_LABEL,
  type TrackedIssue,
} from '../history/tracking.js';
import type { Timeline } from '../history/timeline.js';
import type { ActionEnvironment } from './environment.js';
import type { ActionCore } from './services.js';

export interface IssueTracking {
  env: ActionEnvironment;
  core: ActionCore;
  github: GitHub;
  timeline: Timeline;
  /** The history branch, whose site/ the issues link. */
  branch: string;
  closeAfter: number;
  culprit?: BisectCulprit;
}

/** The repository's tracked issues, open and closed, pull requests left out. */
async function trackedIssues(github: GitHub, repo: { owner: string; repo: string }) {
  const listed = await github.paginate(github.rest.issues.listForRepo, {
    ...repo,
    labels: TRACK_LABEL,
    state: 'all',
    per_page: 100,
  });
  return listed.flatMap((issue): TrackedIssue[] => {
    const digest = issue.pull_request ? undefined : markerOf(issue.body ?? '');
    return digest ? [{ number: issue.number, open: issue.state === 'open', digest }] : [];
  });
}

async function write(github: GitHub, repo: { owner: string; repo: string }, change: IssueWrite) {
  if (change.kind === 'open') {
    const { data } = await github.rest.issues.create({
      ...repo,
      title: change.title,
      body: change.body,
      labels: [TRACK_LABEL],
    });
    return `opened #${data.number}`;
  }
  const issue = { ...repo, issue_number: change.number };
  await github.rest.issues.createComment({ ...issue, body: change.comment });
  if (change.kind === 'flip') {
    if (change.body !== undefined)
      await github.rest.issues.update({ ...issue, title: change.title, body: change.body });
    return `commented on #${change.number}`;
  }
  await github.rest.issues.update({ ...issue, state: 'closed', state_reason: change.reason });
  return `closed #${change.number}${change.kind === 'duplicate' ? ' (a duplicate)' : ''}`;
}

/** Brings the tracked issues in line with the history's latest run; returns what it did. */
export async function trackIssues(tracking: IssueTracking): Promise<string[]> {
  const { env, core, github, timeline } = tracking;
  const repo = env.context.repo;
  const payload = env.context.payload as { repository?: { default_branch?: string } };
  const site = `${env.serverUrl}/${repo.owner}/${repo.repo}/blob/${tracking.branch}/site`;
  const writes = planIssues({
    timeline,
    facts: allFacts(timeline),
    issues: await trackedIssues(github, repo),
    closeAfter: tracking.closeAfter,
    branch: payload.repository?.default_branch ?? 'the default branch',
    ...(tracking.culprit ? { culprit: tracking.culprit } : {}),
    historyLink: (test) => `${site}/${testPage(test)}`,
  });
  const done: string[] = [];
  for (const change of writes) {
    const what = `${await write(github, repo, change)}: ${change.test}`;
    core.info(`track-issues: ${what}`);
    done.push(what);
  }
  return done;
}
