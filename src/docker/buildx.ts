/**
 * Builds through `docker buildx build` when the action's `build-cache` input asks for a cache
 * BuildKit keeps outside the engine (`type=gha`: the GitHub Actions cache). The Engine API
 * cannot export a build cache; buildx can, with a builder whose driver is not `docker` (the
 * `docker-container` builder `docker/setup-buildx-action` creates). Without such a buildx the
 * input does nothing, and the build says so (see docs/action.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** The action's `build-cache` input, parsed: `gha`, `gha,scope=NAME`, `gha,mode=min`. */
export interface BuildCache {
  type: 'gha';
  scope: string;
  mode: 'min' | 'max';
  /** The docker command that runs buildx (`docker` on PATH unless given). */
  program?: string;
}

/** `build-cache`: empty for none; else `gha` with optional `scope=` and `mode=` attributes. */
export function parseBuildCache(text: string, defaultScope: string): BuildCache | undefined {
  const value = text.trim();
  if (!value) return undefined;
  const [type, ...attributes] = value.split(',').map((part) => part.trim());
  if (type !== 'gha' && type !== 'type=gha')
    throw new Error(
      `expected gha (the GitHub Actions cache), optionally with ,scope=NAME and ,mode=min|max; got "${value}"`,
    );
  const cache: BuildCache = { type: 'gha', scope: defaultScope, mode: 'max' };
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const val = rest.join('=');
    if (key === 'scope' && /^[A-Za-z0-9._/-]{1,100}$/.test(val)) cache.scope = val;
    else if (key === 'mode' && (val === 'min' || val === 'max')) cache.mode = val;
    else throw new Error(`unknown or invalid attribute "${attribute}" (scope=NAME, mode=min|max)`);
  }
  return cache;
}

/** The buildx command lines: `--cache-from` and `--cache-to` of a cache. */
export function cacheFlags(cache: BuildCache): string[] {
  return [
    '--cache-from',
    `type=gha,scope=${cache.scope}`,
    '--cache-to',
    `type=gha,scope=${cache.scope},mode=${cache.mode}`,
  ];
}

/**
 * The driver of buildx's current builder (`docker-container`, `docker`, …), or why there is
 * none usable: no buildx plugin, or the engine's own (`docker`) driver, which exports no cache.
 */
export async function buildxDriver(docker = 'docker'): Promise<{ driver?: string; why?: string }> {
  const child = spawn(docker, ['buildx', 'inspect'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await exited(child);
  if (code !== 0) return { why: 'no docker buildx here' };
  const driver = /^Driver:\s*(\S+)/m.exec(out)?.[1];
  if (!driver) return { why: 'docker buildx inspect named no driver' };
  if (driver === 'docker')
    return {
      driver,
      why: "buildx's builder uses the docker driver, which exports no build cache (docker/setup-buildx-action creates a docker-container builder)",
    };
  return { driver };
}

export interface BuildxRun {
  args: string[];
  context: Readable;
  line: (line: string) => void;
  signal?: AbortSignal;
  docker?: string;
}

/**
 * `docker buildx build … -` with the packed context on standard input; `--progress=plain`
 * lines go to `line`. Resolves to the exit code (null when stopped).
 */
export async function runBuildx(run: BuildxRun): Promise<number | null> {
  const child = spawn(run.docker ?? 'docker', ['buildx', 'build', ...run.args, '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(run.signal ? { signal: run.signal } : {}),
  });
  child.stdin.on('error', () => undefined);
  run.context.pipe(child.stdin);
  const lines = [
    createInterface({ input: child.stdout }),
    createInterface({ input: child.stderr }),
  ];
  for (const reader of lines) reader.on('line', run.line);
  return exited(child);
}

/** The exit status of `child`; null when it could not start or was stopped by a signal. */
function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (code: number | null) => resolve(code));
  });
}
