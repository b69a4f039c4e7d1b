import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dockerAccess } from '../../src/docker/docker.js';
import { extractFiles } from '../../src/docker/extract.js';
import { buildImage, type BuildRecipe } from '../../src/docker/image.js';
import type { RunContext } from '../../src/context.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import { REPO_ROOT } from './fixtures.js';

/**
 * A teaching-kernel family of the fixture course: a config in the fixture directory, its truth
 * file, and the Docker targets that make what the config names under `out/` (relative to the
 * config, as the family's Makefile lays them out).
 */
export interface TeachingFamily {
  name: string;
  /** The config and its truth, relative to fixtures/course. */
  config: string;
  truth: string;
  /** The Dockerfile, relative to fixtures/course (the build context of every family). */
  dockerfile: string;
  /** The target with the file every kernel shares (harness or disk) and where it goes in out/. */
  shared: { target: string; inImage: string; file: string };
}

export const TEACHING_FAMILIES: readonly TeachingFamily[] = [
  {
    name: 'pintos',
    config: 'pintos.yml',
    truth: 'pintos-variants.json',
    dockerfile: 'Dockerfile',
    shared: { target: 'harness', inImage: '/out/harness.bin', file: 'harness.bin' },
  },
  {
    name: 'xv6',
    config: 'riscv/diverge.yml',
    truth: 'riscv/variants.json',
    dockerfile: 'riscv/Dockerfile',
    shared: { target: 'disk', inImage: '/out/fs.img', file: 'fs.img' },
  },
];

/** Builds `recipe` in Docker and copies `inImage` out to `dest` (a file path). */
export async function buildFile(
  context: RunContext,
  recipe: BuildRecipe,
  inImage: string,
  dest: string,
): Promise<void> {
  const docker = await dockerAccess(context.dockerHost).client();
  const image = await buildImage(docker, {
    recipe,
    field: 'fixture',
    role: 'fixture',
    logFile: path.join(path.dirname(dest), `build-${recipe.target ?? 'image'}.log`),
    progress: () => undefined,
    contextCache: context.cache.contexts,
    clock: context.clock,
  });
  const [file] = await extractFiles(
    docker,
    image.tag,
    [{ inImage, field: 'fixture' }],
    path.dirname(dest),
  );
  if (!file) throw new Error(`${image.tag} gave no ${inImage}`);
  if (file.path !== dest) await copyFile(file.path, dest);
}

/**
 * Lays a family out in `dir` as `make` would beside its config: the config as `dir/diverge.yml`
 * (its build context made absolute), the shared file and the reference kernels under `dir/out/`.
 * Returns the config's path.
 */
export async function layOutFamily(
  context: RunContext,
  family: TeachingFamily,
  references: readonly string[],
  dir: string,
): Promise<string> {
  const out = path.join(dir, 'out');
  await mkdir(out, { recursive: true });
  const recipe = { context: COURSE_DIR, dockerfile: family.dockerfile };
  await buildFile(
    context,
    { ...recipe, target: family.shared.target, args: {} },
    family.shared.inImage,
    path.join(out, family.shared.file),
  );
  for (const variant of references) {
    const dest = path.join(out, 'variants', variant);
    await mkdir(dest, { recursive: true });
    await buildFile(
      context,
      { ...recipe, target: 'kernel', args: { VARIANT: variant } },
      '/out/kernel.elf',
      path.join(dest, 'kernel.elf'),
    );
  }
  const text = await readFile(path.join(COURSE_DIR, family.config), 'utf8');
  const config = path.join(dir, 'diverge.yml');
  await writeFile(config, text.replace(/context: \.\.?,/, `context: ${COURSE_DIR},`));
  return config;
}

/** What a pinned teaching kernel's variants must come out as (its `variants.json`). */
export interface FixtureTruth {
  references: string[];
  tests: string[];
  silent: string[];
  variants: Record<string, Record<string, string[]>>;
}

export const fixtureTruth = (fixture: string): FixtureTruth =>
  JSON.parse(readFileSync(path.join(fixture, 'variants.json'), 'utf8')) as FixtureTruth;

/**
 * A teaching kernel's example of docs/config.md ("Examples for teaching kernels"), as written:
 * the YAML block whose first line is `heading` (its opening comment names the kernel).
 */
export function docsTeachingExample(heading: string): string {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Examples for teaching kernels\n'));
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map(([, yaml]) => yaml ?? '');
  const block = blocks.find((yaml) => yaml.startsWith(heading));
  if (!block) throw new Error(`docs/config.md: no teaching example starting "${heading}"`);
  return block;
}
