/**
 * The guest network and the host-side driver (docs/network.md) on real Debian kernels in real
 * QEMU: a Linux guest serving HTTP (busybox httpd, fixtures/linux/network) tested by a shell
 * driver with curl, over user-mode networking and over a tap device in a namespace of the
 * boot's own. The config is docs/network.md's example, as written.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { REPO_ROOT } from '../../src/run/fixtures.js';
import { blockOf } from '../helpers/docs-examples.js';
import { cli, fixtureKernels, scratchDir } from '../helpers/fixtures.js';

const FIXTURE = path.join(REPO_ROOT, 'fixtures', 'linux', 'network');
let kernels: Record<string, string>;
/** The parts of docs/network.md's config the tests change. */
interface DocConfig {
  harness: Record<string, unknown> & { driver: Record<string, unknown> & { command: string[] } };
}
const release = (kernel: string) => path.basename(kernel).replace(/^vmlinuz-/, '');

beforeAll(async () => {
  kernels = await fixtureKernels();
});

/**
 * A project as docs/network.md describes it: its diverge.yml (the docs' block, `change`d),
 * harness/ built by the fixture's script (plus `extra` files), drive.sh.
 */
async function project(
  label: string,
  change: (config: DocConfig) => void = () => undefined,
  extra: Record<string, string> = {},
) {
  const dir = scratchDir(`network-${label}`);
  await promisify(execFile)('bash', [
    path.join(FIXTURE, 'build-harness.sh'),
    path.join(dir, 'harness'),
  ]);
  for (const [file, text] of Object.entries(extra))
    writeFileSync(path.join(dir, 'harness', file), text);
  for (const driver of ['drive.sh', 'frames.py'])
    copyFileSync(path.join(FIXTURE, driver), path.join(dir, driver));
  const config = parse(blockOf('network-http').text) as DocConfig;
  config.harness['rerun-divergent'] = 0;
  change(config);
  writeFileSync(path.join(dir, 'diverge.yml'), stringify(config));
  const out = path.join(dir, 'out');
  const run = (candidate: string, refs: Record<string, string>, outDir = out) =>
    cli(
      [
        'run',
        '-c',
        path.join(dir, 'diverge.yml'),
        '--candidate',
        candidate,
        ...Object.entries(refs).flatMap(([name, file]) => ['-r', `${name}=${file}`]),
        '-o',
        outDir,
      ],
      // A cache of the project's own, shared by its runs only.
      { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
    );
  const report = () =>
    validateReport(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')), 'report.json');
  return { dir, out, run, report };
}

const classes = (report: Report) =>
  Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));

/** Processes whose command line mentions `marker`: QEMU, the driver, what it started. */
function processesMentioning(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

/** The network namespace of a process, by inode (anonymous ones included). */
function namespaceOf(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** The network namespaces some process is in. */
function liveNamespaces(): Set<string> {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  return new Set(pids.map(namespaceOf).filter((ns) => ns !== undefined));
}

describe('a network service tested by a host-side driver', () => {
  it('finds a kernel change visible only over the network, boots forwarding the same port in parallel', async () => {
    const p = await project('http');
    const result = await p.run(kernels.X86_612 as string, {
      'debian-61a': kernels.X86_61_A as string,
      'debian-61b': kernels.X86_61_B as string,
    });
    expect(result.stderr).toContain('4 at once');
    const report = p.report();
    expect(classes(report)).toStrictEqual({ index: 'same', netinfo: 'output', not_found: 'same' });
    const netinfo = report.tests.find((t) => t.id === 'netinfo');
    expect(netinfo?.verdict.diff).toContain('+tcp_rto_min_us: 200000');
    expect(netinfo?.verdict.diff).toContain('-tcp_rto_min_us: absent');
    // Not on the console: the guest printed nothing of it.
    const log = readFileSync(path.join(p.out, 'logs', 'candidate-1.log'), 'utf8');
    expect(log).toContain('httpd ready');
    expect(log).not.toContain('tcp_rto_min_us');
    // Three boots at once, each forwarding guest port 80 from a port of its own.
    const boots = JSON.parse(
      readFileSync(path.join(p.out, 'observations', 'candidate-1.json'), 'utf8'),
    ) as { boot: { command: string[] } };
    const portOf = (name: string) => {
      const { boot } = JSON.parse(
        readFileSync(path.join(p.out, 'observations', `${name}-1.json`), 'utf8'),
      ) as { boot: { command: string[]; durationMs: number } };
      const netdev = boot.command[boot.command.indexOf('-netdev') + 1] ?? '';
      return /hostfwd=tcp:127\.0\.0\.1:(\d+)-:80/.exec(netdev)?.[1];
    };
    expect(boots.boot.command).toContain('-netdev');
    const ports = ['candidate', 'debian-61a', 'debian-61b'].map(portOf);
    expect(ports.every((port) => port !== undefined)).toBe(true);
    expect(new Set(ports).size).toBe(3);
    expect(readFileSync(path.join(p.out, 'logs', 'candidate-1.driver.log'), 'utf8')).toContain(
      'driver: netinfo done (HTTP 200)',
    );
    expect(processesMentioning(p.dir)).toEqual([]);
  });

  it('a panic while the driver tests is crash for the test in progress and the ones after it', async () => {
    // The guest's /cgi-bin/crash panics the kernel whose release /crash-release names: the
    // candidate's, standing for a kernel that crashes while serving a request.
    const candidate = kernels.X86_61_B as string;
    const p = await project(
      'panic',
      (config) => {
        config.harness.driver.command = ['sh', 'drive.sh', 'index', 'crash', 'netinfo'];
      },
      { 'crash-release': release(candidate) },
    );
    await p.run(candidate, { 'debian-61a': kernels.X86_61_A as string });
    const report = p.report();
    expect(classes(report)).toStrictEqual({ index: 'same', crash: 'crash', netinfo: 'crash' });
    const boot = report.boots.find((b) => b.kernel === 'candidate');
    expect(boot?.outcome).toBe('panic');
    expect(processesMentioning(p.dir)).toEqual([]);
  });

  it('socket: a driver speaking Ethernet over the UDP port pair reaches the guest both ways', async () => {
    const p = await project('socket', (config) => {
      config.harness.network = { mode: 'socket' };
      config.harness.driver = {
        command: ['python3', 'frames.py'],
        ready: { expect: 'httpd ready' },
        timeout: '60s',
      };
    });
    const result = await p.run(kernels.X86_61_B as string, {
      'debian-61a': kernels.X86_61_A as string,
    });
    expect(result.code).toBe(0);
    const report = p.report();
    expect(classes(report)).toStrictEqual({ frame_from_guest: 'same', arp_reply: 'same' });
    for (const test of report.tests) expect(test.observations.candidate?.[0]?.status).toBe('pass');
    expect(readFileSync(path.join(p.out, 'logs', 'candidate-1.results.log'), 'utf8')).toContain(
      '# 10.0.2.15 is-at 52:54:00:12:34:56',
    );
    expect(processesMentioning(p.dir)).toEqual([]);
  });

  it("caches a reference's boot whatever ports it had, and misses once the driver changes", async () => {
    const p = await project('cache');
    const refs = { 'debian-61a': kernels.X86_61_A as string };
    const first = await p.run(kernels.X86_61_B as string, refs, path.join(p.dir, 'first'));
    expect(first.stderr).not.toContain('from the observation cache');
    const again = await p.run(kernels.X86_61_B as string, refs, path.join(p.dir, 'again'));
    expect(again.stderr).toContain('debian-61a#1: from the observation cache');
    writeFileSync(
      path.join(p.dir, 'drive.sh'),
      `${readFileSync(path.join(p.dir, 'drive.sh'), 'utf8')}# changed\n`,
    );
    const changed = await p.run(kernels.X86_61_B as string, refs, path.join(p.dir, 'changed'));
    expect(changed.stderr).not.toContain('from the observation cache');
  });

  it('tap: the driver reaches the guest in a namespace of the boot, which is gone after it', async () => {
    const p = await project('tap', (config) => {
      config.harness.network = { mode: 'tap' };
    });
    // The namespaces QEMU (whose command line names the project) ran in, seen while it ran.
    const seen = new Set<string>();
    const watch = setInterval(() => {
      for (const line of processesMentioning(p.dir).filter((l) => l.includes('qemu-system'))) {
        const ns = namespaceOf(line.trim().split(' ')[0] as string);
        if (ns) seen.add(ns);
      }
    }, 200);
    const result = await p
      .run(kernels.X86_61_B as string, {
        'debian-61a': kernels.X86_61_A as string,
      })
      .finally(() => clearInterval(watch));
    expect(result.code).toBe(0);
    const report = p.report();
    expect(classes(report)).toStrictEqual({ index: 'same', netinfo: 'same', not_found: 'same' });
    expect(report.tests.find((t) => t.id === 'index')?.observations.candidate?.[0]?.status).toBe(
      'pass',
    );
    expect(processesMentioning(p.dir)).toEqual([]);
    // Each boot had a namespace of its own, not the host's; none is left (each was anonymous
    // and ended with its processes), nor a tap device in the host's.
    expect(seen.size).toBe(2);
    expect(seen.has(namespaceOf(String(process.pid)) as string)).toBe(false);
    const live = liveNamespaces();
    expect([...seen].filter((ns) => live.has(ns))).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toMatch(
      /\btap0\b/,
    );
  });
});
