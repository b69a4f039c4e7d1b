/**
 * The build context as Docker sees it: the files under the context directory that
 * `.dockerignore` lets through, packed as a tar stream, with a digest over names, modes,
 * link targets and contents so that an unchanged context is recognised without building.
 * diverge's own folders never go, whatever `.dockerignore` says: an --out (marked by the file
 * OUTPUT_MARK, or named as a default --out is), and the cache (the folder holding the context
 * digests); else a run's reports and logs would change the next build's context, and a
 * Dockerfile with `COPY . .` would rebuild the kernel every time.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { lstat, readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import tar from 'tar-stream';
import { inParallel } from '../util/parallel.js';
import { BuildError } from './errors.js';
import { writeAtomically } from '../util/atomic.js';
import { DEFAULT_OUT, OUTPUT_MARK } from '../util/out-dir.js';

interface ContextEntry {
  /** Slash-separated, relative to the context. */
  name: string;
  /** A file sent from outside the context directory (a Dockerfile given from elsewhere). */
  from?: string;
  kind: 'dir' | 'file' | 'symlink';
  mode: number;
  size: number;
  target?: string;
}

/** A file's content digest and the stat stamp (size, times, inode) it was computed at. */
type Digested = [stamp: string, sha256: string];

interface ScannedEntry extends ContextEntry {
  stamp?: string;
}

/** Where the content digests of a context directory's files are kept between runs. */
const digestFile = (cache: string, dir: string) =>
  path.join(cache, `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.json`);

async function loadDigests(cache: string, dir: string): Promise<Map<string, Digested>> {
  try {
    const saved = JSON.parse(await readFile(digestFile(cache, dir), 'utf8')) as {
      files: [string, Digested][];
    };
    return new Map(saved.files);
  } catch {
    return new Map();
  }
}

async function saveDigests(cache: string, dir: string, files: [string, Digested][]) {
  await writeAtomically(digestFile(cache, dir), JSON.stringify({ files }));
}

export interface BuildContext {
  dir: string;
  entries: readonly ContextEntry[];
  /** Bytes of file content the context carries. */
  bytes: number;
  /** `sha256:` over every entry's name, kind, mode, link target and content. */
  digest: string;
}

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

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
  /**
   * A directory to keep file digests in: a file whose size, times and inode are unchanged is
   * not read again (git's index does the same), which makes an unchanged context cheap.
   */
  digestCache?: string,
  /**
   * A Dockerfile on the host to send instead of one in the context, under the name `dockerfile`
   * (which replaces any file of that name): the staff's recipe over a student's source.
   */
  outsideDockerfile?: string,
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
  if (outsideDockerfile !== undefined) {
    const outside = await lstat(outsideDockerfile).catch(() => undefined);
    if (!outside?.isFile())
      throw new BuildError(`${field}.dockerfile: no file ${outsideDockerfile}`, { field });
    const scanned = await scanTree(dir, dockerfileName, digestCache, field);
    const own = scanned.entries.filter((e) => e.name !== dockerfileName);
    const content = await readFile(outsideDockerfile);
    const entry = { name: dockerfileName, from: outsideDockerfile, kind: 'file' as const };
    const digest = createHash('sha256')
      .update(`${scanned.digest}\noutside ${dockerfileName} ${sha256Hex(content)}\n`)
      .digest('hex');
    return {
      dir,
      entries: [...own, { ...entry, mode: 0o644, size: content.length }],
      bytes: scanned.bytes + content.length,
      digest: `sha256:${digest}`,
    };
  }
  const fileInfo = await lstat(dockerfilePath).catch(() => undefined);
  if (!fileInfo?.isFile())
    throw new BuildError(`${field}.dockerfile: no file ${dockerfile} in the context ${dir}`, {
      field,
    });
  return scanTree(dir, dockerfileName, digestCache, field);
}

/** The default --out folders: left out by name too (an older diverge did not mark them). */
const DEFAULT_OUT_NAMES = new Set<string>(Object.values(DEFAULT_OUT));

/** The cache root: the folder holding the context digests (CacheDirs.contexts), real path. */
async function cacheRoot(digestCache: string | undefined): Promise<string | undefined> {
  if (digestCache === undefined) return undefined;
  const root = path.dirname(path.resolve(digestCache));
  return realpath(root).catch(() => root);
}

/** The context's entries and digest; see scanContext. */
async function scanTree(
  dir: string,
  dockerfileName: string,
  digestCache: string | undefined,
  field: string,
): Promise<BuildContext> {
  const patterns = await readIgnore(dir);
  const ignore = dockerignore.default({ ignorecase: false }).add(patterns);
  // An exception (`!path`) can bring back a file inside an ignored directory, so such a file
  // set must be walked whole; without exceptions an ignored directory is skipped unread.
  const hasExceptions = patterns.some((line) => line.trim().startsWith('!'));
  const always = new Set([dockerfileName, '.dockerignore']);

  const cache = await cacheRoot(digestCache);
  const top = await realpath(dir).catch(() => dir);

  const entries: ScannedEntry[] = [];
  /** Walks `rel`; true when all it holds is diverge's own (then it is left out as well). */
  const walk = async (rel: string, names: readonly string[]): Promise<boolean> => {
    const stats = await Promise.all(
      names.map((name) => lstat(path.join(dir, rel, name), { bigint: true })),
    );
    let own = 0;
    for (const [i, name] of names.entries()) {
      const stat = stats[i] as BigIntStats;
      const relPath = rel ? `${rel}/${name}` : name;
      const ignored = !always.has(relPath) && ignore.ignores(relPath);
      const mode = Number(stat.mode);
      if (stat.isDirectory()) {
        if (ignored && !hasExceptions) continue;
        // diverge's own folders, whatever .dockerignore says (see the module comment).
        const inside = (await readdir(path.join(dir, relPath))).sort();
        if (
          DEFAULT_OUT_NAMES.has(name) ||
          path.join(top, relPath) === cache ||
          inside.includes(OUTPUT_MARK)
        ) {
          own++;
          continue;
        }
        const at = entries.length;
        if (!ignored) entries.push({ name: relPath, kind: 'dir', mode, size: 0 });
        // A folder that only holds diverge's (XDG_CACHE_HOME=.cache) is diverge's too.
        if (await walk(relPath, inside)) {
          entries.length = at;
          own++;
        }
      } else if (ignored) {
        continue;
      } else if (stat.isSymbolicLink()) {
        const target = await readlink(path.join(dir, relPath));
        entries.push({ name: relPath, kind: 'symlink', mode, size: 0, target });
      } else if (stat.isFile()) {
        const stamp = `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
        entries.push({ name: relPath, kind: 'file', mode, size: Number(stat.size), stamp });
      }
      // Sockets, fifos and devices cannot be sent to Docker; the CLI skips them too.
    }
    return own > 0 && own === names.length;
  };
  await walk('', (await readdir(dir)).sort());
  refuseOversized(dir, entries, field);

  const known = digestCache ? await loadDigests(digestCache, dir) : new Map<string, Digested>();
  const files = entries.filter((e) => e.kind === 'file');
  const contents = await inParallel(files, 8, async (entry) => {
    const seen = known.get(entry.name);
    if (seen && seen[0] === entry.stamp) return seen[1];
    const content = createHash('sha256');
    for await (const chunk of createReadStream(path.join(dir, entry.name)))
      content.update(chunk as Buffer);
    return content.digest('hex');
  });
  const digests = new Map(files.map((entry, i) => [entry.name, contents[i] as string]));
  if (digestCache)
    await saveDigests(
      digestCache,
      dir,
      files.map((e) => [e.name, [e.stamp ?? '', digests.get(e.name) ?? '']]),
    );

  const hash = createHash('sha256');
  let bytes = 0;
  for (const entry of entries) {
    const mode = (entry.mode & 0o7777).toString(8);
    if (entry.kind === 'dir') hash.update(`d ${entry.name} ${mode}\n`);
    if (entry.kind === 'symlink') hash.update(`l ${entry.name} ${entry.target}\n`);
    if (entry.kind === 'file') {
      hash.update(`f ${entry.name} ${mode} ${digests.get(entry.name)}\n`);
      bytes += entry.size;
    }
  }
  return { dir, entries, bytes, digest: `sha256:${hash.digest('hex')}` };
}

/**
 * The most file content a build context may carry, by the files' sizes (a sparse file counts
 * its whole size: Docker is sent every byte of it, and keeps them in a layer).
 */
export const MAX_CONTEXT_BYTES = 1024 * 1024 * 1024;

/**
 * Refuses a context over MAX_CONTEXT_BYTES before a byte of it is read or sent, naming the
 * folder and its largest files: a student's 3 GB sparse file took 94 s to send and left a
 * 3.7 GB image behind.
 */
function refuseOversized(dir: string, entries: readonly ScannedEntry[], field: string): void {
  let total = 0;
  for (const entry of entries) if (entry.kind === 'file') total += entry.size;
  if (total <= MAX_CONTEXT_BYTES) return;
  const largest = entries
    .filter((entry) => entry.kind === 'file')
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map((entry) => `${entry.name} (${sizeText(entry.size)})`);
  throw new BuildError(
    `${field}.context: ${dir} holds ${sizeText(total)} of files, over the ${sizeText(MAX_CONTEXT_BYTES)} a build context may carry (largest: ${largest.join(', ')}); leave the rest out with .dockerignore`,
    { field },
  );
}

const sizeText = (bytes: number) =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

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
          const file = entry.from ?? path.join(context.dir, entry.name);
          // A file that grew or shrank since the scan no longer matches its header (nor the
          // context's digest): the stream ends in an error naming it, not tar's "Size mismatch".
          const changed = (now: string) =>
            new Error(
              `${entry.name} changed while the build context was sent (${entry.size} bytes when scanned, ${now}): build again once it stays put`,
            );
          const { size } = await stat(file);
          if (size !== entry.size) throw changed(`${size} now`);
          await new Promise<void>((resolve, reject) => {
            const sink = pack.entry({ ...header, type: 'file', size: entry.size }, (error) =>
              error ? reject(error) : resolve(),
            );
            sink.on('error', reject);
            void (async () => {
              let sent = 0;
              if (entry.size > 0)
                for await (const chunk of createReadStream(file, { end: entry.size - 1 })) {
                  sent += (chunk as Buffer).length;
                  if (!sink.write(chunk)) await once(sink, 'drain');
                }
              if (sent !== entry.size) throw changed(`${sent} read`);
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
