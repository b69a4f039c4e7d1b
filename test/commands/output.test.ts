/**
 * The terminal conventions every reporting command shares through src/commands/command.ts:
 * `--json` puts one JSON document on stdout whatever happened, `--quiet` silences the progress
 * lines, and colours follow NO_COLOR, FORCE_COLOR and the terminal.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { action, type Cli, type Outcome, withOutputOptions } from '../../src/commands/command.js';
import { UsageError } from '../../src/commands/options.js';
import { colorFor, createRunContext } from '../../src/context.js';
import { dockerAccess } from '../../src/docker/docker.js';
import { divergeProgram } from '../../src/commands/program.js';

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = '';
  stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

function cliFor(): Cli {
  const context = createRunContext({});
  const cli: Cli = {
    context,
    env: {},
    cwd: '/',
    docker: dockerAccess(context.dockerHost, undefined, () => undefined, 1000),
    log: (line) => {
      if (!cli.quiet) process.stderr.write(`[diverge] ${line}\n`);
    },
    quiet: false,
    color: false,
    exitCode: 0,
  };
  return cli;
}

/** A program with one reporting command whose body says `progress` and then does `end`. */
async function runWith(args: string[], end: () => Outcome) {
  const cli = cliFor();
  const program = new Command('diverge').exitOverride();
  withOutputOptions(program.command('check')).action(
    action(cli, [UsageError], async () => {
      cli.log('progress line');
      return end();
    }),
  );
  await program.parseAsync(['check', ...args], { from: 'user' });
  return cli.exitCode;
}

const outcome: Outcome = { exitCode: 1, text: 'two divergences\n', summary: { divergences: 2 } };

describe('--json and --quiet, for every reporting command alike', () => {
  it('prints the text by default, and the progress lines', async () => {
    expect(await runWith([], () => outcome)).toBe(1);
    expect(stdout).toBe('two divergences\n');
    expect(stderr).toBe('[diverge] progress line\n');
  });

  it('--json: the summary with the command and exit code on stdout instead', async () => {
    expect(await runWith(['--json'], () => outcome)).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ command: 'check', exitCode: 1, divergences: 2 });
    expect(stderr).toBe('[diverge] progress line\n');
  });

  it('--json: an error is a JSON document too, with exit 2 for bad input', async () => {
    const code = await runWith(['--json', '--quiet'], () => {
      throw new UsageError('--candidate /nonexistent.elf: file not found');
    });
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      command: 'check',
      exitCode: 2,
      error: '--candidate /nonexistent.elf: file not found',
    });
    expect(stderr).toBe('diverge: --candidate /nonexistent.elf: file not found\n');
  });

  it('--quiet: no progress lines; the result still on stdout', async () => {
    await runWith(['-q'], () => outcome);
    expect(stderr).toBe('');
    expect(stdout).toBe('two divergences\n');
  });

  it('is offered by run, grade, bisect, doctor and compare', () => {
    const program = divergeProgram(cliFor());
    for (const name of ['run', 'grade', 'bisect', 'doctor', 'compare']) {
      const command = program.commands.find((c) => c.name() === name) as Command;
      const flags = command.options.map((o) => o.long);
      expect(flags).toEqual(expect.arrayContaining(['--quiet', '--json']));
    }
  });
});

describe('colorFor', () => {
  it('follows FORCE_COLOR, then NO_COLOR and TERM=dumb, then the terminal', () => {
    expect(colorFor({}, true)).toBe(true);
    expect(colorFor({}, false)).toBe(false);
    expect(colorFor({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorFor({ NO_COLOR: '' }, true)).toBe(true); // set but empty: no-color.org
    expect(colorFor({ TERM: 'dumb' }, true)).toBe(false);
    expect(colorFor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorFor({ FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorFor({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(colorFor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorFor({ FORCE_COLOR: 'false' }, true)).toBe(false);
  });
});
