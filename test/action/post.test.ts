import { describe, expect, it } from '@jest/globals';
import { CHECK_RUN_STATE, runPost } from '../../src/action/post.js';
import { fakeCore, fakeGitHub, STOPPED_AT, STOPPED_CLOCK } from './fakes.js';

/** The post: step after a main step that saved (or not) its check run. */
async function post(options: { saved: boolean; status?: 'completed' | 'in_progress' }) {
  const events: string[] = [];
  const core = fakeCore(events, { 'github-token': 't' });
  const github = fakeGitHub(events);
  const { data } = await github.github.rest.checks.create({
    owner: 'course',
    repo: 'kernel',
    name: 'diverge',
    head_sha: 'c'.repeat(40),
    status: options.status ?? 'in_progress',
  });
  if (options.saved)
    core.saveState(
      CHECK_RUN_STATE,
      JSON.stringify({ owner: 'course', repo: 'kernel', id: data.id }),
    );
  events.length = 0;
  await runPost({ core, github: () => github.github, clock: STOPPED_CLOCK });
  return { events, check: github.checks[0] };
}

describe('the post: step', () => {
  it('completes a check run a killed main step left in progress, as cancelled', async () => {
    const { events, check } = await post({ saved: true });
    expect(events).toEqual(['checks.get', 'checks.update cancelled']);
    expect(check).toMatchObject({
      status: 'completed',
      conclusion: 'cancelled',
      completed_at: STOPPED_AT,
    });
  });

  it('leaves a completed check run alone', async () => {
    const { events } = await post({ saved: true, status: 'completed' });
    expect(events).toEqual(['checks.get']);
  });

  it('does nothing when the main step made no check run', async () => {
    const { events } = await post({ saved: false });
    expect(events).toEqual([]);
  });
});
