/**
 * The starter kits of examples/ as files: every config is one the loader takes, every workflow's
 * diverge steps give only inputs their action.yml has (and read only outputs it sets), and the
 * Gradescope scripts are shell the shell reads. test/integration/kits.test.ts runs them.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

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

const KITS = ['xv6-riscv', 'pintos'];
const kitFiles = (kit: string) =>
  readdirSync(path.join(REPO_ROOT, 'examples', kit), { recursive: true, encoding: 'utf8' }).map(
    (f) => path.join('examples', kit, f),
  );
const workflows = KITS.flatMap(kitFiles).filter((f) => /\.github\/workflows\/.*\.yml$/.test(f));
const configs = KITS.flatMap(kitFiles).filter(
  (f) => f.endsWith('diverge.yml') && !f.includes('.github/'),
);

interface Step {
  uses?: string;
  id?: string;
  with?: Record<string, unknown>;
}

/** What a workflow asks of diverge's actions that they do not have. */
function problems(text: string): string[] {
  const jobs = (parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs;
  const steps = Object.values(jobs).flatMap((job) => job.steps);
  const found: string[] = [];
  const outputsOf = new Map<string, ActionMetadata>();
  for (const step of steps.filter((s) => s.uses?.startsWith('OWNER/diverge'))) {
    const name = step.uses?.replace(/@.*$/, '') ?? '';
    const action = ACTIONS[name];
    if (!action) {
      found.push(`${step.uses}: no such action`);
      continue;
    }
    if (step.uses !== `${name}@v1`) found.push(`${step.uses}: not @v1`);
    for (const input of Object.keys(step.with ?? {}))
      if (!(input in action.inputs)) found.push(`${step.uses}: no input ${input}`);
    if (step.id) outputsOf.set(step.id, action);
  }
  for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
    const action = outputsOf.get(id as string);
    if (action && !((output as string) in action.outputs))
      found.push(`steps.${id}.outputs.${output}: no such output`);
  }
  return found;
}

describe('the starter kits', () => {
  it('have the staff and student workflows and configs of each kit', () => {
    expect(workflows.length).toBe(KITS.length * 3);
    expect(configs.length).toBe(KITS.length * 2);
  });

  it.each(workflows)("%s: diverge's steps use only their action's inputs and outputs", (file) => {
    expect(problems(readFileSync(path.join(REPO_ROOT, file), 'utf8'))).toEqual([]);
  });

  it('finds a kit step giving an input its action does not have', () => {
    const workflow = [
      'jobs:',
      '  grade:',
      '    steps:',
      '      - uses: OWNER/diverge/grade@v1',
      '        id: g',
      '        with: { github-orgs: course }',
      '      - run: echo ${{ steps.g.outputs.gradebok }}',
      '',
    ].join('\n');
    expect(problems(workflow)).toEqual([
      'OWNER/diverge/grade@v1: no input github-orgs',
      'steps.g.outputs.gradebok: no such output',
    ]);
  });

  it.each(configs)('%s: a config the loader takes', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    expect(() => parseConfig(text, path.join(REPO_ROOT, file))).not.toThrow();
  });

  it.each(KITS)('%s: the Gradescope scripts are shell that bash reads', (kit) => {
    for (const script of ['setup.sh', 'run_autograder'])
      expect(() =>
        execFileSync('bash', ['-n', path.join(REPO_ROOT, 'examples', kit, 'gradescope', script)]),
      ).not.toThrow();
  });
});
