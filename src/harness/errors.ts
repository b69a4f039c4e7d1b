/** A harness that cannot be prepared as configured: a missing file, an unusable image. */
export class HarnessError extends Error {}
