/**
 * `diverge completion bash|zsh|fish`: generated from the program, so every command and option is
 * in each script; each script is run in its shell (zsh and fish are installed by scripts/setup.sh) to complete
 * command names, subcommands, options and option values.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { completionScript } from '../../src/commands/completion.js';
import type { Cli } from '../../src/commands/command.js';
import { divergeProgram } from '../../src/commands/program.js';
import { createRunContext } from '../../src/context.js';
import { dockerAccess } from '../../src/docker/docker.js';
import { FAIL_ON_CLASSES } from '../../src/model/classes.js';

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

/** Every command with the options of its own, by path (`grade merge`). */
function commands(command: Command, at: string[] = []): { path: string[]; flags: string[] }[] {
  return [
    {
      path: at,
      flags: command.options.flatMap((o) => [o.short, o.long]).filter(Boolean) as string[],
    },
    ...command.commands.flatMap((sub) => commands(sub, [...at, sub.name()])),
  ];
}

const scriptFile = (shell: 'bash' | 'zsh' | 'fish') => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'diverge-completion-')), shell);
  writeFileSync(file, completionScript(program(), shell));
  return file;
};

describe('diverge completion', () => {
  it('names every command and every option of the program, in each shell', () => {
    const all = commands(program());
    expect(all.map((c) => c.path.join(' '))).toEqual(
      expect.arrayContaining(['run', 'grade', 'grade merge', 'expectations update', 'completion']),
    );
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const script = completionScript(program(), shell);
      for (const { path: words, flags } of all) {
        for (const word of words) expect(script).toContain(word);
        for (const flag of flags)
          expect(script).toContain(shell === 'fish' ? flag.replace(/^--?/, '') : flag);
      }
    }
  });

  it('bash: completes commands, subcommands, options and their values', () => {
    const file = scriptFile('bash');
    expect(spawnSync('bash', ['-n', file]).status).toBe(0);
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _diverge; printf '%s\\n' "\${COMPREPLY[@]}"`,
          file,
          'diverge',
          ...words,
        ],
        { encoding: 'utf8', cwd: path.dirname(file) },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('')).toEqual(
      expect.arrayContaining(['run', 'boot', 'grade', 'bisect', 'doctor', 'completion']),
    );
    expect(complete('gr')).toEqual(['grade']);
    expect(complete('grade', '')).toContain('merge');
    expect(complete('run', '--')).toEqual(
      expect.arrayContaining(['--config', '--candidate', '--out', '--quiet', '--json', '--help']),
    );
    expect(complete('grade', 'merge', '--')).toEqual(['--out', '--help']);
    expect(complete('bisect', '--class', '')).toEqual([...FAIL_ON_CLASSES]);
    expect(complete('report', '-f', 'ht')).toEqual(['html']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('run', '--config', 'ba')).toEqual(['bash']); // the script's own file
    expect(complete('run', '--jobs', '')).toEqual([]);
  });

  it('zsh: completes through _describe, _files and compadd', () => {
    const file = scriptFile('zsh');
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    // zsh's completion functions, stubbed to say what they were given.
    const complete = (...words: string[]) =>
      execFileSync(
        'zsh',
        [
          '-c',
          [
            'compdef() { :; }',
            '_describe() { shift 3; print -rl -- ${(P)1} }',
            '_files() { print -r -- files "$@" }',
            'compadd() { print -rl -- compadd "$@" }',
            '_message() { print -r -- message "$@" }',
            'source "$1"; shift',
            'words=("$@"); CURRENT=$#; PREFIX=$words[CURRENT]',
            '_diverge',
          ].join('\n'),
          'zsh',
          file,
          'diverge',
          ...words,
        ],
        { encoding: 'utf8' },
      );
    expect(complete('')).toMatch(/^run:boot the candidate and the references/m);
    expect(complete('grade', '')).toMatch(/^merge:/m);
    expect(complete('doctor', '--')).toMatch(/^--json:print a summary as JSON/m);
    expect(complete('bisect', '--out', '')).toBe('files -/\n');
    expect(complete('bisect', '--class', '')).toBe(
      ['compadd', '--', ...FAIL_ON_CLASSES, ''].join('\n'),
    );
  });

  it('fish: completes with complete -C', () => {
    const file = scriptFile('fish');
    expect(spawnSync('fish', ['-n', file]).status).toBe(0);
    const complete = (line: string) =>
      execFileSync('fish', ['-c', `source $argv[1]; complete -C${JSON.stringify(line)}`, file], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(complete('diverge ')).toEqual(
      expect.arrayContaining(['run', 'grade', 'bisect', 'completion']),
    );
    expect(complete('diverge grade ')).toContain('merge');
    expect(complete('diverge grade merge --')).toEqual(['--help', '--out']);
    expect(complete('diverge run --qu')).toEqual(['--quiet']);
    expect(complete('diverge bisect --class ')).toEqual([...FAIL_ON_CLASSES].sort());
    expect(complete('diverge completion ')).toEqual(['bash', 'fish', 'zsh']);
  });
});
