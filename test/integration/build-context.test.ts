/**
 * Outputs never enter a build context: a kernel project whose Dockerfile copies the whole tree
 * (`COPY . /src/`), run from its own folder with the default --out (diverge-out/ inside the
 * context), another --out there, and the cache inside it too. Each run adds reports, logs and
 * cache entries under the context; the next build of the unchanged tree is still a cache hit,
 * whatever .dockerignore says.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { OUTPUT_MARK } from '../../src/util/out-dir.js';
import {
  CLI,
  type CliResult,
  fixtureKernels,
  NODE24,
  REPO_ROOT,
  scratchDir,
} from '../helpers/fixtures.js';

let kernels: Record<string, string>;
beforeAll(async () => {
  kernels = await fixtureKernels();
});

/** The bundled CLI run from `cwd`, as a user in their project folder runs it. */
const cliIn = (cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      NODE24,
      [CLI, ...args],
      { cwd, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

describe('a build context after runs into it', () => {
  it('is unchanged: a second build of the tree is a cache hit, with the default --out, another --out and the cache inside it', async () => {
    const dir = scratchDir('build-context');
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch AS kernel\nCOPY . /src/\n');
    copyFileSync(kernels.X86_61_A as string, path.join(dir, 'vmlinuz'));
    // A context no earlier test built, so the first build is a build.
    writeFileSync(path.join(dir, 'salt.txt'), `${process.pid}-${Date.now()}\n`);
    // Exceptions that would bring diverge's folders back, were they anyone else's.
    writeFileSync(path.join(dir, '.dockerignore'), '!diverge-out\n!results/**\n!.cache\n');
    writeFileSync(
      path.join(dir, 'diverge.yml'),
      [
        'kernel: { build: { context: ., target: kernel }, path: /src/vmlinuz }',
        `references: [{ name: debian, file: ${kernels.X86_61_A} }]`,
        `harness: { image: { build: { context: ${path.join(REPO_ROOT, 'fixtures/linux/harness')} } } }`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, '.cache') };

    const first = await cliIn(dir, ['run'], env);
    expect(first.stderr).toMatch(/kernel\.build: building diverge-kernel:\w+/);
    expect(first.code).toBe(0);
    expect(existsSync(path.join(dir, 'diverge-out', 'report.json'))).toBe(true);
    expect(existsSync(path.join(dir, '.cache', 'diverge', 'contexts'))).toBe(true);

    const second = await cliIn(dir, ['run'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/kernel\.build: image diverge-kernel:\w+ is up to date/);
    expect(second.stderr).not.toMatch(/kernel\.build: step 1\//);

    // Any --out is marked as diverge's, and left out as well.
    const other = await cliIn(dir, ['run', '--out', 'results'], env);
    expect(other.code).toBe(0);
    expect(existsSync(path.join(dir, 'results', OUTPUT_MARK))).toBe(true);
    expect(other.stderr).toMatch(/kernel\.build: image diverge-kernel:\w+ is up to date/);

    // A change of the user's own is a new build, as ever (to a tree no earlier run built either:
    // the image of an earlier run of this test on this engine would be up to date).
    writeFileSync(path.join(dir, 'salt.txt'), `changed ${process.pid}-${Date.now()}\n`);
    const changed = await cliIn(dir, ['run'], env);
    expect(changed.code).toBe(0);
    expect(changed.stderr).toMatch(/kernel\.build: building diverge-kernel:\w+/);
  }, 600_000);
});
