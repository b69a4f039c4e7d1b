import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import path from 'node:path';
import { COMMAND_LINE_AREAS, commandLineProblem, commandLineWords } from '../model/command-line.js';
import type { BootDiskCommandLine } from '../model/machines.js';
import { storageFailure } from '../util/storage.js';
import type { BootPlan } from './plan.js';

const SECTOR = 512;

/**
 * Why a boot disk's first sector is not `kind`'s loader, or undefined when it is: the mark the
 * course's own tool looks for (Pintos' pintos-set-cmdline: "Pintos" in the boot sector).
 */
export function bootSectorProblem(kind: BootDiskCommandLine, sector: Buffer): string | undefined {
  const area = COMMAND_LINE_AREAS[kind];
  if (sector.subarray(0, SECTOR).includes(area.mark, 0, 'latin1')) return undefined;
  return `a boot disk without ${area.reader} (no "${area.mark}" in its boot sector), where machine.command-line: ${kind} writes the command line`;
}

/**
 * Writes `append` into the command-line area of the boot disk `file` (in place: `file` is a
 * boot's own copy), as the course's tool would (Pintos: `pintos-set-cmdline DISK -- ARGS`).
 */
export async function writeCommandLine(
  kind: BootDiskCommandLine,
  file: string,
  append: string,
): Promise<void> {
  const problem = commandLineProblem(kind, append);
  if (problem) throw new Error(`machine.append: ${problem}`);
  const area = COMMAND_LINE_AREAS[kind];
  const handle = await open(file, 'r+');
  try {
    const sector = Buffer.alloc(SECTOR);
    await handle.read(sector, 0, SECTOR, 0);
    const wrong = bootSectorProblem(kind, sector);
    if (wrong) throw new Error(`${file} is ${wrong}`);
    await handle.write(area.encode(commandLineWords(append)), 0, undefined, area.offset);
  } finally {
    await handle.close();
  }
}

/**
 * The disk a boot starts from under `machine.boot: disk`: the kernel file as it is or, with
 * `machine.command-line`, a copy in `dir` (the boot's own scratch directory, removed once QEMU
 * has opened its files) holding the boot's `append` where its kernel reads it. The kernel file
 * itself is never written: boots run from it in parallel, and the observation cache keys on its
 * digest (and, for the copy, on `append`: see session/boots.ts).
 */
export async function prepareBootDisk(
  plan: Pick<BootPlan, 'commandLine' | 'append'>,
  file: string,
  dir: string,
): Promise<string> {
  if (plan.commandLine === undefined) return file;
  const copy = path.join(dir, `boot${path.extname(file)}`);
  // A reflink where the file system has them: a course's disk can be megabytes, once per boot.
  // A full temp folder is the host's failure, said with the file (exit 3), not the kernel's.
  await copyFile(file, copy, constants.COPYFILE_FICLONE).catch((error: unknown) => {
    throw storageFailure(error, "the boot's disk", copy);
  });
  await writeCommandLine(plan.commandLine, copy, plan.append ?? '');
  return copy;
}
