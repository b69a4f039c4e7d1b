/**
 * `diverge history` as people run it, through the bundled CLI: two runs adding at once each
 * keep their whole record; the commit, ref and event come from the git checkout and GitHub's
 * variables when not given; a pull request's run is refused; show and render read the store.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readMonth, storeMonths } from '../../src/history/store.js';
import { CLI, NODE24, scratchDir, type CliResult } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';

/** The CLI run in `cwd` with only `env` (and PATH, for git, and a cache in `cwd`). */
function diverge(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      NODE24,
      [CLI, ...args],
      {
        cwd,
        // A cache of its own: render and show keep the store's columns there.
        env: { PATH: process.env.PATH, XDG_CACHE_HOME: path.join(cwd, '.cache'), ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A report.json in `dir` where `broken` tests regress against staff. */
function reportIn(dir: string, broken: string[] = []): string {
  const tests = (kernel: string) =>
    ['net.tcp', 'fs.write', 'sched.yield'].map(
      (id) => `${id}:${kernel === 'candidate' && broken.includes(id) ? 'fail' : 'pass'}`,
    );
  const report = judgedReport(
    [boot('staff', 1, tests('staff')), boot('candidate', 1, tests('candidate'))],
    ['staff'],
  );
  const file = path.join(dir, `report-${broken.join('-') || 'good'}.json`);
  writeFileSync(file, JSON.stringify(report));
  return file;
}

describe('diverge history', () => {
  it('two processes adding at once each append their whole record', async () => {
    const dir = scratchDir('history-two');
    const report = reportIn(dir);
    const writer = async (name: string) => {
      for (let i = 0; i < 15; i++) {
        const result = await diverge(
          [
            'history',
            'add',
            report,
            '--store',
            'store',
            '--commit',
            `${name}${i}`,
            '--time',
            '2026-12-06T10:00:00Z',
          ],
          dir,
        );
        expect(result).toMatchObject({ code: 0 });
      }
    };
    await Promise.all([writer('a'), writer('b')]);
    const warnings: string[] = [];
    const records = await readMonth(path.join(dir, 'store'), '2026-12', (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    expect(records.map((r) => r.commit).sort()).toEqual(
      ['a', 'b'].flatMap((n) => Array.from({ length: 15 }, (_, i) => `${n}${i}`)).sort(),
    );
  });

  it("takes the commit and ref from the checkout, the event from GitHub's, and refuses a pull request's run", async () => {
    const dir = scratchDir('history-git');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'trunk');
    git(
      '-c',
      'user.name=T',
      '-c',
      'user.email=t@example.org',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'one',
    );
    const report = reportIn(dir, ['net.tcp']);
    const added = await diverge(['history', 'add', report, '--store', 'store'], dir, {
      GITHUB_EVENT_NAME: 'schedule',
    });
    expect(added.code).toBe(0);
    // The month is the clock's: whichever it is, the store has that one file.
    const [month] = await storeMonths(path.join(dir, 'store'));
    const [record] = await readMonth(path.join(dir, 'store'), month ?? '', () => undefined);
    expect(record).toMatchObject({
      commit: git('rev-parse', 'HEAD'),
      ref: 'refs/heads/trunk',
      event: 'schedule',
      reports: [{ failing: ['net.tcp'] }],
    });

    const refused = await diverge(['history', 'add', report, '--store', 'store'], dir, {
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "a pull_request run is not one of the default branch's (push, schedule, workflow_dispatch): nothing recorded",
    );
  });

  it("show and render read what add wrote; --json gives each test's facts", async () => {
    const dir = scratchDir('history-show');
    const runs: [string, string, string[]][] = [
      ['c1', '2026-11-30T10:00:00Z', []],
      ['c2', '2026-12-01T10:00:00Z', ['net.tcp']],
      ['c3', '2026-12-02T10:00:00Z', ['net.tcp']],
    ];
    for (const [commit, time, broken] of runs)
      expect(
        await diverge(
          [
            'history',
            'add',
            reportIn(dir, broken),
            '--store',
            'store',
            '--commit',
            commit,
            '--time',
            time,
            '--event',
            'push',
          ],
          dir,
        ),
      ).toMatchObject({ code: 0 });
    const shown = await diverge(['history', 'show', '--store', 'store', '--json'], dir);
    expect(shown.code).toBe(0);
    const { tests } = JSON.parse(shown.stdout);
    expect(tests.find((t: { id: string }) => t.id === 'net.tcp')).toMatchObject({
      state: 'broken',
      brokenSince: { commit: 'c2', time: '2026-12-01T10:00:00.000Z' },
      lastGood: { commit: 'c1' },
      flakeRate: 0,
    });
    const text = await diverge(['history', 'show', '--store', 'store'], dir);
    expect(text.stdout).toContain(
      '1 broken:\n  net.tcp\n    broken since c2 (2026-12-01T10:00:00.000Z), with a commit',
    );

    const rendered = await diverge(['history', 'render', '--store', 'store', '--out', 'site'], dir);
    expect(rendered).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(path.join(dir, 'site', 'badge.json'), 'utf8')).message).toBe(
      '1 broken',
    );

    const missing = await diverge(['history', 'show', '--store', 'nowhere'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(dir, 'nowhere')}: no history store here`);
  });
});
