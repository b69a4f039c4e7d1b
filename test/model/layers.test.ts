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
import { afterEach, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** depcruise over a copy of src/ with `extra` files written into it: exit code and output. */
async function cruise(extra: Record<string, string>) {
  dir = await mkdtemp(path.join(tmpdir(), 'diverge-layers-'));
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

describe('the layer rule', () => {
  it('passes on src/ as it is', async () => {
    const { code, output } = await cruise({});
    expect(output).toContain('no dependency violations');
    expect(code).toBe(0);
  });

  it('fails on an upward import (model importing a stage)', async () => {
    const { code, output } = await cruise({
      'src/model/upward.ts': "export { judge } from '../compare/judge.js';\n",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/layers: model: src\/model\/upward\.ts → src\/compare\/judge\.ts/);
  });

  it('fails on an import between two stages of one layer', async () => {
    const { code, output } = await cruise({
      'src/qemu/sideways.ts': "export { dockerAccess } from '../docker/docker.js';\n",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/layers: qemu: src\/qemu\/sideways\.ts → src\/docker\/docker\.ts/);
  });

  it('fails on an orchestrator importing another', async () => {
    const { code, output } = await cruise({
      'src/run/borrow.ts': "export { gradeCourse } from './grade.js';\n",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /orchestrators: none imports another: src\/run\/borrow\.ts → src\/run\/grade\.ts/,
    );
  });

  it('fails on a module cycle inside a folder', async () => {
    const { code, output } = await cruise({
      'src/util/ping.ts': "import { pong } from './pong.js';\nexport const ping = () => pong;\n",
      'src/util/pong.ts': "import { ping } from './ping.js';\nexport const pong = () => ping;\n",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/no module cycles: src\/util\/p[io]ng\.ts/);
  });
});
