/** `diverge grade merge`: the gradebooks of shards merged into one. */
import path from 'node:path';
import type { Command } from 'commander';
import { GradebookError } from '../grade/gradebook.js';
import { mergeShards } from '../grade/merge.js';
import { renderGradebookText } from '../grade/render.js';
import { EXIT } from '../model/constants.js';
import { action, type Cli, withExamples } from './command.js';

/** Registers `merge` under the `grade` command. */
export function register(grade: Command, cli: Cli): Command {
  const command = grade
    .command('merge')
    .description('merge the gradebooks of shards (--shard I/N runs of one grading) into one')
    .argument('<dirs...>', 'output directories of the shards')
    .requiredOption('-o, --out <dir>', 'where to write the merged gradebook')
    .action(
      action(cli, [GradebookError], async (dirs: string[], options: { out: string }) => {
        const outDir = path.resolve(options.out);
        const gradebook = await mergeShards(
          dirs.map((d) => path.resolve(d)),
          outDir,
        );
        process.stdout.write(renderGradebookText(gradebook));
        cli.log(
          `merged ${dirs.length} gradebook(s) of ${gradebook.students.length} student(s) into ${outDir}`,
        );
        return EXIT.ok;
      }),
    );
  return withExamples(command, [
    [
      'diverge grade merge shard-1 shard-2 shard-3 shard-4 -o grades',
      "one gradebook of the four shards, with every student's files, in grades/",
    ],
    ['diverge grade merge shard-* --out grades', 'every shard directory the shell finds'],
  ]);
}
