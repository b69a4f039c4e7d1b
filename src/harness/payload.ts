import { sha256, sha256File } from '../util/digest.js';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import type { CacheDirs, Clock } from '../context.js';
import { initramfsFromDir } from './initramfs.js';
import type { DockerAccess } from '../docker/docker.js';
import { HarnessError } from './errors.js';
import { initramfsFromImage } from './image.js';
import type { Disk } from '../model/machines.js';
import type { ScriptStep } from '../model/script.js';

/** The shared harness every kernel boots with, ready for QEMU. */
export interface HarnessPayload {
  initrd?: string;
  disks: Disk[];
  script: ScriptStep[];
  /** Digest over everything the harness consists of: same digest, same harness. */
  digest: string;
}

async function fileDigest(file: string, field: string): Promise<string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new HarnessError(`${field}: ${file} is not a file`);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError(`${field}: cannot read ${file}: ${(error as Error).message}`);
  }
  return sha256File(file);
}

export interface HarnessOptions {
  /** Docker, for a harness given as an image; connected only when one is. */
  docker?: DockerAccess;
  progress?: (line: string) => void;
  /** Packed archives, and the build contexts of a harness image, kept between runs. */
  cache: Pick<CacheDirs, 'initramfs' | 'contexts'>;
  /** Keys the packed archives: another build of diverge may pack differently. */
  buildId: string;
  /** The run's clock, for a harness image it builds. */
  clock: Clock;
}

async function checkedDir(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new HarnessError(`harness.dir: ${dir} is not a directory`);
  return dir;
}

function requireDocker(docker: DockerAccess | undefined): DockerAccess {
  if (!docker) throw new HarnessError('harness.image: this command has no Docker engine to use');
  return docker;
}

/**
 * Turns the harness settings into files QEMU can take; a directory or an image becomes an
 * initramfs in `workDir`.
 */
export async function prepareHarness(
  harness: Settings['harness'],
  workDir: string,
  options: HarnessOptions,
): Promise<HarnessPayload> {
  const parts: string[] = [];
  let initrd: string | undefined;
  const payload = harness.payload;
  switch (payload.kind) {
    case 'initrd':
      initrd = payload.path;
      parts.push(`initrd ${await fileDigest(payload.path, 'harness.initrd')}`);
      break;
    case 'dir':
    case 'image': {
      const archives = { dir: options.cache.initramfs, buildId: options.buildId };
      const built = await (payload.kind === 'dir'
        ? initramfsFromDir(await checkedDir(payload.path), archives)
        : initramfsFromImage(requireDocker(options.docker), payload, {
            channel: harness.results.channel === 'serial2' ? 'serial2' : 'console',
            cache: archives,
            contextCache: options.cache.contexts,
            clock: options.clock,
            logFile: path.join(workDir, 'build-harness.log'),
            progress: options.progress ?? (() => undefined),
          }));
      await mkdir(workDir, { recursive: true });
      initrd = path.join(workDir, 'harness.cpio.gz');
      await writeFile(initrd, built.bytes);
      parts.push(`initrd ${built.digest}`);
      break;
    }
    case 'none':
      break;
  }
  for (const [i, disk] of harness.disks.entries())
    parts.push(`disk ${await fileDigest(disk.file, `harness.disks[${i}]`)}`);
  parts.push(
    `script ${JSON.stringify(harness.script)}`,
    `results ${JSON.stringify(harness.results)}`,
    // The token itself is fresh per boot; whether there is one changes what a boot reports.
    `token ${harness.token} ${JSON.stringify(harness.tokenSend)}`,
  );
  const digest = sha256(parts.join('\n'));
  return {
    ...(initrd ? { initrd } : {}),
    disks: [...harness.disks],
    script: [...harness.script],
    digest,
  };
}
