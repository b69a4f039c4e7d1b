import type { FileHandle } from 'node:fs/promises';
import { NotRegularFileError, openRegularFile, sha256, sha256File } from '../util/digest.js';
import { imageOf, imagesManifest, isManyImages, noTestsFor } from '../model/images.js';
import {
  archMachines,
  type Arch,
  type BootDiskCommandLine,
  type BootMode,
  type KernelFormat,
} from '../model/machines.js';
import { bootSectorProblem } from './boot-disk.js';

export class KernelFileError extends Error {}

/** A boot sector's signature, its last two bytes: what a PC's firmware looks for on a disk. */
const BOOT_SIGNATURE_OFFSET = 510;
const BOOT_SIGNATURE = 0xaa55;

/**
 * Formats QEMU's `-kernel` accepts, and boot disks, told apart by their headers. A bzImage has a
 * boot sector's signature too (it halts when booted so): its own header is looked for first.
 * A boot disk's kernel may carry a multiboot header past its boot sector (xv6.img): the boot
 * signature goes first.
 */
function imageFormat(head: Buffer): KernelFormat | undefined {
  if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return 'bzImage';
  if (head.length >= 0x3c && head.toString('latin1', 0x38, 0x3c) === 'ARM\x64')
    return 'arm64 Image';
  if (head.length >= 0x3c && head.toString('latin1', 0x38, 0x3c) === 'RSC\x05')
    return 'riscv Image';
  if (head.toString('latin1', 0, 4) === '\x7fELF') return 'ELF';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.toString('latin1', 0, 2) === 'MZ') return 'PE/EFI';
  if (head.length >= 512 && head.readUInt16LE(BOOT_SIGNATURE_OFFSET) === BOOT_SIGNATURE)
    return 'boot disk';
  for (let offset = 0; offset + 4 <= head.length; offset += 4) {
    if (head.readUInt32LE(offset) === 0x1badb002) return 'multiboot';
  }
  return undefined;
}

/** An open kernel file's first 8 KiB: enough to tell its format. */
async function headOf(handle: FileHandle): Promise<Buffer> {
  const head = Buffer.alloc(8192);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return head.subarray(0, bytesRead);
}

/**
 * A kernel file's format (which decides its default command line, see `defaultAppend`);
 * undefined when the file is not a kernel image or cannot be read (its check says why).
 */
export async function kernelFormat(file: string): Promise<KernelFormat | undefined> {
  const handle = await openRegularFile(file).catch(() => undefined);
  if (!handle) return undefined;
  try {
    return imageFormat(await headOf(handle));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * The formats a machine boots: under `machine.boot: disk` only boot disks (the config checked
 * that the machine's firmware boots one), else its arch's `-kernel` formats.
 */
function acceptedFormats(machine: { arch: Arch; boot: BootMode }): readonly KernelFormat[] {
  return machine.boot === 'disk' ? ['boot disk'] : archMachines(machine.arch).kernelFormats;
}

/** Why a file of `format` is not what the machine boots, with the way out when there is one. */
function refusal(format: KernelFormat | undefined, machine: { arch: Arch; boot: BootMode }) {
  const is = format ? `a ${format}` : 'not a kernel image';
  if (machine.boot === 'disk')
    return `${is}, not a boot disk (512 bytes or more, 0x55 0xAA at offset 510), which machine.boot: disk boots`;
  if (format === 'boot disk')
    return `${is} (a boot sector, no kernel QEMU loads): set machine.boot: disk to boot it`;
  return `${is}; ${machine.arch} boots ${acceptedFormats(machine).join(', ')}`;
}

/**
 * Checks a kernel file before booting so a wrong path or file fails with its name, not QEMU's;
 * with `machine.command-line`, that the boot disk's loader is the one that reads it there.
 */
export async function checkKernelFile(
  name: string,
  file: string,
  machine: { arch: Arch; boot: BootMode; commandLine?: BootDiskCommandLine },
): Promise<KernelFormat> {
  let handle;
  try {
    handle = await openRegularFile(file);
  } catch (error) {
    if (error instanceof NotRegularFileError)
      throw new KernelFileError(`kernel "${name}": not a regular file: ${file}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new KernelFileError(
      `kernel "${name}": ${code === 'ENOENT' ? 'file not found' : `cannot read (${code})`}: ${file}`,
    );
  }
  try {
    const head = await headOf(handle);
    const format = imageFormat(head);
    if (!format || !acceptedFormats(machine).includes(format))
      throw new KernelFileError(`kernel "${name}": ${file} is ${refusal(format, machine)}`);
    const loader = machine.commandLine && bootSectorProblem(machine.commandLine, head);
    if (loader) throw new KernelFileError(`kernel "${name}": ${file} is ${loader}`);
    return format;
  } finally {
    await handle.close();
  }
}

/**
 * The digest of a kernel of many images (model/images.ts): of `test digest` lines, one per
 * test's image. A missing image is a KernelFileError naming it.
 */
export async function imagesDigest(
  name: string,
  kernelPath: string,
  tests: readonly string[] | undefined,
): Promise<string> {
  if (!tests) throw new KernelFileError(noTestsFor(`kernel "${name}"`, kernelPath));
  const digests = [];
  for (const test of tests) {
    const file = imageOf(kernelPath, test);
    const digest = await sha256File(file).catch((error: NodeJS.ErrnoException) => {
      throw new KernelFileError(
        `kernel "${name}": the image of test ${test}: ${error.code === 'ENOENT' ? 'file not found' : error.message}: ${file}`,
      );
    });
    digests.push({ test, digest });
  }
  return sha256(imagesManifest(digests));
}

/**
 * `checkKernelFile` of a kernel, or of each image of a kernel of many images (model/images.ts):
 * the format of its first image.
 */
export async function checkKernel(
  name: string,
  file: string,
  machine: { arch: Arch; boot: BootMode; commandLine?: BootDiskCommandLine },
  tests: readonly string[] | undefined,
): Promise<KernelFormat> {
  if (!isManyImages(file)) return checkKernelFile(name, file, machine);
  if (!tests || tests.length === 0) throw new KernelFileError(noTestsFor(`kernel "${name}"`, file));
  const formats = [];
  for (const test of tests)
    formats.push(await checkKernelFile(`${name}[${test}]`, imageOf(file, test), machine));
  return formats[0] as KernelFormat;
}
