/** The `diverge` program: every command, in the order --help lists them. */
import { Command } from 'commander';
import { TOOL_VERSION } from '../model/constants.js';
import * as bisect from './bisect.js';
import * as boot from './boot.js';
import type { Cli } from './command.js';
import * as compare from './compare.js';
import * as completion from './completion.js';
import * as demo from './demo.js';
import * as doctor from './doctor.js';
import * as expectations from './expectations.js';
import * as grade from './grade.js';
import * as gradeMerge from './grade-merge.js';
import * as history from './history.js';
import * as init from './init.js';
import * as report from './report.js';
import * as run from './run.js';

export function divergeProgram(cli: Cli): Command {
  const program = new Command('diverge')
    .description('Differential testing of operating-system kernels under QEMU')
    .version(TOOL_VERSION)
    // A subcommand's options are its own (`grade merge --out` is not `grade --out`).
    .enablePositionalOptions()
    // Commands inherit these two when they are added (so before any is).
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of [init, boot, run, compare, report, expectations, doctor, demo, bisect])
    command.register(program, cli);
  gradeMerge.register(grade.register(program, cli), cli);
  history.register(program, cli);
  completion.register(program, cli);
  return program;
}
