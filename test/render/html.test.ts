import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { renderHtml, statusCell } from '../../src/render/html.js';
import {
  LINE_CAP_CHARS,
  LOG_CAP_BYTES,
  LOGS_BUDGET_BYTES,
  markTests,
  pageLogs,
} from '../../src/render/html-logs.js';
import { scriptJson } from '../../src/render/html-page.js';
import type { Report } from '../../src/model/report.js';
import { boot, judgedReport } from '../helpers/observations.js';

const KTAP_LOG = [
  'booting', // 1
  'KTAP version 1', // 2
  '1..3', // 3
  '# first diagnostic', // 4
  'ok 1 alpha', // 5
  '[    1.234567] a kernel message', // 6
  '    KTAP version 1', // 7
  '    # Subtest: suite', // 8
  '    1..2', // 9
  '    ok 1 inner', // 10
  '    not ok 2 inner2 # expected 3', // 11
  'ok 2 suite', // 12
  '<6>[    2.000000] ok 3 alpha # SKIP later', // 13
];
const KTAP_TESTS = ['alpha', 'suite.inner', 'suite.inner2', 'alpha~2'].map((id, index) => ({
  id,
  index,
}));

describe("a boot's log: each test's lines", () => {
  it('are its result line and the lines since the previous result, nested and renamed ids too', () => {
    expect(markTests(KTAP_LOG, KTAP_TESTS, true)).toEqual([
      { test: 0, from: 1, to: 5 },
      { test: 1, from: 6, to: 10 },
      { test: 2, from: 11, to: 11 },
      { test: 3, from: 13, to: 13 },
    ]);
  });

  it('end with the tail after the last result when the boot did not complete', () => {
    const log = [...KTAP_LOG, 'panic: out of memory', 'halted'];
    expect(markTests(log, KTAP_TESTS, false).at(-1)).toEqual({ test: -1, from: 14, to: 15 });
    expect(markTests(log, KTAP_TESTS, true).some((m) => m.test === -1)).toBe(false);
  });

  it('leave a test without a result line unmarked', () => {
    expect(markTests(['ok 1 other'], [{ id: 'alpha', index: 0 }], true)).toEqual([]);
  });
});

/** A report whose boots' logs are `sizes` lines long, and those logs. */
function withLogs(lines: string[][]): { report: Report; logs: Map<string, string> } {
  const report = judgedReport(
    lines.map((_, i) => boot(i === 0 ? 'candidate' : 'staff', i + 1, ['a:pass'])),
    ['staff'],
  );
  report.boots.forEach((b, i) => (b.log = `logs/${b.kernel}-${i + 1}.log`));
  const logs = new Map(report.boots.map((b, i) => [b.log, (lines[i] ?? []).join('\n')]));
  return { report, logs };
}

describe('serial logs in the page', () => {
  it('lose the \\r of \\r\\n line ends, also a last \\r whose \\n never came (the VM stopped)', () => {
    const report = judgedReport([boot('candidate', 1, ['a:pass'])], []);
    for (const b of report.boots) b.log = 'logs/candidate-1.log';
    for (const text of ['ok 1 a\r\npanic: out of memory\r', 'ok 1 a\r\npanic: out of memory\r\n'])
      expect(pageLogs(report, new Map([['logs/candidate-1.log', text]]))[0]?.lines).toEqual([
        'ok 1 a',
        'panic: out of memory',
      ]);
  });
});

describe('serial logs in the page are capped', () => {
  it('a long log keeps its head and its tail, and says what is cut', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(30)}`);
    const { report, logs } = withLogs([lines]);
    const [log] = pageLogs(report, logs);
    const kept = log?.lines ?? [];
    expect(kept.join('\n').length).toBeLessThan(LOG_CAP_BYTES + 200);
    expect(kept[0]).toBe(lines[0]);
    expect(kept.at(-1)).toBe(lines.at(-1));
    const cut = log?.numbers.indexOf(0) ?? -1;
    expect(kept[cut]).toMatch(
      /^\[diverge: lines \d+–\d+ .* are not in this page; the log file has them\]$/,
    );
    expect(log?.note).toBe(`cut to ${LOG_CAP_BYTES} bytes`);
    // Line numbers stay those of the file on both sides of the cut.
    expect(log?.numbers.at(-1)).toBe(20_000);
    expect(kept[cut + 1]).toBe(lines[(log?.numbers[cut + 1] ?? 0) - 1]);
  });

  it('a 1 MB line is cut to LINE_CAP_CHARS with a note', () => {
    const { report, logs } = withLogs([['x'.repeat(1 << 20)]]);
    const line = pageLogs(report, logs)[0]?.lines[0] ?? '';
    expect(line.startsWith('x'.repeat(LINE_CAP_CHARS) + ' … [diverge: ')).toBe(true);
    expect(line.length).toBeLessThan(LINE_CAP_CHARS + 100);
  });

  it('many boots share the page budget', () => {
    const big = Array.from({ length: 2000 }, (_, i) => `${i} ${'y'.repeat(60)}`);
    const { report, logs } = withLogs(Array.from({ length: 300 }, () => big));
    const total = pageLogs(report, logs).reduce((sum, l) => sum + l.lines.join('\n').length, 0);
    expect(total).toBeLessThan(LOGS_BUDGET_BYTES + 300 * 200);
    expect(total).toBeGreaterThan(LOGS_BUDGET_BYTES / 2);
  });

  it('a boot whose log file is gone says so', () => {
    const { report } = withLogs([['ok 1 a']]);
    expect(pageLogs(report, new Map())[0]?.note).toBe('the log file was not found');
  });
});

describe('the page', () => {
  const { report, logs } = withLogs([['KTAP version 1', '1..1', 'ok 1 a'], ['ok 1 a']]);
  const html = renderHtml(report, logs);

  it('embeds its data as JSON no markup can break out of', () => {
    const value = { s: '</script><!-- & \u2028\u2029 >' };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('allows no source but its own inline script and style, by hash', () => {
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(1);
    // The HTML parser would change these, and the hash would no longer match.
    expect(`${scripts[0]}${styles[0]}`).not.toMatch(/[\0\r]/);
    expect(styles).toHaveLength(1);
    const sha = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(policy?.split('; ')).toEqual([
      "default-src 'none'",
      `script-src 'sha256-${sha(scripts[0] ?? '')}'`,
      `style-src 'sha256-${sha(styles[0] ?? '')}'`,
      "img-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\b(?:src|href)=/i);
  });

  it('is the same bytes for the same report and logs', () => {
    expect(renderHtml(report, new Map([...logs].reverse()))).toBe(html);
  });
});

describe('a grid cell', () => {
  it("sums up one kernel's runs of a test", () => {
    const run = (status: 'pass' | 'fail' | 'error' | 'missing', attempt = 1) => ({
      attempt,
      status,
      output: [],
    });
    expect(statusCell(undefined)).toBe('—');
    expect(statusCell([])).toBe('—');
    expect(statusCell([run('pass')])).toBe('pass');
    expect(statusCell([run('fail'), run('fail', 2), run('fail', 3)])).toBe('fail ×3');
    expect(statusCell([run('fail'), run('pass', 2), run('error', 3)])).toBe('2/3 fail');
    // A run that died during the test kept what it printed, but did not report the test: the
    // page then marks the tail of its log as the test's, as for any crash or hang.
    expect(statusCell([run('missing')])).toBe('—');
    expect(statusCell([run('pass'), run('missing', 2)])).toBe('pass');
  });
});
