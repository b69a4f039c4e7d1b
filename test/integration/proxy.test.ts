/**
 * A self-hosted runner behind a proxy: the CLI (`dist/cli.js run`) and the action
 * (`node dist/index.js`) with HTTP(S)_PROXY pointing at a local recording proxy, against the fake
 * GitHub server under the name `github.test`, which only the proxy resolves: every request the
 * fake answers went through the proxy. NO_PROXY hosts are fetched direct.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sha256File } from '../../src/util/digest.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { runActionProcess } from '../helpers/action-runner.js';
import { cli, fixtureKernels, linuxHarness, scratchDir } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

const TOKEN = 'ghs_behind_proxy';
const REPO = 'course/kernel';
let fake: FakeGitHub;
let proxy: TestProxy;
let kernels: Record<string, string>;
let harness: string;
/** Serves the `url:` reference's kernel on 127.0.0.1, counting its downloads. */
let files: Server;
let fileDownloads = 0;

beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
  fake = await startFakeGitHub({ host: 'github.test' });
  fake.state.addToken(TOKEN, { permissions: 'write' });
  fake.state.addRepo(REPO, { defaultBranch: 'main' });
  proxy = await startProxy();
  const kernel = readFileSync(kernels.X86_61_A as string);
  files = createServer((_req, res) => {
    fileDownloads++;
    res.end(kernel);
  });
  await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
}, 120_000);
afterAll(async () => {
  await fake.close();
  await proxy.close();
  files.closeAllConnections();
  files.close();
});

const proxiedTo = (host: string) =>
  proxy.requests.filter((r) => new URL(`http://${r.host}`).hostname === host).length;

describe('the CLI behind a proxy', () => {
  it('sends API, storage and url downloads through HTTP(S)_PROXY, NO_PROXY hosts direct', async () => {
    const run = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: 'a'.repeat(40),
      conclusion: 'success',
    });
    await fake.state.addArtifact(REPO, run, {
      name: 'kernel',
      files: { bzImage: readFileSync(kernels.X86_61_B as string) },
    });
    const dir = scratchDir('proxy-cli');
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/bzImage`;
    const digest = (await sha256File(kernels.X86_61_A as string)).slice('sha256:'.length);
    const config = path.join(dir, 'diverge.yml');
    writeFileSync(
      config,
      [
        'references:',
        '  - { name: staff, artifact: { workflow: kernel.yml, branch: main, name: kernel } }',
        `  - { name: mirror, url: '${url}', sha256: ${digest} }`,
        `harness: { dir: ${harness}, rerun-divergent: 0 }`,
        '',
      ].join('\n'),
    );
    // This process's own proxy settings must not leak into the runs.
    const base: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(https?|no)_proxy$/i.test(name)),
    );
    Object.assign(base, { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url, GITHUB_REPOSITORY: REPO });
    const runCli = (out: string, env: NodeJS.ProcessEnv) =>
      cli(
        ['run', '-c', config, '--candidate', kernels.X86_61_B as string, '-o', path.join(dir, out)],
        { ...base, ...env, XDG_CACHE_HOME: path.join(dir, `cache-${out}`) },
      );

    const proxied = await runCli('out1', { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    expect(proxied.stderr).toContain(`requests go through the proxy ${proxy.url}`);
    expect(proxied.code).toBe(0);
    expect(proxiedTo('github.test')).toBeGreaterThan(0); // the API
    expect(proxiedTo('storage.github.test')).toBeGreaterThan(0); // the artifact's redirect
    expect(proxiedTo('127.0.0.1')).toBe(1); // the url: reference
    expect(fileDownloads).toBe(1);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `GET /repos/${REPO}/actions/workflows/kernel.yml/runs`,
        expect.stringMatching(/^GET \/_blobs\//),
      ]),
    );

    // Lower-case names (as curl reads them), and the url: host in no_proxy: fetched direct.
    const before = proxy.requests.length;
    const direct = await runCli('out2', {
      https_proxy: proxy.url,
      http_proxy: proxy.url,
      no_proxy: 'localhost,127.0.0.1',
    });
    expect(direct.stderr).toContain(`(not for localhost,127.0.0.1)`);
    expect(direct.code).toBe(0);
    const during = proxy.requests.slice(before).map((r) => new URL(`http://${r.host}`).hostname);
    expect(during).toContain('github.test');
    expect(during).not.toContain('127.0.0.1');
    expect(fileDownloads).toBe(2);
  }, 300_000);
});

describe('the action behind a proxy', () => {
  it('creates the check run and uploads its artifacts through the proxy', async () => {
    const headSha = 'b'.repeat(40);
    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha,
      event: 'push',
    });
    const dir = scratchDir('proxy-action');
    writeFileSync(
      path.join(dir, 'diverge.yml'),
      [
        `kernel: { file: ${kernels.X86_61_B} }`,
        `references: [{ name: debian, file: ${kernels.X86_61_A} }]`,
        `harness: { dir: ${harness}, rerun-divergent: 0 }`,
        '',
      ].join('\n'),
    );
    const before = proxy.requests.length;
    const { code, stdout } = await runActionProcess({
      fake,
      repo: REPO,
      runId,
      eventName: 'push',
      event: {
        ref: 'refs/heads/main',
        after: headSha,
        repository: { full_name: REPO, name: 'kernel', owner: { login: 'course' } },
      },
      workspace: dir,
      inputs: { 'github-token': TOKEN, config: 'diverge.yml' },
      env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
    });
    expect(stdout).toContain(`requests go through the proxy ${proxy.url}`);
    expect(code).toBe(0);
    const hosts = proxy.requests.slice(before).map((r) => new URL(`http://${r.host}`).hostname);
    expect(new Set(hosts)).toEqual(new Set(['github.test', 'storage.github.test']));
    const [check] = fake.state.checkRunsOf(REPO, headSha);
    expect(check?.conclusion).toBe('success');
    expect(fake.state.artifactsOf(REPO).map((a) => a.name)).toEqual(
      expect.arrayContaining(['diverge-report-default', 'diverge-kernel-default']),
    );
    expect(fake.violations).toEqual([]);
  }, 300_000);
});
