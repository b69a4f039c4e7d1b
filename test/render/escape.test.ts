import { describe, expect, it } from '@jest/globals';
import {
  codeBlock,
  expandTabs,
  htmlText,
  inlineCode,
  inlineText,
  link,
  stripControls,
  truncateUtf8,
} from '../../src/render/escape.js';

const ZWSP = '\u200b';

describe('inlineText', () => {
  it('escapes Markdown syntax', () => {
    expect(inlineText('a*b_c~d`e$f')).toBe('a\\*b\\_c\\~d\\`e\\$f');
    expect(inlineText('| x | y |')).toBe('\\| x \\| y \\|');
    expect(inlineText('back\\slash')).toBe('back\\\\slash');
    expect(inlineText('![img](x) [a](y)')).toBe('\\!\\[img\\]\\(x\\) \\[a\\]\\(y\\)');
  });

  it('escapes HTML', () => {
    expect(inlineText('<script>&amp;')).toBe('&lt;script&gt;&amp;amp;');
  });

  it('breaks mentions, issue references and bare URLs', () => {
    expect(inlineText('@alice: see #12, GH-3 and o/r#4')).toBe(
      `@${ZWSP}alice: see \\#${ZWSP}12, GH${ZWSP}-3 and o/r\\#${ZWSP}4`,
    );
    expect(inlineText('http://x.org www.y.org a@b.c')).toBe(
      `http:${ZWSP}//x.org www${ZWSP}.y.org a@${ZWSP}b.c`,
    );
  });

  it('keeps one line without control characters', () => {
    expect(inlineText('a\nb\r\nc\rd\u2028e')).toBe('a b c d e');
    expect(inlineText('\x1b[31mred\x1b[0m\x07\u202e')).toBe('red');
  });
});

describe('htmlText', () => {
  it('escapes HTML and breaks mentions, on one line', () => {
    expect(htmlText('</summary><b x="1">@bob\n#7')).toBe(
      `&lt;/summary&gt;&lt;b x=&quot;1&quot;&gt;@${ZWSP}bob #${ZWSP}7`,
    );
  });
});

describe('inlineCode', () => {
  it('uses a fence longer than any backtick run', () => {
    expect(inlineCode('a.b')).toBe('`a.b`');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('a``b`')).toBe('``` a``b` ```');
  });

  it('pads content that a fence would eat', () => {
    expect(inlineCode('`x')).toBe('`` `x ``');
    expect(inlineCode(' x ')).toBe('`  x  `');
    expect(inlineCode(' x')).toBe('` x`');
    expect(inlineCode('')).toBe('` `');
  });

  it('keeps mentions (code is not linked) but not line breaks', () => {
    expect(inlineCode('@x #1\nnext')).toBe('`@x #1 next`');
  });
});

describe('codeBlock', () => {
  it('chooses a fence no content line can close', () => {
    expect(codeBlock(['a', '```', 'b'], 'diff')).toBe('````diff\na\n```\nb\n````');
    expect(codeBlock(['x ````` y'])).toBe('``````\nx ````` y\n``````');
    expect(codeBlock([])).toBe('```\n```');
  });

  it('splits every kind of line break, lone CR included', () => {
    expect(codeBlock(['x\ry\r\nz\n```'])).toBe('````\nx\ny\nz\n```\n````');
  });
});

describe('link', () => {
  it('links http(s) URLs and relative paths, encoding what would end the destination', () => {
    expect(link('r', 'https://e.org/a(b)<c>')).toBe('[r](https://e.org/a%28b%29%3Cc%3E)');
    expect(link('r', 'out/report.json')).toBe('[r](out/report.json)');
  });

  it('shows anything else as code', () => {
    expect(link('r', 'javascript:alert(1)')).toBe('r (`javascript:alert(1)`)');
    expect(link('r', 'https://e.org/a b')).toBe('r (`https://e.org/a b`)');
  });
});

describe('stripControls', () => {
  it('removes escape sequences and control characters but keeps tabs and line breaks', () => {
    expect(stripControls('\x1b]8;;http://x\x07link\x1b]8;;\x07')).toBe('link');
    expect(stripControls('\x1bP1;2q\x1b\\a\x9b31mb\x1bc\x00\x7f\x85')).toBe('ab');
    expect(stripControls('a\tb\nc\rd')).toBe('a\tb\nc\rd');
  });
});

describe('truncateUtf8', () => {
  it('cuts at a character boundary', () => {
    const text = 'aé€😀'; // 1, 2, 3 and 4 bytes
    expect(truncateUtf8(text, 3)).toBe('aé');
    expect(truncateUtf8(text, 5)).toBe('aé');
    expect(truncateUtf8(text, 6)).toBe('aé€');
    expect(truncateUtf8(text, 9)).toBe('aé€');
    expect(truncateUtf8(text, 10)).toBe(text);
    expect(truncateUtf8(text, 0)).toBe('');
  });
});

describe('expandTabs', () => {
  it('expands to the next tab stop', () => {
    expect(expandTabs('a\tb\t\tc', 4)).toBe('a   b       c');
  });
});
