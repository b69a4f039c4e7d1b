/**
 * `diverge init`: looks at a repository, says what kind of kernel it holds, and writes a
 * commented diverge.yml and a workflow that uses the action (config/init.ts has the kinds).
 * On a terminal it asks once whether the detected kind is right; `--yes`, `--kind` or no
 * terminal skip the question.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  detectKind,
  initFiles,
  kindDescription,
  REPOSITORY_KINDS,
  type RepositoryKind,
} from '../config/init.js';
import { EXIT } from '../model/constants.js';
import { action, type Cli, withExamples, withOutputOptions } from './command.js';
import { optionOf, UsageError } from './options.js';

const WORKFLOW = path.join('.github', 'workflows', 'diverge.yml');

/** The one question: the detected kind, or another one typed in its place. */
async function confirmKind(detected: RepositoryKind | undefined): Promise<RepositoryKind> {
  const prompt = detected
    ? `This looks like ${kindDescription(detected)}. Kind [${detected}] (or one of ${REPOSITORY_KINDS.join(', ')}): `
    : `Which kind of repository is this (${REPOSITORY_KINDS.join(', ')})? `;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(prompt)).trim();
    if (answer === '' && detected) return detected;
    if ((REPOSITORY_KINDS as readonly string[]).includes(answer)) return answer as RepositoryKind;
    throw new UsageError(
      `"${answer}" is not a kind diverge knows: one of ${REPOSITORY_KINDS.join(', ')}`,
    );
  } finally {
    rl.close();
  }
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('init')
    .description(
      "write a commented diverge.yml and .github/workflows/diverge.yml for the repository's kind of kernel",
    )
    .option('-d, --dir <dir>', 'the repository (default: the working directory)')
    .addOption(
      optionOf('-k, --kind <kind>', 'the kind of repository, not detected', REPOSITORY_KINDS),
    )
    .option('-f, --force', 'overwrite an existing diverge.yml (and the workflow)')
    .option('-y, --yes', 'take the detected kind without asking, even on a terminal');
  withOutputOptions(command).action(
    action(
      cli,
      [UsageError],
      async (options: { dir?: string; kind?: RepositoryKind; force?: boolean; yes?: boolean }) => {
        const dir = path.resolve(cli.cwd, options.dir ?? '.');
        if (!existsSync(dir)) throw new UsageError(`--dir ${dir}: no such directory`);
        const configFile = path.join(dir, 'diverge.yml');
        const workflowFile = path.join(dir, WORKFLOW);
        // Refused before anything is written: the user's own config is never replaced by surprise.
        for (const file of [configFile, workflowFile])
          if (!options.force && existsSync(file))
            throw new UsageError(`${file} exists: --force replaces it`);
        const detected = options.kind ?? (await detectKind(dir));
        const asking = !options.kind && !options.yes && process.stdin.isTTY && process.stderr.isTTY;
        const kind = asking ? await confirmKind(detected) : detected;
        if (!kind)
          throw new UsageError(
            `${dir}: no kernel repository diverge knows (a Linux tree, xv6, Pintos, a multiboot kernel, a Dockerfile): give --kind, one of ${REPOSITORY_KINDS.join(', ')}`,
          );
        const dockerfile = existsSync(path.join(dir, 'Dockerfile'));
        const files = initFiles(kind, dockerfile);
        await writeFile(configFile, files.config);
        await mkdir(path.dirname(workflowFile), { recursive: true });
        await writeFile(workflowFile, files.workflow);
        const written = [configFile, workflowFile];
        return {
          exitCode: EXIT.ok,
          text: `${kindDescription(kind)} (${kind}${dockerfile ? ', built by its Dockerfile' : ''}): wrote\n${written.map((f) => `  ${path.relative(cli.cwd, f) || f}\n`).join('')}next: diverge doctor${options.dir ? ` -c ${path.relative(cli.cwd, configFile)}` : ''}\n`,
          summary: { kind, detected: detected ?? null, dockerfile, files: written },
        };
      },
    ),
  );
  return withExamples(command, [
    [
      'diverge init',
      'detect the kind of the repository here, ask once on a terminal, write both files',
    ],
    ['diverge init --dir xv6 --kind xv6-riscv --yes', 'no question: the kind given, in ./xv6'],
    [
      'diverge init --force',
      'replace an existing diverge.yml and workflow (without --force: exit 2, nothing written)',
    ],
  ]);
}
