/**
 * A submission built by one command (`grading.build`) in the real Docker engine, in process:
 * the container run that the course checker shares (src/docker/container.ts). The command's
 * kernel is taken out of the ended container; a failing command names its exit code and last
 * lines; one past the time limit is stopped, and no container is left behind.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { dockerAccess } from '../../src/docker/docker.js';
import { BuildError } from '../../src/docker/errors.js';
import type { DockerKernelSettings } from '../../src/docker/kernel.js';
import { submissionBuilder } from '../../src/docker/submission.js';
import { configIn, scratchDir, testContext } from '../helpers/fixtures.js';

const context = testContext('command-build');
const access = dockerAccess(context.dockerHost);

/** A staff context with a `tools` stage and one submission, graded with `run` as the command. */
function course(label: string, run: string, time = '60s') {
  const dir = scratchDir(label);
  mkdirSync(path.join(dir, 'staff'));
  writeFileSync(
    path.join(dir, 'staff', 'Dockerfile'),
    'FROM debian:bookworm-slim AS tools\nWORKDIR /src\n',
  );
  const submission = path.join(dir, 'alice');
  mkdirSync(submission);
  writeFileSync(path.join(submission, 'kernel.c'), `kernel of alice (${label})\n`);
  const { settings } = configIn(
    dir,
    [
      'kernel:',
      `  build: { context: staff, limits: { time: ${time} } }`,
      '  path: /out/kernel.elf',
      'grading:',
      // The label in the command tells this test's containers from other runs' on the engine.
      `  build: { stage: tools, run: ${JSON.stringify(`: ${label}; ${run}`)}, path: kernel.elf }`,
      '',
    ].join('\n'),
  );
  const builder = submissionBuilder(
    access,
    settings.kernel as DockerKernelSettings,
    settings.grading.build,
    {
      variant: 'default',
      outDir: path.join(dir, 'out'),
      contextCache: context.cache.contexts,
      clock: context.clock,
      slot: (work) => work(),
    },
  );
  return { builder, submission, out: path.join(dir, 'out', 'alice') };
}

/** The build containers of the course labelled `label` still on the engine. */
const containersOf = async (label: string) =>
  (await (await access.client()).listContainers({ all: true })).filter(
    (c) => c.Labels['diverge.role'] === 'submission-build' && c.Command.includes(label),
  );

describe('grading.build in Docker', () => {
  it("takes the command's kernel out of its container", async () => {
    const { builder, submission, out } = course('command-ok', 'cp kernel.c kernel.elf');
    const built = await builder.build(submission, out);
    expect(readFileSync(built.kernel.path, 'utf8')).toBe('kernel of alice (command-ok)\n');
    expect(await containersOf('command-ok')).toEqual([]);
  }, 300_000);

  it('names the exit code and the last lines of a command that fails', async () => {
    const { builder, submission, out } = course(
      'command-fails',
      'echo "kernel.c:1: error: expected ;" >&2; exit 3',
    );
    const error = await builder.build(submission, out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).message).toMatch(
      /^grading\.build: grading\.build\.run \(.*\) exited with code 3 \(build log: .*build-kernel\.log\)\nlast lines of the build:\n {2}kernel\.c:1: error: expected ;$/,
    );
    expect(await containersOf('command-fails')).toEqual([]);
  }, 300_000);

  it('stops a command at the time limit', async () => {
    const { builder, submission, out } = course('command-slow', 'sleep 120', '3s');
    const started = Date.now();
    const error = await builder.build(submission, out).catch((e: unknown) => e);
    expect((error as BuildError).message).toMatch(
      /^grading\.build: stopped at the time limit: kernel\.build\.limits\.time is 3 s/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await containersOf('command-slow')).toEqual([]);
  }, 300_000);
});
