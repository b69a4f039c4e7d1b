/**
 * `diverge grade` with `grading.build`: every submission built by `make kernel` in one container
 * of the staff's toolchain stage, in real Docker, then booted in real QEMU. Generated
 * submissions of every kind must get the generator's truth; three more break one build limit
 * each (memory, processes, time), and their rows must name it; one more fails in colour. And
 * one student's QEMU is killed from outside (SIGKILL, every time it starts): their row is not
 * graded (no score, no classes), and the gradebook page says so, readable at 1280 px.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import Docker from 'dockerode';
import {
  type GeneratedCourse,
  generateCourse,
  SUBMISSION_KINDS,
} from '../helpers/course-submissions.js';
import { launchBrowser, openPage, pageFlaws } from '../helpers/browser.js';
import {
  courseReferences,
  courseVariantKernel,
  gradebookIn,
  gradeCli,
  inKernelRule,
} from '../helpers/course.js';
import {
  type CliResult,
  qemuProcessesMentioning,
  scratchDir,
  testContext,
} from '../helpers/fixtures.js';
import type { Gradebook } from '../../src/model/gradebook.js';

// Page code runs in the browser: its DOM is not in this project's (Node) types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;
declare const document: Dom;

const dir = scratchDir('grade-command');
const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
const out = path.join(dir, 'out');
const marker = path.basename(dir);
let course: GeneratedCourse;
let result: CliResult;
let gradebook: Gradebook;
/** The student whose QEMU is killed from outside, and how many times it was. */
const INFRA = 'infra';
let kills = 0;

/** Students whose Makefile runs `line` before building: each breaks one limit. */
const BREAKERS: Record<string, string> = {
  hog: 'x="$$(head -c 300000000 /dev/zero | tr "\\0" a)"; echo $${#x}',
  bomb: 'for i in $$(seq 1 200); do sleep 5 & done; wait',
  slow: 'sleep 313',
  // A compiler's coloured error: the row and the log keep its words, not its escape codes.
  colour: 'printf "\\033[1;31merror:\\033[0m the colour test\\n"; false',
};

beforeAll(async () => {
  const references = await courseReferences(testContext('grade-command'), path.join(dir, 'staff'));
  course = await generateCourse(path.join(dir, 'course'), {
    count: 24,
    seed: 7,
    unique: marker,
    references,
    build: 'command',
  });
  const config = readFileSync(course.config, 'utf8');
  const args = 'args: { VARIANT: staff } }';
  expect(config).toContain(args);
  writeFileSync(
    course.config,
    config.replace(
      args,
      'args: { VARIANT: staff }, limits: { memory: 96M, processes: 50, time: 20s } }',
    ),
  );
  const correct = Object.keys(course.students).find((s) => course.students[s]?.kind === 'correct');
  for (const [name, line] of Object.entries(BREAKERS)) {
    const source = path.join(course.submissions, name);
    cpSync(path.join(course.submissions, correct as string), source, { recursive: true });
    inKernelRule(source, line);
  }
  // A file submission (booted from its own path, which names it): the course's hanging kernel,
  // which keeps its QEMU up until the stall timeout, killed from outside whenever it starts.
  const infra = path.join(course.submissions, INFRA);
  cpSync(
    await courseVariantKernel(testContext('grade-command'), path.join(dir, 'staff'), 'hang'),
    infra,
  );
  const killer = setInterval(() => {
    for (const line of qemuProcessesMentioning(infra)) {
      try {
        process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
        kills++;
      } catch {
        // Gone already.
      }
    }
  }, 100);
  try {
    result = await gradeCli(course, out, env);
  } finally {
    clearInterval(killer);
  }
  gradebook = gradebookIn(out);
}, 900_000);

const row = (name: string) => gradebook.students.find((s) => s.name === name);

describe('diverge grade with grading.build', () => {
  it('builds the stage once and grades every generated student as the truth says', () => {
    expect(result.stderr).not.toMatch(/^diverge: /m);
    // 3: a row is not graded (the student whose QEMU was killed); the students' results never
    // change the exit code.
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/grading\.build: stage toolchain is built \(diverge-stage:/);
    // The closing line names every gradebook file, the page included.
    expect(result.stderr).toContain(
      `gradebook: ${path.join(out, 'gradebook.json')}, gradebook.csv, gradebook.md and gradebook.html;`,
    );
    // Every kind is in the course, so every way of building (or not) is met.
    const kinds = new Set(Object.values(course.students).map((s) => s.kind));
    expect([...kinds].sort()).toStrictEqual([...SUBMISSION_KINDS].sort());
    for (const [name, truth] of Object.entries(course.students)) {
      const graded = row(name);
      expect({
        name,
        tests: graded?.tests,
        score: graded?.score,
        built: graded?.build.outcome,
      }).toStrictEqual({
        name,
        tests: truth.classes,
        score: truth.score,
        built: truth.builds ? 'built' : 'failed',
      });
    }
  });

  it('does not grade the student whose QEMU was killed from outside, after judging them once more', () => {
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(row(INFRA)).toMatchObject({
      score: null,
      conclusion: 'neutral',
      tests: {},
      build: { outcome: 'file' },
    });
    expect(row(INFRA)?.reason).toMatch(/SIGKILL|signal|killed/i);
    // Counted in no total: the mean is over the graded rows only.
    const csv = readFileSync(path.join(out, 'gradebook.csv'), 'utf8');
    expect(csv).toMatch(new RegExp(`^${INFRA},,\\d+,neutral,`, 'm'));
  });

  it("names each student's report after them, and their page shows the references' logs", () => {
    const built = gradebook.students.filter((s) => s.report !== null);
    expect(built.length).toBeGreaterThan(0);
    for (const student of built) {
      const page = readFileSync(path.join(out, 'students', student.name, 'report.html'), 'utf8');
      expect(page).toContain(`<title>diverge report — ${student.name}`);
      expect(page).not.toContain('the log file was not found');
      const report = JSON.parse(
        readFileSync(path.join(out, 'students', student.name, 'report.json'), 'utf8'),
      );
      expect(report.subject).toBe(student.name);
      // The references' boots are shared: their logs are in OUT/references, not copied.
      expect(report.boots.some((b: { log: string }) => b.log.startsWith('../../references/'))).toBe(
        true,
      );
    }
  });

  it('shows the gradebook and the reports whole at 1280 px: no raw JSON, nothing not found, the heat map in view', async () => {
    const of = (kind: string) =>
      Object.keys(course.students).find((s) => course.students[s]?.kind === kind) as string;
    const pages = [
      'gradebook.html',
      ...['panic', 'hang', 'correct'].map((kind) => `students/${of(kind)}/report.html`),
    ];
    const browser = await launchBrowser();
    try {
      for (const file of pages) {
        const { page, watch } = await openPage(browser, path.join(out, file), 1280);
        expect({ file, flaws: await pageFlaws(page) }).toEqual({ file, flaws: [] });
        expect(watch).toEqual({ dialogs: [], errors: [], requests: [] });
        if (file === 'gradebook.html') {
          // Every test's column of the heat map within the window, with no scrolling.
          const heat = await page.evaluate(() => {
            const cells = [...document.querySelectorAll('#book-body tr:first-child td.heat')];
            return {
              columns: document.querySelectorAll('#book-head th.test').length,
              cells: cells.length,
              right: Math.max(...cells.map((td) => td.getBoundingClientRect().right)),
              width: document.documentElement.clientWidth,
            };
          });
          // The references' tests, and any a student reported beyond them.
          expect(heat.columns).toBeGreaterThanOrEqual(gradebook.tests.length);
          expect(heat.cells).toBe(heat.columns);
          expect(heat.right).toBeLessThanOrEqual(heat.width);
          // The row of the student whose QEMU was killed: "not graded", no score, no class in
          // any cell, all of it within the window.
          const infra = await page.evaluate((name: string) => {
            const tr = [...document.querySelectorAll('#book-body tr')].find(
              (r) => r.querySelector('td.name')?.textContent === name,
            );
            return {
              score: tr?.querySelector('td.score')?.textContent,
              conclusion: tr?.querySelector('td.score + td')?.textContent,
              classes: [...(tr?.querySelectorAll('td.heat') ?? [])].map((td) => td.dataset.class),
              titles: [...(tr?.querySelectorAll('td.heat') ?? [])].map((td) => td.title),
              right: tr
                ? Math.max(...[...tr.children].map((td) => td.getBoundingClientRect().right))
                : 1e9,
              width: document.documentElement.clientWidth,
            };
          }, INFRA);
          expect(infra.score).toBe('not graded');
          expect(infra.conclusion).toBe('neutral');
          expect(infra.classes.every((c: string) => c === '')).toBe(true);
          expect(infra.titles.every((t: string) => t.endsWith(': not graded'))).toBe(true);
          expect(infra.right).toBeLessThanOrEqual(infra.width);
        }
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("says why a submission did not build, from the command's own failure", () => {
    for (const [name, truth] of Object.entries(course.students)) {
      if (truth.builds) continue;
      const graded = row(name);
      expect(graded).toMatchObject({ score: 0, conclusion: 'failure' });
      if (truth.kind === 'compile-error') {
        expect(graded?.reason).toMatch(
          /^did not build: grading\.build: grading\.build\.run \(make kernel VARIANT="\$VARIANT"\) exited with code 2 \(build log: students\/student-\d+\/logs\/build-kernel\.log\)$/,
        );
        expect(readFileSync(path.join(out, graded?.build.log ?? 'none'), 'utf8')).toMatch(
          /main\.c:\d+:\d+: error: expected ';'/,
        );
        // The compiler's own words in the row, for the gradebook page's hover.
        expect(graded?.build.lastLines?.join('\n')).toMatch(/main\.c:\d+:\d+: error: expected ';'/);
      } else
        expect(graded?.reason).toMatch(
          /^did not build: grading\.build\.path: \/src\/out\/kernel\.elf does not exist in image diverge-stage:\w+ \(after grading\.build\.run\)$/,
        );
    }
  });

  it.each([
    [
      'hog',
      /killed \(SIGKILL\), which is what reaching the memory limit does: kernel\.build\.limits\.memory is 96M/,
    ],
    ['bomb', /a process could not be started: kernel\.build\.limits\.processes is 50/],
    [
      'slow',
      /^did not build: grading\.build: stopped at the time limit: kernel\.build\.limits\.time is 20 s/,
    ],
  ])('stops %s at its limit and names it', (name, reason) => {
    expect(row(name)).toMatchObject({
      score: 0,
      conclusion: 'failure',
      build: { outcome: 'failed' },
    });
    expect(row(name)?.reason).toMatch(reason);
  });

  it("keeps a build's last lines and its log without colour codes", () => {
    const colour = row('colour');
    expect(colour).toMatchObject({ score: 0, conclusion: 'failure', build: { outcome: 'failed' } });
    expect(colour?.build.lastLines).toContain('error: the colour test');
    const log = readFileSync(path.join(out, colour?.build.log ?? 'none'), 'utf8');
    expect(log).toContain('error: the colour test');
    expect(log).not.toContain('\u001b');
  });

  it("ends the run, naming the field, when the stage is not in the staff's Dockerfile", async () => {
    const config = path.join(dir, 'no-stage.yml');
    writeFileSync(
      config,
      readFileSync(course.config, 'utf8').replace('stage: toolchain', 'stage: no-such-stage'),
    );
    const { code, stderr } = await gradeCli(
      { config, submissions: course.submissions },
      path.join(dir, 'no-stage'),
      env,
    );
    expect(stderr).toMatch(
      /^diverge: grading\.build\.stage: no stage named no-such-stage in Dockerfile$/m,
    );
    expect(code).toBe(2);
  }, 300_000);

  it('leaves no build container behind, nor its processes', async () => {
    const stage = /diverge-stage:\w+/.exec(result.stderr)?.[0];
    const all = await new Docker().listContainers({ all: true });
    expect(
      all.filter((c) => c.Labels['diverge.role'] === 'submission-build' && c.Image === stage),
    ).toEqual([]);
    // The slow student's sleep was in its container: killed with it.
    expect(spawnSync('pgrep', ['-f', 'sleep 313']).stdout.toString()).toBe('');
  });
});
