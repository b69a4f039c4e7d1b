import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { readInputs, readReportInputs } from '../../src/action/inputs.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

interface ActionMetadata {
  description: string;
  inputs: Record<string, { default?: string }>;
}

const metadata = (file: string) =>
  parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as ActionMetadata;

/** An input reader that answers as the runner does: the input, else action.yml's default. */
const withDefaults = (action: ActionMetadata, given: Record<string, string>) => (name: string) =>
  given[name] ?? action.inputs[name]?.default ?? '';

describe('action metadata', () => {
  it.each(['action.yml', 'report/action.yml', 'grade/action.yml'])(
    '%s: a description the Marketplace accepts (under 125 characters)',
    (file) => {
      expect(metadata(file).description.length).toBeLessThan(125);
    },
  );

  it("action.yml's defaults are the ones the code applies to an empty input", () => {
    const action = metadata('action.yml');
    const given = { 'github-token': 't' };
    expect(readInputs(withDefaults(action, given), '/ws')).toEqual(
      readInputs((name) => given[name as keyof typeof given] ?? '', '/ws'),
    );
    const report = metadata('report/action.yml');
    expect(readReportInputs(withDefaults(report, given))).toEqual(
      readReportInputs((name) => given[name as keyof typeof given] ?? ''),
    );
  });
});
