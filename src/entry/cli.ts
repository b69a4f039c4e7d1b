import { divergeProgram } from '../commands/program.js';
import { type Cli, failureLine } from '../commands/command.js';
import { colorFor, createRunContext } from '../context.js';
import { dockerAccess } from '../docker/docker.js';
import { EXIT } from '../model/constants.js';
import { useProxy } from '../util/proxy.js';
import { dropDependencyWarnings } from '../util/warnings.js';
import { undoAll } from '../util/interrupt.js';

/** How long an interrupted command may take to remove its containers and worktrees. */
const UNDO_ON_SIGNAL_MS = 15_000;

dropDependencyWarnings();
const log = (line: string) => process.stderr.write(`[diverge] ${line}\n`);
/** Read from the environment once; its process registry lets an interrupted CLI stop every QEMU. */
const context = createRunContext(process.env);
useProxy(context.proxy, { info: log, warning: (line) => log(`warning: ${line}`) });

// Interrupted (Ctrl-C, a cancelled CI job): stop every QEMU first. Observations and logs of the
// boots that ended are already on disk. Then remove the containers and worktrees still in use
// (bounded: a wedged engine does not keep diverge alive), and die of the signal itself (a shell
// sees 130 or 143): process.exit would wait for a file operation stuck in a worker thread (a
// FIFO's open), forever. A second signal ends diverge at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`diverge: ${signal}: stopping every boot\n`);
    context.processes.killAll();
    void undoAll(UNDO_ON_SIGNAL_MS).then((undone) => {
      if (undone > 0)
        process.stderr.write(
          `diverge: ${signal}: removed ${undone} container(s) and worktree(s)\n`,
        );
      context.processes.killAll();
      process.kill(process.pid, signal);
    });
  });
}
process.on('exit', () => context.processes.killAll());

/** The exit code of the command; commander's own errors (it printed them) are usage errors. */
async function main(argv: string[]): Promise<number> {
  const progress = (line: string) => {
    if (!cli.quiet) log(line);
  };
  const cli: Cli = {
    context,
    env: process.env,
    cwd: process.cwd(),
    docker: dockerAccess(context.dockerHost, undefined, progress, context.waits.dockerMs),
    log: progress,
    quiet: false,
    color: colorFor(process.env, Boolean(process.stdout.isTTY)),
    exitCode: EXIT.ok,
  };
  try {
    await divergeProgram(cli).parseAsync(argv);
    return cli.exitCode;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode?.startsWith('commander.'))
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    process.stderr.write(failureLine(error));
    return EXIT.infrastructure;
  }
}

const exitCode = await main(process.argv);
// What the disk refused was said as it happened; it is listed again at the end, and the run
// failed for the infrastructure whatever the verdict.
for (const line of context.unwritten) process.stderr.write(`diverge: ${line}\n`);
process.exitCode = context.unwritten.length > 0 ? EXIT.infrastructure : exitCode;
