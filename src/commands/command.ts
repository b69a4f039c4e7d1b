/**
 * What every command is given and how it ends. The entry reads the environment once and hands
 * each command a `Cli`; a command's action returns its exit code (EXIT in model/constants.ts),
 * and an error it throws ends it with 2 when the command takes that kind for bad input (its own
 * list), else with 3 (the infrastructure, or anything unexpected).
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import { isDivergence } from '../model/classes.js';
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
  /** Progress lines on stderr; silent while `quiet`. */
  log: (line: string) => void;
  /** `--quiet`: the command asked for no progress lines (set by `action`, read by `log`). */
  quiet: boolean;
  /** Whether stdout takes colours (NO_COLOR, FORCE_COLOR, a terminal: context.ts colorFor). */
  color: boolean;
  /** The exit code of the command that ran. */
  exitCode: number;
}

/** A class of errors. */
export type ErrorKind = abstract new (...args: never[]) => Error;

/** How the CLI says why it stopped: a refused write in words, else the error's message. */
export const failureLine = (error: unknown) =>
  `diverge: ${refusalMessage(error) ?? (error as Error).message}\n`;

/**
 * What a command that reports gives back: its exit code, its text for people, and its summary
 * for machines. `action` prints the text on stdout, or with `--json` the summary (docs/cli.md).
 */
export interface Outcome {
  exitCode: number;
  text: string;
  summary: Record<string, unknown>;
}

/**
 * Adds `--quiet` and `--json`, which `action` obeys for every command alike: no progress lines
 * on stderr, and a machine-readable summary on stdout instead of the text.
 */
export function withOutputOptions(command: Command): Command {
  return command
    .option('-q, --quiet', 'no progress lines on stderr (what went wrong is still said)')
    .option(
      '--json',
      'print a summary as JSON on stdout instead of the text: {command, exitCode, …} (docs/cli.md)',
    );
}

/**
 * A command's action: `body` returns the exit code, or an Outcome to print; `badInput` are the
 * errors that exit 2. `--quiet` and `--json` (withOutputOptions) are obeyed here: with `--json`
 * stdout holds one JSON document whatever happened, `{command, exitCode, …summary}` or
 * `{command, exitCode, error}`.
 */
export function action<Args extends unknown[]>(
  cli: Cli,
  badInput: readonly ErrorKind[],
  body: (...args: Args) => Promise<number | Outcome>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    // Commander passes the command itself last.
    const command = args.at(-1) as Command;
    const { quiet, json } = command.opts<{ quiet?: boolean; json?: boolean }>();
    cli.quiet = Boolean(quiet);
    const document = (fields: Record<string, unknown>) => {
      // What the disk refused ends the run with 3 (see the entry), whatever the verdict.
      const unwritten = cli.context.unwritten;
      if (unwritten.length > 0) cli.exitCode = EXIT.infrastructure;
      const head = { command: command.name(), exitCode: cli.exitCode };
      const tail = unwritten.length > 0 ? { unwritten } : {};
      process.stdout.write(`${JSON.stringify({ ...head, ...fields, ...tail }, null, 2)}\n`);
    };
    try {
      const result = await body(...args);
      if (typeof result === 'number') cli.exitCode = result;
      else {
        cli.exitCode = result.exitCode;
        if (json) document(result.summary);
        else process.stdout.write(result.text);
      }
    } catch (error) {
      process.stderr.write(failureLine(error));
      cli.exitCode = badInput.some((kind) => error instanceof kind)
        ? EXIT.usage
        : EXIT.infrastructure;
      if (json) document({ error: failureLine(error).slice('diverge: '.length).trimEnd() });
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

/**
 * A judged report as a command's outcome: the verdicts as the terminal shows them (in colour
 * when stdout takes colours), or its summary: the conclusion, the counts, each divergence, and
 * where the report's files are.
 */
export function reportOutcome(cli: Cli, report: Report, outDir: string): Outcome {
  return {
    exitCode: reportExitCode(report),
    text: renderTerminal(report, { color: cli.color }),
    summary: {
      conclusion: report.summary.conclusion,
      summary: report.summary,
      candidate: { name: report.candidate.name, digest: report.candidate.digest },
      references: report.references.map((r) => ({
        name: r.name,
        digest: r.digest,
        ...(r.broken === undefined ? {} : { broken: r.broken }),
      })),
      divergences: report.tests
        .filter((t) => isDivergence(t.verdict))
        .map((t) => ({ id: t.id, class: t.verdict.class, failing: t.verdict.failing })),
      files: {
        report: path.join(outDir, 'report.json'),
        markdown: path.join(outDir, 'report.md'),
        html: path.join(outDir, 'report.html'),
        logs: path.join(outDir, 'logs'),
      },
    },
  };
}

/** The exit code of a judged report: 3 when nothing could be judged, 1 when it fails, else 0. */
export const reportExitCode = (report: Report): number =>
  report.summary.conclusion === 'neutral'
    ? EXIT.infrastructure
    : report.summary.failing > 0
      ? EXIT.divergences
      : EXIT.ok;
