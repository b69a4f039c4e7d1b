import { homedir } from 'node:os';
import path from 'node:path';

/** Process exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  divergences: 1,
  usage: 2,
  infrastructure: 3,
} as const;

export const TOOL_NAME = 'diverge';
export const TOOL_VERSION = '0.1.0';

/** Where diverge keeps what it can reuse between runs (KVM probe, packed harnesses). */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return path.join(base, 'diverge');
}
