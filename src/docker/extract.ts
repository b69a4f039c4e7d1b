/**
 * Takes files out of an image without running it: a container is created (never started), each
 * file is read through the archive endpoint, and the container is removed whatever happens.
 */
import { IMAGE_PLACEHOLDER, imageOf } from '../model/images.js';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { EXTRACT_FILE_CAP_BYTES } from '../model/constants.js';
import { BuildError } from './errors.js';
import { partialName } from '../util/atomic.js';

export interface WantedFile {
  /** Absolute path inside the image. */
  inImage: string;
  /** The config field that names it, for errors: `kernel.path`, `kernel.extra[0]`. */
  field: string;
}

export interface ExtractedFile {
  inImage: string;
  path: string;
  digest: string;
  mode: number;
  bytes: number;
}

/** Symlinks followed for one file before giving up (a loop, or a very deep chain). */
const MAX_LINKS = 8;

type Header = tar.Header;

/** Reads the first entry of an archive: its header, and for a file its body through `onFile`. */
function firstEntry(
  archive: NodeJS.ReadableStream,
  onFile: (header: Header, body: AsyncIterable<Buffer>) => Promise<void>,
): Promise<Header | undefined> {
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    let first: Header | undefined;
    extract.on('entry', (header, body, next) => {
      const isFirst = first === undefined;
      if (isFirst) first = header;
      const work =
        isFirst && header.type === 'file'
          ? onFile(header, body as AsyncIterable<Buffer>)
          : new Promise<void>((done) => body.on('end', done).resume());
      work.then(
        () => next(),
        (error: unknown) => extract.destroy(error as Error),
      );
    });
    extract.on('finish', () => resolve(first));
    extract.on('error', reject);
    archive.on('error', reject);
    archive.pipe(extract);
  });
}

async function copyOut(
  container: Docker.Container,
  wanted: WantedFile,
  image: string,
  destination: string,
): Promise<ExtractedFile> {
  let inImage = wanted.inImage;
  for (let links = 0; links <= MAX_LINKS; links++) {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await container.getArchive({ path: inImage });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      const via = inImage === wanted.inImage ? '' : ` (the link ${wanted.inImage} points there)`;
      if (status === 404)
        throw new BuildError(`${wanted.field}: ${inImage} does not exist in image ${image}${via}`, {
          field: wanted.field,
        });
      // The engine resolves the directories on the way itself and answers a loop among them
      // with a 500 that names its own storage path (overlay2), which means nothing to a user.
      if (status !== undefined && /too many (levels of symbolic )?links|ELOOP/i.test(String(error)))
        throw new BuildError(
          `${wanted.field}: ${inImage} in image ${image}${via}: a loop of symbolic links on the way (too many levels of symbolic links)`,
          { field: wanted.field },
        );
      throw error;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    const partial = partialName(destination);
    const header = await firstEntry(archive, async (entry, body) => {
      if ((entry.size ?? 0) > EXTRACT_FILE_CAP_BYTES)
        throw new BuildError(
          `${wanted.field}: ${inImage} in image ${image} is ${entry.size} bytes, more than the ${EXTRACT_FILE_CAP_BYTES}-byte limit`,
          { field: wanted.field },
        );
      async function* hashed() {
        for await (const chunk of body) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      }
      await writeFile(partial, hashed(), { mode: (entry.mode ?? 0o644) & 0o777 });
    }).catch(async (error: unknown) => {
      await rm(partial, { force: true });
      throw error;
    });
    if (header?.type === 'file') {
      await rename(partial, destination);
      return {
        inImage: wanted.inImage,
        path: destination,
        digest: `sha256:${hash.digest('hex')}`,
        mode: (header.mode ?? 0o644) & 0o777,
        bytes,
      };
    }
    if (header?.type === 'symlink' && header.linkname) {
      inImage = path.posix.resolve(path.posix.dirname(inImage), header.linkname);
      continue;
    }
    const what =
      header?.type === 'directory' ? 'a directory' : `a ${header?.type ?? 'empty'} entry`;
    throw new BuildError(`${wanted.field}: ${inImage} in image ${image} is ${what}, not a file`, {
      field: wanted.field,
    });
  }
  throw new BuildError(
    `${wanted.field}: ${wanted.inImage} in image ${image}: more than ${MAX_LINKS} symbolic links`,
    { field: wanted.field },
  );
}

/**
 * A container of `image` that is created to read its files and never started (no network, an
 * entrypoint that only has to be named); the caller removes it.
 */
export function createInertContainer(
  docker: Docker,
  image: string,
  role: string,
): Promise<Docker.Container> {
  return docker.createContainer({
    Image: image,
    Entrypoint: [`/diverge-${role}-never-runs`],
    Cmd: [],
    NetworkDisabled: true,
    Labels: { 'diverge.role': role },
  });
}

/**
 * Copies `files` out of `image` into `destDir`, keeping their modes and following symbolic
 * links inside the image (Debian's /boot/vmlinuz is one). Files keep their base names; a name
 * taken by an earlier file gets its index in front.
 */
export async function extractFiles(
  docker: Docker,
  image: string,
  files: readonly WantedFile[],
  destDir: string,
): Promise<ExtractedFile[]> {
  const container = await createInertContainer(docker, image, 'extract');
  try {
    return await copyFilesOut(container, image, files, destDir);
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * extractFiles from a container that exists (a finished build's, whose files are not in any
 * image); `image` names it in errors.
 */
export async function copyFilesOut(
  container: Docker.Container,
  image: string,
  files: readonly WantedFile[],
  destDir: string,
): Promise<ExtractedFile[]> {
  await mkdir(destDir, { recursive: true });
  const taken = new Set<string>();
  const extracted: ExtractedFile[] = [];
  for (const [i, wanted] of files.entries()) {
    let name = path.posix.basename(wanted.inImage) || `file-${i}`;
    if (taken.has(name)) name = `${i}-${name}`;
    taken.add(name);
    extracted.push(await copyOut(container, wanted, image, path.join(destDir, name)));
  }
  return extracted;
}

/**
 * The images of a kernel of many images (model/images.ts): the file `inImage` names for each
 * test, each into `destDir/images/TEST/`, from one container. Returns the local path with
 * `{test}` where each test's name goes, and every test's file.
 */
export async function extractImages(
  docker: Docker,
  image: string,
  wanted: { inImage: string; field: string; tests: readonly string[] },
  destDir: string,
): Promise<{ path: string; images: { test: string; file: ExtractedFile }[] }> {
  const container = await createInertContainer(docker, image, 'extract');
  try {
    const images = [];
    for (const test of wanted.tests) {
      const [file] = await copyFilesOut(
        container,
        image,
        [{ inImage: imageOf(wanted.inImage, test), field: wanted.field }],
        path.join(destDir, 'images', test),
      );
      if (!file) throw new Error(`copyFilesOut returned nothing for ${wanted.field}`);
      images.push({ test, file });
    }
    const base = path.posix.basename(wanted.inImage) || 'file-0';
    return { path: path.join(destDir, 'images', IMAGE_PLACEHOLDER, base), images };
  } finally {
    await container.remove({ force: true });
  }
}
