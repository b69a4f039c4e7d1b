/**
 * `diverge history render`: the dashboard as a static site. index.html holds the latest runs
 * (and stays small: older runs are on a page per month, loaded when followed), every test has
 * its own page, badge.json is a shields.io endpoint and feed.xml an Atom feed of state changes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunRef, TestFacts, TestState } from '../model/history.js';
import { stripControls } from '../render/escape.js';
import {
  HISTORY_CODES,
  renderHistoryGridPage,
  renderHistoryTestPage,
} from '../render/history-html.js';
import type {
  HistoryGridPageData,
  HistoryPageListed,
  HistoryPageRun,
  HistoryPageStreak,
} from '../render/page-data.js';
import { makeDir } from '../util/atomic.js';
import { sections, CAUSE_WORDS, ID_CHARS, shownId } from './show.js';
import { monthOf } from './store.js';
import { codeAt, stateOfCode, type Timeline, type TimelineRun } from './timeline.js';

/** Runs in index.html's grid. */
export const RECENT_RUNS = 40;
/** Streaks a test's page lists, newest first. */
export const TEST_STREAKS = 500;
/** Entries of the feed, newest first. */
export const FEED_ENTRIES = 100;

export interface SiteOptions {
  /** The site's public address, for the feed's links. */
  url?: string;
}

/** A test's page, named by a digest of its id: stable across renders, safe whatever the id. */
export const testDigest = (id: string) =>
  createHash('sha256').update(id).digest('hex').slice(0, 16);
export const testPage = (id: string) => `tests/${testDigest(id)}.html`;

const pageRun = (run: TimelineRun): HistoryPageRun => ({
  commit: run.commit,
  time: run.time,
  event: run.event,
  ...(run.link ? { link: run.link } : {}),
});

const hex = (code: number) => code.toString(16).padStart(2, '0');
const short = (run: RunRef) => `${run.commit.slice(0, 12)} (${run.time.slice(0, 10)})`;
/** Test ids in page data are kernel output: cut to what a page shows. */
const cut = (id: string) => [...id].slice(0, ID_CHARS * 5).join('');

const STATE_ORDER: Record<TestState, number> = { broken: 0, flaky: 1, good: 2, absent: 3 };

function gridData(
  timeline: Timeline,
  facts: readonly TestFacts[],
  runs: readonly number[],
  prefix: string,
  fields: Pick<HistoryGridPageData, 'title' | 'summary' | 'lists' | 'months' | 'home'>,
): HistoryGridPageData {
  const rows = facts
    .map((f, t) => ({ f, t }))
    .filter(({ t }) => runs.some((r) => codeAt(timeline, r, t) !== 0))
    .sort((a, b) => STATE_ORDER[a.f.state] - STATE_ORDER[b.f.state] || (a.f.id < b.f.id ? -1 : 1));
  const run = (r: number) => timeline.runs[r] as TimelineRun;
  return {
    kind: 'grid',
    ...HISTORY_CODES,
    ...fields,
    runs: runs.map((r) => pageRun(run(r))),
    rows: rows.map(({ f, t }) => ({
      id: cut(f.id),
      state: f.state,
      href: prefix + testPage(f.id),
      cells: runs.map((r) => hex(codeAt(timeline, r, t))).join(''),
    })),
  };
}

/** The streaks of a test's timeline (runs with the same code; runs without the test skipped), newest first. */
function streaks(timeline: Timeline, t: number): { shown: HistoryPageStreak[]; older: number } {
  const all: HistoryPageStreak[] = [];
  let current: HistoryPageStreak | undefined;
  for (let r = 0; r < timeline.runs.length; r++) {
    const code = codeAt(timeline, r, t);
    if (code === 0) continue;
    const run = pageRun(timeline.runs[r] as TimelineRun);
    if (current && current.code === code) {
      current.to = run;
      current.runs++;
    } else {
      current = { from: run, to: run, runs: 1, code };
      all.push(current);
    }
  }
  const shown = all.slice(-TEST_STREAKS).reverse();
  return { shown, older: all.length - shown.length };
}

function testFacts(f: TestFacts) {
  const run = (term: string, ref: RunRef | null, extra = '') =>
    ref
      ? [
          {
            term,
            value: `${ref.commit} ${ref.time}${extra}`,
            ...(ref.link ? { link: ref.link } : {}),
          },
        ]
      : [];
  return [
    { term: 'state', value: f.state },
    ...run('broken since', f.brokenSince, f.cause ? `, ${CAUSE_WORDS[f.cause]}` : ''),
    ...run('last good', f.lastGood),
    ...(f.lastGood === null ? [{ term: 'last good', value: 'never' }] : []),
    ...run('good again since', f.fixedAt),
    { term: 'flake rate', value: `${Math.round(f.flakeRate * 100)}% of its latest runs` },
  ];
}

const xml = (text: string) =>
  stripControls(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

/** The state changes of every test, newest first: a test's first run is not a change. */
function stateChanges(timeline: Timeline) {
  const changes: { t: number; r: number; from: TestState; to: TestState }[] = [];
  const last = new Array<TestState | undefined>(timeline.tests.length);
  for (let r = 0; r < timeline.runs.length; r++) {
    const codes = timeline.codes[r] ?? new Uint8Array();
    for (const [t, code] of codes.entries()) {
      const state = stateOfCode(code);
      if (state === 'absent') continue;
      const before = last[t];
      if (before !== undefined && before !== state) changes.push({ t, r, from: before, to: state });
      last[t] = state;
    }
  }
  return changes.reverse();
}

function feed(timeline: Timeline, options: SiteOptions): string {
  const base = options.url ? options.url.replace(/\/?$/, '/') : undefined;
  const id = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
  const changes = stateChanges(timeline).slice(0, FEED_ENTRIES);
  const updated = timeline.runs.at(-1)?.time ?? new Date(0).toISOString();
  const entries = changes.map(({ t, r, from, to }) => {
    const test = timeline.tests[t] as string;
    const run = timeline.runs[r] as TimelineRun;
    const title = `${shownId(test)}: ${from} → ${to} at ${run.commit.slice(0, 12)}`;
    const href = base ? `${base}${testPage(test)}` : undefined;
    return [
      '<entry>',
      `<id>urn:diverge:history:${id(`${test}\n${run.time}\n${run.commit}`)}</id>`,
      `<title>${xml(title)}</title>`,
      `<updated>${xml(run.time)}</updated>`,
      href ? `<link href="${xml(href)}"/>` : '',
      `<content type="text">${xml(`${title} (${run.event}, ${run.ref})`)}</content>`,
      '</entry>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${base ? xml(base) : 'urn:diverge:history'}</id>`,
    '<title>diverge: state changes</title>',
    `<updated>${xml(updated)}</updated>`,
    '<author><name>diverge</name></author>',
    base ? `<link href="${xml(base)}"/>` : '',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** badge.json: a shields.io endpoint ("diverge: 3 broken", or "passing"). */
export function badge(facts: readonly TestFacts[], runs: number) {
  const broken = facts.filter((f) => f.state === 'broken').length;
  return {
    schemaVersion: 1,
    label: 'diverge',
    message: runs === 0 ? 'no runs' : broken > 0 ? `${broken} broken` : 'passing',
    color: runs === 0 ? 'lightgrey' : broken > 0 ? 'red' : 'brightgreen',
  };
}

export async function renderSite(
  timeline: Timeline,
  facts: readonly TestFacts[],
  out: string,
  options: SiteOptions = {},
): Promise<{ pages: number }> {
  // Pages of an earlier render (badge.json marks one) are replaced, not left to go stale.
  if (existsSync(path.join(out, 'badge.json')))
    for (const sub of ['tests', 'months'])
      await rm(path.join(out, sub), { recursive: true, force: true });
  await makeDir(path.join(out, 'tests'));
  await makeDir(path.join(out, 'months'));
  const { runs } = timeline;
  const byMonth = new Map<string, number[]>();
  runs.forEach((run, r) => {
    const month = monthOf(run.time);
    const list = byMonth.get(month) ?? [];
    list.push(r);
    byMonth.set(month, list);
  });
  const months = [...byMonth.keys()].sort().reverse();
  const recent = runs.map((_, r) => r).slice(-RECENT_RUNS);
  const { broken, flaky, fixed } = sections(facts);
  const since = runs[recent[0] ?? 0]?.time ?? '';
  const listed = (f: TestFacts, note: string): HistoryPageListed => ({
    id: cut(f.id),
    href: testPage(f.id),
    note,
  });
  const latest = runs.at(-1);
  const summary = latest
    ? `${runs.length} runs, ${facts.length} tests, ${broken.length} broken, ${flaky.length} flaky; latest ${short(latest)} on ${latest.ref}`
    : 'No runs recorded yet.';
  const lists = {
    broken: broken.map((f) =>
      listed(f, `since ${short(f.brokenSince)}, ${CAUSE_WORDS[f.cause ?? 'unknown']}`),
    ),
    flaky: flaky.map((f) => listed(f, `${Math.round(f.flakeRate * 100)}% of its latest runs`)),
    fixed: fixed
      .filter((f) => f.fixedAt.time >= since)
      .map((f) => listed(f, `good again since ${short(f.fixedAt)}`)),
  };
  const monthLinks = (prefix: string) =>
    months.map((m) => ({ name: m, href: `${prefix}months/${m}.html` }));
  await writeFile(
    path.join(out, 'index.html'),
    renderHistoryGridPage(
      gridData(timeline, facts, recent, '', {
        title: 'diverge: is it broken?',
        summary,
        lists,
        months: monthLinks(''),
      }),
    ),
  );
  for (const [month, monthRuns] of byMonth)
    await writeFile(
      path.join(out, 'months', `${month}.html`),
      renderHistoryGridPage(
        gridData(timeline, facts, monthRuns, '../', {
          title: `diverge: the runs of ${month}`,
          summary: `${monthRuns.length} runs`,
          lists: { broken: [], flaky: [], fixed: [] },
          months: monthLinks('../'),
          home: '../index.html',
        }),
      ),
    );
  for (const [t, f] of facts.entries()) {
    const { shown, older } = streaks(timeline, t);
    await writeFile(
      path.join(out, testPage(f.id)),
      renderHistoryTestPage({
        kind: 'test',
        ...HISTORY_CODES,
        id: cut(f.id),
        home: '../index.html',
        facts: testFacts(f),
        streaks: shown,
        older,
      }),
    );
  }
  await writeFile(path.join(out, 'badge.json'), `${JSON.stringify(badge(facts, runs.length))}\n`);
  await writeFile(path.join(out, 'feed.xml'), feed(timeline, options));
  return { pages: 1 + months.length + facts.length };
}
