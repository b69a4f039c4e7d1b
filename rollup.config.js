import { createHash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

// One Rollup pass per output tree: every entry of the shipped tool into dist/ (committed: the CLI,
// the root action and the report/ sub-action, sharing chunks), and with --configBench or
// --configFake the benchmarks and the fake GitHub server into build/ (not committed).
// Bundled CommonJS dependencies (docker-modem's ssh2) use __dirname and require; an ES module
// has neither, so every chunk defines them.
const COMMONJS_GLOBALS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

/** Stands in for the bundle's content hash until the bundle exists (see `buildId`). */
const HASH_PLACEHOLDER = '__DIVERGE_BUNDLE_HASH_PLACEHOLDER__';

/**
 * The build id's hash: once every chunk is rendered, a hash of all of them (with the placeholder
 * in place) replaces the placeholder, so any change to the shipped code changes the id.
 */
const buildId = () => ({
  name: 'diverge-build-id',
  transform(code, id) {
    if (!id.endsWith('/src/model/constants.ts')) return null;
    return {
      code: code.replace(
        /typeof __DIVERGE_BUNDLE_HASH__[^?]*\?\s*__DIVERGE_BUNDLE_HASH__/,
        `true ? '${HASH_PLACEHOLDER}'`,
      ),
      map: null,
    };
  },
  generateBundle(_options, bundle) {
    const chunks = Object.values(bundle)
      .filter((item) => item.type === 'chunk')
      .sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
    const hash = createHash('sha256');
    for (const chunk of chunks) hash.update(chunk.fileName).update('\0').update(chunk.code);
    const digest = hash.digest('hex').slice(0, 16);
    for (const chunk of chunks) chunk.code = chunk.code.replaceAll(HASH_PLACEHOLDER, digest);
  },
});

/**
 * The entry with the shebang is written executable (0755, as committed): npm's bin linking makes
 * it executable anyway, so a build that left it 0644 would flip its mode back and forth.
 */
const executable = (name) => ({
  name: 'diverge-executable',
  async writeBundle(options, bundle) {
    const chunk = Object.values(bundle).find(
      (item) => item.type === 'chunk' && item.isEntry && item.name === name,
    );
    if (chunk) await chmod(path.join(options.dir, chunk.fileName), 0o755);
  },
});

/**
 * dockerode's BuildKit session (lib/session.js) loads its gRPC description at run time from
 * `proto/` beside the code, which is the chunk holding it once bundled: each chunk folder gets one.
 */
const DOCKERODE_PROTOS = ['auth.proto'];
const dockerodeProtos = () => ({
  name: 'diverge-dockerode-protos',
  generateBundle(_options, bundle) {
    const folders = new Set();
    for (const item of Object.values(bundle))
      if (item.type === 'chunk' && item.code.includes('"proto", "auth.proto"'))
        folders.add(path.posix.dirname(item.fileName));
    for (const folder of folders)
      for (const name of DOCKERODE_PROTOS)
        this.emitFile({
          type: 'asset',
          fileName: path.posix.join(folder, 'proto', name),
          source: readFileSync(path.join('node_modules', 'dockerode', 'lib', 'proto', name)),
        });
  },
});

const bundle = (input, dir, { shebang, external } = {}) => ({
  input,
  external,
  output: {
    dir,
    format: 'es',
    entryFileNames: '[name].js',
    // Named, not hashed: a rebuild renames no chunk whose code did not change (a hash would change
    // with any chunk it imports), so a change to dist/ shows only what changed.
    chunkFileNames: 'chunks/[name].js',
    banner: (chunk) =>
      `${shebang && chunk.isEntry && chunk.name === shebang ? '#!/usr/bin/env node\n' : ''}${COMMONJS_GLOBALS}`,
  },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts', 'bench/**/*.ts', 'test/helpers/**/*.ts', 'test/fake-github/**/*.ts'],
      // rootDir '.': the report schema is imported from schema/, outside src/.
      compilerOptions: { sourceMap: false, outDir: dir, rootDir: '.' },
    }),
    nodeResolve({ preferBuiltins: true }),
    // ssh2 (Docker over ssh://) tries optional native add-ons inside try/catch; left as plain
    // requires they fail there and ssh2 uses its JavaScript fallbacks.
    commonjs({ ignore: (id) => id.endsWith('.node') || id === 'cpu-features' }),
    json(),
    buildId(),
    dockerodeProtos(),
    ...(shebang ? [executable(shebang)] : []),
  ],
  onwarn(warning, warn) {
    // Third-party bundling notes are not ours to fix.
    if (
      warning.ids?.some((id) => id.includes('node_modules')) ||
      warning.id?.includes('node_modules')
    )
      return;
    warn(warning);
  },
});

export default (args) =>
  args.configBench
    ? bundle(
        {
          judge: 'bench/judge.ts',
          compare: 'bench/compare.ts',
          'docker-cache': 'bench/docker-cache.ts',
          'warm-rerun': 'bench/warm-rerun.ts',
          html: 'bench/html.ts',
          bisect: 'bench/bisect.ts',
          grade: 'bench/grade.ts',
          'boot-vs-shell': 'bench/boot-vs-shell.ts',
          history: 'bench/history.ts',
          snapshot: 'bench/snapshot.ts',
        },
        'build/bench',
        // The browser driver stays a package: it finds its own files at run time.
        { external: ['playwright-core'] },
      )
    : args.configFake
      ? bundle({ 'fake-github': 'test/fake-github/main.ts' }, 'build/test')
      : bundle(
          {
            cli: 'src/entry/cli.ts',
            index: 'src/entry/action.ts',
            publish: 'src/entry/publish-action.ts',
            post: 'src/entry/post-action.ts',
            grade: 'src/entry/grade-action.ts',
          },
          'dist',
          { shebang: 'cli' },
        );
