/**
 * The action's caches as a repository meets them: `node dist/index.js` against the fake GitHub's
 * cache service (ACTIONS_CACHE_SERVICE_V2, as hosted runners set it). A push to the default
 * branch saves the kernels and observations; the next push restores them, boots only the
 * candidate, and stores nothing new; a pull request restores but never saves.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeGitHub } from '../fake-github/index.js';
import { runActionProcess, startFakeRepo } from '../helpers/action-runner.js';
import { fixtureKernels, linuxHarness, scratchDir } from '../helpers/fixtures.js';

const TOKEN = 'ghs_action_cache';
const REPO = 'course/kernel';
const repository = {
  full_name: REPO,
  name: 'kernel',
  owner: { login: 'course' },
  default_branch: 'main',
};
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeRepo(REPO, TOKEN);
});
afterAll(async () => {
  await fake.close();
});

describe('the action cache', () => {
  it('is saved on a default-branch push only, and the same content never twice', async () => {
    const kernels = await fixtureKernels();
    const harness = await linuxHarness('x86_64');
    const workspace = scratchDir('action-cache');
    writeFileSync(
      path.join(workspace, 'diverge.yml'),
      [
        `kernel: { file: ${kernels.X86_61_B} }`,
        `references: [{ name: debian, file: ${kernels.X86_61_A} }]`,
        `harness: { dir: ${harness}, rerun-divergent: 0 }`,
        '',
      ].join('\n'),
    );
    // Each job starts on a fresh runner: the same home, an empty cache directory.
    const cacheHome = path.join(workspace, 'home-cache');
    const run = (eventName: string, event: object, headSha: string) => {
      rmSync(cacheHome, { recursive: true, force: true });
      return runActionProcess({
        fake,
        repo: REPO,
        runId: fake.state.addWorkflowRun(REPO, {
          workflowFile: 'kernel.yml',
          branch: 'main',
          headSha,
          event: eventName,
        }),
        eventName,
        event,
        workspace,
        inputs: { 'github-token': TOKEN, config: 'diverge.yml', 'upload-artifacts': 'false' },
        env: { ACTIONS_CACHE_SERVICE_V2: 'true', XDG_CACHE_HOME: cacheHome },
      });
    };
    const push = (after: string) =>
      run('push', { ref: 'refs/heads/main', after, repository }, after);

    const first = await push('1'.repeat(40));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('no diverge cache to restore yet');
    expect(fake.state.caches.map((c) => c.key)).toEqual([
      expect.stringMatching(/^diverge-v2-default-[0-9a-f]{12}-[0-9a-f]{16}$/),
    ]);
    const key = fake.state.caches[0]?.key as string;
    expect(first.stdout).toContain(`saved the diverge cache ${key}`);

    const second = await push('2'.repeat(40));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`restored the diverge cache ${key}`);
    expect(second.stdout).toContain('debian#1: from the observation cache');
    expect(second.stdout).toContain(`the diverge cache is unchanged (${key}): not saved again`);
    expect(fake.state.caches).toHaveLength(1);

    const head = '3'.repeat(40);
    const pr = await run(
      'pull_request',
      {
        number: 7,
        pull_request: {
          number: 7,
          head: { sha: head, ref: 'feature', repo: { full_name: REPO } },
          base: { sha: '2'.repeat(40), ref: 'main', repo: { full_name: REPO } },
        },
        repository,
      },
      head,
    );
    expect(pr.code).toBe(0);
    expect(pr.stdout).toContain(`restored the diverge cache ${key}`);
    expect(pr.stdout).toContain('the diverge cache is saved on pushes to the default branch only');
    expect(fake.state.caches).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  }, 600_000);
});
