/**
 * Untrusted text stays text, checked where it matters: in a real browser. Random hostile strings
 * (markup, `</script>`, `javascript:` URLs, bidi overrides, NULs, 1 MB lines) go in as test ids,
 * outputs, reference and class names, reasons, expectations and serial logs; the page must run no
 * script but its own (no dialog, no canary set, no Content-Security-Policy violation, no
 * request) and show every string as it is, control characters made visible as ⟨U+XXXX⟩ (the
 * rule docs/report.md states, written again here).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { bootStatus, renderGradebookHtml } from '../../src/render/gradebook-html.js';
import { renderHtml } from '../../src/render/html.js';
import type { BootStage } from '../../src/model/stage.js';
import type { StudentBoot, StudentBuild } from '../../src/model/gradebook.js';
import type { Conclusion, DivergenceClass, Report } from '../../src/model/report.js';
import { launchBrowser, openPage, pageFile, type PageWatch } from '../helpers/browser.js';
import { boot, judgedReport } from '../helpers/observations.js';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom, window: Dom;

fc.configureGlobal({
  interruptAfterTimeLimit: 90_000,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), endOnFailure: true } : {}),
});

const CANARY = 'window.__pwned = (window.__pwned || 0) + 1';
const MEGABYTE_LINE = `</script><script>${CANARY}</script>`.repeat(30_000);
const HOSTILE = [
  `<script>${CANARY}</script>`,
  `</script><script>${CANARY}</script>`,
  `</SCRIPT ><script>alert(1)</script>`,
  `<img src=x onerror="${CANARY}">`,
  '<svg onload=alert(1)>',
  `"><iframe src="javascript:${CANARY}"></iframe>`,
  `javascript:${CANARY}`,
  `<a href="javascript:alert(1)">click</a>`,
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<style>*{display:none}</style>',
  '<!--',
  ']]>',
  '\u2028\u2029',
  'nul\u0000byte',
  '\u202egnp.exe',
  'abc\u2066\u2067\u2068\u2069\u200e\u200f\u061c',
  '\u001b[31mred\u001b[0m',
  "'; alert(1); '",
  '{{constructor.constructor("alert(1)")()}}',
  '&lt;script&gt;',
  '\\u003cscript\\u003e',
  'tab\there',
  '__proto__',
  'constructor',
];

const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 8 })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => parts.join('')),
  },
);
/** Not empty, and not only spaces: a line a person could see. */
const visible = hostile.filter((s) => s.trim().length > 0);

/** The documented display rule: control characters become ⟨U+XXXX⟩, everything else stays. */
const CONTROLS = new Set(
  [
    ...range(0x00, 0x08),
    ...range(0x0a, 0x1f),
    ...range(0x7f, 0x9f),
    0x061c,
    0x200e,
    0x200f,
    0x2028,
    0x2029,
    ...range(0x202a, 0x202e),
    ...range(0x2066, 0x2069),
  ].map((c) => String.fromCharCode(c)),
);
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
const shown = (text: string) =>
  [...text]
    .map((c) =>
      CONTROLS.has(c) ? `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩` : c,
    )
    .join('');

interface Strings {
  ids: [string, string, string];
  reference: string;
  reason: string;
  expectation: string;
  outputs: [string, string];
  cls: string;
  signature: string;
  log: string;
}

/** A diff's lines are lines: the judge never puts a line break inside one. */
const oneLine = (text: string) => text.replace(/\n/g, ' ');

/** A judged report whose every untrusted field is then replaced by a hostile string. */
function hostileReport(s: Strings): { report: Report; logs: Map<string, string> } {
  const report = judgedReport(
    [
      boot('staff', 1, ['a:pass:same|old', 'b:pass', 'c:pass']),
      boot('candidate', 1, ['a:pass:same|new', 'b:fail', 'c:pass']),
    ],
    ['staff'],
  );
  const [a, b, c] = report.tests;
  if (!a || !b || !c) throw new Error('expected three tests');
  report.tests.forEach((t, i) => {
    t.id = s.ids[i] ?? t.id;
    t.verdict.agreeing = [s.reference];
    t.verdict.counts = { [s.reference]: '0:1' };
  });
  const [before, after] = s.outputs.map(oneLine);
  a.verdict.diff = `--- ${oneLine(s.reference)}\n+++ candidate\n ${before}\n-${before}\n+${after}\n`;
  b.verdict.reason = s.reason;
  b.verdict.cluster = 'c1';
  c.verdict = {
    ...c.verdict,
    class: 'expected',
    severity: 'none',
    expected: { class: 'regression', reason: s.expectation, link: `javascript:${CANARY}` },
  };
  report.clusters = [
    { id: 'c1', class: s.cls as DivergenceClass, signature: s.signature, tests: [b.id] },
  ];
  a.verdict.class = s.cls as DivergenceClass;
  const staff = report.references[0];
  if (staff) staff.name = s.reference;
  report.boots.forEach((x) => (x.log = `logs/${x.kernel}.log`));
  const logs = new Map([
    ['logs/candidate.log', `${s.log}\nok 1 ${s.ids[0]}`],
    ['logs/staff.log', s.log],
  ]);
  return { report, logs };
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** What the page did that its own script would never do. */
async function misdeeds(page: Page, watch: PageWatch) {
  const dom = await page.evaluate(() => ({
    canary: (window as unknown as { __pwned?: number }).__pwned ?? 0,
    scripts: document.scripts.length,
    handlers: [...document.querySelectorAll('*')].flatMap((e) =>
      [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`),
    ),
    embedded: document.querySelectorAll('iframe, img, svg, object, embed, base, link, style')
      .length,
    hrefs: [...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href')),
  }));
  return { ...dom, dialogs: watch.dialogs, errors: watch.errors, requests: watch.requests };
}

const innocent = {
  canary: 0,
  scripts: 2,
  handlers: [],
  embedded: 1,
  dialogs: [],
  errors: [],
  requests: [],
};

async function reportTexts(page: Page, test: number) {
  await page.click(`#grid-rows .row[data-test="${test}"] .id`);
  return page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? null;
    return {
      id: text('#detail-id'),
      reason: text('#detail-reason'),
      agreeing: text('#detail-agreeing'),
      expected: text('#detail-expected'),
      diff: [...document.querySelectorAll('#detail-diff tr')].map((tr) =>
        [...tr.children].map((td) => td.textContent),
      ),
      rowIds: [...document.querySelectorAll('#grid-rows .id')].map((e) => e.textContent),
      badges: [...document.querySelectorAll('#grid-rows .cls')].map((e) => e.textContent),
      header: text('#head'),
      cluster: text('#clusters code'),
    };
  });
}

async function checkReport(s: Strings) {
  const { report, logs } = hostileReport(s);
  const { page, watch } = await openPage(browser, pageFile(renderHtml(report, logs)));
  try {
    const first = await reportTexts(page, 0);
    // A grid row shows an id's first 200 characters, the detail pane all of it.
    expect(first.rowIds).toEqual(
      s.ids.map((id) => shown(id.length > 200 ? `${id.slice(0, 200)}…` : id)),
    );
    expect(first.badges[0]).toBe(shown(s.cls));
    expect(first.id).toBe(shown(s.ids[0]));
    expect(first.agreeing).toBe(shown(s.reference));
    expect(first.header).toContain(shown(s.reference));
    expect(first.cluster).toBe(shown(s.signature));
    expect(first.diff).toEqual([
      [shown(oneLine(s.reference)), 'candidate'],
      [shown(oneLine(s.outputs[0])), shown(oneLine(s.outputs[0]))],
      [shown(oneLine(s.outputs[0])), shown(oneLine(s.outputs[1]))],
    ]);
    // The candidate's log.
    const candidate = report.boots.findIndex((b) => b.kernel === 'candidate');
    await page.selectOption('#log-boot', String(candidate));
    const log = await page.$$eval('#log .tx', (lines: Dom[]) => lines.map((l) => l.textContent));
    const logLines = `${s.log}\nok 1 ${s.ids[0]}`.split(/\r?\n/);
    expect(log).toEqual(
      logLines.map((line) =>
        shown(
          line.length > 2000
            ? `${line.slice(0, 2000)} … [diverge: ${line.length - 2000} more characters]`
            : line,
        ),
      ),
    );
    const second = await reportTexts(page, 1);
    expect(second.reason).toBe(shown(s.reason));
    const third = await reportTexts(page, 2);
    expect(third.expected).toBe(`regression ${shown(s.expectation)} javascript:${CANARY}`);
    expect(await misdeeds(page, watch)).toMatchObject({ ...innocent, hrefs: [] });
  } finally {
    await page.close();
  }
}

const strings: fc.Arbitrary<Strings> = fc.record({
  ids: fc
    .uniqueArray(visible, { minLength: 3, maxLength: 3 })
    .map((ids) => ids as [string, string, string]),
  reference: visible.filter((r) => r !== 'candidate'),
  reason: hostile,
  expectation: hostile,
  outputs: fc.tuple(hostile, hostile),
  cls: visible,
  signature: hostile,
  log: hostile,
});

describe('report.html with hostile text, in Chromium', () => {
  it('runs no script but its own and shows every string as it is', async () => {
    await fc.assert(fc.asyncProperty(strings, checkReport), { numRuns: 12 });
  }, 300_000);

  it('holds 1 MB lines whole (the log caps them, with a note)', async () => {
    await checkReport({
      ids: [MEGABYTE_LINE, '<b>2</b>', '<i>3</i>'],
      reference: 'staff</script>',
      reason: MEGABYTE_LINE,
      expectation: '<b>known</b>',
      outputs: ['<p>', MEGABYTE_LINE],
      cls: '<u>class</u>',
      signature: '<s>sig</s>',
      log: MEGABYTE_LINE,
    });
  }, 300_000);
});

describe('gradebook.html with hostile names, in Chromium', () => {
  it('shows names and test ids as they are and links only inside its folder', async () => {
    const students = fc.uniqueArray(visible, { minLength: 1, maxLength: 4 });
    const tests = fc.uniqueArray(visible, { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(students, tests, hostile, async (names, ids, cls) => {
        const html = renderGradebookHtml({
          students: names.map((name, i) => ({
            name,
            score: i,
            max: names.length,
            // A tampered gradebook's: any string where the model has a word of its own.
            conclusion: cls as Conclusion,
            tests: Object.fromEntries(ids.map((id) => [id, cls as DivergenceClass])),
            build: {
              outcome: cls as StudentBuild['outcome'],
              message: cls,
              log: `javascript:${CANARY}`,
            },
            boot: { outcome: cls as StudentBoot['outcome'], stage: cls as BootStage, message: cls },
            report: `javascript:${CANARY}`,
          })),
        });
        const { page, watch } = await openPage(browser, pageFile(html, 'gradebook.html'));
        try {
          const got = await page.evaluate(() => ({
            names: [...document.querySelectorAll('#book-body td.name a')].map((a) => a.textContent),
            tests: [...document.querySelectorAll('#book-head th.test')].map((th) => th.textContent),
            cells: [...document.querySelectorAll('#book-body td.heat')].map((td) =>
              td.getAttribute('data-class'),
            ),
            boots: [...document.querySelectorAll('#book-body td.status:nth-child(5)')].map(
              (td) => td.textContent,
            ),
          }));
          // Sorted by score, highest first.
          expect(got.names).toEqual([...names].reverse().map(shown));
          expect(got.tests).toEqual(ids.map(shown));
          expect(got.cells).toEqual(names.flatMap(() => ids.map(() => cls)));
          const found = await misdeeds(page, watch);
          expect(found).toMatchObject({ ...innocent, hrefs: expect.any(Array) });
          // Its words are gradebook-html.test.ts's to check; here, that they stay text.
          const boot = bootStatus({
            outcome: cls as StudentBoot['outcome'],
            stage: cls as BootStage,
            message: cls,
          });
          expect(got.boots).toEqual(names.map(() => shown(boot.text)));
          // A build log named like a URL is a file of the page's folder.
          expect(found.hrefs).toEqual(
            [...names]
              .reverse()
              .flatMap((n) => [
                `students/${encodeURIComponent(n)}/report.html`,
                encodeURIComponent(`javascript:${CANARY}`),
              ]),
          );
        } finally {
          await page.close();
        }
      }),
      { numRuns: 8 },
    );
  }, 300_000);
});
