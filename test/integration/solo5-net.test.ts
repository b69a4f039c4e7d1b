/**
 * docs/unikernels.md's Solo5 network example (examples/solo5/net.yml), taken from the docs and
 * run as written on upstream Solo5's test_net (fixtures/solo5: v0.12.1, built in real Docker by
 * examples/solo5/Dockerfile, booted in real QEMU on a tap device in a network namespace of the
 * boot's own, pinged from the host by examples/solo5/ping-driver.sh). v0.12.1 is silent against
 * itself over 3 runs; the `network` variants of fixtures/solo5/variants.json (a bug in the virtio
 * network bindings that prints on the console exactly what v0.12.1 prints) are found by the host
 * alone, with the class the truth file says. Nothing of a boot's network is left after it. The
 * images come out of Docker's cache when solo5.test.ts (or an earlier run) built these trees.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { blockOf } from '../helpers/docs-examples.js';
import { cli, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const SOLO5 = path.join(REPO_ROOT, 'fixtures/solo5');
const EXAMPLE = path.join(REPO_ROOT, 'examples/solo5');
const RELEASE = path.join(SOLO5, 'v0.12.1');

/** fixtures/solo5/variants.json's `network` part: the net config's tests and variants. */
interface NetworkTruth {
  config: string;
  references: string[];
  tests: string[];
  silent: string[];
  variants: Record<string, Record<string, string[]>>;
}
const TRUTH = (
  JSON.parse(readFileSync(path.join(SOLO5, 'variants.json'), 'utf8')) as {
    network: NetworkTruth;
  }
).network;

/** v0.12.1 with `variants/NAME.patch` applied, as a source tree of its own. */
function variantTree(dir: string, name: string): string {
  const tree = path.join(dir, name);
  cpSync(RELEASE, tree, { recursive: true });
  const patch = spawnSync(
    'patch',
    ['-p1', '--forward', '-i', path.join(SOLO5, 'variants', `${name}.patch`)],
    { cwd: tree, encoding: 'utf8' },
  );
  if (patch.status !== 0) throw new Error(`${name}.patch: ${patch.stdout}${patch.stderr}`);
  return tree;
}

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

function liveNamespaces(): Set<string> {
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  return new Set(pids.map(namespaceOf).filter((ns) => ns !== undefined));
}

const netnsList = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
/**
 * The host's tun/tap devices by name: a tap device diverge left in the host's namespace would be
 * one. (Other links come and go with whatever else runs here, Docker's veth pairs among them.)
 */
const taps = () =>
  execFileSync('ip', ['-d', '-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /\btun type (tap|tun)\b/.test(line) || /^\d+: tap\d/.test(line))
    .map((line) => line.split(': ')[1]?.replace(/@.*$/, ''))
    .sort();

describe("the docs' Solo5 network example: test_net judged by a host that pings it", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const reference = () => `${TRUTH.references[0]}=${RELEASE}`;
  const reportOf = (out: string): Report =>
    validateReport(JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')), 'report.json');

  /**
   * `diverge run` of `candidate` against v0.12.1, one boot at a time, watching the network
   * namespaces QEMU ran in; afterwards no namespace, tap device or process of the run is left.
   */
  async function run(config: string, candidate: string, label: string) {
    const out = path.join(scratchDir(`solo5-net-${label}`), 'out');
    const namespacesBefore = netnsList();
    const tapsBefore = taps();
    const seen = new Set<string>();
    const watch = setInterval(() => {
      for (const line of processesMentioning(out).filter((l) => l.includes('qemu-system'))) {
        const ns = namespaceOf(line.trim().split(' ')[0] as string);
        if (ns) seen.add(ns);
      }
    }, 200);
    // One boot at a time: each boot's QEMU is seen in its namespace while it runs.
    const args = ['run', '-c', config, '-j', '1', '--candidate', candidate];
    const result = await cli([...args, '--reference', reference(), '-o', out], env).finally(() =>
      clearInterval(watch),
    );
    if (result.code === 2) throw new Error(result.stderr);
    // QEMU ran in namespaces of its own, none of them the host's, and none outlives the run;
    // no named namespace, no tap device, no QEMU, driver or ping of the run is left.
    expect(seen.size).toBeGreaterThanOrEqual(1);
    expect(seen.has(namespaceOf(String(process.pid)) as string)).toBe(false);
    const live = liveNamespaces();
    expect([...seen].filter((ns) => live.has(ns))).toEqual([]);
    expect(netnsList()).toBe(namespacesBefore);
    expect(taps()).toEqual(tapsBefore);
    expect(taps()).not.toContain('tap0');
    expect(processesMentioning(out)).toEqual([]);
    expect(processesMentioning(dir)).toEqual([]);
    expect(processesMentioning('ping-driver.sh')).toEqual([]);
    expect(processesMentioning('ping -n -c 5')).toEqual([]);
    return { result, out, report: reportOf(out) };
  }

  /** A boot's console from test_net's banner on: the unikernel's own lines (LF line ends). */
  const consoleOf = (out: string, log: string) => {
    const text = readFileSync(path.join(out, log), 'utf8').replaceAll('\r\n', '\n'); // serial
    return text.slice(text.indexOf('**** Solo5 standalone test_net ****'));
  };

  beforeAll(() => {
    dir = scratchDir('solo5-net');
    for (const entry of ['Dockerfile', 'ping-driver.sh'])
      copyFileSync(path.join(EXAMPLE, entry), path.join(dir, entry));
    writeFileSync(path.join(dir, 'net.yml'), blockOf('unikernels-solo5-net').text);
    env = { ...process.env, XDG_CACHE_HOME: scratchDir('solo5-net-cache') };
  });

  it('the example is examples/solo5/net.yml, word for word', () => {
    expect(TRUTH.config).toBe('examples/solo5/net.yml');
    expect(blockOf('unikernels-solo5-net').text).toBe(
      readFileSync(path.join(REPO_ROOT, TRUTH.config), 'utf8'),
    );
  });

  it('v0.12.1 as --candidate DIR is silent against itself over 3 runs: every ping answered', async () => {
    const config = path.join(dir, 'three-runs.yml');
    const example = readFileSync(path.join(dir, 'net.yml'), 'utf8');
    const three = example.replace(/^harness:\n/m, 'harness:\n  repeat: 3\n');
    expect(three).not.toBe(example);
    writeFileSync(config, three);
    expect(TRUTH.silent).toEqual(TRUTH.references); // v0.12.1, the tree RELEASE
    const { result, out, report } = await run(config, RELEASE, 'silent');
    expect(Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]))).toEqual(
      Object.fromEntries(TRUTH.tests.map((t) => [t, 'same'])),
    );
    for (const kernel of ['candidate', TRUTH.references[0] as string]) {
      const boots = report.boots.filter((b) => b.kernel === kernel && b.test === 'net');
      expect(boots).toHaveLength(3);
      for (const boot of boots) {
        // The driver's TAP: the host's ping got its replies, and the guest served on the tap.
        const results = readFileSync(
          path.join(out, boot.log.replace(/\.log$/, '.results.log')),
          'utf8',
        );
        expect(results).toMatch(/^# 5 packets transmitted, 5 received, 0% packet loss/m);
        expect(results).toMatch(/^ok 1 - net$/m);
        expect(consoleOf(out, boot.log)).toContain(
          'Serving ping on 10.0.0.2, with MAC: 525400123456',
        );
      }
    }
    expect(report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
    expect(result.code).toBe(0);
  }, 300_000);

  it.each(Object.keys(TRUTH.variants))(
    "%s: found by the host alone, its console the same as v0.12.1's",
    async (name) => {
      const tree = variantTree(scratchDir('solo5-net-trees'), name);
      const { result, out, report } = await run(path.join(dir, 'net.yml'), tree, name);
      const want: Record<string, string> = Object.fromEntries(TRUTH.tests.map((t) => [t, 'same']));
      for (const [cls, named] of Object.entries(TRUTH.variants[name] ?? {}))
        for (const test of named) want[test] = cls;
      expect(Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]))).toEqual(want);
      // What the driver saw: no echo answered, where v0.12.1 answered every one.
      const verdict = report.tests.find((t) => t.id === 'net')?.verdict;
      expect(verdict?.diff).toMatch(
        /^-pass\n-5 packets transmitted, 5 received, 0% packet loss, .*\n\+fail\n\+5 packets transmitted, 0 received, 100% packet loss, /m,
      );
      // The console alone shows nothing: every boot of the bug printed, from its banner on,
      // exactly what every boot of v0.12.1 printed, up to serving ping on 10.0.0.2; and it
      // stayed up (no crash, no hang) until diverge stopped it.
      const boots = report.boots.filter((b) => b.test === 'net');
      const candidate = boots.filter((b) => b.kernel === 'candidate');
      const references = boots.filter((b) => b.kernel === TRUTH.references[0]);
      expect(candidate.length).toBeGreaterThanOrEqual(1);
      expect(references.length).toBeGreaterThanOrEqual(1);
      const consoles = new Set(boots.map((b) => consoleOf(out, b.log)));
      expect(consoles.size).toBe(1);
      expect([...consoles][0]).toMatch(
        /\*\*\*\* Solo5 standalone test_net \*\*\*\*\n\nSolo5: Application acquired 'service0' as network device\n\[service0\] Serving ping on 10\.0\.0\.2, with MAC: 525400123456\n/,
      );
      expect(candidate.every((b) => b.outcome === 'completed')).toBe(true);
      // The bug's images are not v0.12.1's.
      expect(report.candidate.digest).not.toBe(report.references[0]?.digest);
      expect(result.code).toBe(1);
    },
    300_000,
  );
});
