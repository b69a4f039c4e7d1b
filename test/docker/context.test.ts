import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import tar from 'tar-stream';
import { packContext, scanContext } from '../../src/docker/context.js';
import { OUTPUT_MARK } from '../../src/util/out-dir.js';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'diverge-context-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const names = async (dir: string, dockerfile = 'Dockerfile') =>
  (await scanContext(dir, dockerfile, 'kernel.build')).entries.map((e) => e.name);

describe('scanContext', () => {
  it('leaves out what .dockerignore names, with exceptions, but always sends the Dockerfile', async () => {
    const dir = context({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'build\n*.o\n!keep.o\nDockerfile\nsrc/**/*.tmp\n',
      'build/kernel.elf': 'old',
      'main.o': 'obj',
      'keep.o': 'obj',
      'src/main.c': 'int main;',
      'src/deep/x.tmp': 'tmp',
    });
    expect(await names(dir)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'keep.o',
      'src',
      'src/deep',
      'src/main.c',
    ]);
  });

  it("leaves out diverge's own folders, whatever .dockerignore says, so a run's output keeps the digest", async () => {
    const dir = context({
      Dockerfile: 'FROM scratch\nCOPY . /src\n',
      // Exceptions that would bring the folders back, were they anyone else's.
      '.dockerignore': 'build\n!results\n!diverge-out/**\n!.cache/**\n',
      'kernel.c': 'int k;',
      'docs/notes.md': 'notes',
    });
    const cache = path.join(dir, '.cache', 'diverge');
    const scan = async () =>
      scanContext(dir, 'Dockerfile', 'kernel.build', path.join(cache, 'contexts'));
    const before = await scan();
    expect(before.entries.map((e) => e.name)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'docs',
      'docs/notes.md',
      'kernel.c',
    ]);
    // What runs leave: a default --out, any --out (marked), nested ones, the cache.
    const leave = (name: string, text = 'x') => {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    };
    leave('diverge-out/report.json');
    leave('diverge-demo/staff/logs/staff-1.log');
    leave('sub/diverge-bisect/bisect.json');
    leave(`results/${OUTPUT_MARK}`);
    leave('results/report.html');
    leave('docs/run1/observations/k-1.json');
    leave(`docs/run1/${OUTPUT_MARK}`);
    leave('.cache/diverge/kernels/sha256-x');
    const after = await scan();
    // Folders that hold only diverge's (sub/, .cache/) are left out with them.
    expect(after.entries.map((e) => e.name)).toEqual(before.entries.map((e) => e.name));
    expect(after.digest).toBe(before.digest);
    leave('sub/diverge-bisect/steps/abc/report.json');
    leave('results/logs/k-2.log');
    expect((await scan()).digest).toBe(before.digest);
    // A folder of the user's own beside them goes, as ever.
    leave('sub/own.c');
    expect((await scan()).entries.map((e) => e.name)).toContain('sub/own.c');
  });

  it('digests names, modes and contents, not modification times', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n', 'a.c': 'int a;' });
    const digest = async () => (await scanContext(dir, 'Dockerfile', 'kernel.build')).digest;
    const first = await digest();
    writeFileSync(path.join(dir, 'a.c'), 'int a;'); // same bytes, new mtime
    expect(await digest()).toBe(first);
    chmodSync(path.join(dir, 'a.c'), 0o755);
    const executable = await digest();
    expect(executable).not.toBe(first);
    writeFileSync(path.join(dir, 'a.c'), 'int b;');
    expect(await digest()).not.toBe(executable);
  });

  it('keeps file digests between scans and reads again only files whose stat changed', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n', 'a.c': 'int a;', 'b.c': 'int b;' });
    const cache = mkdtempSync(path.join(tmpdir(), 'diverge-digests-'));
    const scan = async (withCache: boolean) =>
      (await scanContext(dir, 'Dockerfile', 'kernel.build', withCache ? cache : undefined)).digest;
    const first = await scan(true);
    expect(await scan(true)).toBe(first);
    expect(await scan(false)).toBe(first);
    writeFileSync(path.join(dir, 'b.c'), 'int c;'); // same size, new content
    const changed = await scan(true);
    expect(changed).not.toBe(first);
    expect(changed).toBe(await scan(false));
  });

  it('names the field when the Dockerfile or the context is missing or outside', async () => {
    const dir = context({ 'a.c': '' });
    await expect(names(dir)).rejects.toThrow(
      `kernel.build.dockerfile: no file Dockerfile in the context ${dir}`,
    );
    await expect(names(dir, '../Dockerfile')).rejects.toThrow(
      `kernel.build.dockerfile: ../Dockerfile is outside the context ${dir}`,
    );
    await expect(names(path.join(dir, 'nope'))).rejects.toThrow(
      `kernel.build.context: ${path.join(dir, 'nope')} is not a directory`,
    );
  });
});

describe('packContext', () => {
  it('packs exactly the scanned entries with their modes and contents', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n', 'bin/run.sh': '#!/bin/sh\n' });
    chmodSync(path.join(dir, 'bin/run.sh'), 0o755);
    const scanned = await scanContext(dir, 'Dockerfile', 'kernel.build');
    const seen: { name: string; mode: number; text: string }[] = [];
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        seen.push({
          name: header.name,
          mode: header.mode ?? 0,
          text: Buffer.concat(chunks).toString(),
        });
        next();
      });
    });
    const finished = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
    packContext(scanned).pipe(extract);
    await finished;
    expect(seen).toEqual([
      { name: 'Dockerfile', mode: 0o644, text: 'FROM scratch\n' },
      { name: 'bin', mode: 0o755, text: '' },
      { name: 'bin/run.sh', mode: 0o755, text: '#!/bin/sh\n' },
    ]);
  });

  it.each([
    ['grew', 'x'.repeat(100_000)],
    ['shrank', ''],
  ])(
    'ends in an error naming a file that %s after the scan, never an uncaught one',
    async (_how, text) => {
      const dir = context({ Dockerfile: 'FROM scratch\n', 'log.txt': 'x'.repeat(1000) });
      const scanned = await scanContext(dir, 'Dockerfile', 'kernel.build');
      writeFileSync(path.join(dir, 'log.txt'), text);
      const stream = packContext(scanned);
      const drained = (async () => {
        for await (const chunk of stream) void chunk;
      })();
      await expect(drained).rejects.toThrow('log.txt changed while the build context was sent (');
    },
  );
});
