/**
 * Result tokens: the contract between qemu/ (which makes a fresh token per boot and gives it to
 * the harness), harness/ (diverge's generated /init prints it) and results/ (which keeps only
 * results framed by it). A kernel that replays a recorded log cannot know the token of a boot
 * that has not happened yet (docs/security.md, "Result tokens").
 */

/**
 * The kernel command-line parameter carrying the token. No dot in the name: Linux hands such
 * unknown parameters to init as environment variables (`$diverge_token` in a shell /init).
 */
export const TOKEN_PARAMETER = 'diverge_token';

/** `harness.token`: how the harness gets the token (none: results are taken as they come). */
export const TOKEN_MODES = ['cmdline', 'none'] as const;
export type TokenMode = (typeof TOKEN_MODES)[number];

/** Prefix of the line a harness prints before its first result and after its last. */
export const TOKEN_LINE_PREFIX = '# diverge-token: ';

/** The frame line a harness prints for `token`: a TAP/KTAP diagnostic, ignored by parsers. */
export const tokenLine = (token: string): string => `${TOKEN_LINE_PREFIX}${token}`;

/** `append` with the token parameter first, before any `--` that starts init's own arguments. */
export function appendWithToken(append: string | undefined, token: string): string {
  const parameter = `${TOKEN_PARAMETER}=${token}`;
  return append ? `${parameter} ${append}` : parameter;
}
