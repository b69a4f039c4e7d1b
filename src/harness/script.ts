/** One step of a console dialogue with an interactive kernel. */
export interface ScriptStep {
  /** Regular expression awaited on the console (prompts need no trailing newline). */
  expect: string;
  send?: string;
  /** Names the test made of this step's exchange: what the kernel printed after `send`. */
  test?: string;
  timeoutMs?: number;
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

/**
 * Drives a console script against the text a kernel prints. A step's test passes when the
 * dialogue goes on (the next step's `expect` matched) and its output is what came in between;
 * a step that times out fails the test before it and leaves later tests missing.
 */
export class ConsoleScript {
  private index = 0;
  private text = '';
  private deadline: number;
  private readonly observations: ScriptTest[] = [];
  private openTest: string | undefined;
  private state: 'running' | 'finished' | 'failed' = 'running';

  constructor(
    private readonly steps: readonly ScriptStep[],
    private readonly defaultTimeoutMs: number,
    now: number,
  ) {
    this.deadline = now + this.stepTimeout(0);
    if (steps.length === 0) this.state = 'finished';
  }

  get done(): boolean {
    return this.state !== 'running';
  }

  /** Feeds cleaned console text; returns what to do about it. */
  feed(chunk: string, now: number): ScriptEvent[] {
    this.text += chunk;
    const events: ScriptEvent[] = [];
    while (this.state === 'running') {
      const step = this.steps[this.index];
      if (!step) break;
      const match = new RegExp(step.expect).exec(this.text);
      if (!match) break;
      this.closeTest('pass', this.text.slice(0, match.index));
      this.text = this.text.slice(match.index + match[0].length);
      if (step.send !== undefined) events.push({ kind: 'send', text: step.send });
      this.openTest = step.test;
      this.index += 1;
      if (this.index === this.steps.length) {
        // A last step with a test keeps collecting output until the boot ends.
        if (this.openTest === undefined) {
          this.state = 'finished';
          events.push({ kind: 'finished' });
        }
      } else {
        this.deadline = now + this.stepTimeout(this.index);
      }
    }
    return events;
  }

  /** Called periodically; fails the script when the awaited text is late. */
  tick(now: number): ScriptEvent[] {
    if (this.state !== 'running' || this.index >= this.steps.length || now < this.deadline)
      return [];
    const step = this.steps[this.index] as ScriptStep;
    const message = `console script step ${this.index + 1}: /${step.expect}/ not seen within ${this.stepTimeout(this.index)} ms`;
    this.fail(message);
    return [{ kind: 'failed', message }];
  }

  /** The boot ended: settles every test the script named. */
  finish(bootCompleted: boolean): ScriptTest[] {
    if (this.state === 'running') {
      if (this.index >= this.steps.length && bootCompleted) this.closeTest('pass', this.text);
      else
        this.fail(
          `console script stopped at step ${this.index + 1} of ${this.steps.length}: the boot ended`,
        );
    }
    return this.observations;
  }

  private fail(message: string): void {
    this.closeTest('fail', this.text, message);
    for (const step of this.steps.slice(this.index)) {
      if (step.test) this.observations.push({ id: step.test, status: 'missing', output: [] });
    }
    this.state = 'failed';
  }

  private closeTest(status: 'pass' | 'fail', text: string, note?: string): void {
    if (this.openTest === undefined) return;
    const output = text.split('\n').map((l) => l.trimEnd());
    while (output.length > 0 && output[0] === '') output.shift();
    while (output.length > 0 && output.at(-1) === '') output.pop();
    if (note) output.push(note);
    this.observations.push({ id: this.openTest, status, output });
    this.openTest = undefined;
  }

  private stepTimeout(index: number): number {
    return this.steps[index]?.timeoutMs ?? this.defaultTimeoutMs;
  }
}
