/**
 * The fake GitHub server as the workflow tests run it: built by rollup into a standalone bundle
 * (build/test/fake-github.js), seeded from a file and stopped by SIGTERM. Here, not with the
 * server's own tests in test/fake-github.test.ts, because the build takes half a minute: too
 * slow for the unit tier (jest.unit.config.js).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT as ROOT } from '../helpers/fixtures.js';

const REPO = 'course/staff-kernel';
const SHA = 'a'.repeat(40);
const WRITE = 'ghs_write_token';

describe('the standalone bundle', () => {
  it('starts, answers /_fake/state and stops on SIGTERM', async () => {
    const rollup = ['node_modules/rollup/dist/bin/rollup', '-c', '--configFake'];
    const build = spawnSync(process.execPath, rollup, { cwd: ROOT, encoding: 'utf8' });
    expect(build.status).toBe(0);
    const scratch = mkdtempSync(path.join(tmpdir(), 'fake-github-seed-'));
    const seedFile = path.join(scratch, 'seed.json');
    writeFileSync(
      seedFile,
      JSON.stringify({
        tokens: [{ token: WRITE, permissions: 'write' }],
        repos: [{ fullName: REPO }],
      }),
    );
    const args = [
      'build/test/fake-github.js',
      '--port',
      '0',
      '--prefix',
      '/api/v3',
      '--seed',
      seedFile,
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout }).once('line', resolve),
      );
      const { url, admin } = JSON.parse(line) as { url: string; admin: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      const seeded = await fetch(`${admin}/seed`, {
        method: 'POST',
        body: JSON.stringify({
          runs: [
            {
              repo: REPO,
              workflowFile: 'kernel.yml',
              branch: 'main',
              headSha: SHA,
              artifacts: [
                { name: 'kernel', files: { 'kernel.elf': Buffer.from('ELF').toString('base64') } },
              ],
            },
          ],
        }),
      });
      const { runs } = (await seeded.json()) as { runs: { id: number; artifacts: number[] }[] };
      const headers = { authorization: `token ${WRITE}`, 'user-agent': 'test' };
      const artifact = await fetch(
        `${url}/repos/${REPO}/actions/artifacts/${runs[0]?.artifacts[0]}`,
        {
          headers,
        },
      );
      expect(await artifact.json()).toMatchObject({ name: 'kernel', expired: false });
      const state = (await (await fetch(`${admin}/state`)).json()) as {
        repos: { fullName: string }[];
        artifacts: { name: string; runId: number }[];
        requests: { path: string; status: number }[];
        violations: unknown[];
        responseErrors: unknown[];
      };
      expect(state.repos.map((r) => r.fullName)).toEqual([REPO]);
      expect(state.artifacts).toMatchObject([{ name: 'kernel', runId: runs[0]?.id }]);
      expect(state.requests).toMatchObject([
        { path: `/repos/${REPO}/actions/artifacts/${runs[0]?.artifacts[0]}`, status: 200 },
      ]);
      expect(state.violations).toEqual([]);
      expect(state.responseErrors).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      rmSync(scratch, { recursive: true, force: true });
    }
    expect(await exited).toBe(0);
  });
});
