/**
 * Fault cases of the guest network and the host-side driver (docs/network.md): diverge
 * interrupted while a driver tests, a driver that hangs past its time limit or cannot start,
 * and tap mode without CAP_NET_ADMIN. The guests are tiny multiboot images (probe-kernel.ts)
 * that print a line and wait; the drivers are shell scripts in the sandbox, so that every
 * process they start names the sandbox and `leftovers` sees it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { CLI, NODE24 } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers, processesIn } from './sandbox.js';

/** Says it is ready on the console, then waits forever: the driver does the testing. */
const READY = [...X86_CODE.serialPort, ...X86_CODE.print('guest ready\n'), ...X86_CODE.halt];

function setUp(kind: string, network: string, driver: string) {
  const sb = faultSandbox(kind);
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    'machine: { accel: tcg }\n' +
      'harness:\n' +
      '  none: true\n' +
      '  rerun-divergent: 0\n' +
      '  timeouts: { boot: 60s, stall: 60s, total: 120s }\n' +
      `  network: ${network}\n` +
      // The driver by its absolute path: its process names the sandbox, as `leftovers` needs.
      `  driver: ${driver.replace('drive.sh', path.join(sb.work, 'drive.sh'))}\n`,
  );
  const kernel = path.join(sb.work, 'ready.elf');
  writeFileSync(kernel, multibootKernel(READY));
  return { ...sb, config, kernel };
}

/** A driver script in the sandbox: `body` after a KTAP plan of two tests. */
function driverScript(sb: FaultSandbox, body: string): void {
  writeFileSync(
    path.join(sb.work, 'drive.sh'),
    `echo "KTAP version 1"\necho "1..2"\necho "ok 1 first"\n${body}\n`,
  );
  // A child that outlives a careless stop: it names the sandbox, as `leftovers` needs.
  writeFileSync(path.join(sb.work, 'child.sh'), 'sleep 1000\n');
}

const observation = (out: string, name: string) =>
  JSON.parse(
    readFileSync(path.join(out, 'observations', `${name}.json`), 'utf8'),
  ) as KernelObservation;

async function waitFor(what: string, ready: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(sb: FaultSandbox, args: string[], prefix: string[] = []) {
  const [program, ...rest] = [...prefix, NODE24, CLI, ...args] as [string, ...string[]];
  const child: ChildProcess = spawn(program, rest, {
    env: sb.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ended };
}

describe('fault cases of the guest network and the driver', () => {
  /** diverge interrupted while the driver (and a child of its) runs against a boot. */
  async function interrupted(mode: 'user' | 'tap', network: string) {
    const sb = setUp(
      `driver-interrupted-${mode}`,
      network,
      `{ command: [sh, drive.sh], ready: { expect: "guest ready" } }`,
    );
    driverScript(sb, `sh ${path.join(sb.work, 'child.sh')} &\nwait`);
    const run = start(sb, ['boot', '-c', sb.config, '-k', `k=${sb.kernel}`, '-o', sb.out]);
    const child = path.join(sb.work, 'child.sh');
    await waitFor('the driver and its child', () =>
      processesIn(sb).some((line) => line.includes(child)),
    );
    // The namespaces of the boot's processes, to see them gone afterwards.
    const namespaces = processesIn(sb).flatMap((line) => {
      try {
        return [readlinkSync(`/proc/${line.split(' ')[0]}/ns/net`)];
      } catch {
        return [];
      }
    });
    const own = readlinkSync('/proc/self/ns/net');
    if (mode === 'tap') expect(namespaces.some((ns) => ns !== own)).toBe(true);
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    expect(ended.signal).toBe('SIGTERM');
    expect(ended.stderr).toContain('diverge: SIGTERM: stopping every boot');
    expect(await leftovers(sb)).toEqual([]);
    const live = execFileSync('sh', ['-c', 'readlink /proc/[0-9]*/ns/net 2>/dev/null || true'], {
      encoding: 'utf8',
    });
    for (const ns of namespaces.filter((n) => n !== own)) expect(live).not.toContain(ns);
  }

  it('driver-interrupted: diverge interrupted while its driver tests (user network) leaves no QEMU, driver or child of the driver', () =>
    interrupted('user', '{ mode: user, forward: [80] }'));

  it('driver-interrupted-tap: diverge interrupted while its driver tests in a tap namespace leaves no QEMU, driver, child of it or namespace', async () => {
    await interrupted('tap', '{ mode: tap }');
  });

  it('driver-timeout: a driver past its time limit is stopped with what it started; the boot is a timeout, the test in progress a hang', async () => {
    const sb = setUp(
      'driver-timeout',
      '{ mode: user }',
      '{ command: [sh, drive.sh], ready: { expect: "guest ready" }, timeout: 3s }',
    );
    driverScript(sb, `sh ${path.join(sb.work, 'child.sh')}`);
    const result = await sb.cli(['boot', '-c', sb.config, '-k', `k=${sb.kernel}`, '-o', sb.out]);
    expect(result.code).toBe(0);
    const { boot, tests } = observation(sb.out, 'k-1');
    expect(boot.outcome).toBe('timeout');
    expect(boot.message).toContain(
      'driver time limit: still running after 3000 ms (harness.driver.timeout)',
    );
    expect(tests[0]).toMatchObject({ id: 'first', status: 'pass' });
    expect(tests.slice(1).map((t) => t.status)).toEqual(['missing']);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('driver-unstartable: a driver that cannot start is an infrastructure boot, never a kernel result', async () => {
    const sb = setUp(
      'driver-unstartable',
      '{ mode: socket }',
      '{ command: [./no-such-driver], ready: { expect: "guest ready" } }',
    );
    await sb.cli(['boot', '-c', sb.config, '-k', `k=${sb.kernel}`, '-o', sb.out]);
    const { boot } = observation(sb.out, 'k-1');
    expect(boot.outcome).toBe('infrastructure');
    expect(boot.message).toContain('cannot start the driver');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('tap-unprivileged: tap mode without CAP_NET_ADMIN stops before any boot, saying what it needs', async () => {
    const sb = setUp('tap-unprivileged', '{ mode: tap }', '{ command: [sh, -c, "exit 0"] }');
    // Root without the capabilities a network namespace needs (as an unprivileged user).
    const setpriv = ['setpriv', '--bounding-set=-net_admin,-sys_admin', '--inh-caps=-all', '--'];
    const run = start(sb, ['boot', '-c', sb.config, '-k', `k=${sb.kernel}`, '-o', sb.out], setpriv);
    const { code, stderr } = await run.ended;
    expect(code).toBe(3);
    expect(stderr).toContain('harness.network mode tap needs CAP_NET_ADMIN');
    expect(existsSync(path.join(sb.out, 'observations', 'k-1.json'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });
});
