/**
 * .github/workflows/release.yml run by act on this host for the push of a release tag, the way
 * GitHub runs it: in a scratch clone whose last commit is this working tree (so a branch whose
 * fresh dist/ is not committed yet releases what it holds), with a local bare repository as
 * `origin`, so the real repository's tags are never touched. `npm ci` really runs, offline from
 * this machine's npm cache (act has no internet here).
 */
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ACT, actEnv } from '../helpers/act.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const MAJOR = `v${VERSION.split('.')[0]}`;
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Release Manager',
  GIT_AUTHOR_EMAIL: 'rm@example.org',
  GIT_COMMITTER_NAME: 'Release Manager',
  GIT_COMMITTER_EMAIL: 'rm@example.org',
};

function git(cwd: string, ...args: string[]): string {
  return gitWithInput(cwd, '', ...args);
}

function gitWithInput(cwd: string, input: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', input }).trim();
}

interface Scratch {
  dir: string;
  clone: string;
  origin: string;
  /** The commit the clone started from, before this working tree was committed on top. */
  base: string;
}

/** A clone of this repository, this working tree committed on top, `origin` a bare repository. */
function scratchRepository(): Scratch {
  const dir = scratchDir('release');
  const origin = path.join(dir, 'origin.git');
  const clone = path.join(dir, 'clone');
  git(dir, 'init', '--quiet', '--bare', origin);
  git(dir, 'clone', '--quiet', '--no-tags', '--single-branch', REPO_ROOT, clone);
  git(clone, 'remote', 'set-url', 'origin', origin);
  const base = git(clone, 'rev-parse', 'HEAD');
  // The working tree's files as the repository sees them (tracked, or untracked and not ignored
  // by any exclude), read from the working tree, written only into the clone.
  const files = git(REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard')
    .split('\0')
    .filter((file) => file && existsSync(path.join(REPO_ROOT, file)));
  git(clone, 'rm', '-r', '--quiet', '--cached', '.');
  gitWithInput(
    clone,
    files.join('\0'),
    `--work-tree=${REPO_ROOT}`,
    'add',
    '--force',
    '--pathspec-from-file=-',
    '--pathspec-file-nul',
  );
  git(clone, 'commit', '--quiet', '--allow-empty', '-m', 'the working tree');
  git(clone, 'reset', '--quiet', '--hard');
  git(clone, 'clean', '-d', '--force', '--quiet');
  git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', `${base}:refs/tags/${MAJOR}`);
  return { dir, clone, origin, base };
}

/** origin's tags, name → commit. */
function originTags({ origin }: Scratch): Record<string, string> {
  const lines = git(origin, 'for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/tags');
  return Object.fromEntries(lines.split('\n').map((line) => line.split(' ')));
}

/** Tags the clone's HEAD, pushes the tag and runs the workflow for that push, as GitHub would. */
function release(
  scratch: Scratch,
  tag: string,
): Promise<{ code: number; log: string; sha: string; before: Record<string, string> }> {
  const { dir, clone } = scratch;
  const sha = git(clone, 'rev-parse', 'HEAD');
  git(clone, 'tag', tag);
  git(clone, 'push', '--quiet', 'origin', `refs/tags/${tag}`);
  git(clone, 'checkout', '--quiet', '--detach', tag);
  const before = originTags(scratch);
  const event = path.join(dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({
      ref: `refs/tags/${tag}`,
      before: '0'.repeat(40),
      after: sha,
      created: true,
      deleted: false,
      repository: { full_name: 'course/diverge', name: 'diverge', owner: { login: 'course' } },
    }),
  );
  return new Promise((resolve) =>
    execFile(
      ACT,
      [
        'push',
        '-W',
        '.github/workflows/release.yml',
        '-P',
        'ubuntu-latest=-self-hosted',
        '-e',
        event,
        '--local-repository',
        `actions/setup-node@v4=${path.join(REPO_ROOT, 'test/act-actions/setup-node')}`,
        // act keeps a failed job's workspace (here with node_modules) unless told not to.
        '--rm',
      ],
      {
        cwd: clone,
        // The workflow's `npm ci` installs the lock file's packages from the npm cache.
        env: actEnv({ npm_config_offline: 'true' }),
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          log: `${stdout}${stderr}`,
          sha,
          before,
        }),
    ),
  );
}

beforeAll(() => {
  if (!existsSync(ACT)) throw new Error(`${ACT} is missing: run scripts/setup.sh`);
});

describe('release.yml under act', () => {
  it(`a v${VERSION} tag moves ${MAJOR} from an older commit to the tagged one`, async () => {
    const scratch = scratchRepository();
    const { code, log, sha, before } = await release(scratch, `v${VERSION}`);
    expect(before[MAJOR]).toBe(scratch.base);
    expect(log).toContain('Job succeeded');
    expect(code).toBe(0);
    expect(sha).not.toBe(scratch.base);
    expect(originTags(scratch)).toEqual({ [MAJOR]: sha, [`v${VERSION}`]: sha });
  }, 600_000);

  it("a tag other than package.json's version fails and moves nothing", async () => {
    const scratch = scratchRepository();
    const [major = '', minor = '', patch = ''] = VERSION.split('.');
    const tag = `v${major}.${minor}.${Number(patch) + 1}`;
    const { code, log, before } = await release(scratch, tag);
    expect(log).toContain(`tag ${tag} does not match package.json's version`);
    expect(code).not.toBe(0);
    expect(originTags(scratch)).toEqual(before);
  }, 600_000);

  it('a tag whose CHANGELOG has no section for its version fails and moves nothing', async () => {
    const scratch = scratchRepository();
    const changelog = path.join(scratch.clone, 'CHANGELOG.md');
    const text = readFileSync(changelog, 'utf8');
    writeFileSync(
      changelog,
      text.replace(new RegExp(`^## ${VERSION}\\b.*$`, 'm'), '## Unreleased'),
    );
    git(scratch.clone, 'commit', '--quiet', '--all', '-m', 'the CHANGELOG not brought up to date');
    const { code, log, before } = await release(scratch, `v${VERSION}`);
    expect(log).toContain(`CHANGELOG.md has no section ## ${VERSION}`);
    expect(code).not.toBe(0);
    expect(originTags(scratch)).toEqual(before);
  }, 600_000);

  it('a tag whose dist/ is not what its sources build fails and moves nothing', async () => {
    const scratch = scratchRepository();
    // A top-level statement of an entry point: the bundle cannot leave it out.
    appendFileSync(path.join(scratch.clone, 'src/entry/cli.ts'), "console.log('changed');\n");
    git(scratch.clone, 'commit', '--quiet', '--all', '-m', 'a source change, dist/ not rebuilt');
    const { code, log, before } = await release(scratch, `v${VERSION}`);
    expect(log).toContain(`dist/ is stale at v${VERSION}`);
    expect(log).toContain('dist/cli.js');
    expect(code).not.toBe(0);
    expect(originTags(scratch)).toEqual(before);
  }, 600_000);
});
