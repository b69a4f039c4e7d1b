/**
 * `base: true` on a push, in the clone actions/checkout leaves by default (`--depth 1`): the
 * action compares the pushed kernel with the kernel of the commit before the push
 * (`github.event.before`), which it fetches from origin and builds, as nothing was published yet.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { sha256File } from '../../src/util/digest.js';
import type { FakeGitHub } from '../fake-github/index.js';
import { runActionProcess, startFakeRepo } from '../helpers/action-runner.js';
import { fixtureKernels, linuxHarness, scratchDir, twoKernelRepo } from '../helpers/fixtures.js';

const TOKEN = 'ghs_push_base';
const REPO = 'course/kernel';
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeRepo(REPO, TOKEN);
});
afterAll(async () => {
  await fake.close();
});

describe('base: true on a push', () => {
  it('fetches the commit before the push into a --depth 1 clone and builds it as the base', async () => {
    const kernels = await fixtureKernels();
    const harness = await linuxHarness('x86_64');
    const dir = scratchDir('push-base');
    const origin = path.join(dir, 'origin');
    const { first: before, second: after } = await twoKernelRepo(origin, harness);
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();

    const workspace = path.join(dir, 'checkout');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${origin}`, workspace]);
    expect(() => git(workspace, 'cat-file', '-e', `${before}^{commit}`)).toThrow();

    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: after,
      event: 'push',
    });
    const { code, stdout, outputs } = await runActionProcess({
      fake,
      repo: REPO,
      runId,
      eventName: 'push',
      event: {
        ref: 'refs/heads/main',
        before,
        after,
        repository: {
          full_name: REPO,
          name: 'kernel',
          owner: { login: 'course' },
          default_branch: 'main',
        },
      },
      workspace,
      inputs: { 'github-token': TOKEN, config: 'diverge.yml' },
    });
    // No earlier run published a kernel on main: the commit before the push is built.
    expect(stdout).toContain(
      'diverge-kernel-default (expired, or never uploaded); building the base commit instead',
    );
    expect(stdout).toContain(
      `reference base: the base commit ${before.slice(0, 12)} is not in this clone: fetching it from origin`,
    );
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(outputs.report as string, 'utf8')) as Report;
    expect(report.references[0]).toMatchObject({
      name: 'base',
      digest: await sha256File(kernels.X86_61_A as string),
      source: { base: { branch: 'main', sha: before, built: true } },
    });
    expect(report.candidate.digest).toBe(await sha256File(kernels.X86_61_B as string));
    // The pushed kernel is published for the next pull request or push.
    expect(fake.state.artifactsOf(REPO).map((a) => a.name)).toContain('diverge-kernel-default');
    expect(fake.violations).toEqual([]);
  }, 600_000);
});
