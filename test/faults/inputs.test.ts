/**
 * Hostile and broken inputs, through the bundled CLI: YAML bombs, huge configs, saved runs that
 * are not what they claim, and harness directories holding what no initramfs can. Each is bad
 * input: exit 2, the file and field named, nothing booted, nothing left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { fixtureKernels } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

let kernel: string;
beforeAll(async () => {
  kernel = (await fixtureKernels()).X86_61_A as string;
});

/** A sandbox with `yaml` as its config. */
function withConfig(kind: string, yaml: string) {
  const sb = faultSandbox(kind);
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(config, yaml);
  return { sb, config };
}

const boot = (sb: FaultSandbox, config: string) =>
  sb.cli(['boot', '-c', config, '-k', `k=${kernel}`, '-o', sb.out]);

/** A harness directory holding `make(dir)`'s entry beside an ordinary file. */
function harnessWith(kind: string, make: (dir: string) => string) {
  const { sb, config } = withConfig(kind, 'harness:\n  dir: harness\n');
  const dir = path.join(sb.work, 'harness');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'init'), '#!/bin/sh\n');
  return { sb, config, entry: make(dir) };
}

/** A saved run of `diverge boot` (written by hand: compare never boots). */
function savedRun(sb: FaultSandbox, boots: unknown) {
  mkdirSync(sb.out, { recursive: true });
  writeFileSync(path.join(sb.out, 'boots.json'), JSON.stringify(boots));
  return path.join(sb.out, 'boots.json');
}

describe('bad inputs', () => {
  it('yaml-alias-bomb: refused at the alias limit, exit 2 naming the file', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const { sb, config } = withConfig('yaml-alias-bomb', `${levels.join('\n')}\n`);
    const result = await boot(sb, config);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`diverge: ${config}: Excessive alias count`);
    expect(result.stderr).toContain('at most 100 alias expansions');
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('huge-config: a config over 1 MiB refused unread, exit 2 naming the file', async () => {
    const comment = `# ${'x'.repeat(1021)}\n`; // 1 KiB a line
    const { sb, config } = withConfig('huge-config', comment.repeat(10 * 1024));
    const result = await boot(sb, config);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: ${config}: 10485760 bytes, more than the 1048576 bytes a config file may have`,
    );
    expect(existsSync(sb.out)).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('garbage-boots-json: compare refuses a boots.json that is not JSON, naming the file', async () => {
    const sb = faultSandbox('garbage-boots-json');
    const file = path.join(sb.out, 'boots.json');
    mkdirSync(sb.out);
    writeFileSync(file, '\u0000\u0001garbage{');
    const result = await sb.cli(['compare', '--from', sb.out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^diverge: ${file}: not JSON: `, 'm'));
    expect(readFileSync(file, 'utf8')).toBe('\u0000\u0001garbage{'); // kept as it was
    expect(existsSync(path.join(sb.out, 'report.json'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('wrong-typed-boots-json: compare names the file and every field at fault, exit 2', async () => {
    const sb = faultSandbox('wrong-typed-boots-json');
    const file = savedRun(sb, {
      host: { qemu: 'QEMU 8', accel: 'tcg', accelReason: 'x', cpus: 1, jobs: 1 },
      harness: { digest: 'sha256:0', format: 'ktap', channel: 'console' },
      observations: { kernel: 'k' },
    });
    const result = await sb.cli(['compare', '--from', sb.out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`diverge: ${file}: .observations: `);
    expect(result.stderr).toContain('(not a run saved by diverge run or diverge boot)');
    expect(result.stderr).not.toContain('is not a function');

    // One level down: a test whose status is not one diverge writes.
    const boot = {
      kernel: 'k',
      attempt: 1,
      outcome: 'completed',
      stage: 'done',
      durationMs: 1,
      accel: 'tcg',
      log: '',
      splats: [],
      exitStatus: 0,
      logTruncated: false,
      command: [],
    };
    savedRun(sb, {
      host: { qemu: 'QEMU 8', accel: 'tcg', accelReason: 'x', cpus: 1, jobs: 1 },
      harness: { digest: 'sha256:0', format: 'ktap', channel: 'console' },
      observations: [
        {
          kernel: 'k',
          attempt: 1,
          boot,
          tests: [{ id: 't', status: 'passed', output: [] }],
          complete: true,
          problems: [],
        },
      ],
    });
    const deeper = await sb.cli(['compare', '--from', sb.out]);
    expect(deeper.code).toBe(2);
    expect(deeper.stderr).toContain(`diverge: ${file}: .observations[0].tests[0].status: `);
    expect(existsSync(path.join(sb.out, 'report.json'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('harness-fifo: a FIFO in the harness dir refused unopened, exit 2 naming it', async () => {
    const { sb, config, entry } = harnessWith('harness-fifo', (dir) => {
      const fifo = path.join(dir, 'pipe');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    });
    const result = await boot(sb, config);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: harness.dir: ${entry} is a FIFO; only directories, files and symlinks go into an initramfs`,
    );
    expect(existsSync(path.join(sb.out, 'logs'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('harness-device-node: a device node in the harness dir refused, exit 2 naming it', async () => {
    const { sb, config, entry } = harnessWith('harness-device-node', (dir) => {
      const node = path.join(dir, 'null');
      execFileSync('mknod', [node, 'c', '1', '3']);
      return node;
    });
    const result = await boot(sb, config);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`diverge: harness.dir: ${entry} is a character device;`);
    expect(existsSync(path.join(sb.out, 'logs'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('harness-sparse-huge: a 2 GiB sparse file refused by its size before it is read, exit 2 naming it', async () => {
    const { sb, config, entry } = harnessWith('harness-sparse-huge', (dir) => {
      const big = path.join(dir, 'big.img');
      execFileSync('truncate', ['-s', '2G', big]);
      return big;
    });
    const result = await boot(sb, config);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: harness.dir: ${entry} (2048.0 MiB) takes the harness over 512 MiB, the most an initramfs may hold`,
    );
    // Nothing was packed: no archive in the cache, none in the output.
    expect(existsSync(path.join(sb.cache, 'diverge', 'initramfs'))).toBe(false);
    expect(existsSync(path.join(sb.out, 'harness', 'harness.cpio.gz'))).toBe(false);
    expect(await leftovers(sb)).toEqual([]);
  });
});
