import { describe, expect, it } from '@jest/globals';
import type { BootCapture, BootOutcome, BootRecord } from '../../src/model/boot.js';
import type { ScriptTest } from '../../src/model/script.js';
import { parseResults } from '../../src/results/index.js';
import { observe } from '../../src/results/observe.js';
import { parseTranscript } from '../../src/results/transcript.js';

describe('parseTranscript', () => {
  it('reports the whole transcript as one passing test, timestamps stripped', () => {
    expect(
      parseTranscript(['[    0.000000] Linux version 6.6.0', 'hello from init', ''], 'boot'),
    ).toEqual({
      tests: [
        { id: 'boot', status: 'pass', output: ['Linux version 6.6.0', 'hello from init', ''] },
      ],
      complete: true,
      problems: [],
    });
    expect(parseTranscript([]).tests).toEqual([{ id: 'transcript', status: 'pass', output: [] }]);
  });
});

describe('parseResults', () => {
  const lines = ['TAP version 13', '1..1', 'not ok 1 - x # TODO later', 'PASS x'];

  it('dispatches on the format', () => {
    expect(parseResults('ktap', lines).tests).toEqual([
      { id: 'x', status: 'fail', output: [], directive: 'TODO later' },
    ]);
    expect(parseResults('tap', lines).tests).toEqual([
      { id: 'x', status: 'fail', output: [], directive: 'TODO later' },
    ]);
    const regex = { pass: '^PASS (\\w+)', fail: '^FAIL (\\w+)' };
    expect(parseResults('regex', lines, { regex }).tests).toEqual([
      { id: 'x', status: 'pass', output: [] },
    ]);
    expect(parseResults('transcript', lines, { transcriptId: 'all' }).tests).toEqual([
      { id: 'all', status: 'pass', output: lines },
    ]);
  });

  it('needs a spec for the regex format', () => {
    expect(() => parseResults('regex', lines)).toThrow(
      new TypeError('results format "regex" needs a regex spec'),
    );
  });
});

describe('observe', () => {
  const capture = (
    outcome: BootOutcome,
    resultLines: string[],
    scriptTests: ScriptTest[] = [],
  ): BootCapture => {
    const record: BootRecord = {
      ...{ kernel: 'k', attempt: 1, outcome, stage: 'harness', durationMs: 1, accel: 'tcg' },
      ...{ log: 'k.log', splats: [], exitStatus: null, logTruncated: false, command: [] },
    };
    return { record, resultLines, scriptTests, settle: () => record };
  };
  const transcript = { format: 'transcript', channel: 'console', test: 'all' } as const;
  const script: ScriptTest[] = [{ id: 'echo', status: 'pass', output: ['hi'] }];

  it('a transcript is one test spanning the boot: missing when the boot died', () => {
    const tests = (outcome: BootOutcome) =>
      observe(capture(outcome, ['a', 'b']), transcript, 10).tests;
    expect(tests('completed')).toEqual([{ id: 'all', status: 'pass', output: ['a', 'b'] }]);
    expect(tests('panic')).toEqual([{ id: 'all', status: 'missing', output: ['a', 'b'] }]);
  });

  it('console-script tests stand in for missing results, and come beside a transcript', () => {
    const ktap = observe(
      capture('completed', [], script),
      { format: 'ktap', channel: 'console' },
      10,
    );
    expect([ktap.tests, ktap.complete, ktap.problems]).toEqual([script, true, []]);
    const whole = observe(capture('completed', ['hi'], script), transcript, 10);
    expect(whole.tests.map((t) => t.id)).toEqual(['all', 'echo']);
  });
});
