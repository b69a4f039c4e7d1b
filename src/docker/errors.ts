/** A build or extraction that failed because of what was asked: a Dockerfile, a path, a target. */
export class BuildError extends Error {
  /** The config field at fault, like `kernel.build` or `harness.image`. */
  readonly field: string;
  /** The last lines the build printed before it failed, for the reader to see why. */
  readonly lastLines: readonly string[];
  constructor(message: string, options: { field: string; lastLines?: readonly string[] }) {
    super(message);
    this.field = options.field;
    this.lastLines = options.lastLines ?? [];
  }
}

/** The last lines a build printed: what a failure shows of why. */
export class LastLines {
  static readonly COUNT = 20;
  /** Longest line kept; a build's line may be a whole minified file. */
  static readonly MAX_CHARS = 500;
  readonly lines: string[] = [];
  /** Keeps a clean line (see cleanLine), capped; blank ones say nothing and are skipped. */
  add(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line.slice(0, LastLines.MAX_CHARS));
    if (this.lines.length > LastLines.COUNT) this.lines.shift();
  }
  /** The end of a failure's message: the lines, indented, under a heading; '' when none. */
  get tail(): string {
    return this.lines.length
      ? `\nlast lines of the build:\n${this.lines.map((line) => `  ${line}`).join('\n')}`
      : '';
  }
}

/** No Docker engine to talk to: an infrastructure problem, not the user's kernel. */
export class DockerUnavailableError extends Error {}
