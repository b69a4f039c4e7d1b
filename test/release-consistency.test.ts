/**
 * One version story (docs/development.md, "Releases"): package.json's version is the CLI's
 * (TOOL_VERSION) and the lock file's; the release workflow accepts only a tag of that version
 * and moves its major tag vN; and every `uses:` line, schema address and the CHANGELOG name that
 * same vN (ACTION_USES, which `diverge init` writes), with the CHANGELOG's newest section that
 * version. A bump that forgets one of them fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  ACTION_MAJOR_TAG,
  ACTION_REPOSITORY,
  ACTION_USES,
  CONFIG_SCHEMA_URL,
  TOOL_VERSION,
} from '../src/model/constants.js';
import { REPO_ROOT } from './helpers/fixtures.js';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const VERSION = (JSON.parse(read('package.json')) as { version: string }).version;
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  // The starter kits' workflows, which courses copy as they are.
  ...readdirSync(path.join(REPO_ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.github\/workflows\/[^/]+\.yml$/.test(f))
    .map((f) => `examples/${f}`),
];

/** Every match of `pattern`'s first group in the pages, as `page:line text`. */
function mentions(pattern: RegExp): { where: string; ref: string }[] {
  return PAGES.flatMap((page) =>
    read(page)
      .split('\n')
      .flatMap((line, i) =>
        [...line.matchAll(pattern)].map((m) => ({ where: `${page}:${i + 1}`, ref: m[1] ?? '' })),
      ),
  );
}

interface Step {
  name?: string;
  run?: string;
}
const releaseSteps = (
  parse(read('.github/workflows/release.yml')) as {
    on: { push: { tags: string[] } };
    jobs: { release: { steps: Step[] } };
  }
).jobs.release.steps;
const stepRunning = (text: string) => releaseSteps.find((s) => s.run?.includes(text));

describe('the version, the moving tag, the uses: lines and the CHANGELOG agree', () => {
  it("package.json's version is the CLI's and the lock file's, and a release version", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(TOOL_VERSION).toBe(VERSION);
    const lock = JSON.parse(read('package-lock.json')) as {
      version: string;
      packages: Record<string, { version?: string }>;
    };
    expect([lock.version, lock.packages['']?.version]).toEqual([VERSION, VERSION]);
    expect(ACTION_MAJOR_TAG).toBe(`v${VERSION.split('.')[0]}`);
  });

  it('the release workflow takes only a tag of that version, and moves its major tag', () => {
    // The tag must be v + package.json's version...
    expect(stepRunning('require("./package.json").version')?.run).toContain(
      '"${GITHUB_REF_NAME#v}" = "$(node -p \'require("./package.json").version\')"',
    );
    // ...and the tag it moves is the part before the first dot: ACTION_MAJOR_TAG.
    expect(stepRunning('git tag --force')?.run).toContain('major="${GITHUB_REF_NAME%%.*}"');
    // ...and the CHANGELOG must have the version's section.
    expect(stepRunning('CHANGELOG.md')?.run).toContain('^## ${GITHUB_REF_NAME#v}');
  });

  it('every uses: line of the pages names the action at that major tag', () => {
    const uses = mentions(/[Oo][Ww][Nn][Ee][Rr]>?\/diverge(?:\/report|\/grade)?@([\w.-]+)/g);
    expect(uses.length).toBeGreaterThan(3);
    expect(uses.filter((u) => u.ref !== ACTION_MAJOR_TAG)).toEqual([]);
    expect(read('README.md')).toContain(`uses: ${ACTION_USES}\n`);
  });

  it("every schema address of the pages is the major tag's, as init writes it", () => {
    const schemas = mentions(/raw\.githubusercontent\.com\/([^\s)]+\/schema\/config\.v1\.json)/g);
    expect(schemas.length).toBeGreaterThan(1);
    const ours = CONFIG_SCHEMA_URL.slice('https://raw.githubusercontent.com/'.length);
    expect(schemas.filter((s) => s.ref !== ours)).toEqual([]);
    expect(ours.startsWith(`${ACTION_REPOSITORY}/`)).toBe(true);
  });

  it("the CHANGELOG's newest section is that version, and it says how the major tag moves", () => {
    const changelog = read('CHANGELOG.md');
    const [newest] = [...changelog.matchAll(/^## (\S+)/gm)].map((m) => m[1]);
    expect(newest).toBe(VERSION);
    const major = ACTION_MAJOR_TAG.slice(1);
    expect(changelog).toContain(`${major}.y.z`);
  });
});
