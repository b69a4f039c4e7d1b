/**
 * The CLI's whole run, from an argument vector to an exit code: the CLI's entry (dist/cli.js)
 * and the grade/ sub-action (dist/grade.js, `diverge grade` on a runner) both run it.
 */
import { divergeProgram } from './program.js';
import { type Cli, failureLine } from './command.js';
import { colorFor, createRunContext } from '../context.js';
import { dockerAccess } from '../docker/docker.js';
import { EXIT } from '../model/constants.js';
import { useProxy } from '../util/proxy.js';
import { dropDependencyWarnings } from '../util/warnings.js';
import { undoAll } from '../util/interrupt.js';

/** How long an interrupted command may take to remove its containers and worktrees. */
const UNDO_ON_SIGNAL_MS = 15_000;

export interface CliProcess {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard error's writer, and whether standard output is a terminal. */
  stderr: (text: string) => void;
  tty: boolean;
}

/** Runs the program on `argv` (node, script, arguments…) and returns the exit code. */
export async function runCli(proc: CliProcess): Promise<number> {
  dropDependencyWarnings();
  const log = (line: string) => proc.stderr(`[diverge] ${line}\n`);
  /** Its process registry lets an interrupted CLI stop every QEMU. */
  const context = createRunContext(proc.env);
  useProxy(context.proxy, { info: log, warning: (line) => log(`warning: ${line}`) });

  // Interrupted (Ctrl-C, a cancelled CI job): stop every QEMU first. Observations and logs of the
  // boots that ended are already on disk. Then remove the containers and worktrees still in use
  // (bounded: a wedged engine does not keep diverge alive), and die of the signal itself (a shell
  // sees 130 or 143): process.exit would wait for a file operation stuck in a worker thread (a
  // FIFO's open), forever. A second signal ends diverge at once.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      proc.stderr(`diverge: ${signal}: stopping every boot\n`);
      context.processes.killAll();
      void undoAll(UNDO_ON_SIGNAL_MS).then((undone) => {
        if (undone > 0)
          proc.stderr(`diverge: ${signal}: removed ${undone} container(s) and worktree(s)\n`);
        context.processes.killAll();
        process.kill(process.pid, signal);
      });
    });
  }
  process.on('exit', () => context.processes.killAll());

  const exitCode = await main(proc, context, log);
  // What the disk refused was said as it happened; it is listed again at the end, and the run
  // failed for the infrastructure whatever the verdict.
  for (const line of context.unwritten) proc.stderr(`diverge: ${line}\n`);
  return context.unwritten.length > 0 ? EXIT.infrastructure : exitCode;
}

/** The exit code of the command; commander's own errors (it printed them) are usage errors. */
async function main(
  proc: CliProcess,
  context: ReturnType<typeof createRunContext>,
  log: (line: string) => void,
): Promise<number> {
  const progress = (line: string) => {
    if (!cli.quiet) log(line);
  };
  const cli: Cli = {
    context,
    env: proc.env,
    cwd: proc.cwd,
    docker: dockerAccess(
      context.dockerHost,
      undefined,
      progress,
      context.waits.dockerMs,
      context.builder,
    ),
    log: progress,
    quiet: false,
    color: colorFor(proc.env, proc.tty),
    exitCode: EXIT.ok,
  };
  try {
    await divergeProgram(cli).parseAsync(proc.argv);
    return cli.exitCode;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode?.startsWith('commander.'))
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    proc.stderr(failureLine(error));
    return EXIT.infrastructure;
  }
}
