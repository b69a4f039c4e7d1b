import { consolePattern } from '../model/patterns.js';
import type { ScriptStep, ScriptTest, ScriptEvent } from '../model/script.js';

/**
 * Drives a console script against the text a kernel prints. Step N's command runs from its
 * `send` until its answer: the next step's `expect`, or for the last step its `end` pattern or
 * its own prompt coming back. What the kernel printed in between, without the echo of the
 * command and without the prompt, is the step's output, judged by the step's `pass`/`fail`
 * rules (default: the test passes when the dialogue goes on). Every pattern follows the console
 * pattern rule (model/patterns.ts): `^` and `$` match at line starts and ends, so a prompt
 * awaited as `^\$ ` never matches a `$ ` in the middle of a line.
 *
 * A boot that dies (panic, stall, timeout, including this step's own timeout) leaves the step in
 * progress and every later one `missing`: the comparison then reads them from how the boot
 * ended (crash or hang), as it reads a KTAP test in progress.
 */
export class ConsoleScript {
  /** The step whose command runs; -1 while the first prompt is awaited. */
  private running = -1;
  /**
   * The console text not yet consumed, from the start of the line it begins in: the awaited
   * pattern is searched from `from`, and `^` there sees whether it is a line start.
   */
  private text = '';
  private from = 0;
  private deadline: number | undefined;
  private readonly observations: ScriptTest[] = [];
  private state: 'running' | 'finished' | 'failed' = 'running';
  private tokenMissing: string | undefined;

  constructor(private readonly steps: readonly ScriptStep[]) {
    if (steps.length === 0) this.state = 'finished';
  }

  get done(): boolean {
    return this.state !== 'running';
  }

  /** Whether the first prompt came: the harness is talking. */
  get started(): boolean {
    return this.running >= 0 || this.state === 'finished';
  }

  /** Whether every step got its answer (or the boot ended normally in the last one). */
  get complete(): boolean {
    return this.state === 'finished';
  }

  /**
   * Why the kernel's answers are not this boot's (`harness.token: script`): a token step was
   * answered without a line that is exactly the token. A replayed log answers with the token of
   * the boot it was recorded in; a console that only echoes shows the typed command, not its
   * output.
   */
  get notFromHarness(): string | undefined {
    return this.tokenMissing;
  }

  /** The step in progress, for messages about a boot that ended during it. */
  get inProgress(): string | undefined {
    if (this.state !== 'running' || this.running < 0) return undefined;
    return describe(this.steps, this.running);
  }

  /** Feeds cleaned console text; returns what to do about it. */
  feed(chunk: string, now: number): ScriptEvent[] {
    this.text += chunk;
    const events: ScriptEvent[] = [];
    while (this.state === 'running') {
      if (this.running < 0) {
        const match = this.find((this.steps[0] as ScriptStep).expect);
        if (!match) break;
        this.start(0, match, now, events);
        continue;
      }
      const answer = this.answerPattern(this.running);
      if (answer === undefined) break; // a last step without send collects until the boot ends
      const match = this.find(answer);
      if (!match) break;
      this.close(this.running, this.text.slice(this.from, match.index), true);
      if (this.running + 1 < this.steps.length) this.start(this.running + 1, match, now, events);
      else this.finishScript(events);
    }
    return events;
  }

  /** Called periodically; gives up when the running step's command is late. */
  tick(now: number): ScriptEvent[] {
    if (this.state !== 'running' || this.deadline === undefined || now < this.deadline) return [];
    const step = this.steps[this.running] as ScriptStep;
    const answer = consolePattern(this.answerPattern(this.running) ?? '').source;
    const message = `${describe(this.steps, this.running)} did not finish within ${step.timeoutMs} ms (no /${answer}/ after it)`;
    this.abandon(this.running);
    return [{ kind: 'failed', message }];
  }

  /**
   * The boot ended: settles every test the script named. A boot that ended normally in the last
   * step (a kernel that powers off after its last command) answered it; in an earlier step the
   * dialogue did not go on. A boot that died leaves the step in progress to its outcome.
   */
  finish(bootCompleted: boolean): ScriptTest[] {
    if (this.state !== 'running') return this.observations;
    if (this.running < 0 || !bootCompleted) {
      this.abandon(Math.max(this.running, 0));
      return this.observations;
    }
    const last = this.running === this.steps.length - 1;
    this.close(
      this.running,
      this.text.slice(this.from),
      last,
      last
        ? undefined
        : `console script: the boot ended during ${describe(this.steps, this.running)}`,
    );
    this.state = last ? 'finished' : 'failed';
    for (let i = this.running + 1; i < this.steps.length; i++) this.missing(i);
    return this.observations;
  }

  /** The first match of `source` in the unconsumed text. */
  private find(source: string): RegExpExecArray | null {
    const pattern = consolePattern(source, 'g');
    pattern.lastIndex = this.from;
    return pattern.exec(this.text);
  }

  private start(index: number, match: RegExpExecArray, now: number, events: ScriptEvent[]): void {
    const step = this.steps[index] as ScriptStep;
    // Keep the line the match ends in from its start, so `^` knows where lines begin.
    const end = match.index + match[0].length;
    const lineStart = this.text.lastIndexOf('\n', end - 1) + 1;
    this.text = this.text.slice(lineStart);
    this.from = end - lineStart;
    this.running = index;
    if (step.send !== undefined) events.push({ kind: 'send', text: step.send });
    this.deadline = step.timeoutMs !== undefined ? now + step.timeoutMs : undefined;
    // A last step with nothing to answer and no test ends the dialogue right away.
    if (this.answerPattern(index) === undefined && step.test === undefined)
      this.finishScript(events);
  }

  private finishScript(events: ScriptEvent[]): void {
    this.state = 'finished';
    this.deadline = undefined;
    events.push({ kind: 'finished' });
  }

  /** What ends step `index`'s command; undefined for a last step that sends nothing. */
  private answerPattern(index: number): string | undefined {
    const step = this.steps[index] as ScriptStep;
    const next = this.steps[index + 1];
    if (next) return next.expect;
    if (step.end !== undefined) return step.end;
    return step.send !== undefined ? step.expect : undefined;
  }

  /**
   * The boot gave up during step `index`: it and every later test are left to the boot's end;
   * the step in progress keeps what its command printed so far.
   */
  private abandon(index: number): void {
    const step = this.steps[index];
    const printed =
      this.running === index && step ? stepOutput(this.text.slice(this.from), step.send) : [];
    this.missing(index, printed);
    for (let i = index + 1; i < this.steps.length; i++) this.missing(i);
    this.state = 'failed';
    this.deadline = undefined;
  }

  private missing(index: number, output: string[] = []): void {
    const id = this.steps[index]?.test;
    if (id !== undefined) this.observations.push({ id, status: 'missing', output });
  }

  private close(index: number, text: string, answered: boolean, note?: string): void {
    const step = this.steps[index] as ScriptStep;
    const { token } = step;
    if (token !== undefined && answered && this.tokenMissing === undefined) {
      const lines = text.split('\n').map((l) => l.trim());
      if (!lines.includes(token))
        this.tokenMissing = `${describe(this.steps, index)} was answered without this boot's token on a line of its own: a replayed log?`;
    }
    if (step.test === undefined) return;
    const output = stepOutput(text, step.send);
    const status = stepStatus(step, output, answered);
    if (note) output.push(note);
    this.observations.push({ id: step.test, status, output });
  }
}

/**
 * "console script step 3 (usertests: "usertests -q")", as messages name a step: numbered as
 * the config lists them, the token steps diverge adds (model/token.ts) named by the step after.
 */
function describe(steps: readonly ScriptStep[], index: number): string {
  const step = steps[index] as ScriptStep;
  const number = steps.slice(0, index + 1).filter((s) => s.token === undefined).length;
  if (step.token !== undefined)
    return index + 1 < steps.length
      ? `the token check before console script step ${number + 1}`
      : 'the token check after the last console script step';
  const what = [
    step.test,
    step.send !== undefined ? JSON.stringify(step.send.trimEnd()) : undefined,
  ].filter((part) => part !== undefined);
  return `console script step ${number}${what.length ? ` (${what.join(': ')})` : ''}`;
}

/** The lines of a step's exchange without the echo of its command and without blank edges. */
export function stepOutput(text: string, send: string | undefined): string[] {
  const output = text.split('\n').map((l) => l.trimEnd());
  while (output.length > 0 && output[0] === '') output.shift();
  // The console echoes what was typed: drop those lines, in order, where they lead the output.
  for (const sent of (send ?? '').split('\n').map((l) => l.trim())) {
    if (sent === '' || output[0]?.trim() !== sent) continue;
    output.shift();
  }
  while (output.length > 0 && output[0] === '') output.shift();
  while (output.length > 0 && output.at(-1) === '') output.pop();
  return output;
}

/** `fail` first, then `pass`; without rules, a step passes when the dialogue went on. */
export function stepStatus(
  step: Pick<ScriptStep, 'pass' | 'fail'>,
  output: readonly string[],
  answered: boolean,
): 'pass' | 'fail' {
  const text = output.join('\n');
  if (step.fail !== undefined && consolePattern(step.fail).test(text)) return 'fail';
  if (step.pass !== undefined) return consolePattern(step.pass).test(text) ? 'pass' : 'fail';
  return answered ? 'pass' : 'fail';
}
