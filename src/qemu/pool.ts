import { availableParallelism, freemem } from 'node:os';

/** What one boot takes from the host besides its guest's RAM: QEMU itself. */
const QEMU_OVERHEAD_MIB = 128;
const MiB = 1024 * 1024;

/** Boots of `memoryMiB` guests that fit in the host's free memory (at least one). */
function bootsInFreeMemory(memoryMiB: number): number {
  return Math.max(1, Math.floor(freemem() / ((memoryMiB + QEMU_OVERHEAD_MIB) * MiB)));
}

/**
 * How many boots run at once: TCG boots spend part of their time waiting on timers and I/O, so
 * two per core keeps the cores busy; memory bounds it too (guest RAM plus QEMU's own overhead).
 */
export function defaultParallelism(memoryMiB: number, cpusPerBoot: number): number {
  const byCores = Math.max(1, Math.floor((availableParallelism() * 2) / cpusPerBoot));
  return Math.min(byCores, bootsInFreeMemory(memoryMiB));
}

/**
 * `--jobs`, lowered to what the host's free memory holds: more guests than fit would have the
 * OOM killer end some of them. Says so once, with the numbers.
 */
export function jobsWithinMemory(
  requested: number,
  memoryMiB: number,
  say: (line: string) => void,
): number {
  const fit = bootsInFreeMemory(memoryMiB);
  if (fit >= requested) return requested;
  say(
    `--jobs ${requested} lowered to ${fit}: each boot needs ${memoryMiB + QEMU_OVERHEAD_MIB} MiB ` +
      `(machine.memory ${memoryMiB} MiB + ${QEMU_OVERHEAD_MIB} MiB for QEMU) and the host has ` +
      `${Math.floor(freemem() / MiB)} MiB free`,
  );
  return fit;
}
