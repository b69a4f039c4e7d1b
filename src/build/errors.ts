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

/** No Docker engine to talk to: an infrastructure problem, not the user's kernel. */
export class DockerUnavailableError extends Error {}
