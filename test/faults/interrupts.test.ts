/**
 * Interrupts of the commands that run containers and git worktrees (grade's one-command builds,
 * bisect's commit builds), through the bundled CLI on the real Docker engine and real git:
 * SIGINT and SIGTERM remove what the command made before it dies of the signal; what SIGKILL
 * leaves (it cannot be caught) is removed by the next run, which says so. Only the containers
 * this case's diverge processes made are looked at (their `diverge.owner` label names the pid):
 * other runs may share the engine.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { CLI, NODE24 } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const BASE_IMAGE = 'debian:bookworm-slim';

const kernelOf = (results: string) =>
  multibootKernel([
    ...X86_CODE.serialPort,
    ...X86_CODE.print(`KTAP version 1\n1..1\n${results}`),
    ...X86_CODE.debugExit(0),
  ]);

const MACHINE =
  'machine: { exit: isa-debug-exit, accel: tcg }\n' +
  'harness: { none: true, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n';

interface Started {
  child: ChildProcess;
  stderr: () => string;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(sb: FaultSandbox, args: string[], cwd = sb.work): Started {
  const child = spawn(NODE24, [CLI, ...args], {
    env: sb.env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, ended };
}

async function waitFor(what: string, ready: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Containers whose owner label names one of `pids` (`ID STATE ROLE` each). */
function containersOf(pids: readonly number[]): string[] {
  const out = execFileSync(
    'docker',
    [
      'ps',
      '-a',
      '--filter',
      'label=diverge.owner',
      '--format',
      '{{.ID}} {{.State}} {{.Label "diverge.role"}} {{.Label "diverge.owner"}}',
    ],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .filter((line) => pids.some((pid) => line.split(' ')[4] === String(pid)))
    .map((line) => line.split(' ').slice(0, 3).join(' '));
}

/** Removes what a failed case left (only this case's containers). */
function removeContainers(pids: readonly number[]) {
  for (const line of containersOf(pids))
    execFileSync('docker', ['rm', '-f', line.split(' ')[0] as string], { stdio: 'ignore' });
}

/**
 * A course whose `grading.build` runs in a stage of debian:bookworm-slim: a submission holding
 * `spin` spins the CPU for ever (its build never ends on its own within the time limit), any
 * other copies its kernel.elf.
 */
function course(sb: FaultSandbox): { config: string; spinning: string; quick: string } {
  writeFileSync(path.join(sb.work, 'staff.elf'), kernelOf('ok 1 a\n'));
  writeFileSync(path.join(sb.work, 'Dockerfile'), `FROM ${BASE_IMAGE} AS tools\nWORKDIR /src\n`);
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    MACHINE +
      'kernel:\n  build: { context: ., dockerfile: Dockerfile, target: tools, limits: { time: 120s } }\n' +
      '  path: /src/kernel.elf\n' +
      'grading:\n  build:\n    stage: tools\n' +
      '    run: "if [ -e spin ]; then while :; do :; done; fi; cp kernel.elf out.elf"\n' +
      '    path: out.elf\n' +
      'references:\n  - { name: staff, file: staff.elf }\n',
  );
  const submissions = path.join(sb.root, 'submissions');
  const spinning = path.join(submissions, 'spinning', 'alice');
  const quick = path.join(submissions, 'quick', 'bob');
  for (const dir of [spinning, quick]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'kernel.elf'), kernelOf('ok 1 a\n'));
  }
  writeFileSync(path.join(spinning, 'spin'), '');
  return { config, spinning: path.dirname(spinning), quick: path.dirname(quick) };
}

describe('faults: interrupted commands leave nothing behind', () => {
  async function interruptBuild(kind: string, signal: 'SIGINT' | 'SIGTERM') {
    const sb = faultSandbox(kind);
    const { config, spinning } = course(sb);
    const run = start(sb, ['grade', '-c', config, '--submissions', spinning, '-o', sb.out]);
    const pid = run.child.pid as number;
    try {
      await waitFor('the submission build container', () =>
        containersOf([pid]).some((c) => c.includes('running submission-build')),
      );
      run.child.kill(signal);
      const ended = await run.ended;
      expect(ended.signal).toBe(signal);
      expect(run.stderr()).toContain(`diverge: ${signal}: removed 1 container(s) and worktree(s)`);
      expect(containersOf([pid])).toEqual([]);
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      removeContainers([pid]);
    }
  }

  it('grade-build-sigint: SIGINT during a grading.build container removes the container before diverge ends by the signal', () =>
    interruptBuild('grade-build-sigint', 'SIGINT'));

  it('grade-build-sigterm: SIGTERM during a grading.build container removes it as SIGINT does', () =>
    interruptBuild('grade-build-sigterm', 'SIGTERM'));

  it('grade-build-sigkill: a build container left running by a diverge killed with SIGKILL is removed by the next run, which says so', async () => {
    const sb = faultSandbox('grade-build-sigkill');
    const { config, spinning, quick } = course(sb);
    const first = start(sb, ['grade', '-c', config, '--submissions', spinning, '-o', sb.out]);
    const pid = first.child.pid as number;
    try {
      await waitFor('the submission build container', () =>
        containersOf([pid]).some((c) => c.includes('running submission-build')),
      );
      first.child.kill('SIGKILL');
      await first.ended;
      // SIGKILL cannot be caught: the container spins on in the engine.
      expect(containersOf([pid])).toEqual([expect.stringContaining('running submission-build')]);

      const again = await sb.cli(['grade', '-c', config, '--submissions', quick, '-o', sb.out]);
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(
        new RegExp(
          `removed container \\w+ \\(submission-build, running\\) left by diverge process ${pid}, which is gone`,
        ),
      );
      expect(containersOf([pid])).toEqual([]);
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      first.child.kill('SIGKILL');
      removeContainers([pid]);
    }
  });
});

/**
 * A kernel project in git whose Dockerfile sleeps in a RUN step (SLEEP, a build argument) before
 * it copies the kernel: two commits, the second one's test fails.
 */
function repository(sb: FaultSandbox) {
  const repo = path.join(sb.root, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ta@example.org');
  git('config', 'user.name', 'TA');
  writeFileSync(
    path.join(repo, 'Dockerfile'),
    `FROM ${BASE_IMAGE}\nARG SLEEP=0\nRUN sleep $SLEEP\nCOPY kernel.elf /out/kernel.elf\n`,
  );
  writeFileSync(path.join(repo, 'kernel.elf'), kernelOf('ok 1 a\n'));
  git('add', '.');
  git('commit', '-q', '-m', 'good');
  const good = git('rev-parse', 'HEAD');
  writeFileSync(path.join(repo, 'kernel.elf'), kernelOf('not ok 1 a\n'));
  git('commit', '-q', '-am', 'bad');
  const bad = git('rev-parse', 'HEAD');
  writeFileSync(path.join(sb.work, 'staff.elf'), kernelOf('ok 1 a\n'));
  const config = (sleep: number) => {
    const file = path.join(sb.work, `diverge-${sleep}.yml`);
    writeFileSync(
      file,
      MACHINE +
        `kernel:\n  build: { context: ${repo}, args: { SLEEP: "${sleep}" } }\n  path: /out/kernel.elf\n` +
        'references:\n  - { name: staff, file: staff.elf }\n',
    );
    return file;
  };
  const worktrees = () =>
    git('worktree', 'list', '--porcelain')
      .split('\n')
      .filter((l) => l.startsWith('worktree '));
  return { repo, good, bad, config, worktrees };
}

describe('faults: interrupted bisect', () => {
  it('bisect-build-sigint: SIGINT while bisect builds its commits removes their git worktrees and containers', async () => {
    const sb = faultSandbox('bisect-build-sigint');
    const { good, bad, config, worktrees } = repository(sb);
    const args = ['bisect', '-c', config(600), '--good', good, '--bad', bad, '-o', sb.out];
    const run = start(sb, args);
    const pid = run.child.pid as number;
    try {
      await waitFor('a worktree of the build', () => worktrees().length > 1);
      await new Promise((r) => setTimeout(r, 1000));
      run.child.kill('SIGINT');
      const ended = await run.ended;
      expect(ended.signal).toBe('SIGINT');
      expect(worktrees()).toHaveLength(1);
      const work = path.join(sb.out, 'work');
      expect(existsSync(work) ? readdirSync(work) : []).toEqual([]);
      expect(containersOf([pid])).toEqual([]);
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      run.child.kill('SIGKILL');
      removeContainers([pid]);
    }
  });

  it('bisect-build-sigkill: the worktrees a bisect killed with SIGKILL left are removed by the next bisect into the same --out, which says so', async () => {
    const sb = faultSandbox('bisect-build-sigkill');
    const { good, bad, config, worktrees } = repository(sb);
    const first = start(sb, [
      'bisect',
      '-c',
      config(600),
      '--good',
      good,
      '--bad',
      bad,
      '-o',
      sb.out,
    ]);
    const pid = first.child.pid as number;
    try {
      await waitFor('a worktree of the build', () => worktrees().length > 1);
      first.child.kill('SIGKILL');
      await first.ended;
      expect(worktrees().length).toBeGreaterThan(1);

      const again = await sb.cli([
        'bisect',
        '-c',
        config(0),
        '--good',
        good,
        '--bad',
        bad,
        '-o',
        sb.out,
      ]);
      expect(again.stderr).toMatch(
        /removed \d+ git worktree\(s\) an earlier run left in .*work \(it was killed\)/,
      );
      expect(existsSync(path.join(sb.out, 'bisect.json'))).toBe(true);
      expect(worktrees()).toHaveLength(1);
      expect(readdirSync(path.join(sb.out, 'work'))).toEqual([]);
      expect(containersOf([pid])).toEqual([]);
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      first.child.kill('SIGKILL');
      removeContainers([pid]);
    }
  });
});
