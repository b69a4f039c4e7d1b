import type { FileHandle } from 'node:fs/promises';
import { NotRegularFileError, openRegularFile } from '../util/digest.js';
import { archMachines, type Arch, type KernelFormat } from '../model/machines.js';

export class KernelFileError extends Error {}

/** Formats QEMU's `-kernel` accepts, told apart by their headers. */
function imageFormat(head: Buffer): KernelFormat | undefined {
  if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return 'bzImage';
  if (head.length >= 0x3c && head.toString('latin1', 0x38, 0x3c) === 'ARM\x64')
    return 'arm64 Image';
  if (head.length >= 0x3c && head.toString('latin1', 0x38, 0x3c) === 'RSC\x05')
    return 'riscv Image';
  if (head.toString('latin1', 0, 4) === '\x7fELF') return 'ELF';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.toString('latin1', 0, 2) === 'MZ') return 'PE/EFI';
  for (let offset = 0; offset + 4 <= head.length; offset += 4) {
    if (head.readUInt32LE(offset) === 0x1badb002) return 'multiboot';
  }
  return undefined;
}

/** The format of an open kernel file, read from its first 8 KiB. */
async function formatOf(handle: FileHandle): Promise<KernelFormat | undefined> {
  const head = Buffer.alloc(8192);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return imageFormat(head.subarray(0, bytesRead));
}

/**
 * A kernel file's format (which decides its default command line, see `defaultAppend`);
 * undefined when the file is not a kernel image or cannot be read (its check says why).
 */
export async function kernelFormat(file: string): Promise<KernelFormat | undefined> {
  const handle = await openRegularFile(file).catch(() => undefined);
  if (!handle) return undefined;
  try {
    return await formatOf(handle);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Checks a kernel file before booting so a wrong path or file fails with its name, not QEMU's. */
export async function checkKernelFile(
  name: string,
  file: string,
  arch: Arch,
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
    const format = await formatOf(handle);
    const accepted = archMachines(arch).kernelFormats;
    if (!format || !accepted.includes(format)) {
      throw new KernelFileError(
        `kernel "${name}": ${file} is ${format ? `a ${format}` : 'not a kernel image'}; ${arch} boots ${accepted.join(', ')}`,
      );
    }
    return format;
  } finally {
    await handle.close();
  }
}
