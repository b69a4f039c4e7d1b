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

/** Checks a kernel file before booting so a wrong path or file fails with its name, not QEMU's. */
export async function checkKernelFile(name: string, file: string, arch: Arch): Promise<string> {
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
    const head = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const format = imageFormat(head.subarray(0, bytesRead));
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
