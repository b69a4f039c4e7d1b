/**
 * report.html and the demo's overview the way a person meets them: `diverge demo` on three
 * student variants (real Docker builds, real QEMU boots), each page opened from file:// in
 * headless Chromium. The grid must say what report.json says, filters and search must narrow
 * it, and a click on a divergence must show its diff and bring its lines of the serial log
 * into view.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { isShownDivergence } from '../../src/model/classes.js';
import type { Report, ReportObservation } from '../../src/model/report.js';
import { launchBrowser, openPage, type PageWatch } from '../helpers/browser.js';
import { cli, type CliResult, scratchDir } from '../helpers/fixtures.js';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom;

const VARIANTS = ['wrong-result', 'changed-output', 'panic'];
let out: string;
let demo: CliResult;
let browser: Browser;
beforeAll(async () => {
  out = path.join(scratchDir('report-html'), 'demo');
  [demo, browser] = await Promise.all([
    cli(['demo', '-o', out, '--variant', ...VARIANTS]),
    launchBrowser(),
  ]);
}, 900_000);
afterAll(async () => {
  await browser?.close();
});

const reportOf = (variant: string): Report =>
  JSON.parse(readFileSync(path.join(out, variant, 'report.json'), 'utf8')) as Report;

/** The documented cell: a kernel's runs of the test as `pass`, `fail ×3`, `2/3 fail` or `—`. */
function cellOf(runs: ReportObservation[] | undefined): string {
  if (!runs?.length) return '—';
  const [first] = runs;
  if (first && runs.every((r) => r.status === first.status))
    return runs.length === 1 ? first.status : `${first.status} ×${runs.length}`;
  return `${runs.filter((r) => r.status === 'fail' || r.status === 'error').length}/${runs.length} fail`;
}

async function open(variant: string): Promise<{ page: Page; watch: PageWatch }> {
  return openPage(browser, path.join(out, variant, 'report.html'));
}

const gridRows = (page: Page) =>
  page.$$eval('#grid-rows .row', (rows: Dom[]) =>
    rows.map((row) => ({
      id: row.querySelector('.id').textContent,
      cls: row.querySelector('.cls').textContent,
      cells: [...row.querySelectorAll('.cell')].map((c: Dom) => c.textContent),
    })),
  );

describe('report.html from diverge demo, in Chromium', () => {
  it('the demo wrote report.html beside each report.json, and an overview page', () => {
    expect(demo.stderr).not.toMatch(/^diverge: /m);
    for (const variant of ['staff-alt', ...VARIANTS])
      expect(existsSync(path.join(out, variant, 'report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'overview.html'))).toBe(true);
  });

  it.each(VARIANTS)(
    '%s: the head and every grid cell say what report.json says',
    async (variant) => {
      const report = reportOf(variant);
      const { page, watch } = await open(variant);
      const kernels = [report.candidate.name, ...report.references.map((r) => r.name)];
      expect(
        await page.$$eval('#grid-header .cell', (cells: Dom[]) => cells.map((c) => c.textContent)),
      ).toEqual(kernels);
      expect(await page.textContent('#conclusion')).toBe(report.summary.conclusion);
      expect(await gridRows(page)).toEqual(
        report.tests.map((t) => ({
          id: t.id,
          cls: t.verdict.class,
          cells: kernels.map((k) => cellOf(t.observations[k])),
        })),
      );
      expect(watch).toEqual({ dialogs: [], errors: [], requests: [] });
      await page.close();
    },
  );

  it('filters by class and searches by test id', async () => {
    const report = reportOf('changed-output');
    const { page } = await open('changed-output');
    await page.uncheck('#chips input[data-class="same"]');
    const divergent = report.tests.filter((t) => t.verdict.class !== 'same').map((t) => t.id);
    expect((await gridRows(page)).map((r) => r.id)).toEqual(divergent);
    await page.check('#chips input[data-class="same"]');
    await page.fill('#search', 'ALLOC');
    expect((await gridRows(page)).map((r) => r.id)).toEqual(
      report.tests.map((t) => t.id).filter((id) => id.includes('alloc')),
    );
    expect(await page.textContent('#shown')).toMatch(/^\d+ of 20 tests$/);
    await page.close();
  });

  it('a click on a divergence shows its diff and scrolls the log to its lines', async () => {
    const report = reportOf('changed-output');
    const test = report.tests.find((t) => t.verdict.class === 'output');
    if (!test?.verdict.diff) throw new Error('changed-output has no output divergence with a diff');
    const { page } = await open('changed-output');
    await page.click(`#grid-rows .row:has-text("${test.id}") .id`);
    expect(await page.textContent('#detail-id')).toBe(test.id);
    expect(await page.textContent('#detail-reason')).toBe(test.verdict.reason);
    const removed = test.verdict.diff
      .split('\n')
      .filter((l) => /^-(?!--)/.test(l))
      .map((l) => l.slice(1));
    const added = test.verdict.diff
      .split('\n')
      .filter((l) => /^\+(?!\+\+)/.test(l))
      .map((l) => l.slice(1));
    expect(
      await page.$$eval('#detail-diff td.del', (tds: Dom[]) => tds.map((td) => td.textContent)),
    ).toEqual(removed);
    expect(
      await page.$$eval('#detail-diff td.ins', (tds: Dom[]) => tds.map((td) => td.textContent)),
    ).toEqual(added);
    // The candidate's first boot, its lines of this test marked, the result line in view.
    const log = await page.evaluate(() => {
      const box = document.querySelector('#log');
      const marked = [...box.querySelectorAll('.ll.mark')];
      const seen = box.getBoundingClientRect();
      const last = marked.at(-1).getBoundingClientRect();
      return {
        boot: document.querySelector('#log-boot').selectedOptions[0].textContent,
        marked: marked.map((l: Dom) => l.querySelector('.tx').textContent),
        inView: last.top >= seen.top && last.bottom <= seen.bottom,
        scrolled: box.scrollTop,
      };
    });
    expect(log.boot).toMatch(/^candidate #1 /);
    expect(log.marked.at(-1)).toMatch(new RegExp(`^(not )?ok \\d+ ${test.id}$`));
    const file = readFileSync(path.join(out, 'changed-output', 'logs', 'candidate-1.log'), 'utf8');
    for (const line of log.marked) expect(file).toContain(line);
    expect(log.inView).toBe(true);
    expect(log.scrolled).toBeGreaterThan(0);
    await page.close();
  });

  it('j and k move between divergences; a crash points at the log after the last result', async () => {
    const report = reportOf('panic');
    const crashes = report.tests.filter((t) => t.verdict.class === 'crash').map((t) => t.id);
    const { page } = await open('panic');
    await page.keyboard.press('j');
    expect(await page.textContent('#detail-id')).toBe(crashes[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await page.textContent('#detail-id')).toBe(crashes[1]);
    const marked = await page.$$eval('#log .ll.mark .tx', (lines: Dom[]) =>
      lines.map((l) => l.textContent),
    );
    const splat = report.boots.find((b) => b.kernel === 'candidate')?.splats[0]?.message;
    expect(splat).toBeDefined();
    expect(marked).toContain(splat);
    await page.close();
  });

  it('diverge report --format html prints the page diverge run wrote', async () => {
    const file = path.join(out, 'wrong-result', 'report.json');
    const printed = await cli(['report', file, '--format', 'html']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(
      readFileSync(path.join(out, 'wrong-result', 'report.html'), 'utf8'),
    );
  });
});

describe("the demo's overview page, in Chromium", () => {
  it('shows each variant with its classes, sorts, and links to its report', async () => {
    const { page, watch } = await openPage(browser, path.join(out, 'overview.html'));
    const rows = () =>
      page.$$eval('#book-body tr', (trs: Dom[]) =>
        trs.map((tr) => ({
          name: tr.querySelector('td.name a').textContent,
          href: tr.querySelector('td.name a').getAttribute('href'),
          score: tr.querySelector('td.score').textContent,
          classes: [...tr.querySelectorAll('td.heat')].map((td: Dom) => td.dataset.class),
        })),
      );
    const variants = ['staff-alt', ...VARIANTS];
    // A variant's score: its tests that do not diverge.
    const score = (variant: string) =>
      reportOf(variant).tests.filter((t) => !isShownDivergence(t.verdict)).length;
    const tests = await page.$$eval('#book-head th.test', (ths: Dom[]) =>
      ths.map((th) => th.textContent),
    );
    const byScore = await rows();
    // Highest score first; the panic variant, with ten crashes, last.
    expect(byScore.map((r) => r.name)).toEqual(
      [...variants].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1)),
    );
    for (const row of byScore) {
      const report = reportOf(row.name);
      expect(row.href).toBe(`${row.name}/report.html`);
      expect(existsSync(path.join(out, row.href))).toBe(true);
      expect(row.score).toBe(`${score(row.name)} / ${report.tests.length}`);
      expect(row.classes).toEqual(
        tests.map((id: string) => report.tests.find((t) => t.id === id)?.verdict.class),
      );
    }
    await page.click('#book-head button[data-sort="score"]');
    // Again: lowest first (ties stay in name order).
    expect((await rows()).map((r) => r.name)).toEqual(
      [...variants].sort((a, b) => score(a) - score(b) || (a < b ? -1 : 1)),
    );
    // Sorting by a test puts its most severe class first.
    const column = tests.indexOf('alloc_distinct');
    await page.click(`#book-head button[data-sort="${column}"]`);
    expect((await rows())[0]?.name).toBe('wrong-result');
    expect(watch).toEqual({ dialogs: [], errors: [], requests: [] });
    await page.close();
  });
});
