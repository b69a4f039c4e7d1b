import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkKernelFile } from '../../src/qemu/kernel-image.js';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import type { Arch } from '../../src/model/machines.js';

const kernelBoot = (arch: Arch) => ({ arch, boot: 'kernel' as const });
const diskBoot = (arch: Arch) => ({ arch, boot: 'disk' as const });

/** A boot sector: `size` bytes, the PC firmware's signature 0x55 0xAA at 510. */
function bootSector(size = 512): Buffer {
  const disk = Buffer.alloc(size);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

const dir = mkdtempSync(path.join(tmpdir(), 'diverge-kimg-'));
const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe('checkKernelFile', () => {
  it('names the kernel and the path when the file is missing', async () => {
    await expect(
      checkKernelFile('staff', '/nonexistent/vmlinuz', kernelBoot('x86_64')),
    ).rejects.toThrow('kernel "staff": file not found: /nonexistent/vmlinuz');
  });

  it('rejects a file that is not a kernel', async () => {
    const p = file('notes.txt', Buffer.from('these are my lecture notes\n'.repeat(100)));
    await expect(checkKernelFile('student', p, kernelBoot('x86_64'))).rejects.toThrow(
      `kernel "student": ${p} is not a kernel image; x86_64 boots bzImage, ELF, multiboot`,
    );
  });

  it('rejects a kernel for another architecture', async () => {
    const arm = Buffer.alloc(0x100);
    arm.write('ARM\x64', 0x38, 'latin1');
    const p = file('Image', arm);
    await expect(checkKernelFile('port', p, kernelBoot('x86_64'))).rejects.toThrow(
      'is a arm64 Image; x86_64 boots',
    );
    await expect(checkKernelFile('port', p, kernelBoot('aarch64'))).resolves.toBe('arm64 Image');
  });

  it('recognises bzImage and multiboot images', async () => {
    const bz = Buffer.alloc(0x300);
    bz.write('HdrS', 0x202, 'latin1');
    await expect(checkKernelFile('a', file('bzImage', bz), kernelBoot('x86_64'))).resolves.toBe(
      'bzImage',
    );
    await expect(
      checkKernelFile('b', file('mb.elf', multibootKernel(X86_CODE.halt)), kernelBoot('i386')),
    ).resolves.toBe('ELF');
  });

  it('rejects a directory', async () => {
    await expect(checkKernelFile('d', dir, kernelBoot('x86_64'))).rejects.toThrow(
      `kernel "d": not a regular file: ${dir}`,
    );
  });

  describe('boot disks (machine.boot: disk)', () => {
    it('takes a boot sector followed by a multiboot kernel (xv6.img) as a boot disk', async () => {
      const kernel = multibootKernel(X86_CODE.halt);
      const p = file('xv6.img', Buffer.concat([bootSector(), kernel]));
      await expect(checkKernelFile('staff', p, diskBoot('i386'))).resolves.toBe('boot disk');
    });

    it('refuses a boot disk when QEMU would load the kernel, saying how to boot it', async () => {
      const p = file('os.dsk', bootSector(4096));
      await expect(checkKernelFile('staff', p, kernelBoot('x86_64'))).rejects.toThrow(
        `kernel "staff": ${p} is a boot disk (a boot sector, no kernel QEMU loads): set machine.boot: disk to boot it`,
      );
    });

    it('refuses an ELF kernel under machine.boot: disk, naming the file', async () => {
      const p = file('kernel.elf', multibootKernel(X86_CODE.halt));
      await expect(checkKernelFile('alt', p, diskBoot('i386'))).rejects.toThrow(
        `kernel "alt": ${p} is a ELF, not a boot disk (512 bytes or more, 0x55 0xAA at offset 510), which machine.boot: disk boots`,
      );
    });

    it('refuses a bzImage (its boot sector only says to use a boot loader) and a short file', async () => {
      const bz = bootSector(0x300);
      bz.write('HdrS', 0x202, 'latin1');
      await expect(checkKernelFile('a', file('bz', bz), diskBoot('x86_64'))).rejects.toThrow(
        'is a bzImage, not a boot disk',
      );
      const short = bootSector().subarray(0, 511);
      await expect(checkKernelFile('b', file('short', short), diskBoot('x86_64'))).rejects.toThrow(
        'is not a kernel image, not a boot disk',
      );
    });

    it('refuses a file without the boot signature', async () => {
      const p = file('blank.img', Buffer.alloc(4096));
      await expect(checkKernelFile('c', p, diskBoot('i386'))).rejects.toThrow(
        `${p} is not a kernel image, not a boot disk`,
      );
    });
  });
});
