/**
 * Headless Chromium for the tests that look at pages the way a person does: Debian's `chromium`
 * (scripts/setup.sh installs it), driven by playwright-core, which downloads no browser of its
 * own. CHROMIUM overrides the executable's path.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { scratchDir } from './fixtures.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

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

/** Opens `file` from file:// as a person would, recording dialogs, errors and requests. */
export async function openPage(
  browser: Browser,
  file: string,
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
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
