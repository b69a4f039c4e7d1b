/**
 * What every command is given and how it ends. The entry reads the environment once and hands
 * each command a `Cli`; a command's action returns its exit code (EXIT in model/constants.ts),
 * and an error it throws ends it with 2 when the command takes that kind for bad input (its own
 * list), else with 3 (the infrastructure, or anything unexpected).
 */
import type { Command } from 'commander';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import { EXIT } from '../model/constants.js';
import type { Report } from '../model/report.js';
import { renderTerminal } from '../render/terminal.js';
import { refusalMessage } from '../util/storage.js';

export interface Cli {
  context: RunContext;
  /** The environment the context was read from: GitHub's variables for fetching references. */
  env: NodeJS.ProcessEnv;
  /** The working directory: where `diverge.yml` is looked for when `--config` is not given. */
  cwd: string;
  /** Connects on first use only: runs that boot files never need a Docker engine. */
  docker: DockerAccess;
  log: (line: string) => void;
  /** The exit code of the command that ran. */
  exitCode: number;
}

/** A class of errors. */
export type ErrorKind = abstract new (...args: never[]) => Error;

/** How the CLI says why it stopped: a refused write in words, else the error's message. */
export const failureLine = (error: unknown) =>
  `diverge: ${refusalMessage(error) ?? (error as Error).message}\n`;

/** A command's action: `body` returns the exit code; `badInput` are the errors that exit 2. */
export function action<Args extends unknown[]>(
  cli: Cli,
  badInput: readonly ErrorKind[],
  body: (...args: Args) => Promise<number>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    try {
      cli.exitCode = await body(...args);
    } catch (error) {
      process.stderr.write(failureLine(error));
      cli.exitCode = badInput.some((kind) => error instanceof kind)
        ? EXIT.usage
        : EXIT.infrastructure;
    }
  };
}

/** Ends the command's --help with invocations of it, each with what it does. */
export function withExamples(
  command: Command,
  examples: readonly (readonly [invocation: string, what: string])[],
): Command {
  const lines = examples.map(([invocation, what]) => `  $ ${invocation}\n      ${what}`);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}

/** A judged report on stdout, in colour on a terminal. */
export const showReport = (report: Report) =>
  process.stdout.write(renderTerminal(report, { color: Boolean(process.stdout.isTTY) }));

/** The exit code of a judged report: 3 when nothing could be judged, 1 when it fails, else 0. */
export const reportExitCode = (report: Report): number =>
  report.summary.conclusion === 'neutral'
    ? EXIT.infrastructure
    : report.summary.failing > 0
      ? EXIT.divergences
      : EXIT.ok;
