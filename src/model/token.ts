/**
 * Result tokens: the contract between qemu/ (which makes a fresh token per boot and gives it to
 * the harness), harness/ (diverge's generated /init prints it) and results/ (which keeps only
 * results framed by it). A kernel that replays a recorded log cannot know the token of a boot
 * that has not happened yet (docs/security.md, "Result tokens").
 */

import type { ScriptStep } from './script.js';

/**
 * The kernel command-line parameter carrying the token. No dot in the name: Linux hands such
 * unknown parameters to init as environment variables (`$diverge_token` in a shell /init).
 */
export const TOKEN_PARAMETER = 'diverge_token';

/**
 * `harness.token`: how the harness gets the token. `cmdline`: on the kernel command line, the
 * harness framing its results with it; `script`: typed at the console before each step of the
 * console script (`harness.token-send`), the kernel answering with it; `none`: results are taken
 * as they come.
 */
export const TOKEN_MODES = ['cmdline', 'script', 'none'] as const;
export type TokenMode = (typeof TOKEN_MODES)[number];

/** Where `harness.token-send` puts the token. */
export const TOKEN_PLACEHOLDER = '{token}';
/** `harness.token-send` by default: a shell's echo, whose output line (the token) differs from
 * the typed line the console echoes (`echo <token>`). */
export const DEFAULT_TOKEN_SEND = `echo ${TOKEN_PLACEHOLDER}\n`;

/** Prefix of the line a harness prints before its first result and after its last. */
export const TOKEN_LINE_PREFIX = '# diverge-token: ';

/** The frame line a harness prints for `token`: a TAP/KTAP diagnostic, ignored by parsers. */
export const tokenLine = (token: string): string => `${TOKEN_LINE_PREFIX}${token}`;

/** `append` with the token parameter first, before any `--` that starts init's own arguments. */
export function appendWithToken(append: string | undefined, token: string): string {
  const parameter = `${TOKEN_PARAMETER}=${token}`;
  return append ? `${parameter} ${append}` : parameter;
}

/**
 * The console script of one boot with `token: script`: before each step that sends a command,
 * and after the last one (unless it ends the dialogue), a step that types `send` with the token
 * and must be answered by a line that is exactly the token.
 */
export function withTokenSteps(
  steps: readonly ScriptStep[],
  token: string,
  send: string,
): ScriptStep[] {
  const typed = send.replaceAll(TOKEN_PLACEHOLDER, token);
  const check = (expect: string): ScriptStep => ({ expect, send: typed, token });
  const out = steps.flatMap((step) =>
    step.send === undefined ? [step] : [check(step.expect), step],
  );
  const last = steps.at(-1);
  if (last?.send !== undefined && last.end === undefined) out.push(check(last.expect));
  return out;
}
