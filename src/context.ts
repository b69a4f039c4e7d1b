/**
 * The run context: what a run takes from its surroundings (cache directories, environment,
 * running processes, clock, build id), built once by an entry point and passed down. Nothing
 * below the entry points reads `process.env` or works out a cache directory itself.
 */
import { DRIVER_INHERITED_ENV } from './model/network.js';
import type { ChildProcess } from 'node:child_process';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { BUILD_ID } from './model/constants.js';
import { BUILDER_CHOICES, type BuilderChoice } from './model/builder.js';
import type { ProxySettings } from './util/proxy.js';

/** Where diverge keeps what it can reuse between runs, one directory per kind of entry. */
export interface CacheDirs {
  root: string;
  /** Fetched reference kernels, by digest, with an index of their sources. */
  kernels: string;
  sources: string;
  /** Reference observations (see results/observation-cache.ts). */
  observations: string;
  /** VMs saved at a harness's ready point (see qemu/saved-vm-cache.ts). */
  savedVms: string;
  /** Docker build contexts' digests. */
  contexts: string;
  /** Harness directories packed as initramfs archives. */
  initramfs: string;
  /** The KVM probe's result for this host boot. */
  kvmProbe: string;
  /** History stores' month files as columns, so a render parses only the months that changed. */
  history: string;
}

/** The QEMU (and other long-lived) processes of a run, so an interrupted run can stop them. */
export interface ProcessRegistry {
  add(child: ChildProcess): void;
  delete(child: ChildProcess): void;
  /** Kills every registered process (SIGKILL); returns how many there were. */
  killAll(): number;
}

export interface Clock {
  now(): number;
  /** YYYY-MM-DD (UTC), for expectation expiry. */
  today(): string;
}

/**
 * How long diverge waits on the network and on Docker, each from an environment variable in
 * seconds (a positive number; anything else means the default). See docs/reliability.md.
 */
export interface Waits {
  /** DIVERGE_DOWNLOAD_IDLE_TIMEOUT (60): a download that sends nothing for this long is cut. */
  downloadIdleMs: number;
  /** DIVERGE_RETRY_BASE (1): backoff unit of network retries, the n-th waits n² units. */
  retryBaseMs: number;
  /** DIVERGE_DOCKER_TIMEOUT (120): a Docker call whose answer does not begin this soon fails. */
  dockerMs: number;
}

export function waitsFrom(env: NodeJS.ProcessEnv): Waits {
  const seconds = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return (Number.isFinite(value) && value > 0 ? value : fallback) * 1000;
  };
  return {
    downloadIdleMs: seconds('DIVERGE_DOWNLOAD_IDLE_TIMEOUT', 60),
    retryBaseMs: seconds('DIVERGE_RETRY_BASE', 1),
    dockerMs: seconds('DIVERGE_DOCKER_TIMEOUT', 120),
  };
}

/** `DIVERGE_BUILDER`: undefined when unset (the config's choice stands); anything else is refused by name. */
export function builderChoice(value: string | undefined): BuilderChoice | undefined {
  const choice = (value ?? '').trim().toLowerCase();
  if (!choice) return undefined;
  if ((BUILDER_CHOICES as readonly string[]).includes(choice)) return choice as BuilderChoice;
  throw new Error(`DIVERGE_BUILDER: expected one of ${BUILDER_CHOICES.join(', ')}, got "${value}"`);
}

export interface RunContext {
  cache: CacheDirs;
  processes: ProcessRegistry;
  clock: Clock;
  /** The package version plus a content hash of the bundle: part of every derived cache key. */
  buildId: string;
  /** Directories searched for QEMU and other host programs (PATH). */
  searchPath: readonly string[];
  /** Scratch space (RUNNER_TEMP on a runner, else the system's temporary directory). */
  tempDir: string;
  /** The Docker engine to talk to (DOCKER_HOST, else the local socket). */
  dockerHost: string;
  waits: Waits;
  /** The machine's builder for Dockerfiles (DIVERGE_BUILDER; model/builder.ts), over the config's. */
  builder: BuilderChoice | undefined;
  /**
   * Files the disk refused during the run (full, read-only), each said as it happened; the run
   * goes on so that what fits is written, and then ends with exit 3 naming them.
   */
  unwritten: string[];
  /** HTTP(S) proxies, installed for every request by util/proxy.ts. */
  proxy: ProxySettings;
  /**
   * What a host-side driver (`harness.driver`) inherits of the environment: only
   * DRIVER_INHERITED_ENV (PATH, HOME, LANG…), never a token. Absent: PATH alone.
   */
  driverEnv?: Readonly<Record<string, string>>;
}

export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const settings: ProxySettings = {};
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const) {
    const value = env[name.toLowerCase()] || env[name];
    // `proxy:3128` means http://proxy:3128, as curl and the toolkit read it.
    if (value)
      settings[name] =
        name === 'NO_PROXY' || /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  }
  return settings;
}

export function cacheDirs(root: string): CacheDirs {
  return {
    root,
    kernels: path.join(root, 'kernels'),
    sources: path.join(root, 'sources'),
    observations: path.join(root, 'observations'),
    savedVms: path.join(root, 'saved-vms'),
    contexts: path.join(root, 'contexts'),
    initramfs: path.join(root, 'initramfs'),
    kvmProbe: path.join(root, 'kvm-probe.json'),
    history: path.join(root, 'history'),
  };
}

/** ~/.cache/diverge, or under XDG_CACHE_HOME. */
function cacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'diverge');
}

export function processRegistry(): ProcessRegistry {
  const live = new Set<ChildProcess>();
  return {
    add: (child) => void live.add(child),
    delete: (child) => void live.delete(child),
    killAll: () => {
      for (const child of live) {
        // A child that leads its own process group (a driver, see qemu/driver.ts) takes the
        // processes it started with it; for any other, no such group exists.
        if (child.pid !== undefined)
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // not a group leader, or gone already
          }
        child.kill('SIGKILL');
      }
      const n = live.size;
      live.clear();
      return n;
    },
  };
}

/**
 * Whether to colour what goes to a stream (no-color.org, force-color.org): FORCE_COLOR wins (`0`
 * or `false`: never, anything else: always), then NO_COLOR (set and not empty: never) and
 * TERM=dumb (never); else colours go to a terminal only.
 */
export function colorFor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  today: () => new Date().toISOString().slice(0, 10),
};

/** The context of a process: read from its environment, once. */
export function createRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  return {
    cache: cacheDirs(cacheDir(env)),
    processes: processRegistry(),
    clock: systemClock,
    // From source (ts-jest) this is `0.1.0+source` whatever the code: harmless, as tests give
    // every run fresh cache directories and so never meet entries of an older build.
    buildId: BUILD_ID,
    searchPath: (env.PATH ?? '').split(path.delimiter).filter(Boolean),
    tempDir: env.RUNNER_TEMP || tmpdir(),
    dockerHost: env.DOCKER_HOST || 'unix:///var/run/docker.sock',
    waits: waitsFrom(env),
    builder: builderChoice(env.DIVERGE_BUILDER),
    unwritten: [],
    proxy: proxySettings(env),
    driverEnv: Object.fromEntries(
      DRIVER_INHERITED_ENV.flatMap((name) => {
        const value = env[name];
        return value === undefined ? [] : [[name, value]];
      }),
    ),
  };
}
