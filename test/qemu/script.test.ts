import { describe, expect, it } from '@jest/globals';
import { ConsoleScript, stepOutput } from '../../src/qemu/script.js';
import type { ScriptStep } from '../../src/model/script.js';
import { withTokenSteps } from '../../src/model/token.js';

// An xv6-style dialogue: every step is a test of its own, no dummy last step.
const steps: ScriptStep[] = [
  { expect: '\\$ ', send: 'echo hi\n', test: 'echo' },
  { expect: '\\$ ', send: 'usertests -q\n', test: 'usertests', timeoutMs: 500 },
];

describe('ConsoleScript', () => {
  it("sends on each prompt; a step's output is what its command printed, without echo or prompt", () => {
    const script = new ConsoleScript(steps);
    expect(script.started).toBe(false);
    expect(script.feed('init: starting sh\n$ ', 10)).toEqual([{ kind: 'send', text: 'echo hi\n' }]);
    expect(script.started).toBe(true);
    expect(script.feed('echo hi\nhi\n', 20)).toEqual([]);
    expect(script.feed('$ ', 30)).toEqual([{ kind: 'send', text: 'usertests -q\n' }]);
    // The last step's command answers when its prompt comes back: the dialogue is over.
    expect(script.feed('usertests -q\nusertests starting\nALL TESTS PASSED\n$ ', 40)).toEqual([
      { kind: 'finished' },
    ]);
    expect(script.done).toBe(true);
    expect(script.complete).toBe(true);
    expect(script.finish(true)).toEqual([
      { id: 'echo', status: 'pass', output: ['hi'] },
      { id: 'usertests', status: 'pass', output: ['usertests starting', 'ALL TESTS PASSED'] },
    ]);
  });

  it('matches a prompt split across chunks', () => {
    const script = new ConsoleScript([{ expect: 'login: ', send: 'root\n' }, { expect: '# ' }]);
    expect(script.feed('host log', 1)).toEqual([]);
    expect(script.feed('in: ', 2)).toEqual([{ kind: 'send', text: 'root\n' }]);
    expect(script.feed('root\n# ', 3)).toEqual([{ kind: 'finished' }]);
  });

  it('judges a step by its fail and pass rules over its own output', () => {
    const ruled: ScriptStep[] = [
      { expect: '\\$ ', send: 'a\n', test: 'a', fail: 'FAILED' },
      { expect: '\\$ ', send: 'b\n', test: 'b', pass: '^ALL OK$' },
      { expect: '\\$ ', send: 'c\n', test: 'c', pass: 'OK', fail: 'panic' },
      { expect: '\\$ ', send: 'd\n', test: 'd', pass: '^ALL OK$' },
    ];
    const script = new ConsoleScript(ruled);
    script.feed('$ ', 1);
    script.feed('a\ntest x: FAILED\n$ ', 2);
    script.feed('b\nnot ALL OK here\n$ ', 3);
    script.feed('c\nOK but panic later\n$ ', 4);
    script.feed('d\nALL OK\n$ ', 5);
    expect(script.finish(true).map((t) => [t.id, t.status])).toEqual([
      ['a', 'fail'],
      ['b', 'fail'],
      ['c', 'fail'],
      ['d', 'pass'],
    ]);
  });

  it("bounds a step's own command by its timeout, from send to the next prompt, and names it", () => {
    const script = new ConsoleScript(steps);
    script.feed('$ ', 100); // echo's command has no timeout of its own
    expect(script.tick(10_000)).toEqual([]);
    script.feed('echo hi\nhi\n$ ', 10_100); // usertests sent at 10 100
    script.feed('usertests -q\nstill running\n', 10_300);
    expect(script.tick(10_599)).toEqual([]);
    expect(script.inProgress).toBe('console script step 2 (usertests: "usertests -q")');
    expect(script.tick(10_600)).toEqual([
      {
        kind: 'failed',
        message:
          'console script step 2 (usertests: "usertests -q") did not finish within 500 ms (no /\\$ / after it)',
      },
    ]);
    // The step that did not finish is left to the boot's end (a hang), not failed; what it
    // printed so far is kept.
    expect(script.finish(false)).toEqual([
      { id: 'echo', status: 'pass', output: ['hi'] },
      { id: 'usertests', status: 'missing', output: ['still running'] },
    ]);
  });

  it('leaves the step in progress and later ones to a boot that dies (panic, stall)', () => {
    const three: ScriptStep[] = [...steps, { expect: '\\$ ', send: 'ls\n', test: 'ls' }];
    const script = new ConsoleScript(three);
    script.feed('$ ', 1);
    script.feed('echo hi\nhi\n$ ', 2);
    script.feed('usertests -q\npanic: kerneltrap\n', 3);
    expect(script.finish(false).map((t) => [t.id, t.status])).toEqual([
      ['echo', 'pass'],
      ['usertests', 'missing'],
      ['ls', 'missing'],
    ]);
    expect(script.complete).toBe(false);
  });

  it('marks every named test missing when the boot ends before the first prompt', () => {
    const script = new ConsoleScript(steps);
    expect(script.finish(true)).toEqual([
      { id: 'echo', status: 'missing', output: [] },
      { id: 'usertests', status: 'missing', output: [] },
    ]);
  });

  it('takes a kernel that powers off after the last command as its answer', () => {
    const script = new ConsoleScript([
      { expect: 'OS/161 kernel.*: ', send: 'sy1; q\n', test: 'sy1' },
    ]);
    script.feed('OS/161 kernel [? for menu]: ', 1);
    script.feed('sy1; q\nTesting semaphores... Done.\nShutting down.\n', 2);
    expect(script.complete).toBe(false);
    expect(script.finish(true)).toEqual([
      { id: 'sy1', status: 'pass', output: ['Testing semaphores... Done.', 'Shutting down.'] },
    ]);
    expect(script.complete).toBe(true);
  });

  it('fails a middle step when the kernel ends the boot before the next prompt', () => {
    const script = new ConsoleScript(steps);
    script.feed('$ ', 1);
    script.feed('echo hi\nhi\n', 2);
    expect(script.finish(true)).toEqual([
      {
        id: 'echo',
        status: 'fail',
        output: [
          'hi',
          'console script: the boot ended during console script step 1 (echo: "echo hi")',
        ],
      },
      { id: 'usertests', status: 'missing', output: [] },
    ]);
  });

  it("ends the dialogue at the last step's end pattern instead of its prompt", () => {
    const script = new ConsoleScript([
      { expect: '\\$ ', send: 'halt\n', test: 'halt', end: 'halted' },
    ]);
    script.feed('$ ', 1);
    expect(script.feed('halt\nsyncing\nhalted\n', 2)).toEqual([{ kind: 'finished' }]);
    expect(script.finish(false)).toEqual([{ id: 'halt', status: 'pass', output: ['syncing'] }]);
  });

  it('keeps the old form: a last step that sends nothing ends the dialogue on its prompt', () => {
    const script = new ConsoleScript([
      { expect: '/ # ', send: 'uname -s\n', test: 'uname' },
      { expect: '/ # ' },
    ]);
    script.feed('/ # ', 1);
    expect(script.feed('uname -s\r\nLinux\n/ # ', 2)).toEqual([{ kind: 'finished' }]);
    expect(script.finish(false)).toEqual([{ id: 'uname', status: 'pass', output: ['Linux'] }]);
  });
});

describe('stepOutput', () => {
  it('drops the echo of each line sent, in order, and the blank edges', () => {
    expect(stepOutput('\nsy1\nq\nout\n\n', 'sy1\nq\n')).toEqual(['out']);
    expect(stepOutput('out only\n', 'cmd\n')).toEqual(['out only']);
    // Only a leading echo goes: the same text printed later is output.
    expect(stepOutput('x\ncmd\n', 'cmd\n')).toEqual(['x', 'cmd']);
  });
});

describe('ConsoleScript with token steps (harness.token: script)', () => {
  const TOKEN = '0123456789abcdef0123456789abcdef';
  const withToken = withTokenSteps(steps, TOKEN, 'echo {token}\n');

  it('types the token before each step and after the last; the config numbering stays', () => {
    expect(withToken.map((s) => s.send)).toEqual([
      `echo ${TOKEN}\n`,
      'echo hi\n',
      `echo ${TOKEN}\n`,
      'usertests -q\n',
      `echo ${TOKEN}\n`,
    ]);
    // A last step that ends the dialogue (the kernel powers off) has nothing after it.
    const ending = [{ expect: '\\$ ', send: 'halt\n', end: 'halted' }];
    expect(withTokenSteps(ending, TOKEN, 'echo {token}\n')).toHaveLength(2);
  });

  /** A dialogue where the shell answers each token step with `answer`. */
  function dialogue(answer: string) {
    const script = new ConsoleScript(withToken);
    script.feed('$ ', 1);
    script.feed(`echo ${TOKEN}\n${answer}\n$ `, 2);
    script.feed('echo hi\nhi\n$ ', 3);
    script.feed(`echo ${TOKEN}\n${answer}\n$ `, 4);
    script.feed('usertests -q\nALL TESTS PASSED\n$ ', 5);
    script.feed(`echo ${TOKEN}\n${answer}\n$ `, 6);
    return script;
  }

  it("a shell that answers with this boot's token is the harness; its tests are judged as before", () => {
    const script = dialogue(TOKEN);
    expect(script.complete).toBe(true);
    expect(script.notFromHarness).toBeUndefined();
    expect(script.finish(true)).toEqual([
      { id: 'echo', status: 'pass', output: ['hi'] },
      { id: 'usertests', status: 'pass', output: ['ALL TESTS PASSED'] },
    ]);
  });

  it("a replayed dialogue answers with another boot's token; a console echoing the typed line is no answer", () => {
    expect(dialogue('fedcba9876543210fedcba9876543210').notFromHarness).toBe(
      "the token check before console script step 1 was answered without this boot's token on a line of its own: a replayed log?",
    );
    expect(dialogue('').notFromHarness).toContain('before console script step 1');
  });

  it('names steps as the config numbers them, a late token check by the step it guards', () => {
    const script = new ConsoleScript(withToken);
    script.feed(`$ echo ${TOKEN}\n${TOKEN}\n$ `, 1);
    expect(script.inProgress).toBe('console script step 1 (echo: "echo hi")');
    script.feed('echo hi\nhi\n$ ', 2);
    expect(script.inProgress).toBe('the token check before console script step 2');
  });
});
