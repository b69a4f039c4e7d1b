/** Process exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  divergences: 1,
  usage: 2,
  infrastructure: 3,
} as const;

export const TOOL_NAME = 'diverge';
export const TOOL_VERSION = '0.1.0';
