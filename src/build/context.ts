/**
 * The build context as Docker sees it: the files under the context directory that
 * `.dockerignore` lets through, packed as a tar stream, with a digest over names, modes,
 * link targets and contents so that an unchanged context is recognised without building.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-stream';
import { BuildError } from './errors.js';

interface ContextEntry {
  /** Slash-separated, relative to the context. */
  name: string;
  kind: 'dir' | 'file' | 'symlink';
  mode: number;
  size: number;
  target?: string;
}

export interface BuildContext {
  dir: string;
  entries: readonly ContextEntry[];
  /** Bytes of file content the context carries. */
  bytes: number;
  /** `sha256:` over every entry's name, kind, mode, link target and content. */
  digest: string;
}

async function readIgnore(dir: string): Promise<string[]> {
  try {
    return (await readFile(path.join(dir, '.dockerignore'), 'utf8')).split(/\r?\n/);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Lists the context as `docker build` would send it. The Dockerfile and `.dockerignore` always
 * go, as with the docker CLI: the daemon needs them even when the ignore file names them.
 */
export async function scanContext(
  dir: string,
  dockerfile: string,
  field: string,
): Promise<BuildContext> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new BuildError(`${field}.context: ${dir} is not a directory`, { field });
  const dockerfilePath = path.resolve(dir, dockerfile);
  const dockerfileName = path.relative(dir, dockerfilePath).split(path.sep).join('/');
  if (dockerfileName.startsWith('../'))
    throw new BuildError(`${field}.dockerfile: ${dockerfile} is outside the context ${dir}`, {
      field,
    });
  const fileInfo = await lstat(dockerfilePath).catch(() => undefined);
  if (!fileInfo?.isFile())
    throw new BuildError(`${field}.dockerfile: no file ${dockerfile} in the context ${dir}`, {
      field,
    });

  const patterns = await readIgnore(dir);
  const ignore = dockerignore.default({ ignorecase: false }).add(patterns);
  // An exception (`!path`) can bring back a file inside an ignored directory, so such a file
  // set must be walked whole; without exceptions an ignored directory is skipped unread.
  const hasExceptions = patterns.some((line) => line.trim().startsWith('!'));
  const always = new Set([dockerfileName, '.dockerignore']);

  const entries: ContextEntry[] = [];
  const hash = createHash('sha256');
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(dir, rel))).sort();
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, relPath);
      const stat = await lstat(full);
      const ignored = !always.has(relPath) && ignore.ignores(relPath);
      if (stat.isDirectory()) {
        if (ignored && !hasExceptions) continue;
        if (!ignored) entries.push({ name: relPath, kind: 'dir', mode: stat.mode, size: 0 });
        await walk(relPath);
        continue;
      }
      if (ignored) continue;
      if (stat.isSymbolicLink()) {
        const target = await readlink(full);
        entries.push({ name: relPath, kind: 'symlink', mode: stat.mode, size: 0, target });
        hash.update(`l ${relPath} ${target}\n`);
      } else if (stat.isFile()) {
        entries.push({ name: relPath, kind: 'file', mode: stat.mode, size: stat.size });
        const content = createHash('sha256');
        for await (const chunk of createReadStream(full)) content.update(chunk as Buffer);
        hash.update(`f ${relPath} ${(stat.mode & 0o7777).toString(8)} ${content.digest('hex')}\n`);
        bytes += stat.size;
      }
      // Sockets, fifos and devices cannot be sent to Docker; the CLI skips them too.
    }
  };
  await walk('');
  for (const entry of entries)
    if (entry.kind === 'dir') hash.update(`d ${entry.name} ${(entry.mode & 0o7777).toString(8)}\n`);
  return { dir, entries, bytes, digest: `sha256:${hash.digest('hex')}` };
}

/** The context as the tar stream the Engine API's /build takes. */
export function packContext(context: BuildContext): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const entry of context.entries) {
        const header = { name: entry.name, mode: entry.mode & 0o7777, mtime: new Date(0) };
        if (entry.kind === 'dir') pack.entry({ ...header, type: 'directory' });
        else if (entry.kind === 'symlink')
          pack.entry({ ...header, type: 'symlink', linkname: entry.target ?? '' });
        else {
          const file = path.join(context.dir, entry.name);
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...header, type: 'file', size: entry.size }, (error) =>
              error ? reject(error) : resolve(),
            );
            void (async () => {
              for await (const chunk of createReadStream(file))
                if (!sink.write(chunk)) await once(sink, 'drain');
              sink.end(null);
            })().catch(reject);
          });
        }
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  // tar-stream's pack is a streamx stream; the Engine API client wants a Node one.
  return Readable.from(pack);
}
