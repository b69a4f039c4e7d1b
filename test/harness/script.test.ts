import { describe, expect, it } from '@jest/globals';
import { ConsoleScript } from '../../src/harness/script.js';

const steps = [
  { expect: '\\$ ', send: 'echo hi\n', test: 'echo' },
  { expect: '\\$ ', send: 'usertests -q\n', test: 'usertests' },
  { expect: '\\$ ' },
];

describe('ConsoleScript', () => {
  it('sends on each prompt and turns the output between prompts into tests', () => {
    const script = new ConsoleScript(steps, 1000, 0);
    expect(script.feed('init: starting sh\n$ ', 10)).toEqual([{ kind: 'send', text: 'echo hi\n' }]);
    expect(script.feed('echo hi\nhi\n', 20)).toEqual([]);
    expect(script.feed('$ ', 30)).toEqual([{ kind: 'send', text: 'usertests -q\n' }]);
    expect(script.feed('usertests -q\nusertests starting\nALL TESTS PASSED\n$ ', 40)).toEqual([
      { kind: 'finished' },
    ]);
    expect(script.done).toBe(true);
    expect(script.finish(true)).toEqual([
      { id: 'echo', status: 'pass', output: ['echo hi', 'hi'] },
      {
        id: 'usertests',
        status: 'pass',
        output: ['usertests -q', 'usertests starting', 'ALL TESTS PASSED'],
      },
    ]);
  });

  it('matches a prompt split across chunks', () => {
    const script = new ConsoleScript([{ expect: 'login: ', send: 'root\n' }], 1000, 0);
    expect(script.feed('host log', 1)).toEqual([]);
    expect(script.feed('in: ', 2)).toEqual([
      { kind: 'send', text: 'root\n' },
      { kind: 'finished' },
    ]);
  });

  it('fails the running test and leaves later ones missing when a prompt is late', () => {
    const script = new ConsoleScript(steps, 500, 0);
    script.feed('$ ', 100);
    script.feed('echo hi\nhi\n$ ', 200);
    script.feed('usertests -q\nFAILED: sbrkbugs\n', 300);
    expect(script.tick(600)).toEqual([]);
    const [event] = script.tick(701);
    expect(event).toEqual({
      kind: 'failed',
      message: 'console script step 3: /\\$ / not seen within 500 ms',
    });
    expect(script.finish(false)).toEqual([
      { id: 'echo', status: 'pass', output: ['echo hi', 'hi'] },
      {
        id: 'usertests',
        status: 'fail',
        output: [
          'usertests -q',
          'FAILED: sbrkbugs',
          'console script step 3: /\\$ / not seen within 500 ms',
        ],
      },
    ]);
  });

  it('marks every named test missing when the boot ends before the first prompt', () => {
    const script = new ConsoleScript(steps, 500, 0);
    expect(script.finish(false)).toEqual([
      { id: 'echo', status: 'missing', output: [] },
      { id: 'usertests', status: 'missing', output: [] },
    ]);
  });

  it('uses a step timeout over the default', () => {
    const script = new ConsoleScript([{ expect: 'x', timeoutMs: 50 }], 10_000, 0);
    expect(script.tick(51)).toHaveLength(1);
  });
});
