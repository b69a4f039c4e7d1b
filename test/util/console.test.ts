import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  cleanLine,
  ConsoleLines,
  consoleLines,
  ConsoleText,
  MAX_LINE_CHARS,
} from '../../src/util/console.js';

describe('ConsoleLines', () => {
  it('ends lines at LF, CRLF and a lone CR, across chunk boundaries', () => {
    const splitter = new ConsoleLines();
    const lines = [
      ...splitter.push(Buffer.from('one\r')),
      ...splitter.push(Buffer.from('\ntwo\rthree\n')),
      ...splitter.push(Buffer.from('fo')),
      ...splitter.push(Buffer.from('ur')),
      ...splitter.end(),
    ];
    expect(lines).toEqual(['one', 'two', 'three', 'four']);
  });

  it('strips ANSI escapes, NULs and control bytes, and replaces invalid UTF-8', () => {
    const raw = Buffer.concat([
      Buffer.from('\x1b[31mred\x1b[0m ok\x00\x01\x07 1 first\n'),
      Buffer.from([0xff, 0xfe, 0x41, 0x0a]),
      Buffer.from('\x1b]0;title\x07plain\n'),
    ]);
    expect(consoleLines(raw)).toEqual(['red ok 1 first', '\uFFFD\uFFFDA', 'plain']);
  });

  it('keeps a multi-byte character split between chunks', () => {
    const bytes = Buffer.from('é\n');
    const splitter = new ConsoleLines();
    expect([...splitter.push(bytes.subarray(0, 1)), ...splitter.push(bytes.subarray(1))]).toEqual([
      'é',
    ]);
  });

  it('cuts a line that never ends', () => {
    const splitter = new ConsoleLines();
    for (let i = 0; i < 100; i++) splitter.push(Buffer.alloc(4096, 0x41));
    const [line] = splitter.end();
    expect(line?.startsWith('AAAA')).toBe(true);
    expect(line?.endsWith('…[line cut]')).toBe(true);
    expect(line?.length).toBe(MAX_LINE_CHARS + '…[line cut]'.length);
  });

  it('never lets a control character through, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        for (const line of consoleLines(Buffer.from(bytes))) {
          // eslint-disable-next-line no-control-regex
          expect(line).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
        }
      }),
    );
  });

  it('cleanLine removes escape sequences entirely', () => {
    expect(cleanLine('\x1b[2J\x1b[1;1Hhello\x1b[K')).toBe('hello');
  });
});

describe('ConsoleText', () => {
  it('holds back an escape sequence split between reads', () => {
    const text = new ConsoleText();
    expect(text.push(Buffer.from('/ # \x1b'))).toBe('/ # ');
    expect(text.push(Buffer.from('[6necho $((6 * 7))\r\n42\r\n'))).toBe('echo $((6 * 7))\n42\n');
    expect(text.push(Buffer.from('\x1b[1'))).toBe('');
    expect(text.push(Buffer.from(';32mgreen\x1b[0m'))).toBe('green');
  });
});

describe('ConsoleText line ends', () => {
  it('reads CR CR LF, even split between reads, as one line end', () => {
    const text = new ConsoleText();
    expect(text.push(Buffer.from('uname -s\r'))).toBe('uname -s');
    expect(text.push(Buffer.from('\r\nLinux\r\n'))).toBe('\nLinux\n');
  });
});
