import { describe, expect, it } from '@jest/globals';
import { renderMarkdown } from '../../src/render/markdown.js';
import { makeTest, sampleReport, verdictOf } from '../report/sample.js';

const ENTRY_START = /^(?:❌|🔴|🟡|🔵|⚪) \*\*/;
const entryLines = (md: string) => md.split('\n').filter((line) => ENTRY_START.test(line));

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('heads with the conclusion; the kernels, machine and accelerator folded away', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('### ❌ diverge: 5 failing divergences against staff, v1.2');
    expect(md).toContain(
      [
        '<details><summary>about this run</summary>',
        '',
        'candidate: candidate (kernel.elf) · references: staff, v1.2, old (⚠️ broken: no boot observed any test)' +
          ' · 10 tests · x86\\_64 pc · accelerator tcg',
        '',
        '</details>',
      ].join('\n'),
    );
    // Before the first divergence: a reader meets the verdicts, not diverge's internals.
    expect(md.indexOf('about this run')).toBeLessThan(md.indexOf('**regression**'));
  });

  it('says under its heading which boots reported results not from the harness, and why', () => {
    const boot = (attempt: number, outcome: 'completed' | 'not-from-harness') => ({
      ...{ kernel: 'candidate', attempt, outcome, stage: 'harness' as const, durationMs: 1 },
      ...{ log: 'logs/x.log', splats: [] },
      ...(outcome === 'not-from-harness'
        ? {
            message:
              'results not from the harness: 2 results framed by the token of another boot (ab12)',
          }
        : {}),
    });
    const report = {
      ...sampleReport(),
      boots: [boot(1, 'not-from-harness'), boot(2, 'completed')],
    };
    const lines = renderMarkdown(report).split('\n');
    expect(lines[2]).toBe(
      '**⚠️ Results not from the harness**, discarded (candidate #1): 2 results framed by the token of another boot \\(ab12\\)',
    );
    expect(md).not.toContain('not from the harness');
  });

  it('names the student when the report has a subject', () => {
    expect(renderMarkdown({ ...sampleReport(), subject: 'alice' })).toContain(
      'candidate: alice (kernel.elf)',
    );
  });

  it('links the report.html artifact when its address is known, and ends with the command to reproduce', () => {
    const out = renderMarkdown(sampleReport(), {
      htmlReport: {
        artifact: 'diverge-report-default',
        runUrl: 'https://github.example/o/r/actions/runs/7',
        url: 'https://github.example/o/r/actions/runs/7/artifacts/99',
      },
      reproduce: 'diverge run --config diverge.yml',
    });
    expect(out).toContain(
      '[report.html](https://github.example/o/r/actions/runs/7/artifacts/99) in the artifact `diverge-report-default`',
    );
    expect(
      out
        .trimEnd()
        .endsWith(
          [
            '#### Reproduce it locally',
            '',
            '```sh',
            'diverge run --config diverge.yml',
            '```',
          ].join('\n'),
        ),
    ).toBe(true);
  });

  it('tables the classes that have tests, most severe first and same last', () => {
    expect(md).toContain(
      [
        '| class | tests | fails the run? |',
        '| :-- | --: | :-- |',
        '| regression | 1 | yes |',
        '| crash | 3 | yes |',
        '| output | 1 | yes |',
        '| flaky | 1 | no |',
        '| fix | 1 | no |',
        '| expected | 1 | no |',
        '| same | 2 | no |',
      ].join('\n'),
    );
  });

  it('says when only some tests of a class fail the run', () => {
    const report = sampleReport();
    verdictOf(report, 'fs.read').failing = false;
    expect(renderMarkdown(report)).toContain('| crash | 3 | 2 of 3 |');
  });

  it('lists the divergences failing first, then by severity, a cluster as one entry', () => {
    expect(entryLines(md)).toEqual([
      '❌ **regression** · `mm.alloc`: passes on staff \\(3/3 runs\\), fails on candidate \\(3/3 runs\\)',
      '❌ **crash** · 3 tests: `BUG: kernel NULL pointer dereference`\\',
      '❌ **output** · `proc.ps`: same status, different output',
      '🟡 **flaky** · `timer.jitter`: candidate passes 1 of 3 runs',
      '🔵 **fix** · `net.ping`: fix on candidate',
    ]);
    expect(md).toContain(
      'tests: `fs.open`, `fs.read`, `fs.write`\\\n' +
        '`fs.open`: candidate panicked before finishing the test; staff and v1.2 finished it\n\n' +
        '<details><summary>how diverge decided</summary>\n\n' +
        'fail:runs candidate 1:1, staff 0:1, v1.2 0:1 · agreeing: staff, v1.2 · confidence 100%\n',
    );
  });

  it('gives counts, agreeing references and confidence', () => {
    expect(md).toContain(
      'fail:runs candidate 3:3, staff 0:3 · agreeing: staff · confidence 100%\n',
    );
    expect(md).toContain(
      'fail:runs candidate 0:1, staff 0:1 · agreeing: v1.2 · confidence 50% · does not fail the run\n',
    );
  });

  it('folds each diff into <details>', () => {
    expect(md).toContain(
      [
        '<details><summary>diff of <code>mm.alloc</code> (6 lines)</summary>',
        '',
        '```diff',
        '--- staff',
        '+++ candidate',
        '@@ -1,2 +1,2 @@',
        ' alloc 4096',
        '-ok',
        '+not ok',
        '```',
        '',
        '</details>',
      ].join('\n'),
    );
    // mm.alloc and proc.ps; the crashes have none
    expect(md.match(/<details><summary>diff of/g)).toHaveLength(2);
  });

  it('ends with expected verdicts, stale expectations and learned masks', () => {
    const tail = md.slice(md.indexOf('#### Expected divergences'));
    expect(tail).toBe(
      [
        '#### Expected divergences (1)',
        '',
        '- `mm.leak`, would be regression: known leak, fixed in lab 3',
        '',
        '#### Stale expectations (1)',
        '',
        'These entries of the expectations file matched no divergence:',
        '',
        '- `fs.mkdir`: fixed long ago',
        '',
        '#### Learned normalisation masks (2)',
        '',
        '- `took <learned> ms` in `timer.jitter`, learned from staff',
        '- `monotonic <learned>` in `sched.yield`, learned from v1.2',
        '',
      ].join('\n'),
    );
    expect(md.indexOf('🔵 **fix**')).toBeLessThan(md.indexOf('#### Expected'));
  });

  it('lists the same tests the references vary on, after the expected verdicts', () => {
    const report = sampleReport();
    verdictOf(report, 'sched.sleep').varying = ['staff', 'v1.2'];
    verdictOf(report, 'proc.ps').varying = ['staff']; // a divergence: its reason says so
    const out = renderMarkdown(report);
    expect(out).toContain(
      [
        '- `mm.leak`, would be regression: known leak, fixed in lab 3',
        '',
        '#### Tests the references vary on, judged same (1)',
        '',
        "The named references' own runs of these tests differ; every run of the candidate is an outcome every reference showed:",
        '',
        '- `sched.sleep`: staff, v1.2',
        '',
        '#### Stale expectations (1)',
      ].join('\n'),
    );
    expect(md).not.toContain('vary on');
  });

  it('shows only the first learned masks', () => {
    const report = sampleReport();
    report.normalization.learned = Array.from({ length: 7 }, (_, i) => ({
      test: `t${i}`,
      template: `m${i} <learned>`,
      reference: 'staff',
    }));
    const out = renderMarkdown(report);
    expect(out).toContain('#### Learned normalisation masks (7)');
    expect(out).toContain('- `m4 <learned>` in `t4`, learned from staff\n- … 2 more\n');
    expect(out).not.toContain('m5 <learned>');
  });

  it('names the variant and a custom title', () => {
    const report = { ...sampleReport(), variant: 'smp' };
    expect(renderMarkdown(report, { title: 'os161' })).toMatch(
      /^### ❌ os161 \(smp\): 5 failing divergences against staff, v1\.2\n/,
    );
  });

  it('heads a success and a neutral run', () => {
    const report = sampleReport();
    report.tests = report.tests.filter((test) => test.verdict.class === 'same');
    report.summary = {
      tests: 2,
      same: 2,
      divergences: 0,
      failing: 0,
      byClass: { same: 2 },
      conclusion: 'success',
    };
    expect(renderMarkdown(report)).toMatch(
      /^### ✅ diverge: no divergences against staff, v1\.2\n/,
    );

    report.summary = { ...report.summary, divergences: 2, conclusion: 'success' };
    expect(renderMarkdown(report)).toMatch(/^### ✅ diverge: 2 divergences, none failing, against/);

    report.summary = {
      ...report.summary,
      conclusion: 'neutral',
      note: 'every reference is broken',
    };
    report.references = report.references.map((ref) => ({ ...ref, broken: 'no results' }));
    const neutral = renderMarkdown(report);
    expect(neutral).toMatch(/^### ⚪ diverge: no conclusion\n/);
    expect(neutral).toContain('\n**Note:** every reference is broken\n');
  });

  it('escapes untrusted text: ids in code, reasons as text, the summary as HTML', () => {
    const report = sampleReport();
    report.tests = [
      makeTest('@alice <script>`x`', {
        class: 'regression',
        failing: true,
        reason: 'see #12 [here](http://evil)\n### heading',
        diff: '-a\n```\n</details>\n+@bob\n',
      }),
    ];
    const out = renderMarkdown(report);
    expect(entryLines(out)).toEqual([
      '❌ **regression** · `` @alice <script>`x` ``: see \\#\u200b12 \\[here\\]\\(http:\u200b//evil\\)' +
        ' \\#\u200b\\#\u200b\\#\u200b heading',
    ]);
    expect(out).toContain(
      '<summary>diff of <code>@\u200balice &lt;script&gt;`x`</code> (4 lines)</summary>\n\n' +
        '````diff\n-a\n```\n</details>\n+@bob\n````\n\n</details>',
    );
  });

  describe('within a budget', () => {
    it('keeps the most severe entries and says what it left out', () => {
      const full = renderMarkdown(sampleReport());
      const out = renderMarkdown(sampleReport(), {
        budgetBytes: 1200,
        reportUrl: 'https://x.org/r',
      });
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1200);
      const shown = entryLines(out);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown).toEqual(entryLines(full).slice(0, shown.length)); // dropped from the end
      expect(out).not.toContain('net.ping');
      expect(out).toMatch(
        /\n\n… \d+ more divergences, 1 expected divergence, 1 stale expectation and 2 learned masks not shown; \[see the full report\]\(https:\/\/x\.org\/r\)\n$/,
      );
    });

    it('cuts a long diff inside its block', () => {
      const report = sampleReport();
      const lines = Array.from({ length: 10_000 }, (_, i) => `+line ${String(i).padStart(5, '0')}`);
      verdictOf(report, 'mm.alloc').diff = `${lines.join('\n')}\n`;
      const out = renderMarkdown(report);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(60_000);
      expect(out).toContain('(10000 lines)</summary>\n\n```diff\n+line 00000\n+line 00001\n');
      const [, last, more] =
        /\n\+line (\d+)\n… (\d+) more lines\n```\n\n<\/details>/.exec(out) ?? [];
      expect(Number(last) + 1 + Number(more)).toBe(10_000); // every line shown or counted
      expect(out).toContain('proc.ps'); // the other entries still fit
      expect(out).toMatch(/\n\n… long diffs are cut; see the full report\n$/);
    });

    it('keeps the fence of a cut diff longer than its backtick runs, within the budget', () => {
      const report = sampleReport();
      verdictOf(report, 'mm.alloc').diff = '`'.repeat(70_000);
      const out = renderMarkdown(report);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(60_000);
      const [, open = '', content = '', close] =
        /\n(`{3,})diff\n(`*)…\n… 1 more line\n(`+)\n/.exec(out) ?? [];
      expect(open.length).toBeGreaterThan(content.length);
      expect(content.length).toBeGreaterThan(100);
      expect(close).toBe(open);
    });

    it('keeps whole lines only when even the head does not fit', () => {
      // A line cut in the middle could open emphasis (`**Note:*`) or split an escape.
      const [heading = ''] = renderMarkdown(sampleReport()).split('\n');
      const budgetBytes = Buffer.byteLength(heading) + 2;
      expect(renderMarkdown(sampleReport(), { budgetBytes })).toBe(heading);
      expect(renderMarkdown(sampleReport(), { budgetBytes: 50 })).toBe('');
    });
  });
});
