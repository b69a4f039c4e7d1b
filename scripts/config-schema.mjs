#!/usr/bin/env node
// schema/config.v1.json from the zod schema of diverge.yml (src/config/json-schema.ts, bundled
// here by Rollup as build-clients.mjs bundles the pages' scripts). `--check` (in npm test) fails
// when the committed file is stale.
//
//   node scripts/config-schema.mjs [--check]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { rollup } from 'rollup';
import { transpile } from './lib/transpile.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = path.join(ROOT, 'schema/config.v1.json');

/** src/config/json-schema.ts as a module of its own; packages resolved from this repository. */
async function load() {
  const bundle = await rollup({
    input: path.join(ROOT, 'src/config/json-schema.ts'),
    plugins: [transpile],
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id),
    onwarn(warning) {
      throw new Error(warning.message);
    },
  });
  const { output } = await bundle.generate({
    format: 'es',
    paths: (id) => (id.startsWith('node:') ? id : import.meta.resolve(id)),
  });
  await bundle.close();
  const dir = await mkdtemp(path.join(tmpdir(), 'diverge-config-schema-'));
  try {
    const file = path.join(dir, 'json-schema.mjs');
    await writeFile(file, output[0].code);
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const { configJsonSchema } = await load();
const options = await prettier.resolveConfig(OUTPUT);
const text = await prettier.format(JSON.stringify(configJsonSchema()), {
  ...options,
  filepath: OUTPUT,
});
const relative = path.relative(ROOT, OUTPUT);
if (process.argv.includes('--check')) {
  const committed = await readFile(OUTPUT, 'utf8').catch(() => '');
  if (committed !== text) {
    console.error(`${relative} is stale: run 'node scripts/config-schema.mjs' and commit it`);
    process.exit(1);
  }
} else await writeFile(OUTPUT, text);
