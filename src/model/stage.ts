/** How far a boot got, in order. */
export const BOOT_STAGES = ['firmware', 'kernel', 'init', 'harness', 'done'] as const;
export type BootStage = (typeof BOOT_STAGES)[number];

// Lines a Linux kernel prints as it hands over to userspace; other kernels go from `kernel`
// straight to `harness` when their first result line appears.
const INIT_MARKERS = [/Run \S+ as init process/, /Freeing unused kernel/];

export function laterStage(a: BootStage, b: BootStage): BootStage {
  return BOOT_STAGES.indexOf(a) >= BOOT_STAGES.indexOf(b) ? a : b;
}

export function stageOfLine(line: string): BootStage {
  return INIT_MARKERS.some((marker) => marker.test(line)) ? 'init' : 'kernel';
}
