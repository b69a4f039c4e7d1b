import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, defaultSettings, loadConfig } from './config/load.js';
import type { Settings } from './config/settings.js';
import { runDemo } from './demo.js';
import { HarnessError } from './harness/payload.js';
import { bootKernels, type KernelInput } from './pipeline.js';
import { AccelError } from './qemu/accel.js';
import { MissingQemuError } from './qemu/binary.js';
import { KernelFileError } from './qemu/kernel-image.js';
import { EXIT, TOOL_VERSION } from './constants.js';

const log = (line: string) => process.stderr.write(`[diverge] ${line}\n`);

function kernelOption(value: string, previous: KernelInput[] = []): KernelInput[] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1)
    throw new InvalidArgumentError(`expected NAME=PATH, got "${value}"`);
  return [...previous, { name: value.slice(0, at), path: path.resolve(value.slice(at + 1)) }];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** `--config` if given, else ./diverge.yml if present, else the defaults. */
export async function settingsFor(configOption: string | undefined): Promise<Settings> {
  if (configOption) return loadConfig(configOption);
  return existsSync('diverge.yml') ? loadConfig('diverge.yml') : defaultSettings(process.cwd());
}

/** Maps an error to the documented exit code: 2 for bad input, 3 for the infrastructure. */
function exitCodeFor(error: unknown): number {
  if (
    error instanceof ConfigError ||
    error instanceof KernelFileError ||
    error instanceof HarnessError
  )
    return EXIT.usage;
  if (error instanceof MissingQemuError || error instanceof AccelError) return EXIT.infrastructure;
  return EXIT.infrastructure;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('diverge')
    .description('Differential testing of operating-system kernels under QEMU')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  let code: number = EXIT.ok;
  program
    .command('boot')
    .description(
      "boot kernels with the shared harness and write each boot's observations and serial log",
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .requiredOption('-k, --kernel <name=path>', 'a kernel to boot (repeatable)', kernelOption)
    .option('-o, --out <dir>', 'output directory', 'diverge-out')
    .option('-j, --jobs <n>', 'boots at once (default: from cores and memory)', positiveInt)
    .action(
      async (options: { config?: string; kernel: KernelInput[]; out: string; jobs?: number }) => {
        const settings = await settingsFor(options.config);
        const outDir = path.resolve(options.out);
        const run = await bootKernels(settings, options.kernel, {
          outDir,
          ...(options.jobs ? { jobs: options.jobs } : {}),
          progress: log,
        });
        await writeFile(path.join(outDir, 'boots.json'), `${JSON.stringify(run, null, 2)}\n`);
        log(`observations and logs in ${outDir}`);
      },
    );

  program
    .command('demo')
    .description('boot the bundled Linux fixture harness on the Debian kernels fetched by setup')
    .option('-o, --out <dir>', 'output directory', 'diverge-demo')
    .action(async (options: { out: string }) => {
      code = await runDemo(path.resolve(options.out), log);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode?.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    process.stderr.write(`diverge: ${(error as Error).message}\n`);
    return exitCodeFor(error);
  }
}

process.exitCode = await main(process.argv);
