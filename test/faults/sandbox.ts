/**
 * The world of one fault case: its own TMPDIR, cache, config directory and --out, so that the
 * case can show what diverge kept and that it left nothing behind (no process, container or temp
 * file). Each case's name begins with its fault kind (`kind-id: what diverge does`), the id
 * docs/reliability.md's table lists; test/faults/doc.test.ts holds the two together.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli, type CliResult } from '../helpers/fixtures.js';

export interface FaultSandbox {
  root: string;
  /** TMPDIR of the diverge process: must be empty when it ends. */
  tmp: string;
  /** XDG_CACHE_HOME of the diverge process (diverge's caches are under `cache/diverge`). */
  cache: string;
  /** Where the case puts its config, harness and kernels. */
  work: string;
  /** The --out directory, when the case gives one. */
  out: string;
  env: NodeJS.ProcessEnv;
  /** Runs the bundled CLI in this sandbox's environment. */
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
}

export function faultSandbox(kind: string): FaultSandbox {
  const root = mkdtempSync(path.join(tmpdir(), `diverge-fault-${kind}-`));
  const tmp = path.join(root, 'tmp');
  const cache = path.join(root, 'cache');
  const work = path.join(root, 'work');
  for (const d of [tmp, cache, work]) mkdirSync(d);
  const env = { ...process.env, TMPDIR: tmp, XDG_CACHE_HOME: cache, CI: 'true' };
  return {
    root,
    tmp,
    cache,
    work,
    out: path.join(root, 'out'),
    env,
    cli: (args, extraEnv = {}) => cli(args, { ...env, ...extraEnv }),
  };
}

/** Processes (QEMU, diverge, builds) whose command line mentions the sandbox. */
export function processesIn(sb: FaultSandbox): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .filter((line) => line.includes(sb.root) && !line.includes('ps -eo'))
    .map((line) => line.trim());
}

/** Containers diverge made (by its role label) that still exist. */
export function divergeContainers(): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--filter', 'label=diverge.role', '--format', '{{.ID}} {{.Names}}'],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

/**
 * What the sandbox still holds that it should not: live processes, leftover temp files, and
 * (with `containers`) diverge's containers. Processes get a moment to be reaped.
 */
export async function leftovers(
  sb: FaultSandbox,
  { containers = false }: { containers?: boolean } = {},
): Promise<string[]> {
  let processes = processesIn(sb);
  for (let i = 0; i < 20 && processes.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    processes = processesIn(sb);
  }
  return [
    ...processes.map((p) => `process: ${p}`),
    ...readdirSync(sb.tmp).map((f) => `temp file: ${path.join(sb.tmp, f)}`),
    ...(containers ? divergeContainers().map((c) => `container: ${c}`) : []),
  ];
}
