/**
 * Every YAML block of README.md and docs/ is covered by an entry of DOC_EXAMPLES
 * (test/helpers/docs-examples.ts), which says what runs it, and each parses as what it is: a
 * config the loader takes (a fragment put into the course fixture's config), an expectations
 * file, or workflow YAML whose diverge steps give only inputs action.yml has and read only
 * outputs it sets. Booting is test/integration/docs-examples.test.ts's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseExpectations } from '../../src/compare/expectations.js';
import { parseConfig } from '../../src/config/load.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import {
  blockOf,
  coveredBlocks,
  type DocBlock,
  docBlocks,
  DOC_EXAMPLES,
  type DocExample,
  fragmentConfig,
} from '../helpers/docs-examples.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const where = (b: { page: string; line: number }) => `${b.page}:${b.line}`;

interface ActionMetadata {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}
const metadata = (file: string) =>
  parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as ActionMetadata;
const ACTIONS: Record<string, ActionMetadata> = {
  'OWNER/diverge': metadata('action.yml'),
  'OWNER/diverge/report': metadata('report/action.yml'),
  'OWNER/diverge/grade': metadata('grade/action.yml'),
};

interface Step {
  uses?: string;
  id?: string;
  with?: Record<string, unknown>;
}

/** The steps of a workflow (its jobs') or of a list of steps. */
function stepsOf(value: unknown): Step[] {
  if (Array.isArray(value)) return value as Step[];
  const jobs = (value as { jobs?: Record<string, { steps?: Step[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((job) => job.steps ?? []);
}

/** What a workflow block asks of diverge's actions that they do not have. */
function workflowProblems(text: string): string[] {
  const steps = stepsOf(parse(text));
  const ours = steps.filter((s) => s.uses?.startsWith('OWNER/diverge'));
  if (ours.length === 0) return ['no step uses OWNER/diverge'];
  const problems: string[] = [];
  const outputsOf = new Map<string, ActionMetadata>();
  for (const step of ours) {
    const action = ACTIONS[step.uses?.replace(/@.*$/, '') ?? ''];
    if (!action) {
      problems.push(`${step.uses}: no such action in this repository`);
      continue;
    }
    for (const input of Object.keys(step.with ?? {}))
      if (!(input in action.inputs)) problems.push(`${step.uses}: no input ${input}`);
    if (step.id) outputsOf.set(step.id, action);
  }
  for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const action = outputsOf.get(id as string);
    if (action && !((output as string) in action.outputs))
      problems.push(`steps.${id}.outputs.${output}: the action sets no such output`);
  }
  return problems;
}

const uncovered = (blocks: readonly DocBlock[]) =>
  coveredBlocks(blocks)
    .filter((c) => !c.example)
    .map((c) => `${where(c.block)}: a YAML example nothing runs: give it an entry`);

describe("the docs' YAML examples", () => {
  it('are each covered by one entry of DOC_EXAMPLES (test/helpers/docs-examples.ts)', () => {
    expect(uncovered(docBlocks())).toEqual([]);
    // One entry per block, and one block per entry: a match that takes two blocks is too loose.
    for (const { block } of coveredBlocks()) {
      const matching = DOC_EXAMPLES.filter((e) => e.page === block.page && e.match(block.text));
      expect([where(block), matching.map((e) => e.id)]).toEqual([where(block), [matching[0]?.id]]);
    }
    const counts = new Map<string, number>();
    for (const { example } of coveredBlocks())
      if (example) counts.set(example.id, (counts.get(example.id) ?? 0) + 1);
    const missing = DOC_EXAMPLES.filter((e) => (counts.get(e.id) ?? 0) !== 1).map(
      (e) => `${e.id}: ${counts.get(e.id) ?? 0} blocks of ${e.page}`,
    );
    expect(missing).toEqual([]);
  });

  it('fails on a block no entry covers, naming where it is', () => {
    const added = { page: 'docs/config.md', line: 700, text: 'machine:\n  arch: aarch64\n' };
    expect(uncovered([...docBlocks(), added])).toEqual([
      'docs/config.md:700: a YAML example nothing runs: give it an entry',
    ]);
  });

  const byKind = (kind: DocExample['coverage']['by']) =>
    DOC_EXAMPLES.filter((e) => e.coverage.by === kind).map((e) => e.id);

  it.each(byKind('test'))('%s: run by a named test that reads it from its page', (id) => {
    const example = DOC_EXAMPLES.find((e) => e.id === id) as DocExample;
    const coverage = example.coverage as { test: string };
    expect(readFileSync(path.join(REPO_ROOT, coverage.test), 'utf8')).toContain(example.page);
    expect(() => parseConfig(blockOf(id).text, '/course/diverge.yml')).not.toThrow();
  });

  it.each(byKind('boot'))('%s: a whole config the loader takes', (id) => {
    expect(() => parseConfig(blockOf(id).text, '/course/diverge.yml')).not.toThrow();
  });

  it.each(byKind('fragment'))("%s: taken by the loader in the course fixture's config", (id) => {
    const text = fragmentConfig(blockOf(id).text);
    expect(() => parseConfig(text, path.join(COURSE_DIR, 'diverge.yml'))).not.toThrow();
  });

  it('a fragment is put in whole: its keys replace the course config', () => {
    const merged = parse(fragmentConfig('grading:\n  default-points: 3\nmachine: { cpus: 2 }\n'));
    expect(merged).toMatchObject({ grading: { 'default-points': 3 }, machine: { cpus: 2 } });
    expect(merged.machine).not.toHaveProperty('arch');
    expect(merged.kernel).toHaveProperty('build');
  });

  it.each(byKind('schema'))('%s: valid under schema/config.v1.json', (id) => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema/config.v1.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
      schema as object,
    );
    validate(parse(blockOf(id).text));
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each(byKind('expectations'))('%s: read by the expectations loader', (id) => {
    const { page, text } = blockOf(id);
    expect(parseExpectations(text, page).length).toBeGreaterThan(0);
  });

  it.each(byKind('workflow'))(
    "%s: diverge's steps use only action.yml's inputs and outputs",
    (id) => {
      expect(workflowProblems(blockOf(id).text)).toEqual([]);
    },
  );

  it('finds a workflow step giving an input or reading an output action.yml does not have', () => {
    const steps = [
      '- uses: OWNER/diverge@v1',
      '  id: d',
      '  with: { confg: diverge.yml }',
      '- run: echo ${{ steps.d.outputs.clasroom-result }}',
      '',
    ].join('\n');
    expect(workflowProblems(steps)).toEqual([
      'OWNER/diverge@v1: no input confg',
      'steps.d.outputs.clasroom-result: the action sets no such output',
    ]);
  });
});
