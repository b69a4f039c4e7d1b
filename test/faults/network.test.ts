/**
 * Network faults, through the bundled CLI: a local server that stalls, resets, lies about its
 * length, sends too much or redirects badly, for a `url:` reference; and 5xx and 429 answers
 * from the fake GitHub for a release reference. A server's fault is the infrastructure's (exit
 * 3, after bounded retries); a reference that cannot work is bad input (exit 2, at once). The
 * message names the url; no partial download is left, in the output or in the cache.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeGitHub, startFakeGitHub } from '../fake-github/index.js';
import { fixtureKernels } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const SHA = 'ab'.repeat(32);
/** Short waits, so that each case takes seconds: the defaults are documented elsewhere. */
const WAITS = { DIVERGE_RETRY_BASE: '0.01', DIVERGE_DOWNLOAD_IDLE_TIMEOUT: '1' };

let kernel: string;
let server: Server;
let base: string;
const sockets = new Set<Socket>();
const hits = new Map<string, number>();

/** What each path of the local server does wrong. */
const routes: Record<string, (res: ServerResponse) => void> = {
  '/stall': (res) => {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(1000)); // then nothing, the connection open
  },
  '/reset': (res) => {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(1000), () => res.socket?.resetAndDestroy());
  },
  '/short': (res) => {
    res.writeHead(200, { 'content-length': '100000' });
    res.write(Buffer.alloc(1000), () => res.socket?.end());
  },
  '/huge': (res) => {
    res.writeHead(200, { 'content-length': String(2 * 1024 ** 3) });
    res.write(Buffer.alloc(1000));
  },
  '/loop': (res) => {
    res.writeHead(302, { location: '/loop' });
    res.end();
  },
  '/file': (res) => {
    res.writeHead(302, { location: 'file:///etc/passwd' });
    res.end();
  },
};

beforeAll(async () => {
  kernel = (await fixtureKernels()).X86_61_A as string;
  server = createServer((req, res) => {
    const route = req.url ?? '';
    hits.set(route, (hits.get(route) ?? 0) + 1);
    (routes[route] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** Files under `dir`, recursively ([] when it does not exist). */
function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => !e.isDirectory())
      .map((e) => path.join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

/** Runs with one `url:` reference at `route` of the local server. */
async function runWithUrl(kind: string, route: string) {
  const sb = faultSandbox(kind);
  const config = path.join(sb.work, 'diverge.yml');
  const yaml = `references:\n  - { name: upstream, url: "${base}${route}", sha256: "${SHA}" }\n`;
  writeFileSync(config, yaml);
  const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out], WAITS);
  return { sb, result };
}

/** Nothing of the download is kept: no partial file in the output, nothing in the cache. */
async function nothingKept(sb: FaultSandbox) {
  expect(filesUnder(path.join(sb.out, 'references'))).toEqual([]);
  expect(filesUnder(path.join(sb.cache, 'diverge', 'kernels'))).toEqual([]);
  expect(filesUnder(path.join(sb.out, 'logs'))).toEqual([]); // nothing was booted
  expect(await leftovers(sb)).toEqual([]);
}

describe('url references', () => {
  it('url-stall-after-headers: cut after the idle timeout, retried, then exit 3 naming the url and the wait', async () => {
    const { sb, result } = await runWithUrl('url-stall-after-headers', '/stall');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `diverge: reference upstream: download failed: ${base}/stall: the server sent nothing for 1 s after 1000 bytes (DIVERGE_DOWNLOAD_IDLE_TIMEOUT), also after 3 retries`,
    );
    expect(hits.get('/stall')).toBe(4);
    await nothingKept(sb);
  });

  it('url-reset-mid-body: retried, then exit 3 saying how much arrived', async () => {
    const { sb, result } = await runWithUrl('url-reset-mid-body', '/reset');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        `diverge: reference upstream: download failed: ${base}/reset: the connection was lost after \\d+ bytes of 100000 .*also after 3 retries`,
      ),
    );
    expect(hits.get('/reset')).toBe(4);
    await nothingKept(sb);
  });

  it('url-short-body: a body shorter than its Content-Length is a failed download, exit 3', async () => {
    const { sb, result } = await runWithUrl('url-short-body', '/short');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        `diverge: reference upstream: download failed: ${base}/short: (the body ended after 1000 of the 100000 bytes|the connection was lost after \\d+ bytes of 100000 \\(UND_ERR_SOCKET: other side closed\\))`,
      ),
    );
    expect(hits.get('/short')).toBe(4);
    await nothingKept(sb);
  });

  it('url-huge-body: a body over the 1 GiB cap refused from its length, at once, exit 2', async () => {
    const { sb, result } = await runWithUrl('url-huge-body', '/huge');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: reference upstream: download failed: ${base}/huge: 2147483648 bytes, more than the 1073741824 bytes diverge accepts`,
    );
    expect(hits.get('/huge')).toBe(1); // not retried
    await nothingKept(sb);
  });

  it('url-redirect-loop: given up after 10 redirects, not retried, exit 2 naming the url', async () => {
    const { sb, result } = await runWithUrl('url-redirect-loop', '/loop');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: reference upstream: download failed: ${base}/loop: more than 10 redirects (a redirect loop?)`,
    );
    expect({ hits: hits.get('/loop'), stderr: result.stderr }).toEqual({
      hits: 11,
      stderr: result.stderr,
    });
    await nothingKept(sb);
  });

  it('url-redirect-file: a redirect to file:// is not followed, exit 2 naming both', async () => {
    const { sb, result } = await runWithUrl('url-redirect-file', '/file');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: reference upstream: download failed: ${base}/file: redirected to file:///etc/passwd; diverge follows redirects to http and https only`,
    );
    expect(hits.get('/file')).toBe(1);
    await nothingKept(sb);
  });
});

describe('the GitHub API failing', () => {
  const TOKEN = 'ghs_diverge_faults';
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    fake.state.addToken(TOKEN, { permissions: 'read' });
    fake.state.addRepo('course/kernel', { defaultBranch: 'main' });
    fake.state.addRelease('course/kernel', {
      tag: 'v1',
      assets: { 'kernel.elf': readFileSync(kernel) },
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  /** A run with a release reference while GitHub answers `status` to every request for it. */
  async function runAgainst(
    kind: string,
    status: number,
    answer: { headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const where = '/repos/course/kernel/releases/tags/v1';
    fake.state.injectFault({ path: where, status, times: 100, ...answer });
    const sb = faultSandbox(kind);
    const config = path.join(sb.work, 'diverge.yml');
    const yaml = 'references:\n  - { name: staff, release: { tag: v1, asset: kernel.elf } }\n';
    writeFileSync(config, yaml);
    const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out], {
      ...WAITS,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: 'course/kernel',
    });
    const tries = fake.requests.filter((r) => r.path === where).length;
    fake.reset();
    fake.state.addToken(TOKEN, { permissions: 'read' });
    fake.state.addRepo('course/kernel', { defaultBranch: 'main' });
    return { sb, result, tries };
  }

  it('github-5xx: retried three times, then exit 3 naming the reference, the release and the status', async () => {
    const { sb, result, tries } = await runAgainst('github-5xx', 503);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'diverge: reference staff: release v1 of course/kernel: GitHub answered HTTP 503',
    );
    expect(result.stderr).toContain('also after retries');
    expect(tries).toBe(4);
    expect(fake.violations).toEqual([]);
    await nothingKept(sb);
  });

  it('github-429: a rate limit resetting in an hour is not waited for; bounded retries, then exit 3', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    const { sb, result, tries } = await runAgainst('github-429', 429, {
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /GitHub primary rate limit on GET \/repos\/{owner}\/{repo}\/releases\/tags\/{tag}: giving up: it resets in \d+ s, more than the 300 s diverge waits/,
    );
    expect(result.stderr).toContain(
      "diverge: reference staff: release v1 of course/kernel: GitHub's rate limit (HTTP 429 API rate limit exceeded for installation ID 1.",
    );
    expect(tries).toBe(4); // the retries of a 429, never a wait for the reset
    await nothingKept(sb);
  });
});
