/**
 * schema/config.v1.json: generated from the zod schema (fresh), it accepts every example config
 * of the repository (the fixtures' diverge.yml files and the configs in the docs' YAML blocks),
 * as diverge itself does, and rejects a misspelt key where editors would underline it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { CONFIG_SCHEMA_ID, configJsonSchema } from '../../src/config/json-schema.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const SCHEMA_FILE = path.join(REPO_ROOT, 'schema/config.v1.json');
const committed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  committed,
);
const CONFIG_KEYS = Object.keys(committed.properties as object);

/** Files under `dir` (relative to the repository) whose name ends with one of `endings`. */
function filesUnder(dir: string, endings: readonly string[]): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter(
      (f) => endings.some((e) => f.endsWith(e)) && !f.split(path.sep).includes('node_modules'),
    )
    .map((f) => path.join(dir, f));
}

/** A YAML text that is a diverge.yml: a mapping of config keys (not a workflow, not expectations). */
function isConfig(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const expectationsFile =
    keys.length === 1 && Array.isArray((value as { expectations?: unknown }).expectations);
  return keys.some((k) => CONFIG_KEYS.includes(k)) && !keys.includes('jobs') && !expectationsFile;
}

/** Every example config: `[where, text]`. */
function examples(): [string, string][] {
  const found: [string, string][] = [];
  for (const file of [
    ...filesUnder('fixtures', ['.yml', '.yaml']),
    ...filesUnder('examples', ['.yml', '.yaml']),
  ]) {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    if (isConfig(parse(text))) found.push([file, text]);
  }
  const pages = ['README.md', ...filesUnder('docs', ['.md']), ...filesUnder('fixtures', ['.md'])];
  for (const page of pages) {
    const markdown = readFileSync(path.join(REPO_ROOT, page), 'utf8');
    for (const block of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
      const text = block[1] as string;
      const line = markdown.slice(0, block.index).split('\n').length + 1;
      if (isConfig(parse(text))) found.push([`${page}:${line}`, text]);
    }
  }
  return found;
}

const EXAMPLES = examples();

describe('schema/config.v1.json', () => {
  it('is what the zod schema generates (node scripts/config-schema.mjs)', () => {
    expect(committed).toEqual(configJsonSchema());
    expect(committed.$id).toBe(CONFIG_SCHEMA_ID);
    // Shipped in the package.
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      files: string[];
    };
    expect(pkg.files).toContain('schema');
  });

  it('finds the example configs: the fixtures and the docs, which name the schema', () => {
    const where = EXAMPLES.map(([w]) => w);
    expect(where).toEqual(expect.arrayContaining(['fixtures/course/diverge.yml']));
    expect(where.filter((w) => w.startsWith('docs/config.md')).length).toBeGreaterThan(5);
    for (const [file, text] of EXAMPLES.filter(([w]) => !w.includes('.md:')))
      expect(text.split('\n')[0]).toBe(
        `# yaml-language-server: $schema=${path.relative(path.dirname(path.join(REPO_ROOT, file)), SCHEMA_FILE)}`,
      );
  });

  it.each(EXAMPLES)('accepts %s', (where, text) => {
    validate(parse(text) as unknown);
    expect(validate.errors ?? []).toEqual([]);
    // The fixtures are whole configs, which diverge takes too; the docs' blocks may be parts of
    // one, or show every key at once (with placeholders), which only the schema's checks fit.
    if (where.startsWith('fixtures/') && !where.includes('.md:'))
      expect(() => parseConfig(text, path.join(REPO_ROOT, where))).not.toThrow();
  });

  it('rejects a misspelt key, at any depth, naming it', () => {
    const course = parse(
      readFileSync(path.join(REPO_ROOT, 'fixtures/course/diverge.yml'), 'utf8'),
    ) as Record<string, unknown>;
    const { harness, ...rest } = course;
    expect(validate({ ...rest, harnes: harness })).toBe(false);
    expect(validate.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          keyword: 'additionalProperties',
          params: { additionalProperty: 'harnes' },
        }),
      ]),
    );
    expect(validate({ machine: { memroy: '256M' } })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({
      instancePath: '/machine',
      params: { additionalProperty: 'memroy' },
    });
    expect(validate({ machine: { arch: 'x86-64' } })).toBe(false);
    expect(
      validate({ harness: { disks: ['fs.img', { file: 'b.img', interface: 'virtio-pci' }] } }),
    ).toBe(true);
    expect(validate({ machine: { memory: '256M' }, harness: { timeouts: { total: 30 } } })).toBe(
      true,
    );
  });
});
