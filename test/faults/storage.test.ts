/**
 * Storage faults, as a user meets them through the bundled CLI: poisoned caches (a corrupted or
 * swapped kernel, an edited, garbled or swapped observation), a full or read-only --out or
 * cache, two runs into one --out, an --out reused from an earlier run, and the KVM probe's
 * temp file. The kernels are tiny multiboot images that print KTAP (a boot takes well under a
 * second under TCG); url references are served by a local HTTP server.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { ObservationCache } from '../../src/results/observation-cache.js';
import { KernelCache } from '../../src/references/cache.js';
import { writeAtomically } from '../../src/util/atomic.js';
import { boot } from '../helpers/observations.js';
import type { Report } from '../../src/model/report.js';
import { sha256 } from '../../src/util/digest.js';
import { CLI, NODE24 } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const rel32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return [...b];
};

/** A kernel that prints `lines` of flood (64 bytes each), then KTAP results, then ends QEMU. */
function ktapKernel(results: string[], floodLines = 0): Buffer {
  const flood = X86_CODE.print(`${'x'.repeat(63)}\n`);
  const loop = floodLines
    ? [0xb9, ...rel32(floodLines), ...flood, 0x49, 0x0f, 0x85, ...rel32(-(flood.length + 7))]
    : [];
  const ktap = ['KTAP version 1', `1..${results.length}`, ...results].join('\n');
  return multibootKernel([
    ...X86_CODE.serialPort,
    ...loop,
    ...X86_CODE.print(`${ktap}\n`),
    ...X86_CODE.debugExit(0),
    ...X86_CODE.halt,
  ]);
}

const STAFF = ktapKernel(['ok 1 alpha', 'ok 2 beta']);
const WRONG = ktapKernel(['ok 1 alpha', 'not ok 2 beta']);
const digestOf = (bytes: Buffer) => sha256(bytes);

let server: Server;
let baseUrl: string;
const mounts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = req.url === '/staff.elf' ? STAFF : undefined;
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => {
  server.close();
  for (const dir of mounts.reverse()) execFileSync('umount', ['-l', dir]);
});

/** A tmpfs of `size` at `dir` (read-only with `ro`), unmounted after the suite. */
function tmpfs(dir: string, size: string, ro = false): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${ro ? ',ro' : ''}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const MACHINE = `machine: { arch: x86_64, profile: pc, memory: 32M, exit: isa-debug-exit, append: '', accel: tcg }
harness:
  none: true
  rerun-divergent: 0
  results: { format: ktap, channel: console }
  timeouts: { boot: 20s, stall: 20s, total: 40s }
`;

/** The sandbox's config: staff as a url (cached) or file reference, and its kernels on disk. */
function setUp(sb: FaultSandbox, { url = true, harness = '' } = {}) {
  const staff = path.join(sb.work, 'staff.elf');
  const wrong = path.join(sb.work, 'wrong.elf');
  writeFileSync(staff, STAFF);
  writeFileSync(wrong, WRONG);
  const reference = url
    ? `{ name: staff, url: ${baseUrl}/staff.elf, sha256: ${digestOf(STAFF).slice(7)} }`
    : `{ name: staff, file: ${staff} }`;
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(config, `${MACHINE}${harness}references:\n  - ${reference}\n`);
  return { staff, wrong, config };
}

const run = (sb: FaultSandbox, config: string, candidate: string, extra: string[] = []) =>
  sb.cli(['run', '-c', config, '--candidate', candidate, '-o', sb.out, ...extra]);

const report = (out: string) =>
  JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;

/** Status of `test` in `kernel`'s first boot of the report. */
const status = (r: Report, test: string, kernel: string) =>
  r.tests.find((t) => t.id === test)?.observations[kernel]?.[0]?.status;

const kernelCacheFile = (sb: FaultSandbox) =>
  path.join(sb.cache, 'diverge', 'kernels', digestOf(STAFF).slice(7), 'staff.elf');
const observationEntries = (sb: FaultSandbox) => {
  const dir = path.join(sb.cache, 'diverge', 'observations');
  return existsSync(dir) ? readdirSync(dir).map((e) => path.join(dir, e)) : [];
};

/** Every file under `dir` with its size. */
function filesIn(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const info = statSync(path.join(dir, name));
    if (info.isFile()) found.set(name, info.size);
  }
  return found;
}

describe('storage faults', () => {
  it('corrupt-kernel-cache: the cached kernel is hashed on use, replaced by a fresh download, and the run says so', async () => {
    const sb = faultSandbox('corrupt-kernel-cache');
    const { config, staff } = setUp(sb);
    expect((await run(sb, config, staff)).code).toBe(0);
    writeFileSync(kernelCacheFile(sb), 'not a kernel at all');

    const second = await run(sb, config, staff);
    expect(second.stderr).toContain(
      `kernel cache: ${kernelCacheFile(sb)} is not the kernel its key names (${digestOf(STAFF)}, found ${sha256('not a kernel at all')}): removed, fetching it again`,
    );
    expect(second.stderr).toContain(`reference staff: fetched (${digestOf(STAFF)})`);
    expect(second.stderr).not.toContain('is not a kernel image');
    expect(second.code).toBe(0);
    expect(readFileSync(kernelCacheFile(sb))).toEqual(STAFF);
    expect(report(sb.out).references[0]?.digest).toBe(digestOf(STAFF));
    expect(await leftovers(sb)).toEqual([]);
  });

  it('swapped-kernel-cache: with a cached kernel and a cached observation swapped for another kernel’s, the run boots the right kernel and reports the truth', async () => {
    const sb = faultSandbox('swapped-kernel-cache');
    const { config, wrong } = setUp(sb);
    // Run A caches staff (kernel and observation); run B caches the wrong kernel's observation.
    expect((await run(sb, config, wrong)).code).toBe(1);
    const [staffEntry] = observationEntries(sb);
    const wrongAsReference = path.join(sb.work, 'b.yml');
    writeFileSync(wrongAsReference, `${MACHINE}references:\n  - { name: staff, file: ${wrong} }\n`);
    expect((await run(sb, wrongAsReference, wrong)).code).toBe(0);
    const wrongEntry = observationEntries(sb).find((e) => e !== staffEntry) as string;
    // The poison: the wrong kernel under staff's digest, and the two observations swapped.
    writeFileSync(kernelCacheFile(sb), WRONG);
    renameSync(staffEntry as string, `${staffEntry}.swap`);
    renameSync(wrongEntry, staffEntry as string);
    renameSync(`${staffEntry}.swap`, wrongEntry);

    const result = await run(sb, config, wrong);
    expect(result.stderr).toContain(
      `kernel cache: ${kernelCacheFile(sb)} is not the kernel its key names (${digestOf(STAFF)}, found ${digestOf(WRONG)})`,
    );
    expect(result.stderr).toMatch(
      /observation cache: the entry for staff#1 \(.*\) is stored under another key \(moved or copied\): discarded, booting staff again/,
    );
    expect(result.code).toBe(1); // the truth: the candidate fails beta, staff passes it
    const r = report(sb.out);
    expect(r.references[0]?.digest).toBe(digestOf(STAFF));
    expect(status(r, 'beta', 'staff')).toBe('pass');
    expect(status(r, 'beta', 'candidate')).toBe('fail');
    expect(r.tests.find((t) => t.id === 'beta')?.verdict.class).toBe('regression');
    expect(r.boots.find((b) => b.kernel === 'staff')?.cached).toBeUndefined();
    expect(readFileSync(kernelCacheFile(sb))).toEqual(STAFF);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('edited-observation: a cached observation edited by hand (pass to fail) is discarded, said, and replaced by a new boot', async () => {
    const sb = faultSandbox('edited-observation');
    const { config, staff } = setUp(sb, { url: false });
    expect((await run(sb, config, staff)).code).toBe(0);
    const [entry] = observationEntries(sb);
    const file = path.join(entry as string, 'entry.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/("id":"beta","status":)"pass"/, '$1"fail"'),
    );
    expect(readFileSync(file, 'utf8')).toContain('"id":"beta","status":"fail"');

    const second = await run(sb, config, staff);
    expect(second.stderr).toMatch(
      /observation cache: the entry for staff#1 \(.*\) was changed after it was written \(checksum\): discarded, booting staff again/,
    );
    expect(second.code).toBe(0);
    expect(status(report(sb.out), 'beta', 'staff')).toBe('pass');
    // Repaired: the next run takes the new entry from the cache.
    const third = await run(sb, config, staff);
    expect(third.stderr).toContain('staff#1: from the observation cache (completed');
    expect(third.stderr).not.toContain('discarded');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('garbled-observation: a garbled cached observation is discarded, said, and rewritten by the new boot', async () => {
    const sb = faultSandbox('garbled-observation');
    const { config, staff, wrong } = setUp(sb, { url: false });
    expect((await run(sb, config, wrong)).code).toBe(1);
    const [entry] = observationEntries(sb);
    const file = path.join(entry as string, 'entry.json');
    writeFileSync(file, readFileSync(file).subarray(0, 50));

    const second = await run(sb, config, wrong);
    expect(second.stderr).toMatch(
      /observation cache: the entry for staff#1 \(.*\) is not JSON: discarded, booting staff again/,
    );
    expect(second.code).toBe(1);
    expect(status(report(sb.out), 'beta', 'staff')).toBe('pass');
    const third = await run(sb, config, staff);
    expect(third.stderr).toContain('staff#1: from the observation cache (completed');
    expect(third.code).toBe(0);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('disk-full-out: a serial log the full --out cannot take makes that boot an infrastructure outcome; the report is written, exit 3 names the file', async () => {
    const sb = faultSandbox('disk-full-out');
    const { config } = setUp(sb, { url: false, harness: '  serial-cap: 8M\n' });
    const flood = path.join(sb.work, 'flood.elf');
    // 4 MiB of output (of which a loaded console may drop some), far more than --out holds.
    writeFileSync(flood, ktapKernel(['ok 1 alpha', 'ok 2 beta'], 65536));
    tmpfs(sb.out, '128k');

    const result = await run(sb, config, flood);
    const log = path.join(sb.out, 'logs', 'candidate-1.log');
    expect(result.stderr).toMatch(/candidate#1: infrastructure at stage \w+, \d+ test\(s\)/);
    expect(result.stderr).toContain(
      `— cannot write the serial output log ${log}: no space left on the device (ENOSPC); the log is not kept`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.code).toBe(3);
    const r = report(sb.out);
    expect(r.summary.conclusion).toBe('neutral');
    expect(r.boots.find((b) => b.kernel === 'candidate')?.outcome).toBe('infrastructure');
    expect(status(r, 'beta', 'staff')).toBe('pass');
    const files = filesIn(sb.out);
    expect(files.has('logs/candidate-1.log')).toBe(false);
    expect(files.has('observations/staff-1.json')).toBe(true);
    expect([...files].filter(([f, size]) => size === 0 || /\.tmp$/.test(f))).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('full-out-no-room: when not even the report fits, exit 3 names the file that could not be written and leaves no empty or cut file', async () => {
    const sb = faultSandbox('full-out-no-room');
    const { config, staff } = setUp(sb, { url: false });
    tmpfs(sb.out, '64k');
    // Fill the tmpfs but for two pages: the lock file fits, the run's files do not.
    try {
      writeFileSync(path.join(sb.out, 'filler'), Buffer.alloc(56 * 1024));
    } catch {
      // ENOSPC: full, as wanted.
    }
    const result = await run(sb, config, staff);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      new RegExp(
        `diverge: cannot write the [\\w ]+ ${sb.out}/\\S+: no space left on the device \\(ENOSPC\\)`,
      ),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect([...filesIn(sb.out)].filter(([f, size]) => size === 0 || /\.tmp$/.test(f))).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('read-only-out: a read-only --out ends the run with exit 3 naming the directory, before any boot', async () => {
    const sb = faultSandbox('read-only-out');
    const { config, staff } = setUp(sb, { url: false });
    tmpfs(sb.out, '1m', true);
    const result = await run(sb, config, staff);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `diverge: cannot write into --out ${sb.out}: the file system is read-only (EROFS)`,
    );
    expect(result.stderr).not.toContain('booting');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('concurrent-out: a second run into an --out in use refuses with exit 3, naming the directory and the pid holding it', async () => {
    const sb = faultSandbox('concurrent-out');
    const { config } = setUp(sb, { url: false });
    // The first run boots a kernel that stays silent for 6 s (the stall timeout).
    const silent = path.join(sb.work, 'silent.elf');
    writeFileSync(silent, multibootKernel(X86_CODE.halt));
    const slow = path.join(sb.work, 'slow.yml');
    writeFileSync(slow, readFileSync(config, 'utf8').replace('stall: 20s', 'stall: 6s'));
    const first = spawn(NODE24, [CLI, 'run', '-c', slow, '--candidate', silent, '-o', sb.out], {
      env: sb.env,
      stdio: 'ignore',
    });
    const lock = path.join(sb.out, '.diverge.lock');
    for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(lock, 'utf8').split(' ')[0]).toBe(String(first.pid));

    const second = await run(sb, config, path.join(sb.work, 'staff.elf'));
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(
      `diverge: --out ${sb.out} is in use by another diverge run (pid ${first.pid}, lock file ${lock})`,
    );
    const code = await new Promise((resolve) => first.on('close', resolve));
    expect(code).toBe(1); // the first run went on undisturbed: its silent candidate hangs
    expect(existsSync(lock)).toBe(false);
    expect(report(sb.out).boots.find((b) => b.kernel === 'candidate')?.outcome).toBe('stalled');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('stale-out: a reused --out loses what an earlier run wrote (and only that), and a dead run’s lock is taken over', async () => {
    const sb = faultSandbox('stale-out');
    const { config, staff, wrong } = setUp(sb, { url: false });
    const twice = path.join(sb.work, 'twice.yml');
    writeFileSync(
      twice,
      readFileSync(config, 'utf8').replace('harness:\n', 'harness:\n  repeat: 2\n'),
    );
    expect((await run(sb, twice, wrong)).code).toBe(1);
    expect(filesIn(sb.out).has('observations/candidate-2.json')).toBe(true);
    writeFileSync(path.join(sb.out, 'notes.txt'), 'mine');
    // A run killed with SIGKILL leaves its lock: a pid that is gone.
    const gone = spawn('true');
    await new Promise((r) => gone.on('close', r));
    writeFileSync(path.join(sb.out, '.diverge.lock'), `${gone.pid} 1\n`);

    const result = await run(sb, config, staff);
    expect(result.stderr).toContain(
      `--out ${sb.out}: taking over the lock of a run that is gone (pid ${gone.pid})`,
    );
    expect(result.stderr).toMatch(/removed \d+ file\(s\) an earlier run wrote there/);
    expect(result.code).toBe(0);
    const files = [...filesIn(sb.out).keys()].filter((f) => /^(observations|logs)\//.test(f));
    expect(files.sort()).toEqual([
      'logs/candidate-1.log',
      'logs/staff-1.log',
      'observations/candidate-1.json',
      'observations/staff-1.json',
    ]);
    expect(readFileSync(path.join(sb.out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(report(sb.out).summary.conclusion).toBe('success');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('probe-temp-file: the KVM probe boots its kernel from a private temp directory and removes it', async () => {
    const sb = faultSandbox('probe-temp-file');
    const { config, staff } = setUp(sb, { url: false });
    const auto = path.join(sb.work, 'auto.yml');
    writeFileSync(auto, readFileSync(config, 'utf8').replace('accel: tcg', 'accel: auto'));
    const result = await run(sb, auto, staff);
    expect(result.code).toBe(0);
    if (existsSync('/dev/kvm'))
      expect(result.stderr).toMatch(/accel (kvm|tcg) \((KVM|TCG: KVM probe)/);
    expect(await leftovers(sb)).toEqual([]); // TMPDIR is the sandbox's: the probe left nothing
  });

  it('read-only-cache: a read-only cache costs caching, not the run: it is said, and the kernel is used uncached', async () => {
    const sb = faultSandbox('read-only-cache');
    const { config, staff } = setUp(sb);
    tmpfs(sb.cache, '1m', true);
    const result = await run(sb, config, staff);
    expect(result.stderr).toContain(
      `kernel cache: cannot store staff.elf in ${path.join(sb.cache, 'diverge', 'kernels')}: the file system is read-only (EROFS); using it uncached`,
    );
    expect(result.stderr).toContain(
      `observation cache: cannot store a boot in ${path.join(sb.cache, 'diverge', 'observations')}: the file system is read-only (EROFS)`,
    );
    expect(result.code).toBe(0);
    expect(report(sb.out).references[0]?.digest).toBe(digestOf(STAFF));
    expect(await leftovers(sb)).toEqual([]);
  });

  it('full-cache-dir: a full cache costs caching, not the run, and leaves no partial entry', async () => {
    const sb = faultSandbox('full-cache-dir');
    const { config, staff } = setUp(sb);
    tmpfs(sb.cache, '16k');
    try {
      writeFileSync(path.join(sb.cache, 'filler'), Buffer.alloc(16 * 1024));
    } catch {
      // ENOSPC: full, as wanted.
    }
    const result = await run(sb, config, staff);
    expect(result.stderr).toContain('no space left on the device (ENOSPC); using it uncached');
    expect(result.code).toBe(0);
    expect(report(sb.out).references[0]?.digest).toBe(digestOf(STAFF));
    const partial = [...filesIn(sb.cache).keys()].filter((f) => /partial|\.tmp$/.test(f));
    expect(partial).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
  });
  it('observation-key-race: two boots of one process storing the same observation at once both succeed, leaving one whole entry and no partial one', async () => {
    const sb = faultSandbox('observation-key-race');
    const said: string[] = [];
    const cache = new ObservationCache(path.join(sb.cache, 'observations'), 'build', (line) =>
      said.push(line),
    );
    const identity = {
      kernelDigest: 'sha256:k',
      harnessDigest: 'sha256:h',
      command: ['q'],
      machine: {},
    };
    const observed = (name: string) => {
      const log = path.join(sb.work, `${name}.log`);
      writeFileSync(log, 'KTAP version 1\n1..1\nok 1 a\n');
      return boot(name, 1, ['a:pass'], 'completed', { log });
    };
    // The good revision's kernel and a configured reference of the same bytes (bisect).
    await Promise.all([
      cache.save(identity, observed('good')),
      cache.save(identity, observed('v1')),
    ]);
    expect(said).toEqual([]);
    const again = await cache.load(identity, 'staff', 1, path.join(sb.work, 'logs'));
    expect(again?.tests).toEqual([{ id: 'a', status: 'pass', output: [] }]);
    expect(readdirSync(path.join(sb.cache, 'observations'))).toHaveLength(1);
  });

  it('cache-write-race: one kernel stored 16 times at once, and one context digest file written 16 times at once, all succeed with one whole file and no partial one', async () => {
    const sb = faultSandbox('cache-write-race');
    const said: string[] = [];
    const dirs = {
      kernels: path.join(sb.cache, 'kernels'),
      sources: path.join(sb.cache, 'sources'),
    };
    const kernels = new KernelCache(dirs, (line) => said.push(line), path.join(sb.work, 'own'));
    const file = path.join(sb.work, 'kernel.elf');
    writeFileSync(file, multibootKernel([...X86_CODE.serialPort, ...X86_CODE.debugExit(0)]));
    const stored = await Promise.all(
      Array.from({ length: 16 }, (_, i) => kernels.store(file, 'kernel.elf', `source-${i % 2}`)),
    );
    expect(said).toEqual([]);
    expect(new Set(stored.map((k) => k.path)).size).toBe(1);
    expect(readFileSync(stored[0]?.path as string)).toEqual(readFileSync(file));
    const digest = path.join(sb.cache, 'contexts', 'digests.json');
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => writeAtomically(digest, JSON.stringify({ i }))),
    );
    expect(JSON.parse(readFileSync(digest, 'utf8'))).toHaveProperty('i');
    const everything = execFileSync('find', [sb.cache], { encoding: 'utf8' });
    expect(everything).not.toContain('.partial');
    expect(await leftovers(sb)).toEqual([]);
  });

  it('kvm-probe-dir: a directory where the KVM probe keeps its result costs a probe, not the run', async () => {
    const sb = faultSandbox('kvm-probe-dir');
    const { config, staff } = setUp(sb, { url: false });
    const auto = path.join(sb.work, 'auto.yml');
    writeFileSync(auto, readFileSync(config, 'utf8').replace('accel: tcg', 'accel: auto'));
    mkdirSync(path.join(sb.cache, 'diverge', 'kvm-probe.json'), { recursive: true });
    const result = await run(sb, auto, staff);
    expect(result.stderr).not.toContain('EISDIR');
    expect(result.code).toBe(0);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('compare-million-results: compare on a saved run of 1.4 million results, whose report.json is over the 512 MiB a string can hold, writes its whole report (exit 1)', async () => {
    const sb = faultSandbox('compare-million-results');
    const { config, wrong } = setUp(sb, { url: false });
    expect((await run(sb, config, wrong)).code).toBe(1);
    // The saved run grown to 700,000 tests a kernel, every 20th a regression of the candidate.
    const boots = path.join(sb.out, 'boots.json');
    const saved = JSON.parse(readFileSync(boots, 'utf8')) as {
      observations: { kernel: string; tests: unknown[] }[];
    };
    for (const observation of saved.observations)
      observation.tests = Array.from({ length: 700_000 }, (_, i) => {
        const wrongOne = observation.kernel === 'candidate' && i % 20 === 0;
        const output = [`case ${i}: got ${wrongOne ? i + 1 : i}`];
        return { id: `suite${i % 50}.case${i}`, status: wrongOne ? 'fail' : 'pass', output };
      });
    writeFileSync(boots, JSON.stringify(saved));
    const judged = await sb.cli(['compare', '--from', sb.out, '-c', config, '--quiet']);
    expect(judged.stderr).not.toContain('Invalid string length');
    expect(judged.code).toBe(1);
    const json = path.join(sb.out, 'report.json');
    expect(statSync(json).size).toBeGreaterThan(2 ** 29);
    expect(readFileSync(path.join(sb.out, 'report.md'), 'utf8')).toContain(
      '35000 failing divergences against staff',
    );
    expect(judged.stdout).toContain('… 34950 more divergences');
    expect(await leftovers(sb)).toEqual([]);
  }, 600_000);

  it('kernel-cache-dir: a directory where a cached kernel belongs is removed and said; the run goes on and leaves no partial file', async () => {
    const sb = faultSandbox('kernel-cache-dir');
    const { config, staff } = setUp(sb);
    mkdirSync(path.join(kernelCacheFile(sb), 'junk'), { recursive: true });
    const result = await run(sb, config, staff);
    expect(result.stderr).toContain(
      `kernel cache: ${kernelCacheFile(sb)} is not a file: removed, replaced by the fresh copy`,
    );
    expect(result.code).toBe(0);
    expect(readFileSync(kernelCacheFile(sb))).toEqual(STAFF);
    const partial = [...filesIn(sb.cache).keys()].filter((f) => /partial|\.tmp$/.test(f));
    expect(partial).toEqual([]);
    expect(await leftovers(sb)).toEqual([]);
  });
});
