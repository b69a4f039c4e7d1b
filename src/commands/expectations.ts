/** `diverge expectations update`: a report's divergences accepted in the expectations file. */
import path from 'node:path';
import type { Command } from 'commander';
import { reportDivergences, updateExpectations } from '../compare/expectations.js';
import { ConfigError } from '../config/load.js';
import { EXIT } from '../model/constants.js';
import { ReportError } from '../report/validate.js';
import { action, type Cli, withExamples } from './command.js';
import { readReport, settingsFor, UsageError } from './options.js';

interface UpdateOptions {
  report: string;
  config?: string;
  file?: string;
}

const EXAMPLES = [
  [
    'diverge expectations update --report out/report.json',
    "accept out/'s divergences in ./diverge.yml's expectations file",
  ],
  [
    'diverge expectations update --report out/report.json --file lab2/expected.yml',
    'in that file instead',
  ],
] as const;

export function register(program: Command, cli: Cli): Command {
  const expectations = withExamples(
    program.command('expectations').description('manage the expectations file'),
    EXAMPLES,
  );
  const update = expectations
    .command('update')
    .description("write a report's divergences into the expectations file as accepted")
    .requiredOption('--report <file>', 'report.json to take the divergences from')
    .option('-c, --config <file>', 'diverge.yml whose expectations file to update')
    .option(
      '--file <path>',
      'expectations file (default: from the config, .github/diverge-expectations.yml)',
    )
    .action(
      action(cli, [ConfigError, UsageError, ReportError], async (options: UpdateOptions) => {
        const settings = await settingsFor(options.config, cli.cwd);
        const report = await readReport(options.report);
        const file = path.resolve(options.file ?? settings.expectations);
        const result = await updateExpectations(file, reportDivergences(report), {
          arch: report.machine.arch,
          variant: report.variant,
          today: cli.context.clock.today(),
        });
        cli.log(`${file}: ${result.added} expectation(s) added, ${result.kept} kept`);
        return EXIT.ok;
      }),
    );
  withExamples(update, EXAMPLES);
  return expectations;
}
