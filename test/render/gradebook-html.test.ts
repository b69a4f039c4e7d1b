/**
 * gradebook.html as `diverge grade` writes it: rows whose build and boot are the gradebook's
 * objects, shown as a few words (outcome, the start of the message, a link to the build log),
 * never as JSON; a student without a report (a compile error) has no link; the heat map stays
 * in view on a 1400-pixel-wide screen.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { parseConfig } from '../../src/config/load.js';
import { gradebookOf } from '../../src/grade/gradebook.js';
import { writeGradebook } from '../../src/grade/store.js';
import type { DivergenceClass } from '../../src/model/classes.js';
import type { GradebookStudent } from '../../src/model/gradebook.js';
import {
  bootStatus,
  buildStatus,
  pathHref,
  STATUS_CHARS,
} from '../../src/render/gradebook-html.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { scratchDir } from '../helpers/fixtures.js';

// The page's globals, for the functions that run in the browser (the project's lib has no DOM).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom;

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const TESTS = Array.from({ length: 40 }, (_, i) => `syscalls.case_${String(i).padStart(2, '0')}`);
const BUILD_FAILED =
  'grading.build: grading.build.run (make kernel VARIANT="$VARIANT") exited with code 2 (build log: students/bob/logs/build-kernel.log)';
const PANIC = 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b';

/** Rows as gradeCourse makes them: judged, a compile error, a panic, a kernel given as a file. */
function students(): GradebookStudent[] {
  const all = (cls: DivergenceClass) => Object.fromEntries(TESTS.map((id) => [id, cls]));
  const common = { max: TESTS.length, key: digest('d') };
  return [
    {
      ...common,
      name: 'alice',
      score: TESTS.length,
      conclusion: 'success',
      tests: all('same'),
      build: { outcome: 'built', log: 'students/alice/logs/build-kernel.log' },
      boot: { outcome: 'completed', stage: 'done' },
      report: 'students/alice/report.json',
    },
    {
      ...common,
      name: 'bob',
      score: 0,
      conclusion: 'failure',
      reason: `did not build: ${BUILD_FAILED}`,
      tests: {},
      build: {
        outcome: 'failed',
        message: BUILD_FAILED,
        log: 'students/bob/logs/build-kernel.log',
      },
      boot: { outcome: 'not-booted' },
      report: null,
    },
    {
      ...common,
      name: 'carol',
      score: 3,
      conclusion: 'failure',
      reason: `boot ended: panic at stage kernel (${PANIC})`,
      tests: { ...all('crash'), [TESTS[0] as string]: 'same' },
      build: { outcome: 'built', log: 'students/carol/logs/build-kernel.log' },
      boot: { outcome: 'panic', stage: 'kernel', message: PANIC },
      report: 'students/carol/report.json',
    },
    {
      ...common,
      name: 'dave',
      score: TESTS.length - 1,
      conclusion: 'failure',
      tests: { ...all('same'), [TESTS[5] as string]: 'regression' },
      build: { outcome: 'file' },
      boot: { outcome: 'completed', stage: 'done' },
      report: 'students/dave/report.json',
    },
  ];
}

describe('build and boot as the gradebook page shows them', () => {
  it('says the outcome, the start of the message, and links a log inside the folder', () => {
    expect(buildStatus({ outcome: 'built', log: 'students/a b/logs/build-kernel.log' })).toEqual({
      text: 'built',
      ok: true,
      log: 'students/a%20b/logs/build-kernel.log',
    });
    const failed = buildStatus({ outcome: 'failed', message: BUILD_FAILED });
    expect(failed).toEqual({
      text: `failed: ${BUILD_FAILED.slice(0, STATUS_CHARS - 1)}…`,
      ok: false,
      message: BUILD_FAILED,
    });
    expect(bootStatus({ outcome: 'completed', stage: 'done' })).toEqual({
      text: 'completed',
      ok: true,
    });
    expect(bootStatus({ outcome: 'timeout', stage: 'init' })).toEqual({
      text: 'timeout (stage init)',
      ok: false,
    });
    expect(bootStatus({ outcome: 'not-booted' })).toEqual({ text: 'not-booted', ok: false });
  });

  it("shows a failed build's last lines under its message on hover, not in the cell", () => {
    const failed = buildStatus({
      outcome: 'failed',
      message: 'exited with code 2',
      lastLines: ["main.c:3:1: error: expected ';'", 'make: *** [kernel] Error 1'],
    });
    expect(failed.text).toBe('failed: exited with code 2');
    expect(failed.message).toBe(
      "exited with code 2\nmain.c:3:1: error: expected ';'\nmake: *** [kernel] Error 1",
    );
  });

  it('cuts a message by characters, not halves of a pair', () => {
    const text = buildStatus({ outcome: 'failed', message: '😀'.repeat(100) }).text;
    expect(text).toBe(`failed: ${'😀'.repeat(STATUS_CHARS - 1)}…`);
  });

  it('links no log outside the page’s folder', () => {
    expect(pathHref('students/bob/logs/build.log')).toBe('students/bob/logs/build.log');
    expect(pathHref('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
    for (const outside of ['../secret.log', 'students/../../x', '/etc/passwd', 'a//b', './a', ''])
      expect(pathHref(outside)).toBeUndefined();
  });
});

describe('gradebook.html of a grading, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows build and boot in a few words, links only existing reports, keeps the heat map in view', async () => {
    const out = scratchDir('gradebook-html');
    const head = {
      tool: { name: 'diverge' as const, version: '0.1.0' },
      basis: {
        config: digest('a'),
        references: [{ name: 'staff', digest: digest('b') }],
        harness: digest('c'),
        tool: '0.1.0+abc',
      },
      grading: parseConfig('', '/course/diverge.yml').grading,
      tests: TESTS,
    };
    await writeGradebook(out, gradebookOf(head, students()));
    const { page, watch } = await openPage(browser, path.join(out, 'gradebook.html'));
    try {
      const rows = await page.$$eval('#book-body tr', (trs: Dom[]) =>
        trs.map((tr) => {
          const [build, boot] = tr.querySelectorAll('td.status');
          const link = (td: Dom) => td.querySelector('a.log')?.getAttribute('href') ?? null;
          return {
            name: tr.querySelector('td.name a').textContent,
            href: tr.querySelector('td.name a').getAttribute('href'),
            conclusion: tr.querySelector('td.score').nextElementSibling.title,
            build: build.textContent,
            buildTitle: build.title,
            buildLog: link(build),
            boot: boot.textContent,
            bootTitle: boot.title,
            bad: [build, boot].map((td: Dom) => td.classList.contains('bad')),
          };
        }),
      );
      const cut = (text: string) => `${text.slice(0, STATUS_CHARS - 1)}…`;
      expect(rows).toEqual([
        {
          name: 'alice',
          href: 'students/alice/report.html',
          conclusion: '',
          build: 'built log',
          buildTitle: '',
          buildLog: 'students/alice/logs/build-kernel.log',
          boot: 'completed',
          bootTitle: '',
          bad: [false, false],
        },
        {
          name: 'dave',
          href: 'students/dave/report.html',
          conclusion: '',
          build: 'file',
          buildTitle: '',
          buildLog: null,
          boot: 'completed',
          bootTitle: '',
          bad: [false, false],
        },
        {
          name: 'carol',
          href: 'students/carol/report.html',
          conclusion: `boot ended: panic at stage kernel (${PANIC})`,
          build: 'built log',
          buildTitle: '',
          buildLog: 'students/carol/logs/build-kernel.log',
          boot: `panic (stage kernel): ${cut(PANIC)}`,
          bootTitle: PANIC,
          bad: [false, true],
        },
        {
          name: 'bob',
          href: null,
          conclusion: `did not build: ${BUILD_FAILED}`,
          build: `failed: ${cut(BUILD_FAILED)} log`,
          buildTitle: BUILD_FAILED,
          buildLog: 'students/bob/logs/build-kernel.log',
          boot: 'not-booted',
          bootTitle: '',
          bad: [true, true],
        },
      ]);
      // One line a row, and the heat map's first column within the 1400-pixel-wide window.
      const layout = await page.evaluate(() => {
        const box = (e: Dom) => e.getBoundingClientRect();
        const rows = [...document.querySelectorAll('#book-body tr')];
        return {
          width: document.documentElement.clientWidth,
          heat: box(document.querySelector('#book-body td.heat')).left,
          heights: rows.map((tr: Dom) => box(tr).height),
        };
      });
      expect(layout.width).toBeLessThanOrEqual(1400);
      expect(layout.heat).toBeLessThan(layout.width - 30);
      expect(new Set(layout.heights).size).toBe(1);
      expect(watch).toEqual({ dialogs: [], errors: [], requests: [] });
    } finally {
      await page.close();
    }
  }, 120_000);
});
