import { availableParallelism, freemem } from 'node:os';

/**
 * How many boots run at once: TCG boots spend part of their time waiting on timers and I/O, so
 * two per core keeps the cores busy; memory bounds it too (guest RAM plus QEMU's own overhead).
 */
export function defaultParallelism(memoryMiB: number, cpusPerBoot: number): number {
  const byCores = Math.max(1, Math.floor((availableParallelism() * 2) / cpusPerBoot));
  const byMemory = Math.max(1, Math.floor(freemem() / ((memoryMiB + 128) * 1024 * 1024)));
  return Math.min(byCores, byMemory);
}
