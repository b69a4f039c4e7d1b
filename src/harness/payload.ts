import { sha256, sha256File } from '../digest.js';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { cacheDir } from '../constants.js';
import { initramfsFromDir } from './initramfs.js';
import type { ScriptStep } from './script.js';

/** The shared harness every kernel boots with, ready for QEMU. */
export interface HarnessPayload {
  initrd?: string;
  disks: string[];
  script: ScriptStep[];
  /** Digest over everything the harness consists of: same digest, same harness. */
  digest: string;
}

export class HarnessError extends Error {}

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

/** Turns the harness settings into files QEMU can take; a directory becomes an initramfs in `workDir`. */
export async function prepareHarness(
  harness: Settings['harness'],
  workDir: string,
): Promise<HarnessPayload> {
  const parts: string[] = [];
  let initrd: string | undefined;
  const payload = harness.payload;
  switch (payload.kind) {
    case 'initrd':
      initrd = payload.path;
      parts.push(`initrd ${await fileDigest(payload.path, 'harness.initrd')}`);
      break;
    case 'dir': {
      const info = await stat(payload.path).catch(() => undefined);
      if (!info?.isDirectory())
        throw new HarnessError(`harness.dir: ${payload.path} is not a directory`);
      const built = await initramfsFromDir(payload.path, path.join(cacheDir(), 'initramfs'));
      await mkdir(workDir, { recursive: true });
      initrd = path.join(workDir, 'harness.cpio.gz');
      await writeFile(initrd, built.bytes);
      parts.push(`initrd ${built.digest}`);
      break;
    }
    case 'image':
      // Exporting a Docker image needs the Docker stage, which arrives with the candidate build.
      throw new HarnessError(
        'harness.image: harnesses from Docker images are not supported yet; use harness.dir or harness.initrd',
      );
    case 'none':
      break;
  }
  for (const [i, disk] of harness.disks.entries())
    parts.push(`disk ${await fileDigest(disk, `harness.disks[${i}]`)}`);
  parts.push(
    `script ${JSON.stringify(harness.script)}`,
    `results ${JSON.stringify(harness.results)}`,
  );
  const digest = sha256(parts.join('\n'));
  return {
    ...(initrd ? { initrd } : {}),
    disks: [...harness.disks],
    script: [...harness.script],
    digest,
  };
}
