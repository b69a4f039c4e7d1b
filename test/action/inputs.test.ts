import { describe, expect, it } from '@jest/globals';
import { readInputs } from '../../src/action/inputs.js';

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';

describe('readInputs', () => {
  it('applies the defaults action.yml documents', () => {
    expect(readInputs(reader({ 'github-token': 't' }), '/ws')).toEqual({
      config: '/ws/diverge.yml',
      token: 't',
      checkName: 'diverge',
      baseCheckName: 'diverge',
      comment: 'auto',
      commentMode: 'update',
      checkRun: 'auto',
      installQemu: 'auto',
      kvm: 'auto',
      uploadArtifacts: true,
      publishKernel: true,
      kernelRetentionDays: 30,
      bisect: false,
      trackIssues: false,
      trackIssuesCloseAfter: 3,
      allowForkCode: false,
      workingDirectory: '/ws',
    });
  });

  it('reads bisect as a boolean', () => {
    expect(readInputs(reader({ 'github-token': 't', bisect: 'true' }), '/ws').bisect).toBe(true);
    expect(() => readInputs(reader({ 'github-token': 't', bisect: 'yes' }), '/ws')).toThrow(
      'input bisect: expected true or false, got "yes"',
    );
  });

  it('reads history as a branch name, off when empty', () => {
    const read = (history: string) =>
      readInputs(reader({ 'github-token': 't', history }), '/ws').history;
    expect(read('')).toBeUndefined();
    expect(read('diverge/history')).toBe('diverge/history');
    for (const bad of ['-f', 'a..b', 'a b', 'a//b', 'ends/', 'x.'])
      expect(() => read(bad)).toThrow(`input history: expected a branch name`);
  });

  it('reads track-issues and how many good runs close an issue', () => {
    const inputs = readInputs(
      reader({ 'github-token': 't', 'track-issues': 'true', 'track-issues-close-after': '5' }),
      '/ws',
    );
    expect([inputs.trackIssues, inputs.trackIssuesCloseAfter]).toEqual([true, 5]);
    for (const bad of ['0', '2.5', 'many'])
      expect(() =>
        readInputs(reader({ 'github-token': 't', 'track-issues-close-after': bad }), '/ws'),
      ).toThrow(
        `input track-issues-close-after: expected a whole number from 1 to 1000, got "${bad}"`,
      );
  });

  it('puts the variant into the check name and parses lists and booleans', () => {
    const inputs = readInputs(
      reader({
        'github-token': 't',
        variant: 'staff-alt',
        'fail-on': 'regression, crash\nhang',
        'upload-artifacts': 'False',
        'working-directory': 'kernel',
        config: 'ci/diverge.yml',
      }),
      '/ws',
    );
    expect(inputs).toMatchObject({
      checkName: 'diverge (staff-alt)',
      baseCheckName: 'diverge',
      failOn: ['regression', 'crash', 'hang'],
      uploadArtifacts: false,
      config: '/ws/kernel/ci/diverge.yml',
    });
  });

  it.each([
    [
      { comment: 'sometimes' },
      'input comment: expected one of auto, always, never, got "sometimes"',
    ],
    [{ 'fail-on': 'regression,oops' }, 'input fail-on: expected one of regression, crash'],
    [{ 'publish-kernel': 'yes' }, 'input publish-kernel: expected true or false, got "yes"'],
    [{ variant: 'a b' }, 'input variant: expected letters, digits'],
    [
      { 'kernel-retention-days': '91' },
      'input kernel-retention-days: expected a whole number of days from 1 to 90, got "91"',
    ],
    [{ 'kernel-retention-days': '1.5' }, 'input kernel-retention-days: expected a whole number'],
    [{ 'github-token': '' }, 'input github-token: empty'],
  ])('fails with a message naming the input: %j', (bad, message) => {
    expect(() => readInputs(reader({ 'github-token': 't', ...bad }), '/ws')).toThrow(message);
  });
});
