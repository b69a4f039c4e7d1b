/**
 * Reference sources that need no GitHub API, through `diverge run` with real kernels: url (with
 * its sha256), image (a real Docker image), base (the base commit built in a git worktree), and
 * the kernel and observation caches on a second run.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Docker from 'dockerode';
import { sha256File } from '../../src/util/digest.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import {
  cli,
  fixtureKernels,
  linuxHarness,
  scratchDir,
  twoKernelRepo,
} from '../helpers/fixtures.js';

let kernels: Record<string, string>;
let harness: string;
let server: Server;
let base: string;
let requests: string[];

beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
  requests = [];
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = req.url === '/kernels/6.1-a' ? kernels.X86_61_A : undefined;
    if (!file) return res.writeHead(404).end();
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => {
  server.close();
});

const readReport = (dir: string): Report =>
  validateReport(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')), 'report.json');

/** A project with a config; every run gets its own cache so tests do not see each other's. */
function project(label: string, yaml: string) {
  const dir = scratchDir(label);
  const config = path.join(dir, 'diverge.yml');
  writeFileSync(config, `harness:\n  dir: ${harness}\n  rerun-divergent: 0\n${yaml}`);
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
  delete env.GITHUB_TOKEN;
  delete env.GH_TOKEN;
  return { dir, config, env };
}

describe('url references', () => {
  it('downloads, checks the sha256, and on a second run takes kernel and boots from the caches', async () => {
    const digest = (await sha256File(kernels.X86_61_A as string)).slice('sha256:'.length);
    const { dir, config, env } = project(
      'ref-url',
      `references:\n  - { name: upstream, url: "${base}/kernels/6.1-a", sha256: "${digest}" }\n`,
    );
    const run = (out: string) =>
      cli(
        ['run', '-c', config, '--candidate', kernels.X86_61_B as string, '-o', path.join(dir, out)],
        env,
      );

    const first = await run('out1');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`reference upstream: fetched (sha256:${digest})`);
    expect(readReport(path.join(dir, 'out1')).references[0]).toMatchObject({
      name: 'upstream',
      digest: `sha256:${digest}`,
      source: { url: `${base}/kernels/6.1-a`, sha256: digest },
    });
    const downloads = requests.length;

    const second = await run('out2');
    expect(second.code).toBe(0);
    expect(requests.length).toBe(downloads); // not downloaded again
    expect(second.stderr).toContain(`reference upstream: from the cache (sha256:${digest})`);
    // Only the candidate boots: the reference's observation is the first run's.
    expect(second.stderr).toContain('upstream#1: from the observation cache');
    expect(second.stderr).toMatch(/candidate#1: completed at stage done/);
    const report = readReport(path.join(dir, 'out2'));
    expect(report.boots.find((b) => b.kernel === 'upstream')?.cached).toBe(true);
    expect(report.boots.find((b) => b.kernel === 'candidate')?.cached).toBeUndefined();
    expect(report.summary.divergences).toBe(0);
    // The copied log belongs to this run's output.
    expect(readFileSync(path.join(dir, 'out2', 'logs', 'upstream-1.log'), 'utf8')).toContain(
      'KTAP version 1',
    );
  });

  it('refuses a download whose sha256 is not the promised one', async () => {
    const { dir, config, env } = project(
      'ref-url-bad',
      `references:\n  - { name: upstream, url: "${base}/kernels/6.1-a", sha256: "${'0'.repeat(64)}" }\n`,
    );
    const result = await cli(
      ['run', '-c', config, '--candidate', kernels.X86_61_B as string, '-o', path.join(dir, 'out')],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `reference upstream: sha256 mismatch \\(expected ${'0'.repeat(64)}, got [0-9a-f]{64}\\)`,
      ),
    );
  });
});

describe('image references', () => {
  it('takes the kernel out of an image, following a symlink, and names a path it lacks', async () => {
    const dir = scratchDir('ref-image');
    const ctx = path.join(dir, 'ctx');
    mkdirSync(ctx);
    copyFileSync(kernels.X86_61_A as string, path.join(ctx, 'vmlinuz-6.1'));
    // Debian images have /boot/vmlinuz as a link to the versioned file.
    execFileSync('ln', ['-s', 'vmlinuz-6.1', path.join(ctx, 'vmlinuz')]);
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY vmlinuz-6.1 vmlinuz /boot/\n');
    const tag = `diverge-test/vendor-kernel:${path.basename(dir).toLowerCase()}`;
    execFileSync('docker', ['build', '-q', '-t', tag, ctx], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    try {
      const { config, env } = project(
        'ref-image-run',
        `references:\n  - { name: vendor, image: { ref: "${tag}", path: /boot/vmlinuz } }\n`,
      );
      const out = path.join(dir, 'out');
      const result = await cli(
        ['run', '-c', config, '--candidate', kernels.X86_61_B as string, '-o', out],
        env,
      );
      expect(result.code).toBe(0);
      expect(readReport(out).references[0]?.digest).toBe(
        await sha256File(kernels.X86_61_A as string),
      );

      const missing = project(
        'ref-image-missing',
        `references:\n  - { name: vendor, image: { ref: "${tag}", path: /boot/nope } }\n`,
      );
      const bad = await cli(
        ['run', '-c', missing.config, '--candidate', kernels.X86_61_B as string, '-o', out],
        missing.env,
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(
        `reference vendor: image.path: /boot/nope does not exist in image ${tag}`,
      );
    } finally {
      await new Docker().getImage(tag).remove({ force: true });
    }
  });
});

describe('base references', () => {
  it("without an event: builds the merge-base of HEAD with origin's default branch (a bare remote on disk); no remote is exit 2 before --out is touched", async () => {
    const dir = scratchDir('ref-local-base');
    const repo = path.join(dir, 'repo');
    const { first: branchPoint, git } = await twoKernelRepo(repo, harness);
    // origin (a bare repository) has main at the first commit; HEAD is one commit ahead of it.
    const remote = path.join(dir, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    git('remote', 'add', 'origin', remote);
    git('push', '-q', 'origin', `${branchPoint}:refs/heads/main`);
    git('fetch', '-q', 'origin');
    git('remote', 'set-head', 'origin', 'main');

    // As on a developer's machine: no event, no token.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries({ ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') }).filter(
        ([name]) =>
          !['GITHUB_EVENT_PATH', 'GITHUB_BASE_REF', 'GITHUB_TOKEN', 'GH_TOKEN'].includes(name),
      ),
    );
    const out = path.join(dir, 'out');
    const run = () => cli(['run', '-c', path.join(repo, 'diverge.yml'), '-o', out], env);
    const first = await run();
    expect(first.stderr).toContain(
      `reference base: the base is ${branchPoint.slice(0, 12)}, where HEAD branched from origin/main`,
    );
    expect(first.code).toBe(0);
    const report = readReport(out);
    expect(report.references[0]).toMatchObject({
      name: 'base',
      digest: await sha256File(kernels.X86_61_A as string),
      source: { base: { branch: 'origin/main', sha: branchPoint, built: true, mergeBase: true } },
    });
    expect(report.candidate.digest).toBe(await sha256File(kernels.X86_61_B as string));

    // No remote: said before --out is taken, the earlier report kept.
    const earlier = readFileSync(path.join(out, 'report.json'), 'utf8');
    git('remote', 'remove', 'origin');
    const noRemote = await run();
    expect(noRemote.code).toBe(2);
    expect(noRemote.stderr).toContain(
      `diverge: reference base: base: true: ${repo} has no remote "origin", so its default branch is not known: give --base-ref BRANCH or --base-sha SHA`,
    );
    expect(noRemote.stderr).not.toContain('removed');
    expect(readFileSync(path.join(out, 'report.json'), 'utf8')).toBe(earlier);
  });

  it('builds the base commit with the candidate recipe in a worktree, then reuses it', async () => {
    const dir = scratchDir('ref-base');
    const repo = path.join(dir, 'repo');
    // The pull request changes the kernel (the second commit); the working tree is the candidate.
    const { first: baseSha, git } = await twoKernelRepo(repo, harness);

    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
    delete env.GITHUB_TOKEN;
    delete env.GH_TOKEN;
    const run = (out: string) =>
      cli(
        [
          'run',
          '-c',
          path.join(repo, 'diverge.yml'),
          '--base-ref',
          'main',
          '--base-sha',
          baseSha,
          '-o',
          path.join(dir, out),
        ],
        env,
      );
    const first = await run('out1');
    expect(first.stderr).toContain(
      `reference base: building the base commit ${baseSha.slice(0, 12)} in a worktree`,
    );
    expect(first.code).toBe(0);
    const report = readReport(path.join(dir, 'out1'));
    expect(report.references[0]).toMatchObject({
      name: 'base',
      digest: await sha256File(kernels.X86_61_A as string),
      source: { base: { sha: baseSha, built: true } },
    });
    expect(report.candidate.digest).toBe(await sha256File(kernels.X86_61_B as string));
    expect(git('worktree', 'list').split('\n')).toHaveLength(1); // the worktree is gone again

    const second = await run('out2');
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('building the base commit');
    expect(second.stderr).toContain('reference base: from the cache');

    // A `--depth 1` clone (actions/checkout's default) has only the pull request's commit: the
    // base commit is fetched from origin first.
    const shallow = path.join(dir, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    const inShallow = (...args: string[]) =>
      execFileSync('git', ['-C', shallow, ...args], { encoding: 'utf8' }).trim();
    expect(() => inShallow('cat-file', '-e', `${baseSha}^{commit}`)).toThrow();
    const fromShallow = await cli(
      [
        'run',
        '-c',
        path.join(shallow, 'diverge.yml'),
        '--base-ref',
        'main',
        '--base-sha',
        baseSha,
        '-o',
        path.join(dir, 'out3'),
      ],
      { ...env, XDG_CACHE_HOME: path.join(dir, 'cache-shallow') },
    );
    expect(fromShallow.stderr).toContain(
      `reference base: the base commit ${baseSha.slice(0, 12)} is not in this clone: fetching it from origin`,
    );
    expect(fromShallow.code).toBe(0);
    expect(readReport(path.join(dir, 'out3')).references[0]).toMatchObject({
      digest: await sha256File(kernels.X86_61_A as string),
      source: { base: { sha: baseSha, built: true } },
    });
  });
});
