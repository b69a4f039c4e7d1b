import { describe, expect, it } from '@jest/globals';
import { HtmlRenderer, Parser, type Node } from 'commonmark';
import fc from 'fast-check';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderTerminal } from '../../src/render/terminal.js';
import {
  DIVERGENCE_CLASSES,
  type DivergenceClass,
  type Severity,
} from '../../src/model/classes.js';
import type { Report } from '../../src/model/report.js';
import { makeTest, sampleReport } from '../report/sample.js';
// A failure is reported within a minute even when shrinking its large report would take longer;
// FC_SEED=<seed of a failure> replays that run without shrinking.
fc.configureGlobal({
  interruptAfterTimeLimit: 60_000,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), endOnFailure: true } : {}),
});

/** Marks both ends of some diff lines: it must never show outside a code block. */
const MARK = '\ue000';
const REPORT_URL = 'https://example.org/runs/1';

const NASTY = [
  '`',
  '```',
  '````',
  '`'.repeat(40),
  '~~~',
  '</details>',
  '<details>',
  '</summary>',
  '</code>',
  '@someone',
  '@org/team',
  '#12',
  'GH-1',
  'owner/repo#1',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[a](http://x)',
  '![i](http://x/i.png)',
  '[a]: http://x',
  'http://evil.example',
  'https://e.x/y',
  'www.evil.example',
  'a@b.co',
  '<http://x>',
  '|',
  '\\',
  '*',
  '_',
  '**',
  '~~',
  '$x$',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '    ',
  '# ',
  '> ',
  '- ',
  '1. ',
  '---',
  '===',
  '<!--',
  '-->',
  '&amp;',
  '&#64;',
  '&#35;12',
  '\x1b[31m',
  '\x1b]8;;http://x\x07',
  '\x00',
  '\x07',
  '\x7f',
  '\u0085',
  '\u009b',
  '\u202e',
  '\u2028',
  '😀',
  'é',
  ' ',
  '\\\n',
];
const text = fc
  .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 10,
  })
  .map((parts) => parts.join('').replaceAll(MARK, ''));
// Unmarked lines can start with a fence; marked ones after them show whether it closed the block.
const marked = text.map(
  (line) => MARK + line.replace(/\r\n|\r|\n|\u2028|\u2029/g, `${MARK}$&${MARK}`) + MARK,
);
const diff = fc.array(fc.oneof(marked, text), { maxLength: 60 }).map((lines) => lines.join('\n'));

const testArb = fc.record({
  id: text,
  cls: fc.constantFrom(...DIVERGENCE_CLASSES),
  severity: fc.constantFrom<Severity>('error', 'warning', 'notice', 'none'),
  failing: fc.boolean(),
  reason: text,
  counts: fc.array(fc.tuple(text, text), { maxLength: 3 }),
  agreeing: fc.array(text, { maxLength: 3 }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  diff: fc.option(diff, { nil: undefined }),
  cluster: fc.constantFrom(undefined, 'c1', 'c2'),
  expected: fc.record({ cls: fc.constantFrom(...DIVERGENCE_CLASSES), reason: text, link: text }),
});

const reportArb = fc
  .record({
    tests: fc.array(testArb, { maxLength: 10 }),
    candidate: text,
    references: fc.array(fc.record({ name: text, broken: fc.option(text, { nil: undefined }) }), {
      maxLength: 3,
    }),
    signatures: fc.tuple(text, text),
    variant: fc.oneof(fc.constant('default'), text),
    stale: fc.array(fc.record({ test: text, reason: text }), { maxLength: 3 }),
    learned: fc.array(fc.record({ test: text, template: text, reference: text }), {
      maxLength: 8,
    }),
    note: fc.option(text, { nil: undefined }),
    conclusion: fc.constantFrom('success', 'failure', 'neutral' as const),
  })
  .map((g): Report => {
    const report = sampleReport();
    report.tests = g.tests.map((t) =>
      makeTest(t.id, {
        class: t.cls,
        severity: t.severity,
        failing: t.failing,
        reason: t.reason,
        counts: Object.fromEntries(t.counts),
        agreeing: t.agreeing,
        confidence: t.confidence,
        diff: t.diff,
        cluster: t.cluster,
        expected: { class: t.expected.cls, reason: t.expected.reason, link: t.expected.link },
      }),
    );
    const byClass: Partial<Record<DivergenceClass, number>> = {};
    for (const { verdict } of report.tests)
      byClass[verdict.class] = (byClass[verdict.class] ?? 0) + 1;
    const ids = (cluster: string) =>
      report.tests.filter((test) => test.verdict.cluster === cluster).map((test) => test.id);
    report.clusters = [
      { id: 'c1', class: 'crash', signature: g.signatures[0], tests: ids('c1') },
      { id: 'c2', class: 'output', signature: g.signatures[1], tests: ids('c2') },
    ];
    report.candidate = { ...report.candidate, name: g.candidate };
    report.references = g.references.map((ref) => ({ ...ref, source: {}, digest: 'sha256:00' }));
    report.variant = g.variant;
    report.expectations.stale = g.stale;
    report.normalization.learned = g.learned;
    report.summary = {
      tests: report.tests.length,
      same: byClass.same ?? 0,
      divergences: report.tests.filter((test) => !['same', 'expected'].includes(test.verdict.class))
        .length,
      failing: report.tests.filter((test) => test.verdict.failing).length,
      byClass,
      conclusion: g.conclusion,
      note: g.note,
    };
    return report;
  });

const budget = fc.integer({ min: 200, max: 70_000 });

/** What GitHub would turn into a mention, an issue link or a link, in text outside code. */
const LINKY = [/@[\p{L}\p{N}_-]/u, /#\p{N}/u, /\bGH-\d/i, /[a-z]+:\/\//i, /\bwww\./i];
const DIFF_SUMMARY =
  /^<details><summary>diff of <code>[^<>]*<\/code> \(\d+ lines?\)<\/summary>\n?$/;
/** The folded blocks: a diff, how diverge decided a verdict, and the run's kernels and machine. */
const SUMMARY =
  /^<details><summary>(?:diff of <code>[^<>]*<\/code> \(\d+ lines?\)|how diverge decided|about this run)<\/summary>\n?$/;
const ALLOWED = new Set([
  'document',
  'heading',
  'paragraph',
  'text',
  'softbreak',
  'linebreak',
  'code',
  'code_block',
  'html_block',
  'strong',
  'list',
  'item',
  'link',
]);

/** The prose of a block (its text outside code spans), where GitHub would autolink. */
function prose(node: Node): string {
  let out = '';
  for (let child = node.firstChild; child !== null; child = child.next) {
    if (child.type === 'text') out += child.literal ?? '';
    else if (child.type === 'strong' || child.type === 'link') out += prose(child);
    else out += ' ';
  }
  return out;
}

/** Fails with a message when the parsed Markdown shows untrusted text outside code. */
function checkMarkdown(md: string): void {
  const doc = new Parser().parse(md);
  const walker = doc.walker();
  let htmlBlocks = 0;
  let codeBlocks = 0;
  let diffs = 0;
  for (let step = walker.next(); step !== null; step = walker.next()) {
    if (!step.entering) continue;
    const { node } = step;
    expect(ALLOWED).toContain(node.type);
    if (node.type === 'code_block') {
      codeBlocks++;
      expect(node.info).toBe('diff');
    } else if (node.type === 'html_block') {
      htmlBlocks++;
      expect(node.literal).toMatch(htmlBlocks % 2 === 1 ? SUMMARY : /^<\/details>\n?$/);
      if (DIFF_SUMMARY.test(node.literal ?? '')) diffs++;
    } else if (node.type === 'link') {
      expect(node.destination).toBe(REPORT_URL);
    } else if (node.type === 'strong') {
      expect([...DIVERGENCE_CLASSES, 'Note:', '⚠️ Results not from the harness']).toContain(
        prose(node),
      );
    } else if (node.type === 'heading') {
      expect(
        node.level === 3 ? true : /^(Expected|Stale|Learned) .* \(\d+\)$/.test(prose(node)),
      ).toBe(true);
    } else if (node.type === 'code' || node.type === 'text') {
      expect(node.literal).not.toContain(MARK);
    }
    if (node.type === 'paragraph' || node.type === 'heading') {
      const text = prose(node);
      for (const pattern of LINKY) expect(text).not.toMatch(pattern);
    }
  }
  // Every diff block in its fold, and every fold closed.
  expect(diffs).toBe(codeBlocks);
  expect(htmlBlocks % 2).toBe(0);
  const html = new HtmlRenderer().render(doc);
  expect(html).not.toMatch(
    /<(?:script|img|iframe|a\s(?![^>]*href="https:\/\/example\.org\/runs\/1"))/i,
  );
  // Diff lines only inside <pre><code>: drop those blocks and no marked text is left.
  expect(html.replace(/<pre><code[^>]*>[^]*?<\/code><\/pre>/g, '')).not.toContain(MARK);
}

describe('renderMarkdown properties', () => {
  it('never exceeds the budget', () => {
    fc.assert(
      fc.property(reportArb, budget, (report, budgetBytes) => {
        const md = renderMarkdown(report, { budgetBytes, reportUrl: REPORT_URL });
        expect(Buffer.byteLength(md)).toBeLessThanOrEqual(budgetBytes);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps untrusted text inert, whole or cut', () => {
    fc.assert(
      fc.property(
        reportArb,
        fc.option(budget, { nil: undefined }),
        fc.option(text, { nil: undefined }),
        (report, budgetBytes, title) => {
          checkMarkdown(renderMarkdown(report, { budgetBytes, reportUrl: REPORT_URL, title }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks what it claims to check', () => {
    // The checker itself must reject what the renderer is guarding against.
    expect(() => checkMarkdown('hello @someone')).toThrow();
    expect(() => checkMarkdown('see #12')).toThrow();
    expect(() => checkMarkdown('```diff\nx\n```')).toThrow();
    expect(() => checkMarkdown('[a](http://x)')).toThrow();
    expect(() => checkMarkdown(`<b>${MARK}</b>`)).toThrow();
    const sample = sampleReport();
    for (const { verdict } of sample.tests) {
      verdict.diff &&= verdict.diff.replace(/^.+$/gm, (line) => MARK + line + MARK);
    }
    expect(() => checkMarkdown(renderMarkdown(sample))).not.toThrow();
  });
});

describe('renderTerminal properties', () => {
  // Tabs are expanded, so a line break is the only control character left.
  const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

  it('prints no control characters but line breaks without colour, and only SGR codes with it', () => {
    fc.assert(
      fc.property(reportArb, fc.integer({ min: 0, max: 30 }), (report, maxDiffLines) => {
        expect(renderTerminal(report, { color: false, maxDiffLines })).not.toMatch(CONTROL);
        const coloured = renderTerminal(report, { color: true, maxDiffLines });
        expect(coloured.replace(/\x1b\[\d+m/g, '')).not.toMatch(CONTROL); // eslint-disable-line no-control-regex
      }),
      { numRuns: 300 },
    );
  });
});
