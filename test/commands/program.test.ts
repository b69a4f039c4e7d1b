/**
 * The command line's surface: `diverge --help` lists every command (a dropped one fails here),
 * and every command's --help ends with examples that name it and parse as its options say.
 */
import { describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import type { Cli } from '../../src/commands/command.js';
import { divergeProgram } from '../../src/commands/program.js';
import { createRunContext } from '../../src/context.js';
import { dockerAccess } from '../../src/docker/docker.js';

/** Every command and subcommand of the design's CLI surface. */
const COMMANDS = [
  'init',
  'boot',
  'run',
  'compare',
  'report',
  'expectations',
  'expectations update',
  'doctor',
  'demo',
  'bisect',
  'grade',
  'grade merge',
  'history',
  'history add',
  'history show',
  'history render',
  'completion',
];

function program(): Command {
  const context = createRunContext({});
  const log = () => undefined;
  const cli: Cli = {
    context,
    env: {},
    cwd: '/',
    docker: dockerAccess(context.dockerHost, undefined, log, 1000),
    log,
    quiet: false,
    color: false,
    exitCode: 0,
  };
  return divergeProgram(cli);
}

/** The command at `path` (`grade merge`) and its ancestors' names. */
function find(root: Command, path: string): Command {
  return path.split(' ').reduce((command, name) => {
    const sub = command.commands.find((c) => c.name() === name);
    if (!sub) throw new Error(`no command "${path}"`);
    return sub;
  }, root);
}

/** What `--help` prints for `command`, the text added after it included. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

/** Every command of the tree, as `grade merge`. */
function everyCommand(command: Command, prefix = ''): string[] {
  return command.commands.flatMap((c) => {
    const path = `${prefix}${c.name()}`;
    return [path, ...everyCommand(c, `${path} `)];
  });
}

/** The invocations in a help text's Examples, without `diverge`, quotes and redirections. */
function examplesIn(help: string): string[][] {
  const examples = help.split('\nExamples:\n')[1] ?? '';
  return [...examples.matchAll(/^ {2}\$ diverge (.*)$/gm)].map((m) =>
    (m[1] ?? '')
      .replace(/\s*>.*$/, '')
      .split(/\s+/)
      .map((word) => word.replace(/^'(.*)'$/, '$1')),
  );
}

describe('diverge --help', () => {
  it('lists every command, and each parent its subcommands', () => {
    const root = program();
    expect(everyCommand(root)).toEqual(COMMANDS);
    for (const path of ['', 'expectations', 'grade', 'history']) {
      const parent = path ? find(root, path) : root;
      const listed = helpOf(parent).split('\nCommands:\n')[1] ?? '';
      for (const sub of parent.commands)
        expect(listed).toMatch(new RegExp(`^ {2}${sub.name()} `, 'm'));
    }
  });
});

describe.each(COMMANDS)('diverge %s --help', (path) => {
  it('ends with two or three examples of this command', () => {
    const examples = examplesIn(helpOf(find(program(), path)));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    const own = path.split(' ');
    // A parent without an action of its own shows its subcommand's.
    for (const words of examples) expect(words.slice(0, own.length)).toEqual(own);
  });

  it('has examples that parse as its options say', async () => {
    for (const words of examplesIn(helpOf(find(program(), path)))) {
      const root = program();
      let ran = '';
      for (const name of everyCommand(root)) {
        const command = find(root, name);
        command.configureOutput({ writeErr: (s) => (ran += `error: ${s}`) });
        command.action(() => {
          ran = name;
        });
      }
      await root.parseAsync(words, { from: 'user' });
      expect(ran).toBe(words.slice(0, ran.split(' ').length).join(' '));
    }
  });
});
