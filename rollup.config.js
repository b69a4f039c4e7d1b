import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

// One bundler config for every entry point: the CLI into dist/ (committed; the Action and its
// sub-actions join it), and with --configBench the benchmarks into build/ (not committed), so
// that they measure the same bundled code.
// Bundled CommonJS dependencies (docker-modem's ssh2) use __dirname and require; an ES module
// has neither, so the bundle defines them.
const COMMONJS_GLOBALS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

const entry = (input, file) => ({
  input,
  output: {
    file,
    format: 'es',
    banner: `${input === 'src/cli.ts' ? '#!/usr/bin/env node\n' : ''}${COMMONJS_GLOBALS}`,
  },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts', 'bench/**/*.ts', 'test/helpers/**/*.ts', 'test/fake-github/**/*.ts'],
      // rootDir '.': the report schema is imported from schema/, outside src/.
      compilerOptions: { sourceMap: false, outDir: path(file), rootDir: '.' },
    }),
    nodeResolve({ preferBuiltins: true }),
    // ssh2 (Docker over ssh://) tries optional native add-ons inside try/catch; left as plain
    // requires they fail there and ssh2 uses its JavaScript fallbacks.
    commonjs({ ignore: (id) => id.endsWith('.node') || id === 'cpu-features' }),
    json(),
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

const path = (file) => file.slice(0, file.lastIndexOf('/'));

export default (args) =>
  args.configBench
    ? [
        entry('bench/judge.ts', 'build/bench/judge.js'),
        entry('bench/docker-cache.ts', 'build/bench/docker-cache.js'),
        entry('bench/warm-rerun.ts', 'build/bench/warm-rerun.js'),
      ]
    : args.configFake
      ? [entry('test/fake-github/main.ts', 'build/test/fake-github.js')]
      : [
          entry('src/cli.ts', 'dist/cli.js'),
          entry('src/action.ts', 'dist/index.js'),
          entry('src/report-action.ts', 'dist/report.js'),
        ];
