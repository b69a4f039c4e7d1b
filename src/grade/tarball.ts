/**
 * Safe extraction of a repository tarball (GitHub's tarball endpoint: every entry under one top
 * directory, which is dropped; tar-stream reads the pax headers). A student's repository is untrusted: names that climb out
 * (`../`, absolute paths), hard links, symbolic links that point outside, entries written
 * through a symbolic link, too many entries and too many bytes are refused, with the same caps
 * as workflow artifacts (src/references/zip.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import {
  ArchiveError,
  DEFAULT_ZIP_LIMITS,
  safeEntryPath,
  type ZipLimits,
} from '../references/zip.js';

/** Extracts `file` into `dir` (removed again on failure); returns the number of entries written. */
export async function extractTarball(
  file: string,
  dir: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  const root = path.resolve(dir);
  const links = new Set<string>();
  let entries = 0;
  let total = 0;
  let top: string | undefined;
  const tooBig = () =>
    new ArchiveError(`entries inflate to more than ${limits.maxTotalBytes} bytes (a tar bomb?)`);

  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    void (async () => {
      // Every entry sits under GitHub's one `<owner>-<repo>-<sha>/` directory, which is dropped.
      const [first = '', ...rest] = header.name.split('/');
      top ??= first;
      if (first !== top || first === '' || first === '..')
        throw new ArchiveError(`entry "${header.name}" is not under the archive's top directory`);
      const relative = rest.join('/');
      if (!relative) return;
      let target: string;
      try {
        target = safeEntryPath(root, relative);
      } catch {
        throw new ArchiveError(`entry "${header.name}" would be written outside the repository`);
      }
      // A path through a link written earlier could lead anywhere the link does.
      for (let up = path.dirname(target); up.startsWith(root) && up !== root; up = path.dirname(up))
        if (links.has(up))
          throw new ArchiveError(`entry "${header.name}" is written through a symbolic link`);
      if (++entries > limits.maxEntries)
        throw new ArchiveError(`more than the ${limits.maxEntries} entries diverge accepts`);
      if (header.type === 'directory') {
        await mkdir(target, { recursive: true });
        return;
      }
      await mkdir(path.dirname(target), { recursive: true });
      if (header.type === 'symlink') {
        const linkname = header.linkname ?? '';
        const resolved = path.resolve(path.dirname(target), linkname);
        if (
          path.isAbsolute(linkname) ||
          (resolved !== root && !resolved.startsWith(`${root}${path.sep}`))
        )
          throw new ArchiveError(
            `entry "${header.name}" links outside the repository (${linkname})`,
          );
        await symlink(linkname, target);
        links.add(target);
        return;
      }
      if (header.type === 'link') throw new ArchiveError(`entry "${header.name}" is a hard link`);
      // Devices, fifos and the like have no place in a build context.
      if (header.type !== 'file' && header.type !== 'contiguous-file') return;
      if (total + (header.size ?? 0) > limits.maxTotalBytes) throw tooBig();
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          total += chunk.length;
          done(total > limits.maxTotalBytes ? tooBig() : null, chunk);
        },
      });
      const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
      await pipeline(body, counter, createWriteStream(target, { mode }));
    })().then(
      () => {
        body.resume();
        next();
      },
      (error: unknown) => extract.destroy(error as Error),
    );
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), extract);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`not a readable tar.gz archive: ${(error as Error).message}`);
  }
  return entries;
}
