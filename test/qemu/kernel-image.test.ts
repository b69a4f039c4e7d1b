import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkKernelFile } from '../../src/qemu/kernel-image.js';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';

const dir = mkdtempSync(path.join(tmpdir(), 'diverge-kimg-'));
const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe('checkKernelFile', () => {
  it('names the kernel and the path when the file is missing', async () => {
    await expect(checkKernelFile('staff', '/nonexistent/vmlinuz', 'x86_64')).rejects.toThrow(
      'kernel "staff": file not found: /nonexistent/vmlinuz',
    );
  });

  it('rejects a file that is not a kernel', async () => {
    const p = file('notes.txt', Buffer.from('these are my lecture notes\n'.repeat(100)));
    await expect(checkKernelFile('student', p, 'x86_64')).rejects.toThrow(
      `kernel "student": ${p} is not a kernel image; x86_64 boots bzImage, ELF, multiboot`,
    );
  });

  it('rejects a kernel for another architecture', async () => {
    const arm = Buffer.alloc(0x100);
    arm.write('ARM\x64', 0x38, 'latin1');
    const p = file('Image', arm);
    await expect(checkKernelFile('port', p, 'x86_64')).rejects.toThrow(
      'is a arm64 Image; x86_64 boots',
    );
    await expect(checkKernelFile('port', p, 'aarch64')).resolves.toBe('arm64 Image');
  });

  it('recognises bzImage and multiboot images', async () => {
    const bz = Buffer.alloc(0x300);
    bz.write('HdrS', 0x202, 'latin1');
    await expect(checkKernelFile('a', file('bzImage', bz), 'x86_64')).resolves.toBe('bzImage');
    await expect(
      checkKernelFile('b', file('mb.elf', multibootKernel(X86_CODE.halt)), 'i386'),
    ).resolves.toBe('ELF');
  });

  it('rejects a directory', async () => {
    await expect(checkKernelFile('d', dir, 'x86_64')).rejects.toThrow(
      `kernel "d": not a regular file: ${dir}`,
    );
  });
});
