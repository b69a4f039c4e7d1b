import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { extractZip, safeEntryPath } from '../../src/references/zip.js';
import { zipOf } from '../helpers/zip.js';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'diverge-zip-'));

/** Writes `bytes` to a file and extracts it into a fresh directory. */
async function extract(bytes: Buffer, limits?: Parameters<typeof extractZip>[2]) {
  const dir = scratch();
  const file = path.join(dir, 'artifact.zip');
  writeFileSync(file, bytes);
  const out = path.join(dir, 'out');
  return { out, files: await extractZip(file, out, limits) };
}

/** Renames an entry in place (same length), in both headers: how a hostile zip is made. */
const rename = (bytes: Buffer, from: string, to: string) =>
  Buffer.from(bytes.toString('latin1').replaceAll(from, to), 'latin1');

describe('extractZip', () => {
  it('extracts every file of an artifact', async () => {
    const { out, files } = await extract(
      await zipOf({ 'kernel.elf': 'ELF', 'boot/fs.img': Buffer.alloc(1000) }),
    );
    expect(files).toEqual(['boot/fs.img', 'kernel.elf']);
    expect(readFileSync(path.join(out, 'kernel.elf'), 'utf8')).toBe('ELF');
  });

  it('refuses an entry that climbs out with ../ and leaves nothing behind', async () => {
    const bytes = rename(await zipOf({ 'aa/evil': 'x', 'ok.txt': 'y' }), 'aa/evil', '../evil');
    const dir = scratch();
    writeFileSync(path.join(dir, 'a.zip'), bytes);
    await expect(extractZip(path.join(dir, 'a.zip'), path.join(dir, 'out'))).rejects.toThrow(
      'invalid relative path: ../evil',
    );
    expect(existsSync(path.join(dir, 'evil'))).toBe(false);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('refuses absolute entry names', async () => {
    const bytes = rename(await zipOf({ 'xetc/passwd': 'x' }), 'xetc/passwd', '/etc/passwd');
    await expect(extract(bytes)).rejects.toThrow('absolute path: /etc/passwd');
  });

  it('keeps every name below the target even if the zip reader let one through', () => {
    // yauzl refuses these names itself; this check stands behind it.
    for (const name of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\..\\..\\x'])
      expect(() => safeEntryPath('/tmp/out', name)).toThrow('would be written outside');
    expect(safeEntryPath('/tmp/out', 'a/./b')).toBe('/tmp/out/a/b');
  });

  it('stops a zip bomb at the size cap', async () => {
    const bomb = await zipOf({ 'zeros.bin': Buffer.alloc(64 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(
      extract(bomb, { maxEntries: 10, maxTotalBytes: 16 * 1024 * 1024 }),
    ).rejects.toThrow(/inflate to more than 16777216 bytes \(a zip bomb\?\)/);
  });

  it('stops at the entry count cap', async () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'x']));
    await expect(
      extract(await zipOf(many), { maxEntries: 10, maxTotalBytes: 1e9 }),
    ).rejects.toThrow('20 entries, more than the 10 diverge accepts');
  });

  it('says a truncated or corrupted archive is not a readable zip', async () => {
    const good = await zipOf({ 'kernel.elf': Buffer.alloc(100_000, 7) });
    await expect(extract(good.subarray(0, good.length - 30))).rejects.toThrow(
      /not a readable zip archive/,
    );
    const corrupted = Buffer.from(good);
    corrupted.fill(0xff, 40, 200); // inside the deflate stream of the only entry
    await expect(extract(corrupted)).rejects.toThrow();
  });
});
