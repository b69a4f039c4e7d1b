/** `diverge boot`: boot kernels with the shared harness, recording each boot. */
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../model/constants.js';
import { bootKernels, type KernelInput } from '../session/boots.js';
import { writeOutput } from '../util/storage.js';
import { action, type Cli, withExamples } from './command.js';
import { checkBootInputs } from './inputs.js';
import {
  BOOT_INPUT_ERRORS,
  configOption,
  jobsOption,
  kernelOption,
  settingsFor,
  takeOut,
} from './options.js';
import { DEFAULT_OUT } from '../util/out-dir.js';

interface BootOptions {
  config?: string;
  kernel: KernelInput[];
  out: string;
  jobs?: number;
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('boot')
    .description(
      "boot kernels with the shared harness and write each boot's observations and serial log",
    )
    .addOption(configOption())
    .requiredOption('-k, --kernel <name=path>', 'a kernel to boot (repeatable)', kernelOption)
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.run)
    .addOption(jobsOption())
    .action(
      action(cli, BOOT_INPUT_ERRORS, async (options: BootOptions) => {
        const settings = await settingsFor(options.config, cli.cwd);
        await checkBootInputs(settings, options.kernel);
        const outDir = await takeOut(options.out, cli.log, true);
        const run = await bootKernels(cli.context, settings, options.kernel, {
          outDir,
          docker: cli.docker,
          ...(options.jobs ? { jobs: options.jobs } : {}),
          progress: cli.log,
        });
        await writeOutput(
          path.join(outDir, 'boots.json'),
          `${JSON.stringify(run, null, 2)}\n`,
          'the saved run',
        );
        cli.log(`observations and logs in ${outDir}`);
        return EXIT.ok;
      }),
    );
  return withExamples(command, [
    [
      'diverge boot -k staff=build/staff.elf -k student=build/kernel.elf',
      "boot both kernels with ./diverge.yml's harness; observations and serial logs in diverge-out/",
    ],
    [
      'diverge boot -c lab2/diverge.yml -k mine=arch/x86/boot/bzImage -o boots/ -j 4',
      'another config, four boots at once, into boots/',
    ],
  ]);
}
