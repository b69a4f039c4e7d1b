/**
 * The options and inputs that commands share: NAME=PATH kernels, positive counts, the config,
 * the output directory a command takes, a report file to read, and the kinds of errors that are
 * the user's input rather than the host's.
 */
import { existsSync } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { readJsonFile } from '../util/schema.js';
import path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { ConfigError, defaultSettings, loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { BuildError } from '../docker/errors.js';
import { HarnessError } from '../harness/errors.js';
import type { Report } from '../model/report.js';
import { KernelFileError } from '../qemu/kernel-image.js';
import { ReferenceFetchError } from '../references/sources/index.js';
import { ReportError, validateReport } from '../report/validate.js';
import type { KernelInput } from '../session/boots.js';
import { NotRegularFileError } from '../util/digest.js';
import { claimOutDir, clearEarlierRun } from '../util/out-dir.js';
import { InputError } from './inputs.js';

/** The command line asked for something that cannot be done (exit 2). */
export class UsageError extends Error {}

/** Bad input of every command that boots kernels: the config, kernel files, the harness, builds. */
export const BOOT_INPUT_ERRORS = [
  InputError,
  ConfigError,
  NotRegularFileError,
  KernelFileError,
  HarnessError,
  BuildError,
];

/** ...and of every command that also fetches references and writes a report. */
export const JUDGE_INPUT_ERRORS = [...BOOT_INPUT_ERRORS, ReferenceFetchError, ReportError];

export function kernelOption(value: string, previous: KernelInput[] = []): KernelInput[] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1)
    throw new InvalidArgumentError(`expected NAME=PATH, got "${value}"`);
  return [...previous, { name: value.slice(0, at), path: path.resolve(value.slice(at + 1)) }];
}

/**
 * An option whose value is one of `values`, as --help and the shell completions show it, parsed
 * by `parse` (commander's own choices() would keep only the last of a repeated option).
 */
export function optionOf<T>(
  flags: string,
  description: string,
  values: readonly string[],
  parse?: (value: string, previous: T) => T,
): Option {
  const option = new Option(flags, description);
  if (parse) option.argParser(parse);
  option.argChoices = [...values];
  return option;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export const configOption = () =>
  new Option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)');

export const jobsOption = (description = 'boots at once (default: from cores and memory)') =>
  new Option('-j, --jobs <n>', description).argParser(positiveInt);

/** `--reference NAME=PATH` of run, grade and bisect (resolved by references/resolve.ts). */
export const referenceOption = () =>
  new Option(
    '-r, --reference <name=path>',
    "a reference: a kernel file, or a source directory built with kernel.build (repeatable; replaces the config's references)",
  ).argParser(kernelOption);

export const observationCacheOption = () =>
  new Option(
    '--no-observation-cache',
    'boot every reference even when an earlier run booted the same kernel the same way',
  );

/** `--config` if given, else diverge.yml in `cwd` if present, else the defaults. */
export async function settingsFor(config: string | undefined, cwd: string): Promise<Settings> {
  if (config) return loadConfig(path.resolve(cwd, config));
  const found = path.join(cwd, 'diverge.yml');
  return existsSync(found) ? loadConfig(found) : defaultSettings(cwd);
}

/**
 * Takes --out for this process (see util/out-dir.ts); `fresh`: without an earlier run's files.
 * Only once every input was checked (./inputs.ts): a typo must not cost an earlier run's files.
 */
export async function takeOut(
  dir: string,
  log: (line: string) => void,
  fresh = false,
): Promise<string> {
  const outDir = path.resolve(dir);
  // A file (or anything but a folder) where --out should be is the user's input, not the disk's.
  const found = await lstat(outDir).catch(() => undefined);
  if (found && !found.isDirectory() && !(found.isSymbolicLink() && (await isDirectory(outDir))))
    throw new ConfigError(outDir, [
      {
        path: '--out',
        message: 'is not a directory (a file is there): name a folder for the output',
      },
    ]);
  await claimOutDir(outDir, log);
  if (fresh) await clearEarlierRun(outDir, log);
  return outDir;
}

const isDirectory = (file: string) =>
  stat(file).then(
    (info) => info.isDirectory(),
    () => false,
  );

/** A report.json, checked against the schema. */
export async function readReport(file: string): Promise<Report> {
  return validateReport(await readJsonFile(file, 'report', UsageError), file);
}
