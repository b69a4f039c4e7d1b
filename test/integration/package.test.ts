/**
 * The CLI as people install it: `npm pack`, the tarball installed offline into an empty
 * directory (the bundle in dist/ carries every runtime dependency), then `diverge --version` and
 * `diverge demo` run from there, through the installed bin link, and `npx diverge init` on the
 * course the package ships (a repository of one's own) and `npx diverge doctor` of what it wrote.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { NODE24, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

describe('the npm package', () => {
  it('packs, installs offline into an empty directory, and runs diverge --version, init, doctor and demo', async () => {
    const dir = scratchDir('package');
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      dependencies?: Record<string, string>;
    };
    // Everything the bundle needs is in it: nothing to fetch at install time.
    expect(pkg.dependencies ?? {}).toEqual({});
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO_ROOT });
    const [tarball] = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
    expect(tarball).toBe(`${pkg.name}-${pkg.version}.tgz`);

    const project = path.join(dir, 'project');
    // Node 24 first on PATH: the bin's `#!/usr/bin/env node` takes the first node.
    const env = {
      ...process.env,
      PATH: `${path.dirname(NODE24)}:${process.env.PATH ?? ''}`,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    };
    const install = await run(
      'npm',
      [
        'install',
        '--offline',
        '--no-audit',
        '--no-fund',
        '--prefix',
        project,
        path.join(dir, tarball as string),
      ],
      dir,
      env,
    );
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
    const bin = path.join(project, 'node_modules', '.bin', 'diverge');
    expect(realpathSync(bin)).toBe(path.join(project, 'node_modules', pkg.name, 'dist', 'cli.js'));

    const version = await run(bin, ['--version'], project, env);
    expect(version.stdout.trim()).toBe(pkg.version);

    // npx finds the installed bin; a user's repository: the shipped course without its config.
    const npx = (...args: string[]) =>
      run('npx', ['--no-install', 'diverge', ...args], project, env);
    const repo = path.join(project, 'repo');
    cpSync(path.join(project, 'node_modules', pkg.name, 'fixtures/course'), repo, {
      recursive: true,
      filter: (from) => path.basename(from) !== 'diverge.yml',
    });
    const init = await npx('init', '--dir', 'repo', '--yes');
    expect(init.stderr).not.toMatch(/^diverge: /m);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('a multiboot kernel (multiboot, built by its Dockerfile): wrote');
    expect(readFileSync(path.join(repo, '.github/workflows/diverge.yml'), 'utf8')).toContain(
      `uses: OWNER/diverge@v${pkg.version.split('.')[0]}\n`,
    );
    const doctor = await npx('doctor', '-c', 'repo/diverge.yml');
    expect(doctor.stdout).toMatch(/^ok {3}QEMU \(x86_64\): /m);
    expect(doctor.stdout).not.toMatch(/^FAIL/m);
    expect(doctor.code).toBe(0);
    // init refuses to replace what it wrote.
    expect((await npx('init', '--dir', 'repo')).code).toBe(2);

    const demo = await run(bin, ['demo', '-o', 'out'], project, env);
    expect(demo.stderr).not.toContain('Error');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('as intended');
    expect(readdirSync(path.join(project, 'out'))).toContain('summary.md');
  }, 600_000);
});
