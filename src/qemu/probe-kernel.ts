/**
 * Tiny x86 multiboot kernels generated in memory. The accelerator probe boots one to learn
 * whether KVM really works; tests use others as kernels that hang or never stop printing.
 */
const LOAD_ADDRESS = 0x100000;
const MULTIBOOT_MAGIC = 0x1badb002;

/** 32-bit protected-mode code snippets (entered by QEMU's multiboot loader). */
export const X86_CODE = {
  /** `mov dx, 0x3f8` — the first serial port. */
  serialPort: [0x66, 0xba, 0xf8, 0x03],
  /** `mov al, c; out dx, al` for each byte of `text`. */
  print: (text: string) => [...Buffer.from(text, 'latin1')].flatMap((c) => [0xb0, c, 0xee]),
  /** `mov al, v; out 0xf4, al`: QEMU exits with status (v << 1) | 1 via isa-debug-exit. */
  debugExit: (value: number) => [0xb0, value, 0xe6, 0xf4],
  /** `cli; hlt; jmp hlt`: stop silently forever. */
  halt: [0xfa, 0xf4, 0xeb, 0xfd],
};

/** An ELF32 multiboot image whose entry point runs `code`. */
export function multibootKernel(code: readonly number[]): Buffer {
  const ehdrSize = 52;
  const phdrSize = 32;
  const mbOffset = ehdrSize + phdrSize; // 84: 4-byte aligned, within the first 8 KiB
  const codeOffset = mbOffset + 12;
  const size = codeOffset + code.length;
  const image = Buffer.alloc(size);

  image.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // ELF, 32-bit, little-endian, version 1
  image.writeUInt16LE(2, 16); // ET_EXEC
  image.writeUInt16LE(3, 18); // EM_386
  image.writeUInt32LE(1, 20);
  image.writeUInt32LE(LOAD_ADDRESS + codeOffset, 24); // e_entry
  image.writeUInt32LE(ehdrSize, 28); // e_phoff
  image.writeUInt16LE(ehdrSize, 40);
  image.writeUInt16LE(phdrSize, 42);
  image.writeUInt16LE(1, 44); // e_phnum

  image.writeUInt32LE(1, ehdrSize); // PT_LOAD
  image.writeUInt32LE(0, ehdrSize + 4); // p_offset
  image.writeUInt32LE(LOAD_ADDRESS, ehdrSize + 8);
  image.writeUInt32LE(LOAD_ADDRESS, ehdrSize + 12);
  image.writeUInt32LE(size, ehdrSize + 16);
  image.writeUInt32LE(size, ehdrSize + 20);
  image.writeUInt32LE(5, ehdrSize + 24); // R+X
  image.writeUInt32LE(0x1000, ehdrSize + 28);

  image.writeUInt32LE(MULTIBOOT_MAGIC, mbOffset);
  image.writeUInt32LE(0, mbOffset + 4);
  image.writeUInt32LE((0x100000000 - MULTIBOOT_MAGIC) >>> 0, mbOffset + 8);
  image.set(code, codeOffset);
  return image;
}

/** Prints "diverge-probe-ok" and exits QEMU with status 33. */
export const PROBE_EXIT_STATUS = 33;
export const PROBE_BANNER = 'diverge-probe-ok';
export function probeKernel(): Buffer {
  return multibootKernel([
    ...X86_CODE.serialPort,
    ...X86_CODE.print(`${PROBE_BANNER}\n`),
    ...X86_CODE.debugExit(0x10),
    ...X86_CODE.halt,
  ]);
}
