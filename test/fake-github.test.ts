/**
 * The fake GitHub server that every GitHub call of the product is tested against: it must accept
 * what GitHub accepts, refuse (and record) what GitHub would refuse, and keep state. Driven with
 * Octokit and its retry and throttling plugins, configured as the product configures them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import yauzl from 'yauzl';
import { type FakeGitHub, startFakeGitHub } from './fake-github/index.js';
import { UNSPACED } from '../src/github/client.js';

const REPO = 'course/staff-kernel';
const [OWNER, NAME] = REPO.split('/') as [string, string];
const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);
const WRITE = 'ghs_write_token';
const READ = 'ghs_read_token';

const GitHub = Octokit.plugin(retry, throttling);

/** Octokit logs every failed request; here failures are the point. */
const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface Limits {
  primary: number[];
  secondary: number[];
}

/**
 * Octokit as the product builds it, with backoff units of milliseconds instead of seconds and
 * writes unspaced (the throttling plugin spaces writes 1 s apart, 3 s if they notify: etiquette
 * towards GitHub, not a behaviour of the fake).
 */
function client(fake: FakeGitHub, token?: string, limits: Limits = { primary: [], secondary: [] }) {
  return new GitHub({
    ...(token ? { auth: token } : {}),
    baseUrl: fake.url,
    userAgent: 'diverge-test',
    log: SILENT,
    retry: { retries: 3, retryAfterBaseValue: 5 },
    throttle: {
      retryAfterBaseValue: 5,
      write: UNSPACED,
      notifications: UNSPACED,
      onRateLimit: (after: number, _options: unknown, _octokit: unknown, count: number) => {
        limits.primary.push(after);
        return count < 2;
      },
      onSecondaryRateLimit: (
        after: number,
        _options: unknown,
        _octokit: unknown,
        count: number,
      ) => {
        limits.secondary.push(after);
        return count < 2;
      },
    },
  });
}

/** Octokit's `request` without its types: for requests that are wrong on purpose. */
const untyped = (octokit: ReturnType<typeof client>) =>
  octokit.request as unknown as (
    route: string,
    params?: Record<string, unknown>,
  ) => Promise<unknown>;

/** The entries of a zip, read back with yauzl. */
function unzip(data: Buffer): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const files: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files[entry.fileName] = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The HTTP status of a failed Octokit call, and its message. */
async function failure(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status: number; message: string };
    return { status: e.status, message: e.message };
  }
  throw new Error('the call succeeded');
}

/** Runs `fn` with extra environment variables, restoring the environment afterwards. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    }
  }
}

/** Runs `fn` with stdout swallowed: @actions/core writes workflow commands there. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.state.addToken(WRITE, { permissions: 'write' });
  fake.state.addToken(READ, { permissions: 'read' });
  fake.state.addRepo(REPO, { defaultBranch: 'main', branches: { main: SHA } });
});

afterEach(() => {
  // Whatever a test did, the fake's own answers must match GitHub's description.
  expect(fake.responseErrors).toEqual([]);
});

describe('validation against the OpenAPI description', () => {
  it('lets valid requests through without a violation', async () => {
    const octokit = client(fake, WRITE);
    const { data: repo, headers } = await octokit.rest.repos.get({ owner: OWNER, repo: NAME });
    expect(repo).toMatchObject({ full_name: REPO, default_branch: 'main', private: false });
    expect(repo.url).toBe(`${fake.url}/repos/${REPO}`);
    expect(headers['x-ratelimit-remaining']).toBe('4999');
    expect(headers['x-ratelimit-resource']).toBe('core');

    const { data: created } = await octokit.rest.checks.create({
      owner: OWNER,
      repo: NAME,
      name: 'diverge',
      head_sha: SHA,
      status: 'in_progress',
    });
    expect(created).toMatchObject({ name: 'diverge', status: 'in_progress', conclusion: null });
    await octokit.rest.checks.update({
      owner: OWNER,
      repo: NAME,
      check_run_id: created.id,
      conclusion: 'failure',
      output: {
        title: '1 regression',
        summary: 'summary',
        annotations: [
          {
            path: 'kernel/main.c',
            start_line: 3,
            end_line: 3,
            annotation_level: 'failure',
            message: 'x',
          },
        ],
      },
    });
    const { data: listed } = await octokit.rest.checks.listForRef({
      owner: OWNER,
      repo: NAME,
      ref: 'heads/main',
      check_name: 'diverge',
    });
    expect(listed.total_count).toBe(1);
    expect(listed.check_runs[0]).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: '1 regression', annotations_count: 1 },
    });
    const { data: annotations } = await octokit.rest.checks.listAnnotations({
      owner: OWNER,
      repo: NAME,
      check_run_id: created.id,
    });
    expect(annotations).toMatchObject([{ path: 'kernel/main.c', annotation_level: 'failure' }]);
    const [run] = fake.state.checkRunsOf(REPO);
    expect(run?.history.map((h) => h.status)).toEqual(['in_progress', 'completed']);

    const { headers: later } = await octokit.rest.rateLimit.get();
    expect(later['x-ratelimit-remaining']).toBe('4995');
    expect(fake.violations).toEqual([]);
    expect(fake.requests.map((r) => r.operation)).toEqual([
      'repos/get',
      'checks/create',
      'checks/update',
      'checks/list-for-ref',
      'checks/list-annotations',
      'rate-limit/get',
    ]);
  });

  it('answers 422 to an unknown query value and names the parameter', async () => {
    fake.state.addWorkflowRun(REPO, { workflowFile: 'kernel.yml', branch: 'main', headSha: SHA });
    const octokit = client(fake, WRITE);
    const result = await failure(
      octokit.rest.actions.listWorkflowRuns({
        owner: OWNER,
        repo: NAME,
        workflow_id: 'kernel.yml',
        status: 'bogus' as 'success',
      }),
    );
    expect(result.status).toBe(422);
    expect(result.message).toMatch(/Invalid request/);
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatchObject({
      method: 'GET',
      path: `/repos/${REPO}/actions/workflows/kernel.yml/runs`,
      operation: 'actions/list-workflow-runs',
    });
    expect(fake.violations[0]?.why).toMatch(/query parameter "status": "bogus" is not one of/);
  });

  it('answers 422 to a body field of the wrong type or a missing one', async () => {
    const octokit = client(fake, WRITE);
    const wrongType = await failure(
      untyped(octokit)('POST /repos/{owner}/{repo}/check-runs', {
        owner: OWNER,
        repo: NAME,
        name: 'diverge',
        head_sha: 42,
      }),
    );
    expect(wrongType.status).toBe(422);
    expect(fake.violations[0]?.why).toMatch(/body field "head_sha": 42 is not a string/);

    const missing = await failure(
      untyped(octokit)('POST /repos/{owner}/{repo}/check-runs', {
        owner: OWNER,
        repo: NAME,
        head_sha: SHA,
      }),
    );
    expect(missing.status).toBe(422);
    expect(missing.message).toMatch(/"name" wasn't supplied/);
    expect(fake.violations[1]?.why).toMatch(/body field "name" is required/);

    const nested = await failure(
      untyped(octokit)('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        owner: OWNER,
        repo: NAME,
        check_run_id: 1,
        output: { title: 't', summary: 's', annotations: [{ path: 'a', start_line: '3' }] },
      }),
    );
    expect(nested.status).toBe(422);
    expect(fake.violations[2]?.why).toMatch(/output\.annotations\[0\]\.start_line/);
    expect(fake.violations[2]?.why).toMatch(/output\.annotations\[0\]\.annotation_level/);
    expect(fake.state.checkRuns).toEqual([]);
  });

  it('answers 404 to a path or method that is not in the description', async () => {
    const octokit = client(fake, WRITE);
    const unknown = await failure(
      octokit.request('GET /repos/{owner}/{repo}/kernels', { owner: OWNER, repo: NAME }),
    );
    expect(unknown.status).toBe(404);
    const method = await failure(
      octokit.request('DELETE /repos/{owner}/{repo}/check-runs', { owner: OWNER, repo: NAME }),
    );
    expect(method.status).toBe(404);
    // In the description but not in the fake: valid, yet 501 so nobody mistakes it for support.
    const branches = await failure(
      octokit.rest.repos.listBranches({ owner: OWNER, repo: NAME, per_page: 10 }),
    );
    expect(branches).toMatchObject({
      status: 501,
      message: expect.stringMatching(/^not implemented by the fake/),
    });
    // (The retry plugin retries a 501 like any 5xx: one reason, several requests.)
    expect([...new Set(fake.violations.map((v) => v.why))]).toEqual([
      `GET /repos/${REPO}/kernels is not a path of GitHub's REST API description`,
      `DELETE is not an operation of /repos/${REPO}/check-runs (the description has POST)`,
      'repos/list-branches (GET /repos/{owner}/{repo}/branches) is not implemented by the fake',
    ]);
  });

  it('enforces GitHub limits the schema states in prose or in maxItems', async () => {
    const octokit = client(fake, WRITE);
    fake.state.addPull(REPO, {
      number: 7,
      head: { sha: OTHER_SHA, ref: 'feature' },
      base: { sha: SHA, ref: 'main' },
    });
    const perPage = await failure(
      octokit.rest.issues.listComments({
        owner: OWNER,
        repo: NAME,
        issue_number: 7,
        per_page: 500,
      }),
    );
    expect(perPage.status).toBe(422);
    const annotation = {
      path: 'a.c',
      start_line: 1,
      end_line: 1,
      annotation_level: 'notice' as const,
      message: 'm',
    };
    const tooMany = await failure(
      octokit.rest.checks.create({
        owner: OWNER,
        repo: NAME,
        name: 'diverge',
        head_sha: SHA,
        output: {
          title: 't',
          summary: 's',
          annotations: Array.from({ length: 51 }, () => annotation),
        },
      }),
    );
    expect(tooMany.status).toBe(422);
    const longSummary = await failure(
      octokit.rest.checks.create({
        owner: OWNER,
        repo: NAME,
        name: 'diverge',
        head_sha: SHA,
        output: { title: 't', summary: 'x'.repeat(65536) },
      }),
    );
    expect(longSummary.status).toBe(422);
    const branchAsSha = await failure(
      octokit.rest.checks.create({ owner: OWNER, repo: NAME, name: 'diverge', head_sha: 'main' }),
    );
    expect(branchAsSha.status).toBe(422);
    const completedWithoutConclusion = await failure(
      octokit.rest.checks.create({
        owner: OWNER,
        repo: NAME,
        name: 'diverge',
        head_sha: SHA,
        status: 'completed',
      }),
    );
    expect(completedWithoutConclusion.status).toBe(422);
    const longComment = await failure(
      octokit.rest.issues.createComment({
        owner: OWNER,
        repo: NAME,
        issue_number: 7,
        body: 'x'.repeat(65537),
      }),
    );
    expect(longComment.status).toBe(422);
    expect(fake.violations.map((v) => v.why)).toEqual([
      expect.stringMatching(/query parameter "per_page": 500 is out of range/),
      expect.stringMatching(/body field "output.annotations": 51 items, more than the 50 allowed/),
      expect.stringMatching(/body field "output.summary": 65536 characters, more than the 65535/),
      expect.stringMatching(/head_sha "main" is not a full commit SHA/),
      expect.stringMatching(/"conclusion" is required/),
      expect.stringMatching(/body is too long \(maximum is 65536 characters/),
    ]);
    expect(fake.state.checkRuns).toEqual([]);
    expect(fake.state.comments).toEqual([]);
  });

  it('records unauthenticated requests and refuses unknown tokens and odd headers', async () => {
    const anonymous = client(fake);
    await anonymous.rest.repos.get({ owner: OWNER, repo: NAME });
    expect(fake.violations[0]?.why).toMatch(/no Authorization header/);
    const stranger = await failure(
      client(fake, 'ghp_nobody').rest.repos.get({ owner: OWNER, repo: NAME }),
    );
    expect(stranger).toMatchObject({
      status: 401,
      message: expect.stringMatching(/Bad credentials/),
    });
    const octokit = client(fake, WRITE);
    await octokit.request('GET /repos/{owner}/{repo}', {
      owner: OWNER,
      repo: NAME,
      headers: { accept: 'text/html' },
    });
    expect(fake.violations[1]?.why).toMatch(/Accept "text\/html"/);
    const version = await failure(
      octokit.request('GET /repos/{owner}/{repo}', {
        owner: OWNER,
        repo: NAME,
        headers: { 'x-github-api-version': '2020-01-01' },
      }),
    );
    expect(version.status).toBe(400);
    expect(fake.violations).toHaveLength(3);
  });
});

describe('tokens', () => {
  it('answers 403 to a write with a read-only token, as a fork pull request gets', async () => {
    const octokit = client(fake, READ);
    await octokit.rest.repos.get({ owner: OWNER, repo: NAME });
    const refused = await failure(
      octokit.rest.checks.create({ owner: OWNER, repo: NAME, name: 'diverge', head_sha: SHA }),
    );
    expect(refused).toMatchObject({
      status: 403,
      message: expect.stringMatching(/Resource not accessible by integration/),
    });
    expect(fake.state.checkRuns).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});

describe('issue comments', () => {
  beforeEach(() => {
    fake.state.addPull(REPO, {
      number: 7,
      head: { sha: OTHER_SHA, ref: 'feature' },
      base: { sha: SHA, ref: 'main' },
    });
  });

  it('pages 250 comments through Link headers, 100 at a time', async () => {
    for (let i = 0; i < 250; i++)
      fake.state.addComment(REPO, 7, { body: `comment ${i}`, login: 'student' });
    const octokit = client(fake, WRITE);
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: OWNER,
      repo: NAME,
      issue_number: 7,
      per_page: 100,
    });
    expect(all).toHaveLength(250);
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `comment ${i}`));
    expect(all[0]?.user?.login).toBe('student');
    expect(fake.requests.map((r) => [r.query.page, r.status])).toEqual([
      [undefined, 200],
      ['2', 200],
      ['3', 200],
    ]);

    // The links themselves, as GitHub writes them on a middle page.
    const { headers } = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: NAME,
      issue_number: 7,
      per_page: 100,
      page: 2,
    });
    const link = (page: number) =>
      `<${fake.url}/repos/${REPO}/issues/7/comments?per_page=100&page=${page}>`;
    expect(headers.link).toBe(
      `${link(1)}; rel="prev", ${link(3)}; rel="next", ${link(3)}; rel="last", ${link(1)}; rel="first"`,
    );
    expect(fake.violations).toEqual([]);
  });

  it('creates, updates and deletes the sticky comment as the token owner', async () => {
    const octokit = client(fake, WRITE);
    const { data: created, headers } = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: NAME,
      issue_number: 7,
      body: '<!-- diverge -->\nfirst',
    });
    expect(created.user?.login).toBe('github-actions[bot]');
    expect(created.user?.type).toBe('Bot');
    expect(headers.location).toBe(created.url);
    expect(created.html_url).toMatch(new RegExp(`/${REPO}/pull/7#issuecomment-${created.id}$`));
    await octokit.rest.issues.updateComment({
      owner: OWNER,
      repo: NAME,
      comment_id: created.id,
      body: '<!-- diverge -->\nsecond',
    });
    const { data: listed } = await octokit.rest.issues.listComments({
      owner: OWNER,
      repo: NAME,
      issue_number: 7,
    });
    expect(listed.map((c) => c.body)).toEqual(['<!-- diverge -->\nsecond']);
    expect(fake.state.commentsOf(REPO, 7)[0]?.history).toEqual([
      '<!-- diverge -->\nfirst',
      '<!-- diverge -->\nsecond',
    ]);
    await octokit.rest.issues.deleteComment({ owner: OWNER, repo: NAME, comment_id: created.id });
    expect(fake.state.comments).toEqual([]);
    const gone = await failure(
      octokit.rest.issues.getComment({ owner: OWNER, repo: NAME, comment_id: created.id }),
    );
    expect(gone.status).toBe(404);
    expect(fake.violations).toEqual([]);
  });
});

describe('issues', () => {
  it('creates, lists by label and state, updates and closes issues; pull requests share the numbers', async () => {
    fake.state.addPull(REPO, {
      number: 1,
      head: { sha: OTHER_SHA, ref: 'feature' },
      base: { sha: SHA, ref: 'main' },
    });
    const octokit = client(fake, WRITE);
    const repo = { owner: OWNER, repo: NAME };
    const { data: tracked, headers } = await octokit.rest.issues.create({
      ...repo,
      title: 'net.tcp is broken',
      body: '<!-- diverge-track: 1 -->',
      labels: ['diverge'],
    });
    expect(tracked.number).toBe(2);
    expect(headers.location).toBe(tracked.url);
    expect(tracked.user?.login).toBe('github-actions[bot]');
    expect(tracked.html_url).toMatch(new RegExp(`/${REPO}/issues/2$`));
    await octokit.rest.issues.create({ ...repo, title: 'unrelated' });
    const labelled = (state: 'open' | 'closed' | 'all') =>
      octokit.paginate(octokit.rest.issues.listForRepo, {
        ...repo,
        labels: 'diverge',
        state,
        per_page: 100,
      });
    expect(
      (await labelled('open')).map((i) => [
        i.number,
        i.labels.map((l) => (typeof l === 'string' ? l : l.name)),
      ]),
    ).toEqual([[2, ['diverge']]]);
    // Without a label filter the pull request is listed too, marked as one.
    const { data: open } = await octokit.rest.issues.listForRepo({ ...repo, direction: 'asc' });
    expect(open.map((i) => [i.number, i.pull_request !== undefined])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    await octokit.rest.issues.createComment({ ...repo, issue_number: 2, body: 'good again' });
    const { data: closed } = await octokit.rest.issues.update({
      ...repo,
      issue_number: 2,
      state: 'closed',
      state_reason: 'completed',
      body: '<!-- diverge-track: 1 -->\nfixed',
    });
    expect([closed.state, closed.state_reason, closed.comments, closed.closed_at !== null]).toEqual(
      ['closed', 'completed', 1, true],
    );
    expect(await labelled('open')).toEqual([]);
    expect((await labelled('all')).map((i) => [i.number, i.state, i.body])).toEqual([
      [2, 'closed', '<!-- diverge-track: 1 -->\nfixed'],
    ]);
    expect((await octokit.rest.issues.get({ ...repo, issue_number: 2 })).data.state).toBe('closed');
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  });

  it('refuses a blank title and a read token, as GitHub does', async () => {
    const blank = await failure(
      client(fake, WRITE).rest.issues.create({ owner: OWNER, repo: NAME, title: ' ' }),
    );
    expect(blank.status).toBe(422);
    const read = await failure(
      client(fake, READ).rest.issues.create({ owner: OWNER, repo: NAME, title: 'x' }),
    );
    expect(read.status).toBe(403);
    expect(fake.state.issuesOf(REPO)).toEqual([]);
  });
});

describe('workflow runs, artifacts and releases', () => {
  it('finds the newest successful run of a workflow on a branch', async () => {
    const run = (branch: string, conclusion: string, hoursAgo: number) =>
      fake.state.addWorkflowRun(REPO, {
        workflowFile: 'kernel.yml',
        branch,
        headSha: SHA,
        event: 'push',
        status: 'completed',
        conclusion,
        createdAt: new Date(Date.now() - hoursAgo * 3_600_000),
      });
    const old = run('main', 'success', 5);
    run('main', 'failure', 1);
    const newest = run('main', 'success', 2);
    run('feature', 'success', 0);
    fake.state.addWorkflowRun(REPO, { workflowFile: 'other.yml', branch: 'main', headSha: SHA });
    const octokit = client(fake, READ);
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      owner: OWNER,
      repo: NAME,
      workflow_id: 'kernel.yml',
      branch: 'main',
      status: 'success',
      per_page: 20,
    });
    expect(data.total_count).toBe(2);
    expect(data.workflow_runs.map((r) => r.id)).toEqual([newest, old]);
    expect(data.workflow_runs[0]).toMatchObject({
      path: '.github/workflows/kernel.yml',
      head_branch: 'main',
    });
    const { data: byId } = await octokit.rest.actions.getWorkflowRun({
      owner: OWNER,
      repo: NAME,
      run_id: newest,
    });
    expect(byId.workflow_id).toBe(data.workflow_runs[0]?.workflow_id);
    // The workflow's numeric ID works as well as its file name.
    const { data: byWorkflowId } = await octokit.rest.actions.listWorkflowRuns({
      owner: OWNER,
      repo: NAME,
      workflow_id: byId.workflow_id,
      branch: 'feature',
    });
    expect(byWorkflowId.workflow_runs.map((r) => r.head_branch)).toEqual(['feature']);
    expect(fake.violations).toEqual([]);
  });

  it('serves an artifact through a redirect to storage, without the token', async () => {
    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: SHA,
    });
    const files = { 'kernel.elf': 'ELF kernel', 'boot/initrd.img': 'initrd' };
    const artifactId = await fake.state.addArtifact(REPO, runId, { name: 'kernel', files });
    await fake.state.addArtifact(REPO, runId, { name: 'logs', files: { 'a.log': 'log' } });
    const expired = await fake.state.addArtifact(REPO, runId, {
      name: 'old',
      files: { x: 'x' },
      expired: true,
    });
    const octokit = client(fake, READ);

    const listed = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      owner: OWNER,
      repo: NAME,
      run_id: runId,
      name: 'kernel',
      per_page: 100,
    });
    expect(listed).toMatchObject([{ id: artifactId, name: 'kernel', expired: false }]);
    const { data: zip } = await octokit.rest.actions.downloadArtifact({
      owner: OWNER,
      repo: NAME,
      artifact_id: artifactId,
      archive_format: 'zip',
    });
    const bytes = Buffer.from(zip as ArrayBuffer);
    const stored = fake.state.artifacts.find((a) => a.id === artifactId);
    expect(bytes.equals(stored?.data ?? Buffer.alloc(0))).toBe(true);
    expect(await unzip(bytes)).toEqual(files);
    expect(listed[0]?.size_in_bytes).toBe(bytes.length);

    // As the product does it: the redirect by hand, then storage without credentials.
    const response = await octokit.request(
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      {
        owner: OWNER,
        repo: NAME,
        artifact_id: artifactId,
        archive_format: 'zip',
        request: { redirect: 'manual' },
      },
    );
    expect(response.status).toBe(302);
    const location = String(response.headers.location);
    expect(location.startsWith(`${fake.storage}/_blobs/`)).toBe(true);
    expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(bytes)).toBe(true);

    const gone = await failure(
      octokit.rest.actions.downloadArtifact({
        owner: OWNER,
        repo: NAME,
        artifact_id: expired,
        archive_format: 'zip',
      }),
    );
    expect(gone.status).toBe(410);
    expect(fake.requests.filter((r) => r.area === 'storage').map((r) => r.status)).toEqual([
      200, 200,
    ]);
    expect(fake.violations).toEqual([]);

    // A client that sends the token to storage is caught.
    await fetch(location, { headers: { authorization: `token ${READ}` } });
    expect(fake.violations[0]).toMatchObject({
      area: 'storage',
      why: expect.stringMatching(/Authorization/),
    });
  });

  it('serves release assets as JSON, or their bytes through storage', async () => {
    fake.state.addRelease(REPO, {
      tag: 'v1.2',
      assets: { 'kernel.elf': Buffer.from('v1.2 kernel') },
    });
    fake.state.addRelease(REPO, { tag: 'v1.3-draft', draft: true });
    const octokit = client(fake, READ);
    const { data: release } = await octokit.rest.repos.getReleaseByTag({
      owner: OWNER,
      repo: NAME,
      tag: 'v1.2',
    });
    const asset = release.assets[0];
    expect(asset).toMatchObject({ name: 'kernel.elf', size: 11, state: 'uploaded' });
    const { data: json } = await octokit.rest.repos.getReleaseAsset({
      owner: OWNER,
      repo: NAME,
      asset_id: asset?.id ?? 0,
    });
    expect(json.browser_download_url).toBe(
      `${fake.origin}/${REPO}/releases/download/v1.2/kernel.elf`,
    );
    const { data: bytes } = await octokit.rest.repos.getReleaseAsset({
      owner: OWNER,
      repo: NAME,
      asset_id: asset?.id ?? 0,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(bytes as unknown as ArrayBuffer).toString()).toBe('v1.2 kernel');
    const web = await fetch(json.browser_download_url);
    expect(await web.text()).toBe('v1.2 kernel');
    const { data: releases } = await octokit.rest.repos.listReleases({ owner: OWNER, repo: NAME });
    expect(releases.map((r) => r.tag_name)).toEqual(['v1.2']);
    const draft = await failure(
      octokit.rest.repos.getReleaseByTag({ owner: OWNER, repo: NAME, tag: 'v1.3-draft' }),
    );
    expect(draft.status).toBe(404);
    expect(fake.violations).toEqual([]);
  });
});

describe('response shapes', () => {
  it('answers every other implemented operation with what the description promises', async () => {
    fake.state.addPull(REPO, {
      number: 9,
      head: { sha: OTHER_SHA, ref: 'student-fix', repoFullName: 'student/staff-kernel' },
      base: { sha: SHA, ref: 'main' },
    });
    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'student-fix',
      headSha: OTHER_SHA,
      event: 'pull_request',
      headRepoFullName: 'student/staff-kernel',
    });
    const artifactId = await fake.state.addArtifact(REPO, runId, {
      name: 'k',
      zip: Buffer.from('PK'),
    });
    const releaseId = fake.state.addRelease(REPO, { tag: 'v1', assets: { 'a.bin': 'a' } });
    const octokit = client(fake, WRITE);
    const o = { owner: OWNER, repo: NAME };

    const { data: pull } = await octokit.rest.pulls.get({ ...o, pull_number: 9 });
    expect(pull.head.repo?.full_name).toBe('student/staff-kernel');
    expect(pull.head.repo?.fork).toBe(true);
    const { data: runs } = await octokit.rest.actions.listWorkflowRunsForRepo({
      ...o,
      event: 'pull_request',
      created: `>=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}`,
    });
    expect(runs.workflow_runs[0]?.pull_requests).toMatchObject([{ number: 9 }]);
    expect(runs.workflow_runs[0]?.head_repository.full_name).toBe('student/staff-kernel');
    const { data: workflow } = await octokit.rest.actions.getWorkflow({
      ...o,
      workflow_id: 'kernel.yml',
    });
    expect(workflow.path).toBe('.github/workflows/kernel.yml');
    const { data: artifacts } = await octokit.rest.actions.listArtifactsForRepo({
      ...o,
      name: 'k',
    });
    expect(artifacts.artifacts.map((a) => a.id)).toEqual([artifactId]);
    const { data: artifact } = await octokit.rest.actions.getArtifact({
      ...o,
      artifact_id: artifactId,
    });
    expect(artifact.workflow_run?.head_sha).toBe(OTHER_SHA);
    await octokit.rest.actions.deleteArtifact({ ...o, artifact_id: artifactId });
    expect(fake.state.artifacts).toEqual([]);

    const { data: latest } = await octokit.rest.repos.getLatestRelease(o);
    const { data: release } = await octokit.rest.repos.getRelease({ ...o, release_id: releaseId });
    expect(latest.id).toBe(release.id);
    const { data: assets } = await octokit.rest.repos.listReleaseAssets({
      ...o,
      release_id: releaseId,
    });
    expect(assets.map((a) => a.name)).toEqual(['a.bin']);

    const { data: check } = await octokit.rest.checks.create({
      ...o,
      name: 'diverge',
      head_sha: OTHER_SHA,
      conclusion: 'success',
      output: { title: 'no divergence', summary: 'all 20 tests the same' },
    });
    const { data: got } = await octokit.rest.checks.get({ ...o, check_run_id: check.id });
    expect(got).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(got.completed_at).toEqual(expect.any(String));
    const { data: comment } = await octokit.rest.issues.createComment({
      ...o,
      issue_number: 9,
      body: 'x',
    });
    const { data: again } = await octokit.rest.issues.getComment({ ...o, comment_id: comment.id });
    expect(again.body).toBe('x');
    const { data: limits } = await octokit.rest.rateLimit.get();
    expect(limits.resources.core.used).toBeGreaterThan(0);
    expect(fake.violations).toEqual([]);
  });
});

describe('faults', () => {
  it('retries two 500s and succeeds on the third request', async () => {
    fake.state.injectFault({ method: 'GET', path: `/repos/${REPO}`, status: 500, times: 2 });
    const { data } = await client(fake, WRITE).rest.repos.get({ owner: OWNER, repo: NAME });
    expect(data.full_name).toBe(REPO);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('retries a 502 and a reset connection', async () => {
    fake.state.injectFault({ path: '/repos/{owner}/{repo}', status: 502 });
    fake.state.injectFault({ path: /^\/repos\//, status: 'reset' });
    const { data } = await client(fake, WRITE).rest.repos.get({ owner: OWNER, repo: NAME });
    expect(data.full_name).toBe(REPO);
    expect(fake.requests.map((r) => r.status)).toEqual([502, 'reset', 200]);
  });

  it('waits out a secondary rate limit (403 with retry-after)', async () => {
    fake.state.injectFault({
      path: `/repos/${REPO}/check-runs`,
      status: 403,
      headers: { 'retry-after': '2' },
    });
    const limits: Limits = { primary: [], secondary: [] };
    const { data } = await client(fake, WRITE, limits).rest.checks.create({
      owner: OWNER,
      repo: NAME,
      name: 'diverge',
      head_sha: SHA,
    });
    expect(data.name).toBe('diverge');
    expect(limits.secondary).toEqual([2]);
    expect(fake.requests.map((r) => r.status)).toEqual([403, 201]);
  });

  it('waits out a primary rate limit (403 with x-ratelimit-remaining 0)', async () => {
    const reset = Math.floor(Date.now() / 1000);
    fake.state.injectFault({
      path: `/repos/${REPO}`,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const limits: Limits = { primary: [], secondary: [] };
    await client(fake, WRITE, limits).rest.repos.get({ owner: OWNER, repo: NAME });
    expect(limits.primary).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('answers 429 with the secondary rate limit message', async () => {
    fake.state.injectFault({
      path: `/repos/${REPO}`,
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const { data } = await client(fake, WRITE).rest.repos.get({ owner: OWNER, repo: NAME });
    expect(data.full_name).toBe(REPO);
    expect(fake.requests[0]?.status).toBe(429);
    expect(fake.requests.at(-1)?.status).toBe(200);
  });

  it('exhausts a token’s primary rate limit', async () => {
    fake.state.addToken('ghs_small', { permissions: 'read', rateLimit: 2 });
    const octokit = new Octokit({ auth: 'ghs_small', baseUrl: fake.url, log: SILENT });
    await octokit.rest.repos.get({ owner: OWNER, repo: NAME });
    const { headers } = await octokit.rest.repos.get({ owner: OWNER, repo: NAME });
    expect(headers['x-ratelimit-remaining']).toBe('0');
    const third = await failure(octokit.rest.repos.get({ owner: OWNER, repo: NAME }));
    expect(third).toMatchObject({
      status: 403,
      message: expect.stringMatching(/rate limit exceeded/),
    });
    const { data } = await octokit.rest.rateLimit.get();
    expect(data.resources.core).toMatchObject({ limit: 2, used: 2, remaining: 0 });
  });
});

describe('uploads through @actions/artifact', () => {
  it('stores an uploaded artifact on the run, listed and served by the REST API', async () => {
    const runId = fake.state.addWorkflowRun(REPO, {
      workflowFile: 'kernel.yml',
      branch: 'main',
      headSha: SHA,
      status: 'in_progress',
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-github-upload-'));
    writeFileSync(path.join(dir, 'report.json'), '{"schema":"diverge.report/v1"}');
    writeFileSync(path.join(dir, 'report.md'), '# diverge');
    const report = { 'report.json': '{"schema":"diverge.report/v1"}', 'report.md': '# diverge' };
    let uploaded: { id?: number; size?: number } = {};
    try {
      await withEnv({ ...fake.runtimeEnv(REPO, runId), GITHUB_WORKSPACE: dir }, () =>
        quietly(async () => {
          // Imported here: @actions/github reads GITHUB_API_URL when it is first loaded.
          const { DefaultArtifactClient } = await import('@actions/artifact');
          const artifacts = new DefaultArtifactClient();
          uploaded = await artifacts.uploadArtifact(
            'diverge-report',
            [path.join(dir, 'report.json'), path.join(dir, 'report.md')],
            dir,
          );
          // The same run reads it back through the results service...
          await artifacts.downloadArtifact(uploaded.id ?? 0, { path: path.join(dir, 'same-run') });
          // ...another run (the workflow_run pattern) through the REST API and a token.
          await artifacts.downloadArtifact(uploaded.id ?? 0, {
            path: path.join(dir, 'other-run'),
            findBy: {
              token: READ,
              workflowRunId: runId,
              repositoryOwner: OWNER,
              repositoryName: NAME,
            },
          });
        }),
      );
      expect(process.env.ACTIONS_RUNTIME_TOKEN).toBeUndefined();
      expect(uploaded.id).toEqual(expect.any(Number));
      for (const copy of ['same-run', 'other-run']) {
        for (const [name, content] of Object.entries(report))
          expect(readFileSync(path.join(dir, copy, name), 'utf8')).toBe(content);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const octokit = client(fake, READ);
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
      owner: OWNER,
      repo: NAME,
      run_id: runId,
    });
    expect(data.artifacts).toMatchObject([
      { id: uploaded.id, name: 'diverge-report', size_in_bytes: uploaded.size },
    ]);
    const { data: zip } = await octokit.rest.actions.downloadArtifact({
      owner: OWNER,
      repo: NAME,
      artifact_id: uploaded.id ?? 0,
      archive_format: 'zip',
    });
    expect(await unzip(Buffer.from(zip as ArrayBuffer))).toEqual(report);
    const twirp = fake.requests
      .filter((r) => r.area === 'results')
      .map((r) => r.path.split('/').pop());
    expect(twirp).toEqual([
      'CreateArtifact',
      'FinalizeArtifact',
      'ListArtifacts',
      'GetSignedArtifactURL',
    ]);
    expect(fake.requests.filter((r) => r.area === 'storage').map((r) => r.method)).toEqual([
      'PUT',
      'PUT',
      'GET',
      'GET',
      'GET',
    ]);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a runtime token the fake did not sign', async () => {
    const response = await fetch(
      `${fake.origin}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`,
      {
        method: 'POST',
        headers: { authorization: 'Bearer e30.e30.c2ln', 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(response.status).toBe(401);
    expect(fake.violations[0]?.why).toMatch(/ACTIONS_RUNTIME_TOKEN/);
  });
});

describe('GitHub Enterprise Server style base URL', () => {
  it('serves the API under the prefix and flags requests outside it', async () => {
    const ghes = await startFakeGitHub({ prefix: '/api/v3' });
    try {
      expect(ghes.url).toBe(`${ghes.origin}/api/v3`);
      ghes.state.addToken(WRITE, { permissions: 'write' });
      ghes.state.addRepo(REPO);
      const { data } = await client(ghes, WRITE).rest.repos.get({ owner: OWNER, repo: NAME });
      expect(data.url).toBe(`${ghes.url}/repos/${REPO}`);
      expect(ghes.requests[0]?.path).toBe(`/repos/${REPO}`);
      const outside = await fetch(`${ghes.origin}/repos/${REPO}`, {
        headers: { authorization: `token ${WRITE}` },
      });
      expect(outside.status).toBe(404);
      expect(ghes.violations[0]?.why).toMatch(/outside the API prefix/);
      expect(ghes.responseErrors).toEqual([]);
    } finally {
      await ghes.close();
    }
  });
});
