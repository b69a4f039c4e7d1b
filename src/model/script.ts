/** A console dialogue's steps and what it reports: the contract between config/, harness/ and qemu/. */
/** One step of a console dialogue with an interactive kernel. */
export interface ScriptStep {
  /** Regular expression awaited on the console (prompts need no trailing newline). */
  expect: string;
  send?: string;
  /** Names the test made of this step's exchange: what the kernel printed in answer to `send`. */
  test?: string;
  /** Over the step's output (multiline): the test passes only when this matches. */
  pass?: string;
  /** Over the step's output (multiline): the test fails when this matches, whatever `pass` says. */
  fail?: string;
  /** Last step only: what ends the dialogue instead of the prompt coming back. */
  end?: string;
  /** Bounds this step's command: from `send` until the next prompt (or `end`). */
  timeoutMs?: number;
  /**
   * A step diverge adds for `harness.token: script` (model/token.ts): its output must hold a
   * line that is exactly this boot's token, or the boot's results are not the harness's.
   */
  token?: string;
}

/**
 * A test the script names, as the dialogue went: a results TestObservation, declared here so
 * that qemu/, which drives the script, does not depend on results/.
 */
export interface ScriptTest {
  id: string;
  status: 'pass' | 'fail' | 'missing';
  output: string[];
}

export type ScriptEvent =
  { kind: 'send'; text: string } | { kind: 'finished' } | { kind: 'failed'; message: string };
