/**
 * Submissions from a GitHub organisation, against the fake GitHub server (which validates every
 * request against GitHub's OpenAPI description): the listing is paginated, a published kernel
 * is taken as is, any other repository is downloaded at its default branch and extracted
 * safely, and a repository that yields nothing is a submission with its reason.
 */
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGitHub } from '../../src/github/client.js';
import {
  type Submission,
  studentOf,
  submissionEntry,
  submissionsFromGitHub,
} from '../../src/grade/github-submissions.js';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { scratchDir } from '../helpers/fixtures.js';

const TOKEN = 'ghs_staff';
const KERNEL = Buffer.from('\u007fELF published kernel of alice');
let fake: FakeGitHub;
let submissions: Submission[];
let lines: string[];

beforeAll(async () => {
  fake = await startFakeGitHub();
  fake.state.addToken(TOKEN, { permissions: 'read' });
  const org = (name: string) => `course/${name}`;
  fake.state.addRepo(org('lab1-alice'), { ownerType: 'Organization' });
  // More repositories than one page holds, listed before the assignment's: paging must go on.
  for (let i = 0; i < 120; i++) fake.state.addRepo(org(`aaa-${String(i).padStart(3, '0')}`));
  fake.state.addRepo('elsewhere/lab1-mallory');

  // alice published her kernel on a push to main; her source is there too.
  await fake.state.setRepoContent(org('lab1-alice'), [{ name: 'Dockerfile', content: 'FROM x' }]);
  const run = fake.state.addWorkflowRun(org('lab1-alice'), {
    workflowFile: 'diverge.yml',
    branch: 'main',
    headSha: 'a'.repeat(40),
  });
  await fake.state.addArtifact(org('lab1-alice'), run, {
    name: 'diverge-kernel-default',
    files: { 'kernel.elf': KERNEL },
  });
  // bob has only source: built from it, links inside his repository kept as links.
  await fake.state.setRepoContent(org('lab1-bob'), [
    { name: 'Dockerfile', content: 'FROM debian\n' },
    { name: 'build.sh', content: '#!/bin/sh\nmake\n', mode: 0o755 },
    { name: 'kernel/main.c', content: 'int main;\n' },
    { name: 'kernel/current.c', symlink: 'main.c' },
  ]);
  // erin's kernel was published from another branch only: her default branch is built.
  await fake.state.setRepoContent(org('lab1-erin'), [{ name: 'Makefile', content: 'all:\n' }]);
  const branchRun = fake.state.addWorkflowRun(org('lab1-erin'), {
    workflowFile: 'diverge.yml',
    branch: 'experiment',
    headSha: 'e'.repeat(40),
  });
  await fake.state.addArtifact(org('lab1-erin'), branchRun, {
    name: 'diverge-kernel-default',
    files: { 'kernel.elf': 'not from main' },
  });
  // carol pushed nothing; dave's archive tries to write outside his directory.
  fake.state.addRepo(org('lab1-carol'));
  await fake.state.setRepoContent(org('lab1-dave'), [
    { name: 'Makefile', content: 'all:\n' },
    { raw: '../../escaped', content: 'pwned' },
  ]);
  fake.state.addRepo(org('lab2-zoe'));

  const dir = scratchDir('github-submissions');
  lines = [];
  const github = createGitHub({ token: TOKEN, baseUrl: fake.url, log: () => undefined });
  submissions = await submissionsFromGitHub(github, {
    org: 'course',
    prefix: 'lab1-',
    variant: 'default',
    dir: path.join(dir, 'submissions'),
    progress: (line) => lines.push(line),
    retryBaseMs: 1,
  });
}, 120_000);

afterAll(() => fake.close());

const named = (name: string) => submissions.find((s) => s.name === name);

describe('submissions from a GitHub organisation', () => {
  it('lists every repository with the prefix, across pages, as students named by the rest', () => {
    expect(submissions.map((s) => s.name)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    const listings = fake.state.requests.filter((r) => r.path.startsWith('/orgs/course/repos'));
    expect(listings.length).toBeGreaterThan(1);
  });

  it('takes a published kernel as is', () => {
    const alice = named('alice');
    expect(alice?.context).toBeUndefined();
    expect(readFileSync(alice?.kernel ?? '')).toEqual(KERNEL);
    expect(alice?.source).toMatchObject({
      repository: 'course/lab1-alice',
      branch: 'main',
      artifact: { sha: 'a'.repeat(40) },
    });
  });

  it('with artifacts: false (grade --sources-only), builds even a repository that published a kernel', async () => {
    const github = createGitHub({ token: TOKEN, baseUrl: fake.url, log: () => undefined });
    const sources = await submissionsFromGitHub(github, {
      org: 'course',
      prefix: 'lab1-alice',
      variant: 'default',
      artifacts: false,
      dir: path.join(scratchDir('github-sources-only'), 'submissions'),
      progress: () => undefined,
      retryBaseMs: 1,
    });
    expect(sources).toHaveLength(1);
    expect(sources[0]?.kernel).toBeUndefined();
    expect(readFileSync(path.join(sources[0]?.context ?? '', 'Dockerfile'), 'utf8')).toBe('FROM x');
    expect(sources[0]?.source.artifact).toBeUndefined();
  });

  it('downloads any other repository at its default branch, to build', () => {
    const bob = named('bob');
    expect(bob?.kernel).toBeUndefined();
    const context = bob?.context ?? '';
    expect(readFileSync(path.join(context, 'Dockerfile'), 'utf8')).toBe('FROM debian\n');
    expect(statSync(path.join(context, 'build.sh')).mode & 0o111).not.toBe(0);
    expect(lstatSync(path.join(context, 'kernel/current.c')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(context, 'kernel/current.c'))).toBe('main.c');
    expect(bob?.source.tarball?.digest).toMatch(/^sha256:/);
    // A kernel published from another branch is not the submission.
    expect(named('erin')?.context).toBeDefined();
    expect(named('erin')?.kernel).toBeUndefined();
  });

  it('keeps a repository that yields nothing as a submission with the reason', () => {
    expect(named('carol')).toMatchObject({
      error:
        'course/lab1-carol: nothing at main (an empty repository, or the token cannot read it)',
    });
    expect(named('dave')?.error).toMatch(
      /^course\/lab1-dave: entry "\.\.\/\.\.\/escaped" is not under the archive's top directory$/,
    );
    expect(named('dave')?.context).toBeUndefined();
    const root = path.dirname(path.dirname(named('bob')?.context ?? ''));
    expect(existsSync(path.join(root, 'escaped'))).toBe(false);
    expect(existsSync(path.join(path.dirname(root), 'escaped'))).toBe(false);
  });

  it('asked GitHub only what GitHub answers', () => {
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  });
});

describe('studentOf', () => {
  it.each([
    ['lab1-alice', 'lab1-', 'alice'],
    ['lab1-alice', 'lab1', 'alice'],
    ['Lab1-Bob', 'lab1-', 'Bob'],
    ['lab1-', 'lab1-', 'lab1-'],
    ['lab2-zoe', 'lab1-', undefined],
  ])('%s with prefix %s is %s', (repo, prefix, student) => {
    expect(studentOf(repo, prefix)).toBe(student);
  });
});

describe('submissionEntry', () => {
  const source = { repository: 'course/lab1-x', branch: 'main' };
  it('is the published kernel, else the source to build, else a path that is not there', () => {
    expect(submissionEntry({ name: 'alice', kernel: '/k/alice', source }, '/subs')).toEqual({
      name: 'alice',
      path: '/k/alice',
    });
    expect(submissionEntry({ name: 'bob', context: '/src/bob', source }, '/subs')).toEqual({
      name: 'bob',
      path: '/src/bob',
    });
    expect(submissionEntry({ name: 'carol', error: 'empty', source }, '/subs')).toEqual({
      name: 'carol',
      path: '/subs/missing/carol',
    });
  });
});
