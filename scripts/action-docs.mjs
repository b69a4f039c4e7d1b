// Writes the inputs and outputs tables of action.yml and report/action.yml into the README
// between <!-- action-docs:NAME --> markers; with --check, fails when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { parse } from 'yaml';

const README = 'README.md';
const cell = (text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');

function tables(file) {
  const action = parse(readFileSync(file, 'utf8'));
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${cell(input.description)} | ${input.default === undefined || input.default === '' ? '' : `\`${cell(input.default)}\``} |`,
  );
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`,
  );
  return [
    '| input | description | default |',
    '| --- | --- | --- |',
    ...inputs,
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

let readme = readFileSync(README, 'utf8');
const original = readme;
for (const [name, file] of [
  ['action', 'action.yml'],
  ['report', 'report/action.yml'],
]) {
  const start = `<!-- action-docs:${name} -->`;
  const end = `<!-- /action-docs:${name} -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`${README}: missing ${start} ... ${end}`);
    process.exit(1);
  }
  readme = `${readme.slice(0, from + start.length)}\n\n${tables(file)}\n\n${readme.slice(to)}`;
}
// Formatted as Prettier would, so that `prettier --check` and this check agree.
readme = await prettier.format(readme, {
  ...(await prettier.resolveConfig(README)),
  filepath: README,
});
if (process.argv.includes('--check')) {
  if (readme !== original) {
    console.error(`${README}: the action tables are out of date: run node scripts/action-docs.mjs`);
    process.exit(1);
  }
} else writeFileSync(README, readme);
