/**
 * Kernel builds run student code: `kernel.build.limits` bounds them in the real Docker engine.
 * Each case is a `diverge run` whose build breaks one limit, with the same build within its
 * limits as the control, so a limit that stops applying fails the test.
 */
import { createServer } from 'node:net';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Docker from 'dockerode';
import { dockerHostAddress } from '../helpers/course.js';
import { cli, fixtureKernels, scratchDir } from '../helpers/fixtures.js';

const docker = new Docker();
let reference: string;
beforeAll(async () => {
  reference = (await fixtureKernels()).X86_61_A as string;
});

/** `diverge run` of a kernel built from `dockerfile` with `limits` (YAML flow mapping). */
async function build(
  label: string,
  dockerfile: string,
  limits: string,
  files: Record<string, string> = {},
  links: Record<string, string> = {},
) {
  const dir = scratchDir(label);
  const ctx = path.join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(ctx, name), content);
  for (const [name, target] of Object.entries(links)) symlinkSync(target, path.join(ctx, name));
  const file = path.join(dir, 'diverge.yml');
  writeFileSync(
    file,
    [
      'kernel:',
      `  build: { context: ctx, limits: ${limits} }`,
      '  path: /out/kernel',
      'references:',
      `  - { name: staff, file: ${reference} }`,
      '',
    ].join('\n'),
  );
  return { dir, result: await cli(['run', '-c', file, '-o', path.join(dir, 'out')]) };
}

/** The last step makes /out/kernel, so a build that gets that far fails only at boot. */
const ENDING = 'RUN mkdir -p /out && echo not a kernel > /out/kernel\n';
const nonce = () => `n${Date.now()}${Math.random().toString(36).slice(2, 8)}`;

describe('kernel.build.limits in the Docker engine', () => {
  const server = createServer((socket) => socket.end('hello\n'));
  let gateway: string;
  let port: number;
  beforeAll(async () => {
    gateway = dockerHostAddress();
    expect(gateway).not.toBe('');
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('network: false — a step that reaches the host fails, and the message says why', async () => {
    // The same step reaches a server on the Docker host when the network is on.
    const reach = (n: string) =>
      `FROM debian:bookworm-slim\nRUN echo ${n} && bash -c 'cat < /dev/tcp/${gateway}/${port}'\n${ENDING}`;
    const open = await build('limits-net-on', reach(nonce()), '{ network: true }');
    expect(open.result.stderr).toMatch(/kernel\.build: built diverge-kernel/);
    const closed = await build('limits-net-off', reach(nonce()), '{ network: false }');
    expect(closed.result.code).toBe(2);
    expect(closed.result.stderr).toMatch(
      /kernel\.build: step 2\/\d+ .* failed: .*non-zero code: 1: builds have no network here \(kernel\.build\.limits\.network is false/,
    );
  }, 300_000);

  it('memory — a step that holds more is killed, naming the limit', async () => {
    const hog = (n: string) =>
      `FROM debian:bookworm-slim\nRUN echo ${n} && x="$(head -c 300000000 /dev/zero | tr '\\0' a)" && echo \${#x}\n${ENDING}`;
    const roomy = await build('limits-mem-ok', hog(nonce()), '{ memory: 2G }');
    expect(roomy.result.stderr).toMatch(/kernel\.build: built diverge-kernel/);
    const tight = await build('limits-mem', hog(nonce()), '{ memory: 96M }');
    expect(tight.result.code).toBe(2);
    expect(tight.result.stderr).toMatch(
      /non-zero code: 137: killed \(SIGKILL\), which is what reaching the memory limit does: kernel\.build\.limits\.memory is 96M/,
    );
  }, 300_000);

  it('processes — a step that forks hundreds of processes cannot, naming the limit', async () => {
    // The limit lands as the step's container starts: the step waits a moment before forking.
    const bomb = (n: string) =>
      `FROM debian:bookworm-slim\nRUN echo ${n} && sleep 2 && for i in $(seq 1 400); do sleep 5 & done; wait\n${ENDING}`;
    const roomy = await build('limits-pids-ok', bomb(nonce()), '{ processes: 1000 }');
    expect(roomy.result.stderr).toMatch(/kernel\.build: built diverge-kernel/);
    const tight = await build('limits-pids', bomb(nonce()), '{ processes: 50 }');
    expect(tight.result.code).toBe(2);
    expect(tight.result.stderr).toMatch(
      /a process could not be started: kernel\.build\.limits\.processes is 50/,
    );
  }, 300_000);

  it('time — a build that runs past it is stopped and its step container killed', async () => {
    const marker = nonce();
    const started = Date.now();
    const slow = await build(
      'limits-time',
      `FROM debian:bookworm-slim\nRUN echo ${marker} && sleep 300\n${ENDING}`,
      '{ time: 8s }',
    );
    expect(slow.result.code).toBe(2);
    expect(slow.result.stderr).toMatch(
      /kernel\.build: stopped at the time limit: kernel\.build\.limits\.time is 8 s/,
    );
    expect(Date.now() - started).toBeLessThan(120_000);
    // The engine cancels the build with the connection: nothing keeps sleeping.
    let running: string[] = [];
    for (let i = 0; i < 30; i++) {
      const all = await docker.listContainers();
      running = all.filter((c) => c.Command.includes(marker)).map((c) => c.Id);
      if (running.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(running).toEqual([]);
  }, 300_000);

  it("a build's context holds only its own files: a link to the staff's kernel leads nowhere", async () => {
    const probe = `FROM debian:bookworm-slim\nCOPY . /src\nRUN echo ${nonce()}; if [ -s /src/stolen ]; then exit 0; else exit 7; fi\n${ENDING}`;
    const { result } = await build('limits-context', probe, '{}', {}, { stolen: reference });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/non-zero code: 7/);
  }, 300_000);
});
