/**
 * The layer rule of .dependency-cruiser.cjs, run on a copy of src/ with one import added: an
 * upward import, an orchestrator importing another, a cycle between folders and a folder with
 * no layer must each fail it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** depcruise over a copy of src/ with `extra` files written into it: exit code and output. */
async function cruise(extra: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'diverge-layers-'));
  dirs.push(dir);
  await cp(path.join(root, 'src'), path.join(dir, 'src'), { recursive: true });
  await cp(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  for (const [file, text] of Object.entries(extra)) await writeFile(path.join(dir, file), text);
  const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
  const config = path.join(root, '.dependency-cruiser.cjs');
  return run(process.execPath, [depcruise, 'src', '--config', config], { cwd: dir }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

/**
 * Two cruises, not one per rule (each takes seconds): src/ as it is, and src/ with every bad
 * import below added at once. Each rule's test looks for its own violation, naming its own file,
 * in the second cruise's output, so a rule that stops firing still fails its test.
 */
const BAD = {
  upward: { 'src/model/upward.ts': "export { judge } from '../compare/judge.js';\n" },
  sideways: { 'src/qemu/sideways.ts': "export { dockerAccess } from '../docker/docker.js';\n" },
  orchestrator: { 'src/run/borrow.ts': "export { gradeCourse } from './grade.js';\n" },
  cycle: {
    'src/util/ping.ts': "import { pong } from './pong.js';\nexport const ping = () => pong;\n",
    'src/util/pong.ts': "import { ping } from './ping.js';\nexport const pong = () => ping;\n",
  },
};

let clean: { code: number; output: string };
let bad: { code: number; output: string };
beforeAll(async () => {
  [clean, bad] = await Promise.all([
    cruise({}),
    cruise(Object.assign({}, ...Object.values(BAD)) as Record<string, string>),
  ]);
}, 60_000);

describe('the layer rule', () => {
  it('passes on src/ as it is', () => {
    expect(clean.output).toContain('no dependency violations');
    expect(clean.code).toBe(0);
  });

  it('fails on bad imports, whichever rule each breaks', () => {
    expect(bad.code).not.toBe(0);
  });

  it('fails on an upward import (model importing a stage)', () => {
    expect(bad.output).toMatch(/layers: model: src\/model\/upward\.ts → src\/compare\/judge\.ts/);
  });

  it('fails on an import between two stages of one layer', () => {
    expect(bad.output).toMatch(/layers: qemu: src\/qemu\/sideways\.ts → src\/docker\/docker\.ts/);
  });

  it('fails on an orchestrator importing another', () => {
    expect(bad.output).toMatch(
      /orchestrators: none imports another: src\/run\/borrow\.ts → src\/run\/grade\.ts/,
    );
  });

  it('fails on a module cycle inside a folder', () => {
    expect(bad.output).toMatch(/no module cycles: src\/util\/p[io]ng\.ts/);
  });
});
