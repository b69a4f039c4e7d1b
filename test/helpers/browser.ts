/**
 * Headless Chromium for the tests that look at pages the way a person does: Debian's `chromium`
 * (scripts/setup.sh installs it), driven by playwright-core, which downloads no browser of its
 * own. CHROMIUM overrides the executable's path.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { scratchDir } from './fixtures.js';

// Page code runs in the browser: its DOM is not in this project's (Node) types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom;

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * What a person sees of an open page that would be wrong on any page: the model's JSON shown
 * raw, a file the page could not find, and the page wider than its window.
 */
export async function pageFlaws(page: Page): Promise<string[]> {
  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
  }));
  const flaws: string[] = [];
  if (seen.text.includes('{"')) flaws.push('raw JSON in the visible text');
  if (/not found/i.test(seen.text)) flaws.push('"not found" in the visible text');
  if (seen.scroll > seen.width)
    flaws.push(`wider than the window: ${seen.scroll} > ${seen.width} px`);
  return flaws;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM}: no Chromium here (run scripts/setup.sh, or set CHROMIUM)`);
  // No sandbox: the tests run as root, which Chromium's sandbox refuses.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** What a page did that its own script would never do. */
export interface PageWatch {
  dialogs: string[];
  /** Console errors, which include every Content-Security-Policy violation. */
  errors: string[];
  /** Requests other than the page's own file. */
  requests: string[];
}

/**
 * Opens `file` from file:// as a person would (in a window `width` pixels wide), recording
 * dialogs, errors and requests.
 */
export async function openPage(
  browser: Browser,
  file: string,
  width = 1400,
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  const watch: PageWatch = { dialogs: [], errors: [], requests: [] };
  const url = `file://${path.resolve(file)}`;
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) watch.requests.push(request.url());
  });
  await page.goto(url);
  await page
    .waitForSelector('body[data-ready]', { state: 'attached', timeout: 30_000 })
    .catch((error: Error) => {
      throw new Error(`${file}: the page's script did not finish (${watch.errors.join('; ')})`, {
        cause: error,
      });
    });
  return { page, watch };
}

/** Writes `html` to a fresh scratch file and returns its path. */
export function pageFile(html: string, name = 'report.html'): string {
  const file = path.join(scratchDir('html'), name);
  writeFileSync(file, html);
  return file;
}
