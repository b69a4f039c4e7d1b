// Writes the inputs and outputs tables of action.yml (into README.md), report/action.yml and
// grade/action.yml (into docs/action.md) between <!-- action-docs:NAME --> markers; with --check, fails when a page is
// out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { parse } from 'yaml';

/** Each marker: the action whose tables go there, and the page that holds the marker. */
const TABLES = [
  { name: 'action', action: 'action.yml', page: 'README.md' },
  { name: 'report', action: 'report/action.yml', page: 'docs/action.md' },
  { name: 'grade', action: 'grade/action.yml', page: 'docs/action.md' },
];
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

let stale = false;
for (const page of new Set(TABLES.map((t) => t.page))) {
  const original = readFileSync(page, 'utf8');
  let text = original;
  for (const { name, action } of TABLES.filter((t) => t.page === page)) {
    const start = `<!-- action-docs:${name} -->`;
    const end = `<!-- /action-docs:${name} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) {
      console.error(`${page}: missing ${start} ... ${end}`);
      process.exit(1);
    }
    text = `${text.slice(0, from + start.length)}\n\n${tables(action)}\n\n${text.slice(to)}`;
  }
  // Formatted as Prettier would, so that `prettier --check` and this check agree.
  text = await prettier.format(text, {
    ...(await prettier.resolveConfig(page)),
    filepath: page,
  });
  if (!process.argv.includes('--check')) writeFileSync(page, text);
  else if (text !== original) {
    console.error(`${page}: the action tables are out of date: run node scripts/action-docs.mjs`);
    stale = true;
  }
}
if (stale) process.exit(1);
