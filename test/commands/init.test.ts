/**
 * `diverge init` in-process on copies of the repository's kernel trees (the fixture course,
 * upstream xv6-riscv and xv6 for x86) and on a fake Linux tree (detection needs only its
 * markers): the kind detected, and what it writes loads with the config loader, validates
 * against schema/config.v1.json, keeps the machine and harness of the fixture it was taken from,
 * and its workflow gives the action only inputs action.yml has. Booting is
 * test/integration/init.test.ts's.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { Cli } from '../../src/commands/command.js';
import { divergeProgram } from '../../src/commands/program.js';
import { detectKind, initFiles, REPOSITORY_KINDS } from '../../src/config/init.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { createRunContext } from '../../src/context.js';
import { dockerAccess } from '../../src/docker/docker.js';
import { ACTION_USES, CONFIG_SCHEMA_URL } from '../../src/model/constants.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const schema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'schema/config.v1.json'), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
const actionInputs = Object.keys(
  (parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs,
);

let stdout: string;
let stderr: string;
beforeEach(() => {
  stdout = '';
  stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** `diverge init ARGS` in `cwd`; its exit code. */
async function init(cwd: string, ...args: string[]): Promise<number> {
  const context = createRunContext({});
  const cli: Cli = {
    context,
    env: {},
    cwd,
    docker: dockerAccess(context.dockerHost, undefined, () => undefined, 1000),
    log: () => undefined,
    quiet: false,
    color: false,
    exitCode: 0,
  };
  await divergeProgram(cli).parseAsync(['init', ...args], { from: 'user' });
  return cli.exitCode;
}

/** A copy of `fixtures/<from>` without its own diverge.yml, as a user's repository. */
function copyOf(from: string): string {
  const dir = path.join(scratchDir('init'), 'repo');
  cpSync(path.join(REPO_ROOT, 'fixtures', from), dir, {
    recursive: true,
    filter: (source) => path.basename(source) !== 'diverge.yml',
  });
  return dir;
}

/** The markers of a Linux tree, and nothing else. */
function fakeLinuxTree(): string {
  const dir = path.join(scratchDir('init-linux'), 'linux');
  mkdirSync(path.join(dir, 'arch', 'x86'), { recursive: true });
  writeFileSync(
    path.join(dir, 'Kconfig'),
    'mainmenu "Linux/$(ARCH) $(KERNELVERSION) Kernel Configuration"\n',
  );
  writeFileSync(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  return dir;
}

/** Machine and harness as loaded, for comparing two configs' boots. */
const bootOf = async (file: string) => {
  const settings = await loadConfig(file);
  return {
    machine: settings.machine,
    harness: { ...settings.harness, tests: undefined },
    normalize: settings.normalize,
  };
};

const REPOSITORIES: [string, () => string, string, boolean][] = [
  ['the fixture course', () => copyOf('course'), 'multiboot', true],
  ['upstream xv6-riscv', () => copyOf('xv6-riscv/src'), 'xv6-riscv', false],
  ['upstream xv6 for x86', () => copyOf('xv6-x86/src'), 'xv6-x86', false],
  ['a Linux tree', fakeLinuxTree, 'linux', false],
  ['Pintos', () => copyOf('pintos'), 'pintos', true],
];

describe('diverge init', () => {
  it.each(REPOSITORIES)(
    '%s: detected, and its diverge.yml loads, validates against the schema and names it',
    async (_, make, kind, dockerfile) => {
      const dir = make();
      expect(await detectKind(dir)).toBe(kind);
      expect(await init(dir)).toBe(0);
      expect(stderr).not.toMatch(/^diverge: /m);
      expect(stdout).toContain(`(${kind}${dockerfile ? ', built by its Dockerfile' : ''}): wrote`);
      const file = path.join(dir, 'diverge.yml');
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`);
      const settings = await loadConfig(file);
      expect(settings.references.map((r) => r.name)).toEqual(['base']);
      validate(parse(text));
      expect(validate.errors ?? []).toEqual([]);
      const workflow = parse(
        readFileSync(path.join(dir, '.github/workflows/diverge.yml'), 'utf8'),
      ) as { jobs: { diverge: { steps: { uses?: string; run?: string; with?: object }[] } } };
      const steps = workflow.jobs.diverge.steps;
      const ours = steps.find((s) => s.uses === ACTION_USES);
      expect(Object.keys(ours?.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
      // Without a Dockerfile the workflow builds the kernel file the config names, first.
      const built = steps.some((s) => s.run?.includes('make'));
      expect(built).toBe(!dockerfile);
      expect(Object.keys(settings.kernel ?? {})).toContain(dockerfile ? 'build' : 'file');
    },
  );

  it.each([
    ['xv6-riscv/src', 'xv6-riscv/diverge.yml'],
    ['xv6-x86/src', 'xv6-x86/diverge.yml'],
    ['course', 'course/diverge.yml'],
    ['pintos', 'pintos/diverge.yml'],
  ])(
    "%s: boots as the fixture's own config does (its machine and harness)",
    async (tree, fixture) => {
      const dir = copyOf(tree);
      expect(await init(dir, '--yes')).toBe(0);
      const generated = await bootOf(path.join(dir, 'diverge.yml'));
      const own = await bootOf(path.join(REPO_ROOT, 'fixtures', fixture));
      // Paths are the generated file's own (fs.img beside it; the course's harness, harness.bin).
      const relative = (b: typeof own, base: string) =>
        JSON.parse(JSON.stringify(b).replaceAll(base, '<dir>')) as unknown;
      const ownDir = path.join(REPO_ROOT, 'fixtures', path.dirname(fixture));
      const expected = relative(own, ownDir) as typeof own;
      const actual = relative(generated, dir) as typeof own;
      expect(actual.machine).toEqual(expected.machine);
      expect(actual.normalize).toEqual(expected.normalize);
      if (tree === 'course')
        // The course's harness is built to out/; a multiboot kernel's template names harness.bin
        // and leaves out the course's repeats, meant for its flaky variant.
        expect({ ...actual.harness, payload: undefined, repeat: undefined }).toEqual({
          ...expected.harness,
          payload: undefined,
          repeat: undefined,
        });
      else expect(actual.harness).toEqual(expected.harness);
    },
  );

  it('every kind gives a config that loads and validates, with and without a Dockerfile', () => {
    for (const kind of REPOSITORY_KINDS)
      for (const dockerfile of [true, false]) {
        const { config } = initFiles(kind, dockerfile);
        const file = path.join(scratchDir('init-kind'), 'diverge.yml');
        expect(() => parseConfig(config, file)).not.toThrow();
        validate(parse(config));
        expect({ kind, dockerfile, errors: validate.errors ?? [] }).toEqual({
          kind,
          dockerfile,
          errors: [],
        });
      }
  });

  it('refuses to overwrite diverge.yml without --force, and leaves it as it was', async () => {
    const dir = copyOf('xv6-riscv/src');
    writeFileSync(path.join(dir, 'diverge.yml'), 'machine: { arch: riscv64 }\n');
    expect(await init(dir)).toBe(2);
    expect(stderr).toContain(`${path.join(dir, 'diverge.yml')} exists: --force replaces it`);
    expect(readFileSync(path.join(dir, 'diverge.yml'), 'utf8')).toBe(
      'machine: { arch: riscv64 }\n',
    );
    expect(await init(dir, '--force')).toBe(0);
    expect(readFileSync(path.join(dir, 'diverge.yml'), 'utf8')).toContain('arch: riscv64\n');
  });

  it('--dir and --kind: the kind given, not detected; nothing known and no --kind is an error', async () => {
    const parent = scratchDir('init-dir');
    mkdirSync(path.join(parent, 'empty'));
    expect(await init(parent, '--dir', 'empty')).toBe(2);
    expect(stderr).toContain('no kernel repository diverge knows');
    expect(stderr).toContain('give --kind, one of linux, pintos, xv6-riscv');
    expect(await init(parent, '--dir', 'empty', '--kind', 'pintos', '--json')).toBe(0);
    const summary = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { kind: string };
    expect(summary.kind).toBe('pintos');
    expect(readFileSync(path.join(parent, 'empty/diverge.yml'), 'utf8')).toContain(
      'file: src/threads/build/os.dsk',
    );
  });
});
