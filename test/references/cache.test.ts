import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sha256 } from '../../src/util/digest.js';
import { KernelCache } from '../../src/references/cache.js';
import { cacheDirs } from '../../src/context.js';
import { download, redact } from '../../src/references/download.js';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'diverge-refcache-'));

/** A cache in a scratch directory, what it says, and a kernel file k.elf beside it. */
function cacheWithKernel() {
  const dir = scratch();
  const said: string[] = [];
  const cache = new KernelCache(
    cacheDirs(path.join(dir, 'cache')),
    (l) => said.push(l),
    path.join(dir, 'out'),
  );
  writeFileSync(path.join(dir, 'k.elf'), 'kernel bytes');
  return { dir, said, cache, kernel: path.join(dir, 'k.elf') };
}

describe('KernelCache', () => {
  it('stores by digest and finds a source again, and only while the file is intact', async () => {
    const { said, cache, kernel } = cacheWithKernel();
    const stored = await cache.store(kernel, 'k.elf', 'artifact o/r 42');
    expect(stored.digest).toBe(sha256('kernel bytes'));
    expect(readFileSync(stored.path, 'utf8')).toBe('kernel bytes');
    expect(await cache.lookup('artifact o/r 42')).toEqual(stored);
    expect(await cache.lookup('artifact o/r 43')).toBeUndefined();
    expect(await cache.byDigest(stored.digest, 'k.elf')).toEqual(stored);
    // A restored cache with a damaged file is a miss, not a wrong kernel.
    writeFileSync(stored.path, 'tampered');
    expect(await cache.lookup('artifact o/r 42')).toBeUndefined();
    expect(said).toEqual([
      `kernel cache: ${stored.path} is not the kernel its key names (${stored.digest}, found ${sha256('tampered')}): removed, fetching it again`,
    ]);
    writeFileSync(stored.path, 'tampered');
    expect(await cache.byDigest(stored.digest, 'k.elf')).toBeUndefined();
  });

  it('follows an index entry only to the file its digest names in the cache', async () => {
    const dir = scratch();
    const dirs = cacheDirs(path.join(dir, 'cache'));
    const cache = new KernelCache(dirs, () => undefined, path.join(dir, 'out'));
    writeFileSync(path.join(dir, 'k.elf'), 'kernel bytes');
    const stored = await cache.store(path.join(dir, 'k.elf'), 'k.elf', 'artifact o/r 42');
    const [index] = readdirSync(dirs.sources).map((f) => path.join(dirs.sources, f));
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'keep me');
    const hostile = { path: victim, digest: `sha256:../../../victim` };
    writeFileSync(index as string, JSON.stringify(hostile));
    expect(await cache.lookup('artifact o/r 42')).toBeUndefined();
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    writeFileSync(index as string, JSON.stringify({ ...stored, path: '/elsewhere/k.elf' }));
    expect(await cache.lookup('artifact o/r 42')).toEqual(stored); // a cache restored elsewhere
  });

  it('replaces a bad entry with the fresh file, never keeping the bad one', async () => {
    const { said, cache, kernel } = cacheWithKernel();
    const stored = await cache.store(kernel, 'k.elf');
    writeFileSync(stored.path, 'another kernel');
    const again = await cache.store(kernel, 'k.elf', 'url x');
    expect(again).toEqual(stored);
    expect(readFileSync(again.path, 'utf8')).toBe('kernel bytes');
    expect(said[0]).toContain('removed, replaced by the fresh copy');
  });
});

describe('download', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (hits.get(req.url ?? '') ?? 0) + 1;
      hits.set(req.url ?? '', n);
      if (req.url === '/flaky' && n <= 2) return res.writeHead(502).end('bad gateway');
      if (req.url === '/reset' && n <= 1) return req.socket.destroy();
      if (req.url === '/gone') return res.writeHead(404).end('no');
      if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(4096));
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('kernel');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => {
    server.close();
  });

  const options = { maxBytes: 1024, retryBaseMs: 1 };

  it('retries 5xx answers and resets, then gets the file', async () => {
    const file = path.join(scratch(), 'k');
    const log: string[] = [];
    expect(await download(`${base}/flaky`, file, { ...options, log: (l) => log.push(l) })).toEqual({
      bytes: 6,
      digest: sha256('kernel'),
    });
    expect(hits.get('/flaky')).toBe(3);
    expect(log[0]).toMatch(/HTTP 502 .*retrying in 1 ms/);
    await download(`${base}/reset`, file, options);
    expect(hits.get('/reset')).toBe(2);
  });

  it('does not retry a 404, and stops at the size cap', async () => {
    await expect(download(`${base}/gone`, path.join(scratch(), 'k'), options)).rejects.toThrow(
      /HTTP 404/,
    );
    expect(hits.get('/gone')).toBe(1);
    await expect(download(`${base}/big`, path.join(scratch(), 'k'), options)).rejects.toThrow(
      'more than the 1024 bytes diverge accepts',
    );
  });

  it('never shows the signature of a pre-signed URL', () => {
    expect(redact('https://blob.example/a/b.zip?sig=SECRET&se=1')).toBe(
      'https://blob.example/a/b.zip?…',
    );
  });
});
