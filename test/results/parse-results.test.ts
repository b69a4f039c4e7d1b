import { describe, expect, it } from '@jest/globals';
import { parseResults } from '../../src/results/index.js';
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
