import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { extractTarball } from '../../src/grade/tarball.js';
import { ArchiveError } from '../../src/references/zip.js';
import { repoTarball, type TarEntry } from '../fake-github/tarball.js';
import { scratchDir } from '../helpers/fixtures.js';

/** Extracts a GitHub-style tarball of `entries` into a fresh directory; returns it and the result. */
async function extract(
  entries: TarEntry[],
  limits?: { maxEntries: number; maxTotalBytes: number },
) {
  const dir = scratchDir('tarball');
  const file = path.join(dir, 'repo.tar.gz');
  writeFileSync(file, await repoTarball('course/lab1-x', 'c'.repeat(40), entries));
  const out = path.join(dir, 'out');
  const result = await extractTarball(file, out, limits).catch((error: unknown) => error);
  return { dir, out, file, result };
}

describe('a repository tarball', () => {
  it('is extracted below its top directory, as tar itself reads it', async () => {
    const { out, file, result } = await extract([
      { name: 'Makefile', content: 'all:\n' },
      { name: 'src/a.c', content: 'int a;\n' },
    ]);
    expect(result).toBe(2);
    expect(readFileSync(path.join(out, 'src/a.c'), 'utf8')).toBe('int a;\n');
    // The fake serves what GitHub serves: a tar.gz that tar lists with its top directory.
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toContain('course-lab1-x-ccccccc/src/a.c');
  });

  it.each<[string, TarEntry[], RegExp]>([
    [
      'a name that climbs out',
      [{ name: '../../x', content: 'x' }],
      /entry "course-lab1-x-ccccccc\/\.\.\/\.\.\/x" would be written outside the repository/,
    ],
    [
      'an absolute name',
      [{ raw: '/tmp/x', content: 'x' }],
      /not under the archive's top directory/,
    ],
    [
      'a name beside the top directory',
      [{ raw: 'other/x', content: 'x' }],
      /not under the archive's top/,
    ],
    [
      'a link out of the repository',
      [{ name: 'l', symlink: '../../etc/passwd' }],
      /links outside the repository/,
    ],
    ['an absolute link', [{ name: 'l', symlink: '/etc/passwd' }], /links outside the repository/],
    [
      'a hard link',
      [
        { name: 'a', content: 'a' },
        { name: 'h', hardlink: 'a' },
      ],
      /is a hard link/,
    ],
    [
      'a file written through a link',
      [
        { name: 'sub/keep', content: '' },
        { name: 'l', symlink: 'sub' },
        { name: 'l/f', content: 'x' },
      ],
      /is written through a symbolic link/,
    ],
  ])('refuses %s and leaves nothing behind', async (_, entries, message) => {
    const { out, result } = await extract(entries);
    expect(result).toBeInstanceOf(ArchiveError);
    expect((result as Error).message).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('caps the number of entries and the bytes they hold', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: 'x' }));
    const counted = await extract(many, { maxEntries: 10, maxTotalBytes: 1 << 20 });
    expect((counted.result as Error).message).toMatch(/more than the 10 entries/);
    const big = await extract([{ name: 'big', content: Buffer.alloc(4096) }], {
      maxEntries: 10,
      maxTotalBytes: 1000,
    });
    expect((big.result as Error).message).toMatch(/more than 1000 bytes/);
  });
});
