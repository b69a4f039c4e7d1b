/**
 * Fault kinds of the console and of hostile kernels: floods that once lost console bytes in
 * silence, a million results, endless lines, NULs, terminal escapes, invalid UTF-8, deep KTAP
 * nesting, and a console whose bytes are lost. Real Linux boots (the fixture's busybox harness
 * runs each case's own script, `diverge.harness=script`); a boot is shared by the cases that
 * read different sides of it.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_LINE_CHARS } from '../../src/util/console.js';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { CLI, type CliResult, fixtureKernels, linuxHarness, NODE24 } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';
import { execFile } from 'node:child_process';

let kernels: Record<string, string>;
let harness: string;
beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
});

/** A config booting the fixture harness with `script` as its test program (given $out). */
function project(sb: FaultSandbox, script: string, harnessYaml = ''): string {
  const tree = path.join(sb.work, 'harness');
  cpSync(harness, tree, { recursive: true });
  writeFileSync(path.join(tree, 'script.sh'), script);
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    [
      'machine: { append: "console=ttyS0 panic=-1 quiet diverge.harness=script" }',
      'harness:',
      `  dir: ${tree}`,
      '  rerun-divergent: 0',
      '  timeouts: { boot: 120s, stall: 60s, total: 300s }',
      harnessYaml,
    ].join('\n'),
  );
  return config;
}

const bootArgs = (sb: FaultSandbox, config: string) => [
  'boot',
  '-c',
  config,
  '--kernel',
  `k=${kernels.X86_61_A}`,
  '-o',
  sb.out,
];

interface Observation {
  boot: { outcome: string; stage: string; message?: string; logTruncated: boolean };
  tests: { id: string; status: string; output: string[] }[];
}
const observation = (sb: FaultSandbox, name = 'k-1'): Observation =>
  JSON.parse(readFileSync(path.join(sb.out, 'observations', `${name}.json`), 'utf8'));
const logOf = (sb: FaultSandbox, file: string) => readFileSync(path.join(sb.out, 'logs', file));

/** The KTAP stream of `count` results, each after `noise` diagnostic lines: awk in the guest. */
const noisyKtap = (count: number, noise: number) =>
  `awk 'BEGIN { print "KTAP version 1"; print "1..${count}"; for (i = 1; i <= ${count}; i++) { for (j = 1; j <= ${noise}; j++) print "# noise " i "." j " the quick brown fox jumps over the lazy dog 0123456789"; print "ok " i " t" i } }'`;

/** The same stream as the guest prints it, CRLF as the serial line carries it. */
function noisyKtapLines(count: number, noise: number): string[] {
  const lines = ['KTAP version 1', `1..${count}`];
  for (let i = 1; i <= count; i++) {
    for (let j = 1; j <= noise; j++)
      lines.push(`# noise ${i}.${j} the quick brown fox jumps over the lazy dog 0123456789`);
    lines.push(`ok ${i} t${i}`);
  }
  return lines;
}

/** Lines of a raw log that belong to the stream (kernel messages may sit between them). */
const streamLines = (log: Buffer) =>
  log
    .toString('latin1')
    .split('\r\n')
    .filter((l) => /^(KTAP version|1\.\.|# noise|ok \d)/.test(l));

describe('console and hostile kernels', () => {
  it('console-flood: 2 MB of console output with the results: every byte read, every verdict right', async () => {
    const sb = faultSandbox('console-flood');
    const config = project(sb, `${noisyKtap(1000, 20)} >$1\n`);
    const result = await sb.cli(bootArgs(sb, config));
    expect(result.code).toBe(0);
    const obs = observation(sb);
    expect(obs.boot).toMatchObject({ outcome: 'completed', stage: 'done', logTruncated: false });
    expect(obs.boot.message).toBeUndefined();
    expect(obs.tests.map((t) => `${t.id} ${t.status}`)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `t${i + 1} pass`),
    );
    // Not a byte lost or garbled: the log holds the stream exactly as the guest printed it.
    expect(streamLines(logOf(sb, 'k-1.log'))).toEqual(noisyKtapLines(1000, 20));
    expect(await leftovers(sb)).toEqual([]);
  });

  describe('results on the second serial port while the console floods past its cap', () => {
    const sb = faultSandbox('serial2-flood');
    let result: CliResult;
    beforeAll(async () => {
      // The console gets 3 MB of noise (cap 1M), then the results port 600 KB with results.
      const config = project(
        sb,
        [
          'head -c 3000000 /dev/zero | tr "\\0" "z" | fold -w 99 >/dev/console',
          `${noisyKtap(500, 12)} >$1`,
        ].join('\n'),
        '  serial-cap: 1M\n  results: { format: ktap, channel: serial2 }',
      );
      writeFileSync(
        config,
        readFileSync(config, 'utf8').replace(
          'diverge.harness=script',
          'diverge.harness=script diverge.channel=serial2',
        ),
      );
      result = await sb.cli(bootArgs(sb, config));
    });

    it('serial2-flood: 600 KB on the results port: every byte read, every result right', async () => {
      expect(result.code).toBe(0);
      const obs = observation(sb);
      expect(obs.tests.map((t) => `${t.id} ${t.status}`)).toEqual(
        Array.from({ length: 500 }, (_, i) => `t${i + 1} pass`),
      );
      expect(streamLines(logOf(sb, 'k-1.results.log'))).toEqual(noisyKtapLines(500, 12));
      expect(await leftovers(sb)).toEqual([]);
    });

    it('results-after-flood: console cut at its cap and counted, the results after it all read', async () => {
      const obs = observation(sb);
      expect(obs.boot).toMatchObject({ outcome: 'completed', stage: 'done', logTruncated: true });
      expect(obs.boot.message).toBe('serial output cut at 1048576 bytes');
      const log = logOf(sb, 'k-1.log');
      const note = /\[diverge: serial output cut at 1048576 bytes; (\d+) more dropped\]\n$/.exec(
        log.toString('latin1'),
      );
      // 3,000,000 z's in lines of 99 (CRLF on the wire), less what the log kept, and more for boot messages.
      expect(Number(note?.[1])).toBeGreaterThanOrEqual(3_000_000 + 2 * 30_304 - 1_048_576);
      expect(log.length).toBeLessThan(1_048_576 + 200);
      expect(await leftovers(sb)).toEqual([]);
    });
  });

  it('million-results: a kernel printing a million results is cut at harness.max-tests, with a message', async () => {
    const sb = faultSandbox('million-results');
    const config = project(
      sb,
      `awk 'BEGIN { print "KTAP version 1"; print "1..1000000"; for (i = 1; i <= 1000000; i++) print "ok " i " t" i }' >$1\n`,
      '  max-tests: 200',
    );
    const result = await sb.cli(bootArgs(sb, config));
    expect(result.code).toBe(0);
    const obs = observation(sb);
    expect(obs.boot.outcome).toBe('completed');
    expect(obs.boot.message).toBe(
      'more than 200 test results (harness.max-tests): diverge read the first 200 and stopped the boot',
    );
    expect(obs.tests).toHaveLength(200);
    expect(obs.tests.at(-1)).toMatchObject({ id: 't200', status: 'pass' });
    expect(result.stderr).toContain('more than 200 test results');
    expect(await leftovers(sb)).toEqual([]);
  });

  describe('hostile text in results, diagnostics and test names (a run: report and every renderer)', () => {
    const sb = faultSandbox('hostile-text');
    let result: CliResult;
    let report: Report;
    let rendered: Record<string, string>;
    beforeAll(async () => {
      // The candidate (6.12) fails test 7 with hostile text: it reaches every renderer.
      const script =
        String.raw`out=$1
case "$(uname -r)" in 6.12*) differs=fail ;; *) differs=pass ;; esac
{
echo "KTAP version 1"
echo "1..7"
printf '# '; head -c 1048576 /dev/zero | tr '\0' 'x'; echo
echo "ok 1 after_long_line"
printf 'ok 2 '; head -c 40000 /dev/zero | tr '\0' 'n'; echo
printf '# nul\000in\000diag\n'
printf 'ok 3 nul\000name\n'
printf '# \033[2J\033[31mred\033[0m \033]0;title\007 \033[6n end\n'
printf 'ok 4 esc\033[1mbold\033[0m_name\n'
printf '# bad \377\376 \300\200 bytes\n'
printf 'ok 5 bad\377utf8\n'
awk 'BEGIN { p = ""; for (d = 1; d <= 100; d++) { p = p "    "; print p "KTAP version 1"; print p "1..1" } for (d = 100; d >= 1; d--) { print substr(p, 1, 4 * d) "ok 1 level" d } }'
echo "ok 6 deep"
if [ $differs = fail ]; then
  printf '# <script>alert(1)</script> \033[31m|red|\033[0m ` +
        '`tick`' +
        String.raw` \000\377 ]]> &amp;\n'
  echo "not ok 7 differs"
else
  echo "ok 7 differs"
fi
} >$out
`;
      const config = project(sb, script);
      result = await sb.cli([
        'run',
        '-c',
        config,
        '--candidate',
        kernels.X86_612 as string,
        '-r',
        `ref=${kernels.X86_61_A}`,
        '-o',
        sb.out,
      ]);
      report = validateReport(
        JSON.parse(readFileSync(path.join(sb.out, 'report.json'), 'utf8')),
        'report.json',
      );
      rendered = {
        'report.json': readFileSync(path.join(sb.out, 'report.json'), 'utf8'),
        'report.md': readFileSync(path.join(sb.out, 'report.md'), 'utf8'),
        'report.html': readFileSync(path.join(sb.out, 'report.html'), 'utf8'),
        terminal: result.stdout + result.stderr,
      };
    });
    const ids = () => report.tests.map((t) => t.id);

    it('long-lines: a 1 MiB line and a 40,000-character name are cut, the log keeps them whole', async () => {
      expect(result.code).toBe(1); // test 7 regressed
      const long = ids().find((id) => id.startsWith('nnnn'));
      expect(long).toBe(`${'n'.repeat(MAX_LINE_CHARS - 'ok 2 '.length)}…[line cut]`);
      expect(ids()).toContain('after_long_line');
      for (const text of Object.values(rendered))
        expect(text).not.toContain('x'.repeat(MAX_LINE_CHARS + 1));
      expect(logOf(sb, 'ref-1.log').toString('latin1')).toContain(`# ${'x'.repeat(1048576)}\r\n`);
      expect(await leftovers(sb)).toEqual([]);
    });

    // report.html carries the raw log lines as JSON (\u0000, \u001b) and shows each control
    // character as a visible ⟨U+…⟩ (test/render/html-hostile.test.ts); every parsed text is clean.
    const raw = (text: string, name: string) => {
      if (name !== 'report.html') return text;
      const json = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(text)?.[1];
      const data = JSON.parse(json ?? 'null') as { boots: { log: unknown }[] };
      for (const boot of data.boots) boot.log = 'raw lines, shown as ⟨U+…⟩';
      return JSON.stringify(data); // the page's own script matches control characters
    };

    it('nul-bytes: NULs dropped from names and output, never in a report', () => {
      expect(ids()).toContain('nulname');
      for (const [name, text] of Object.entries(rendered)) {
        expect([name, text.includes('\u0000')]).toEqual([name, false]);
        expect([name, raw(text, name).includes('\\u0000')]).toEqual([name, false]);
      }
    });

    it('terminal-escapes: escape sequences stripped before parsing and showing', () => {
      expect(ids()).toContain('escbold_name');
      for (const [name, text] of Object.entries(rendered)) {
        expect([name, /[\u001b\u0007]/.test(text)]).toEqual([name, false]); // eslint-disable-line no-control-regex
        expect([name, /\\u001b|\\u0007/.test(raw(text, name))]).toEqual([name, false]);
      }
    });

    it('invalid-utf8: bad bytes become U+FFFD, the reports stay valid UTF-8', () => {
      expect(ids()).toContain('bad\uFFFDutf8');
      for (const file of ['report.json', 'report.md', 'report.html']) {
        const bytes = readFileSync(path.join(sb.out, file));
        expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(rendered[file]);
      }
      // The hostile diagnostic of the regression is in the diff, escaped wherever it is markup.
      const regression = report.tests.find((t) => t.id === 'differs');
      expect(regression?.verdict.class).toBe('regression');
      expect(regression?.verdict.diff).toContain(
        '<script>alert(1)</script> |red| `tick` \uFFFD ]]> &amp;',
      );
      expect(rendered['report.html']).not.toContain('<script>alert(1)');
    });

    it('deep-ktap-nesting: 100 levels of KTAP: 31 kept, the rest ignored with a problem, no crash', () => {
      const deep = ids().find((id) => id.startsWith('deep'));
      expect(deep).toBe(`deep.${Array.from({ length: 31 }, (_, i) => `level${i + 1}`).join('.')}`);
      expect(report.tests.find((t) => t.id === deep)?.verdict.class).toBe('same');
      expect(report.boots.map((b) => b.outcome)).toEqual(['completed', 'completed']);
    });
  });

  it('console-loss-detected: the file system of the console fills: infrastructure, exit 3, no verdict', async () => {
    const sb = faultSandbox('console-loss-detected');
    const config = project(sb, `${noisyKtap(300, 20)} >$1\n`);
    // diverge's TMPDIR (where QEMU writes the console) on a 256 KiB tmpfs of a private mount
    // namespace: QEMU's writes fail with ENOSPC and its serial port drops the bytes.
    const args = [
      ...['--mount', ...(process.getuid?.() === 0 ? [] : ['--map-root-user'])],
      ...['sh', '-c', 'mount -t tmpfs -o size=256k tmpfs "$TMPDIR" && exec "$@"', 'sh'],
      ...[NODE24, CLI, 'run', '-c', config, '--candidate', kernels.X86_61_A as string],
      ...['-r', `ref=${kernels.X86_61_A}`, '-o', sb.out],
    ];
    const result = await new Promise<CliResult>((resolve) =>
      execFile('unshare', args, { env: sb.env }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(result.code).toBe(3);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(sb.out, 'report.json'), 'utf8')),
      'report.json',
    );
    const lost = `console bytes may have been lost: ${sb.tmp} was full while QEMU wrote the serial output`;
    expect(report.boots.map((b) => [b.outcome, b.message])).toEqual([
      ['infrastructure', lost],
      ['infrastructure', lost],
    ]);
    expect(report.summary.conclusion).toBe('neutral');
    expect(report.summary.divergences).toBe(0);
    expect(await leftovers(sb)).toEqual([]);
  });
});
