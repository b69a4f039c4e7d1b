/** `diverge compare`: a saved run judged again, without booting. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import { variantOf } from '../docker/kernel.js';
import { ReportError } from '../report/validate.js';
import { compareSaved } from '../run/candidate.js';
import { noSavedRun, SavedRunError } from '../session/saved-run.js';
import { action, type Cli, reportOutcome, withExamples, withOutputOptions } from './command.js';
import { configOption, settingsFor, takeOut } from './options.js';

interface CompareOptions {
  from: string;
  config?: string;
  candidate?: string;
  out?: string;
  variant?: string;
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('compare')
    .description(
      'judge a saved run again (after changing the config or expectations) without booting',
    )
    .requiredOption(
      '--from <dir>',
      'output directory of an earlier `diverge run` or `diverge boot`',
    )
    .addOption(configOption())
    .option(
      '--candidate <name>',
      'which saved kernel is the candidate (default: as saved by run, else "candidate")',
    )
    .option('-o, --out <dir>', 'where to write the new report (default: the --from directory)')
    .option('--variant <name>', 'name of this build variant (default: as for run)');
  withOutputOptions(command).action(
    action(cli, [ConfigError, SavedRunError, ReportError], async (options: CompareOptions) => {
      const settings = await settingsFor(options.config, cli.cwd);
      const from = path.resolve(options.from);
      const saved = path.join(from, 'boots.json');
      // Before --out is taken: a mistyped --from must not be made a directory.
      if (!(await stat(saved).catch(() => undefined))?.isFile()) throw noSavedRun(saved, from);
      const outDir = await takeOut(options.out ?? options.from, cli.log);
      const report = await compareSaved(cli.context, settings, from, {
        outDir,
        variant: variantOf(settings, options.variant),
        progress: cli.log,
        ...(options.candidate ? { candidate: options.candidate } : {}),
      });
      return reportOutcome(cli, report, outDir);
    }),
  );
  return withExamples(command, [
    [
      'diverge compare --from out/',
      "judge out/'s boots again with ./diverge.yml (after a change to its rules or expectations)",
    ],
    [
      'diverge compare --from boots/ --candidate student -o judged/',
      'a `diverge boot` run, kernel "student" as the candidate, the report in judged/',
    ],
  ]);
}
