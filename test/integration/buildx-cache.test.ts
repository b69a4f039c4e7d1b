/**
 * The action's `build-cache: gha` input: kernel builds go through `docker buildx build` with
 * `--cache-from`/`--cache-to type=gha` when buildx has a builder that exports caches. No buildx
 * is installed here (Debian bookworm packages none) and the GitHub cache service is not
 * reachable, so `docker` on PATH is a stand-in that records the buildx command line diverge
 * gives and builds the same context, file, target, arguments and labels with the real engine
 * (its classic builder), from the same tar on standard input; its `buildx inspect` names the
 * driver the test sets. It is given as the cache's `program` (the docker command, `docker` on
 * PATH by default).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { dockerAccess } from '../../src/docker/docker.js';
import { buildxDriver, parseBuildCache } from '../../src/docker/buildx.js';
import { buildKernel, type DockerKernelSettings } from '../../src/docker/kernel.js';
import { configIn, scratchDir, testContext } from '../helpers/fixtures.js';

const context = testContext('buildx');
const bin = scratchDir('buildx-bin');
const record = path.join(bin, 'argv');
const driverFile = path.join(bin, 'driver');
const realDocker = ['/usr/local/bin/docker', '/usr/bin/docker'].find((file) => {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
});
writeFileSync(
  path.join(bin, 'docker'),
  `#!/bin/bash
set -e
if [ "$1 $2" = "buildx inspect" ]; then printf 'Name: stand-in\\nDriver: %s\\n' "$(cat ${driverFile})"; exit 0; fi
if [ "$1 $2" != "buildx build" ]; then exec ${realDocker} "$@"; fi
shift 2
printf '%s\\n' "$@" > ${record}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --progress=plain|--load) shift ;;
    --cache-from|--cache-to) shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
DOCKER_BUILDKIT=0 exec ${realDocker} build "\${args[@]}" 2>&1
`,
);
chmodSync(path.join(bin, 'docker'), 0o755);
const program = path.join(bin, 'docker');

function project(label: string) {
  const dir = scratchDir(label);
  mkdirSync(path.join(dir, 'ctx'));
  writeFileSync(
    path.join(dir, 'ctx', 'Dockerfile'),
    `FROM debian:bookworm-slim AS kernel\nARG FLAVOUR\nRUN echo ${label}-${Date.now()} && mkdir -p /out && echo "$FLAVOUR" > /out/kernel.elf\n`,
  );
  const { settings } = configIn(
    dir,
    'kernel:\n  build: { context: ctx, target: kernel, args: { FLAVOUR: v1 }, limits: { network: false } }\n  path: /out/kernel.elf\n',
  );
  return { dir, kernel: settings.kernel as DockerKernelSettings };
}

describe('build-cache: gha', () => {
  it('parses the input: gha, its scope and mode; anything else is refused', () => {
    expect(parseBuildCache('', 'diverge-default')).toBeUndefined();
    expect(parseBuildCache('gha', 'diverge-default')).toEqual({
      type: 'gha',
      scope: 'diverge-default',
      mode: 'max',
    });
    expect(parseBuildCache('gha,scope=kernels,mode=min', 'x')).toEqual({
      type: 'gha',
      scope: 'kernels',
      mode: 'min',
    });
    expect(() => parseBuildCache('registry,ref=x', 'x')).toThrow(/expected gha/);
    expect(() => parseBuildCache('gha,mode=all', 'x')).toThrow(/invalid attribute "mode=all"/);
  });

  it('with a docker-container builder: docker buildx build with the cache flags, the image loaded under its tag', async () => {
    writeFileSync(driverFile, 'docker-container');
    const { dir, kernel } = project('buildx-gha');
    const lines: string[] = [];
    const access = dockerAccess(context.dockerHost, undefined, undefined, undefined, 'auto', {
      type: 'gha',
      scope: 'diverge-default',
      mode: 'max',
      program,
    });
    const built = await buildKernel(access, kernel, {
      variant: 'default',
      outDir: path.join(dir, 'out'),
      progress: (line) => lines.push(line),
      contextCache: context.cache.contexts,
      clock: context.clock,
    });
    expect(built.image.builder).toBe('buildx');
    expect(readFileSync(built.kernel.path, 'utf8')).toBe('v1\n');
    const argv = readFileSync(record, 'utf8').trim().split('\n');
    expect(argv.join(' ')).toBe(
      [
        '--progress=plain --load -t',
        built.image.tag,
        '-f Dockerfile --target kernel --build-arg FLAVOUR=v1',
        `--label diverge.recipe=${built.image.recipeDigest} --label diverge.role=kernel`,
        '--network none',
        '--cache-from type=gha,scope=diverge-default --cache-to type=gha,scope=diverge-default,mode=max -',
      ].join(' '),
    );
    expect(lines.join('\n')).toMatch(
      /kernel\.build: built diverge-kernel:\w+ in [\d.]+ s with docker buildx/,
    );
    const log = readFileSync(path.join(dir, 'out', 'logs', 'build-kernel.log'), 'utf8');
    expect(log).toMatch(
      /^docker buildx build --progress=plain .* --cache-to type=gha,scope=diverge-default,mode=max -$/m,
    );
    expect(log).toMatch(/buildx-gha-\d+/);
  }, 300_000);

  it("buildx's own docker driver exports no cache, and no buildx at all is said as such", async () => {
    writeFileSync(driverFile, 'docker');
    expect(await buildxDriver(program)).toEqual({
      driver: 'docker',
      why: expect.stringMatching(/uses the docker driver, which exports no build cache/),
    });
    expect(await buildxDriver(path.join(bin, 'no-such-docker'))).toEqual({
      why: 'no docker buildx here',
    });
  });
});
