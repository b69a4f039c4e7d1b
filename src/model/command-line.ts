import type { BootDiskCommandLine } from './machines.js';

/**
 * Where a boot disk's loader hands its kernel the command line (`machine.command-line`): an
 * area of the disk's first sector that the course's own tool fills (Pintos: `pintos -- ARGS`).
 * One entry per `machine.command-line` value.
 */
export interface CommandLineArea {
  /** What reads it, for messages: `the Pintos loader`. */
  reader: string;
  /** Where the area starts in the boot sector. */
  offset: number;
  /** Bytes the words may take, each with its closing NUL. */
  capacity: number;
  /** Text the boot sector holds when it is this loader (what the course's tool checks). */
  mark: string;
  /** The area's bytes for the command line's words (they fit: see `commandLineProblem`). */
  encode(words: readonly Buffer[]): Buffer;
}

/**
 * Pintos (src/threads/loader.h): the argument count (LOADER_ARG_CNT, 4 bytes, little-endian) and
 * LOADER_ARGS_LEN (128) bytes of NUL-ended words just below the partition table (0x1be), so at
 * 0x200 - 2 - 64 - 128 - 4 = 0x13a; utils/Pintos.pm writes them as `pack ("V a128", count,
 * words)`, the unused bytes NUL.
 */
const PINTOS_ARGS_LEN = 128;
const PINTOS: CommandLineArea = {
  reader: 'the Pintos loader',
  offset: 0x200 - 2 - 64 - PINTOS_ARGS_LEN - 4,
  capacity: PINTOS_ARGS_LEN,
  mark: 'Pintos',
  encode(words) {
    const area = Buffer.alloc(4 + PINTOS_ARGS_LEN);
    area.writeUInt32LE(words.length, 0);
    let at = 4;
    for (const word of words) at += word.copy(area, at) + 1;
    return area;
  },
};

export const COMMAND_LINE_AREAS: Record<BootDiskCommandLine, CommandLineArea> = {
  pintos: PINTOS,
};

/** The words of `machine.append` as the kernel gets them: split at white space, as a shell does. */
export function commandLineWords(append: string): Buffer[] {
  return append
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => Buffer.from(word, 'utf8'));
}

/** Why `append` cannot be written into `kind`'s area, or undefined when it can. */
export function commandLineProblem(kind: BootDiskCommandLine, append: string): string | undefined {
  const area = COMMAND_LINE_AREAS[kind];
  const words = commandLineWords(append);
  if (words.some((word) => word.includes(0)))
    return `"${append}" has a NUL byte, which ends a word for ${area.reader}`;
  const size = words.reduce((sum, word) => sum + word.length + 1, 0);
  if (size > area.capacity)
    return `"${append}" takes ${size} bytes as ${area.reader}'s command line (each word and its NUL); it holds ${area.capacity}`;
  return undefined;
}
