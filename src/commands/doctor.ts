/** `diverge doctor`: what a run needs on this host, each problem with its fix. */
import type { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { doctor, doctorExitCode, renderFindings } from '../doctor/doctor.js';
import { action, type Cli, withExamples, withOutputOptions } from './command.js';
import { configOption, settingsFor } from './options.js';

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('doctor')
    .description(
      'check what a run needs on this host (QEMU, KVM, Docker, Node, disk, memory), each problem with its fix',
    )
    .addOption(configOption());
  withOutputOptions(command).action(
    action(cli, [ConfigError], async (options: { config?: string }) => {
      const findings = await doctor(
        cli.context,
        await settingsFor(options.config, cli.cwd),
        cli.docker,
      );
      return {
        exitCode: doctorExitCode(findings),
        text: `${renderFindings(findings)}\n`,
        summary: { findings },
      };
    }),
  );
  return withExamples(command, [
    ['diverge doctor', "check this host for ./diverge.yml's machine (exit 3 when a check fails)"],
    ['diverge doctor -c lab2/diverge.yml', "for that config's machine.arch"],
  ]);
}
