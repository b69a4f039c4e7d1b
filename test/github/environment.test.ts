import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { eventBase, githubFromEnvironment, workflowFile } from '../../src/github/environment.js';

describe('githubFromEnvironment', () => {
  it('reads the repository, workflow and pull request base as a runner sets them', () => {
    const event = path.join(mkdtempSync(path.join(tmpdir(), 'diverge-env-')), 'event.json');
    writeFileSync(
      event,
      JSON.stringify({ pull_request: { base: { ref: 'main', sha: 'b'.repeat(40) } } }),
    );
    const { github, run } = githubFromEnvironment(
      {
        GITHUB_REPOSITORY: 'course/kernel',
        GITHUB_WORKFLOW_REF: 'course/kernel/.github/workflows/kernel.yml@refs/pull/7/merge',
        GITHUB_EVENT_PATH: event,
        GITHUB_TOKEN: 'ghs_x',
        GITHUB_API_URL: 'http://127.0.0.1:9/api/v3',
      },
      { variant: 'staff' },
      () => undefined,
    );
    expect(run).toEqual({
      variant: 'staff',
      repository: 'course/kernel',
      workflow: 'kernel.yml',
      baseBranch: 'main',
      baseSha: 'b'.repeat(40),
    });
    expect(github).toBeDefined();
  });

  it('has no GitHub client without a token, and flags win over the environment', () => {
    const { github, run } = githubFromEnvironment(
      { GITHUB_REPOSITORY: 'a/b', GITHUB_BASE_REF: 'dev' },
      { variant: 'default', repository: 'c/d', baseSha: 'abc' },
      () => undefined,
    );
    expect(github).toBeUndefined();
    expect(run).toEqual({
      variant: 'default',
      repository: 'c/d',
      baseBranch: 'dev',
      baseSha: 'abc',
      local: true,
    });
  });

  it('is local (base: true is a merge-base) when no pull request or push event says the base', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-env-'));
    const eventFile = (event: unknown) => {
      const file = path.join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    };
    const runOf = (env: NodeJS.ProcessEnv) =>
      githubFromEnvironment(env, { variant: 'default' }, () => undefined).run;
    expect(runOf({}).local).toBe(true);
    expect(runOf({ GITHUB_EVENT_PATH: eventFile({ schedule: '0 0 * * *' }) }).local).toBe(true);
    const push = eventFile({ ref: 'refs/heads/topic', before: '0'.repeat(40) });
    expect(runOf({ GITHUB_EVENT_PATH: push }).local).toBeUndefined();
    const pr = eventFile({ pull_request: { base: { ref: 'main', sha: 'b' } } });
    expect(runOf({ GITHUB_EVENT_PATH: pr }).local).toBeUndefined();
  });

  it('compares a push with the commit before it on the pushed branch; a new branch has none', () => {
    const before = 'e'.repeat(40);
    expect(eventBase({ ref: 'refs/heads/main', before })).toEqual({ ref: 'main', sha: before });
    expect(eventBase({ ref: 'refs/heads/topic', before: '0'.repeat(40) })).toEqual({
      ref: 'topic',
    });
    expect(eventBase({ ref: 'refs/tags/v1', before })).toEqual({ sha: before });
    expect(
      eventBase({ pull_request: { base: { ref: 'main', sha: 'b' } }, ref: 'refs/pull/7/merge' }),
    ).toEqual({ ref: 'main', sha: 'b' });
  });

  it('takes the workflow file from GITHUB_WORKFLOW_REF', () => {
    expect(workflowFile('o/r/.github/workflows/ci.yaml@refs/heads/main')).toBe('ci.yaml');
    expect(workflowFile(undefined)).toBeUndefined();
  });
});
