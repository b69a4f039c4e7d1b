/**
 * Artifact, release and published-base references through `diverge run`, against the fake
 * GitHub server (every request validated against GitHub's OpenAPI description): pagination,
 * the redirect to storage, retries and rate limits, hostile and broken archives, and the caches.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sha256File } from '../../src/util/digest.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { cli, fixtureKernels, linuxHarness, scratchDir } from '../helpers/fixtures.js';
import { zipOf } from '../helpers/zip.js';

const TOKEN = 'ghs_diverge_references';
let fake: FakeGitHub;
let kernels: Record<string, string>;
let harness: string;
let sha = 0;
const nextSha = () => (++sha).toString(16).padStart(40, '0');

beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
  fake = await startFakeGitHub();
  fake.state.addToken(TOKEN, { permissions: 'write' });
  fake.state.addRepo('course/kernel', { defaultBranch: 'main' });
  fake.state.addRepo('course/staff-kernel', { defaultBranch: 'main' });
});
afterAll(async () => {
  await fake.close();
});

/** Sets every header's uncompressed size to `size`: the entry inflates to more than it says. */
function lyingSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const signature = out.readUInt32LE(i);
    if (signature === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (signature === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

/** A project whose run talks to the fake as a runner would, with a cache of its own. */
function project(label: string, references: string, token = TOKEN) {
  const dir = scratchDir(label);
  const config = path.join(dir, 'diverge.yml');
  writeFileSync(
    config,
    `references:\n${references}\nharness:\n  dir: ${harness}\n  rerun-divergent: 0\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_TOKEN: token,
    GITHUB_API_URL: fake.url,
    GITHUB_REPOSITORY: 'course/kernel',
    GITHUB_WORKFLOW_REF: 'course/kernel/.github/workflows/kernel.yml@refs/pull/1/merge',
    XDG_CACHE_HOME: path.join(dir, 'cache'),
  };
  const run = (out: string, ...extra: string[]) =>
    cli(
      [
        'run',
        '-c',
        config,
        '--candidate',
        kernels.X86_61_B as string,
        '-o',
        path.join(dir, out),
        ...extra,
      ],
      env,
    );
  return { dir, run };
}

const readReport = (dir: string): Report =>
  validateReport(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')), 'report.json');
const downloads = () =>
  fake.requests.filter((r) => /\/zip$|\/releases\/assets\//.test(r.path)).length;

describe('artifact and release references', () => {
  it('finds the artifact in the latest successful run that has it, across pages, and caches', async () => {
    const repo = 'course/staff-kernel';
    // Oldest first: the run with the kernel, then 22 newer successful runs without it (page 2
    // of 20), and a newer failed run that must be ignored.
    const withKernel = fake.state.addWorkflowRun(repo, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: nextSha(),
      conclusion: 'success',
      createdAt: new Date(Date.UTC(2026, 10, 1)),
    });
    await fake.state.addArtifact(repo, withKernel, {
      name: 'kernel',
      files: {
        'build/kernel.elf': readFileSync(kernels.X86_61_A as string),
        'README.txt': 'staff',
      },
    });
    for (let i = 0; i < 22; i++) {
      const run = fake.state.addWorkflowRun(repo, {
        workflowFile: 'kernel.yml',
        branch: 'main',
        headSha: nextSha(),
        conclusion: 'success',
        createdAt: new Date(Date.UTC(2026, 10, 2, i)),
      });
      await fake.state.addArtifact(repo, run, { name: 'logs', files: { 'log.txt': 'x' } });
    }
    fake.state.addWorkflowRun(repo, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: nextSha(),
      conclusion: 'failure',
      createdAt: new Date(Date.UTC(2026, 10, 3)),
    });
    fake.state.addRelease('course/kernel', {
      tag: 'v1.2',
      assets: { 'kernel.elf': readFileSync(kernels.X86_61_B as string) },
    });

    const { dir, run } = project(
      'ref-artifact',
      [
        '  - name: staff',
        '    artifact: { repository: course/staff-kernel, workflow: kernel.yml, branch: main, name: kernel, path: build/kernel.elf }',
        '  - { name: v1.2, release: { tag: v1.2, asset: kernel.elf } }',
      ].join('\n'),
    );
    const first = await run('out1');
    expect(first.stderr).not.toMatch(/^diverge: /m);
    expect(first.code).toBe(0);
    const report = readReport(path.join(dir, 'out1'));
    expect(report.references.map((r) => [r.name, r.digest])).toEqual([
      ['staff', await sha256File(kernels.X86_61_A as string)],
      ['v1.2', await sha256File(kernels.X86_61_B as string)],
    ]);
    expect(report.references[0]?.source).toMatchObject({
      artifact: { repository: 'course/staff-kernel', run: withKernel, name: 'kernel' },
    });
    // The runs were paged: the artifact's run is on the second page of 20.
    expect(
      fake.requests.some(
        (r) => r.path.endsWith('/actions/workflows/kernel.yml/runs') && r.query.page === '2',
      ),
    ).toBe(true);

    const before = downloads();
    const second = await run('out2');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('reference staff: from the cache');
    expect(second.stderr).toContain('reference v1.2: from the cache');
    expect(second.stderr).toContain('staff#1: from the observation cache');
    expect(downloads()).toBe(before);
    expect(fake.violations).toEqual([]);
  });

  it('retries a 502 and waits out a secondary rate limit', async () => {
    fake.state.addRelease('course/kernel', {
      tag: 'v1.3',
      assets: { 'kernel.elf': readFileSync(kernels.X86_61_A as string) },
    });
    fake.state.injectFault({
      path: '/repos/course/kernel/releases/tags/v1.3',
      status: 502,
      times: 1,
    });
    fake.state.injectFault({
      path: '/repos/course/kernel/releases/tags/v1.3',
      status: 403,
      times: 1,
      headers: { 'retry-after': '1' },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    const { run } = project(
      'ref-faults',
      '  - { name: v1.3, release: { tag: v1.3, asset: kernel.elf } }',
    );
    const result = await run('out');
    expect(result.stderr).toMatch(/secondary rate limit .*retrying in 1 s/);
    expect(result.code).toBe(0);
    const tries = fake.requests.filter((r) => r.path === '/repos/course/kernel/releases/tags/v1.3');
    expect(tries.map((r) => r.status)).toEqual([502, 403, 200]);
  });

  it('takes the base kernel from the artifact a push on the base branch published', async () => {
    const run = fake.state.addWorkflowRun('course/kernel', {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: nextSha(),
      event: 'push',
      conclusion: 'success',
    });
    await fake.state.addArtifact('course/kernel', run, {
      name: 'diverge-kernel-default',
      files: { bzImage: readFileSync(kernels.X86_61_A as string) },
    });
    const { dir, run: diverge } = project('ref-base-published', '  - { name: base, base: true }');
    const result = await diverge('out', '--base-ref', 'main');
    expect(result.code).toBe(0);
    expect(readReport(path.join(dir, 'out')).references[0]).toMatchObject({
      name: 'base',
      digest: await sha256File(kernels.X86_61_A as string),
      source: { base: { branch: 'main' }, artifact: { name: 'diverge-kernel-default', run } },
    });
  });
});

describe('GitHub Enterprise Server', () => {
  it('follows GITHUB_API_URL to an /api/v3 base', async () => {
    const ghes = await startFakeGitHub({ prefix: '/api/v3' });
    try {
      ghes.state.addToken(TOKEN, { permissions: 'write' });
      ghes.state.addRepo('course/kernel', { defaultBranch: 'main' });
      ghes.state.addRelease('course/kernel', {
        tag: 'v2.0',
        assets: { 'kernel.elf': readFileSync(kernels.X86_61_A as string) },
      });
      expect(ghes.url).toMatch(/\/api\/v3$/);
      const dir = scratchDir('ref-ghes');
      const config = path.join(dir, 'diverge.yml');
      writeFileSync(
        config,
        `references:\n  - { name: v2, release: { tag: v2.0, asset: kernel.elf } }\nharness:\n  dir: ${harness}\n  rerun-divergent: 0\n`,
      );
      const result = await cli(
        [
          'run',
          '-c',
          config,
          '--candidate',
          kernels.X86_61_B as string,
          '-o',
          path.join(dir, 'out'),
        ],
        {
          ...process.env,
          GITHUB_TOKEN: TOKEN,
          GITHUB_API_URL: ghes.url,
          GITHUB_REPOSITORY: 'course/kernel',
          XDG_CACHE_HOME: path.join(dir, 'cache'),
        },
      );
      expect(result.code).toBe(0);
      expect(ghes.requests.some((r) => r.path === '/repos/course/kernel/releases/tags/v2.0')).toBe(
        true,
      );
      expect(ghes.violations).toEqual([]);
    } finally {
      await ghes.close();
    }
  });
});

describe('references that cannot be fetched', () => {
  async function artifactRun(name: string, zip: Buffer): Promise<void> {
    const run = fake.state.addWorkflowRun('course/staff-kernel', {
      workflowFile: `${name}.yml`,
      branch: 'main',
      headSha: nextSha(),
      conclusion: 'success',
    });
    await fake.state.addArtifact('course/staff-kernel', run, { name: 'kernel', zip });
  }
  const reference = (workflow: string) =>
    `  - name: staff\n    artifact: { repository: course/staff-kernel, workflow: ${workflow}.yml, branch: main, name: kernel }`;

  it.each([
    ['corrupted', async () => Buffer.from('PK\x03\x04 this is not really a zip archive at all')],
    [
      'truncated',
      async () => (await zipOf({ 'kernel.elf': randomBytes(200_000) })).subarray(0, 100_000),
    ],
  ])('a %s zip: exit 2, naming the reference and the artifact', async (label, make) => {
    await artifactRun(label, await make());
    const { run } = project(`ref-${label}`, reference(label));
    const result = await run('out');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /reference staff: artifact kernel \(id \d+\): not a readable zip archive/,
    );
  });

  it('an entry that climbs out with ../: refused, nothing written outside', async () => {
    const zip = Buffer.from(
      (await zipOf({ 'xx/kernel.elf': 'k' }))
        .toString('latin1')
        .replaceAll('xx/kernel.elf', '../kernel.elf'),
      'latin1',
    );
    await artifactRun('traversal', zip);
    const { dir, run } = project('ref-traversal', reference('traversal'));
    const result = await run('out');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reference staff: artifact kernel');
    expect(result.stderr).toContain('invalid relative path: ../kernel.elf');
    expect(() => readFileSync(path.join(dir, 'out', 'references', 'kernel.elf'))).toThrow();
  });

  it('a zip bomb whose headers lie about the size: stopped while inflating', async () => {
    await artifactRun(
      'bomb',
      lyingSizes(await zipOf({ 'kernel.elf': Buffer.alloc(8 * 1024 * 1024) }), 1000),
    );
    const { run } = project('ref-bomb', reference('bomb'));
    const result = await run('out');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /reference staff: artifact kernel \(id \d+\): too many bytes in the stream/,
    );
  });

  it('no such workflow, no successful run, or none with the artifact', async () => {
    const unknown = await project('ref-no-workflow', reference('never-ran')).run('out');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'reference staff: no workflow never-ran.yml in course/staff-kernel (404), or the token cannot see it',
    );
    fake.state.addWorkflowRun('course/staff-kernel', {
      workflowFile: 'always-fails.yml',
      branch: 'main',
      headSha: nextSha(),
      conclusion: 'failure',
    });
    const result = await project('ref-no-success', reference('always-fails')).run('out');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'reference staff: no successful run of always-fails.yml on main in course/staff-kernel',
    );
    const run = fake.state.addWorkflowRun('course/staff-kernel', {
      workflowFile: 'no-artifact.yml',
      branch: 'main',
      headSha: nextSha(),
      conclusion: 'success',
    });
    await fake.state.addArtifact('course/staff-kernel', run, { name: 'logs', files: { a: 'b' } });
    const missing = project('ref-missing', reference('no-artifact'));
    const second = await missing.run('out');
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      'reference staff: none of the last 1 successful runs of no-artifact.yml on main in course/staff-kernel has an artifact named kernel',
    );
  });

  it('a release asset that does not exist, and a token GitHub refuses', async () => {
    const { run } = project(
      'ref-no-asset',
      '  - { name: v1.2, release: { tag: v1.2, asset: vmlinuz } }',
    );
    const result = await run('out');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'reference v1.2: release v1.2 of course/kernel has no asset named vmlinuz (assets: kernel.elf)',
    );
    const refused = await cli(['run', '-c', path.join(scratchDir('x'), 'none.yml')], {
      ...process.env,
      GITHUB_TOKEN: 'ghs_unknown',
    });
    expect(refused.code).toBe(2); // the config does not exist: nothing reached GitHub
    const bad = project(
      'ref-bad-token',
      '  - { name: v1.2, release: { tag: v1.2, asset: kernel.elf } }',
      'ghs_unknown',
    );
    const badRun = await bad.run('out');
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toContain(
      'reference v1.2: release v1.2 of course/kernel: GitHub refused the token (401',
    );
  });
});
