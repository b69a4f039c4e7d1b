/**
 * The history dashboard as people see it, in headless Chromium: no request and no CSP
 * violation, the lists and the tests × runs grid, the search filter, a test's page with its
 * timeline, no horizontal scroll at 1280 px; kernel text (test ids, hostile ones included)
 * shown as text. badge.json and feed.xml as shields.io and an Atom reader take them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { allFacts } from '../../src/history/facts.js';
import { RECENT_RUNS, renderSite, testPage } from '../../src/history/site.js';
import { timelineOf } from '../../src/history/timeline.js';
import { launchBrowser, openPage, type PageWatch } from '../helpers/browser.js';
import { scratchDir } from '../helpers/fixtures.js';
import { historyRun, type Said } from '../helpers/history.js';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom, window: Dom;

const CANARY = 'window.__pwned = (window.__pwned || 0) + 1';
const HOSTILE = `<img src=x onerror="${CANARY}">\u202e\u0000</script><script>${CANARY}</script>`;

/**
 * 60 daily runs over November and December of 30 tests: `net.tcp` breaks at run 40 (commit
 * c40) and stays broken, `fs.write` broke at 20 and was fixed at 45, `sched.yield` is flaky
 * every third run, and a test with a hostile id breaks at 50 with no commit (the staff
 * reference moved). Every run links its report, run 50's with a `javascript:` link.
 */
function history() {
  return Array.from({ length: 60 }, (_, i) => {
    const tests: Record<string, Said> = {};
    for (let t = 0; t < 26; t++) tests[`suite${t % 3}.case${t}`] = 'good';
    tests['net.tcp'] = i >= 40 ? 'broken' : 'good';
    tests['fs.write'] = i >= 20 && i < 45 ? 'broken' : 'good';
    tests['sched.yield'] = i % 3 === 0 ? 'flaky' : 'good';
    tests[HOSTILE] = i >= 50 ? 'broken' : 'good';
    return historyRun({
      commit: i === 50 ? 'c49' : `c${i}`,
      hour: i * 24,
      tests,
      staff: i >= 50 ? 'sha256:staff-2' : 'sha256:staff',
      link: i === 50 ? `javascript:${CANARY}` : `https://example.org/runs/${i}/report.html`,
      event: i % 2 ? 'push' : 'schedule',
    });
  });
}

let browser: Browser;
let site: string;
beforeAll(async () => {
  browser = await launchBrowser();
  site = scratchDir('history-site');
  const timeline = timelineOf(history());
  await renderSite(timeline, allFacts(timeline), site, { url: 'https://example.org/kernel' });
});
afterAll(async () => {
  await browser?.close();
});

async function opened(file: string): Promise<{ page: Page; watch: PageWatch }> {
  const { page, watch } = await openPage(browser, path.join(site, file));
  await page.setViewportSize({ width: 1280, height: 900 });
  return { page, watch };
}

async function quiet(page: Page, watch: PageWatch) {
  expect(watch).toEqual({ dialogs: [], errors: [], requests: [] });
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  // The page scrolls down, never sideways: wide grids scroll inside their box.
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
}

describe('the history dashboard, in Chromium', () => {
  it('index.html: lists, the grid of the latest runs, the filter, and nothing loaded', async () => {
    const { page, watch } = await opened('index.html');
    try {
      const lists = await page.evaluate(() =>
        ['broken', 'flaky', 'fixed'].map((id) =>
          [...document.querySelectorAll(`#${id} li`)].map((li: Dom) => li.textContent),
        ),
      );
      expect(lists[0]).toEqual([
        `${HOSTILE.replace('\u202e', '⟨U+202E⟩').replace('\u0000', '⟨U+0000⟩')} since c49 (2026-12-21), with no commit: the references changed`,
        'net.tcp since c40 (2026-12-11), with a commit',
      ]);
      expect(lists[1]).toEqual(['sched.yield 30% of its latest runs']);
      expect(lists[2]).toEqual(['fs.write good again since c45 (2026-12-16)']);
      const grid = await page.evaluate(() => ({
        runs: document.querySelectorAll('#grid-head th.run').length,
        rows: document.querySelectorAll('#grid-body tr').length,
        cells: document.querySelectorAll('#grid-body tr:first-child td.c').length,
        failing: document.querySelectorAll('#grid-body td.c.fails').length,
        firstRow: document.querySelector('#grid-body tr td.id a').getAttribute('href'),
        reportLinks: [...document.querySelectorAll('#grid-head th.run a')].map((a: Dom) =>
          a.getAttribute('href'),
        ),
      }));
      expect(grid.runs).toBe(RECENT_RUNS);
      expect(grid.rows).toBe(30);
      expect(grid.cells).toBe(RECENT_RUNS);
      // The window is runs 20-59: net.tcp's 20 broken runs, fs.write's 25 and the hostile test's 10.
      expect(grid.failing).toBe(20 + 25 + 10);
      expect(grid.firstRow).toBe(testPage(HOSTILE));
      // Run 50's `javascript:` link is no link.
      expect(grid.reportLinks).toHaveLength(RECENT_RUNS - 1);
      expect(grid.reportLinks.every((href: string) => href.startsWith('https://'))).toBe(true);

      await page.fill('#search', 'suite1.');
      expect(await page.textContent('#shown')).toBe('9 of 30 tests');
      await page.fill('#search', '');
      await page.click('#states input[data-state="good"]');
      // Left: the two broken tests (sched.yield was good in the latest run).
      expect(await page.textContent('#shown')).toBe('2 of 30 tests');
      await quiet(page, watch);
    } finally {
      await page.close();
    }
  });

  it("a test's page: its facts and its timeline of streaks, newest first", async () => {
    const { page, watch } = await opened(testPage('fs.write'));
    try {
      const facts = await page.evaluate(() =>
        [...document.querySelectorAll('#facts dt')].map(
          (dt: Dom) => `${dt.textContent}: ${dt.nextElementSibling.textContent}`,
        ),
      );
      expect(facts).toEqual([
        'state: good',
        'last good: c59 2026-12-30T00:00:00.000Z',
        'good again since: c45 2026-12-16T00:00:00.000Z',
        'flake rate: 0% of its latest runs',
      ]);
      const timeline = await page.evaluate(() =>
        [...document.querySelectorAll('#timeline-body tr')].map((tr: Dom) =>
          [...tr.children].slice(0, 4).map((td: Dom) => td.textContent),
        ),
      );
      expect(timeline).toEqual([
        ['good', 'same', 'pass', '15'],
        ['broken', 'regression', 'fail', '25'],
        ['good', 'same', 'pass', '20'],
      ]);
      expect(await page.getAttribute('#head a', 'href')).toBe('../index.html');
      await quiet(page, watch);
    } finally {
      await page.close();
    }
  });

  it('older runs are on a page per month, linked from index.html', async () => {
    const { page, watch } = await opened('index.html');
    const months = await page.evaluate(() =>
      [...document.querySelectorAll('#months a')].map((a: Dom) => a.getAttribute('href')),
    );
    await page.close();
    expect(months).toEqual(['months/2026-12.html', 'months/2026-11.html']);
    const month = await opened('months/2026-11.html');
    try {
      expect(
        await month.page.evaluate(() => document.querySelectorAll('#grid-head th.run').length),
      ).toBe(30);
      expect(await month.page.evaluate(() => document.querySelectorAll('#lists h2').length)).toBe(
        0,
      );
      await quiet(month.page, month.watch);
    } finally {
      await month.page.close();
    }
    expect(watch.requests).toEqual([]);
  });

  it('the feed parses as Atom and lists the state changes, newest first', async () => {
    const xml = readFileSync(path.join(site, 'feed.xml'), 'utf8');
    const page = await browser.newPage();
    try {
      const feed = await page.evaluate((text: string) => {
        const doc = new window.DOMParser().parseFromString(text, 'application/xml');
        return {
          error: doc.querySelector('parsererror')?.textContent ?? null,
          root: doc.documentElement.namespaceURI,
          titles: [...doc.querySelectorAll('entry > title')].map((t: Dom) => t.textContent),
          links: [...doc.querySelectorAll('entry > link')].map((l: Dom) => l.getAttribute('href')),
        };
      }, xml);
      expect(feed.error).toBeNull();
      expect(feed.root).toBe('http://www.w3.org/2005/Atom');
      expect(feed.titles.slice(0, 3)).toEqual([
        'sched.yield: flaky → good at c58',
        'sched.yield: good → flaky at c57',
        'sched.yield: flaky → good at c55',
      ]);
      expect(feed.titles).toContain('net.tcp: good → broken at c40');
      expect(feed.titles).toContain('fs.write: broken → good at c45');
      expect(feed.links[0]).toBe(`https://example.org/kernel/${testPage('sched.yield')}`);
    } finally {
      await page.close();
    }
  });
});

describe('badge.json and the site on disk', () => {
  it('is a shields.io endpoint: "2 broken" in red', () => {
    expect(JSON.parse(readFileSync(path.join(site, 'badge.json'), 'utf8'))).toEqual({
      schemaVersion: 1,
      label: 'diverge',
      message: '2 broken',
      color: 'red',
    });
  });

  it('has a page per test and per month, and nothing else', () => {
    expect(readdirSync(site).sort()).toEqual([
      'badge.json',
      'feed.xml',
      'index.html',
      'months',
      'tests',
    ]);
    expect(readdirSync(path.join(site, 'tests'))).toHaveLength(30);
    expect(statSync(path.join(site, 'index.html')).size).toBeLessThan(1_000_000);
  });
});
