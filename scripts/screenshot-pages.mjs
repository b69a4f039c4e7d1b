// Screenshots of diverge's HTML pages for the README, taken with headless Chromium (Debian's,
// driven by playwright-core) from a `diverge demo` output directory:
//   node scripts/screenshot-pages.mjs DEMO_DIR VARIANT OUT_DIR
// OUT_DIR/report.png: VARIANT's report.html with its first divergence selected (key j), so the
// picture shows the grid, the verdict with its diff and the serial log at the test's lines;
// OUT_DIR/overview.png: the demo's overview page (variants × tests).
import path from 'node:path';
import { chromium } from 'playwright-core';

const [demo, variant, out] = process.argv.slice(2);
if (!demo || !variant || !out) {
  console.error('usage: screenshot-pages.mjs DEMO_DIR VARIANT OUT_DIR');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
async function shoot(file, png, { width, height, fullPage = true }, prepare = async () => {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(`file://${path.resolve(file)}`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  await prepare(page);
  await page.screenshot({ path: png, fullPage });
  await page.close();
}
await shoot(
  path.join(demo, variant, 'report.html'),
  path.join(out, 'report.png'),
  // Head, grid, verdict and log; the boots table below is left out.
  { width: 1400, height: 1380, fullPage: false },
  (page) => page.keyboard.press('j'),
);
await shoot(path.join(demo, 'overview.html'), path.join(out, 'overview.png'), {
  width: 1100,
  height: 600,
});
await browser.close();
