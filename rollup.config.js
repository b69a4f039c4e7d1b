import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

// One bundler config for every entry point (CLI now; the Action and its sub-actions join it).
const entry = (input, file) => ({
  input,
  output: {
    file,
    format: 'es',
    sourcemap: false,
    banner: input.endsWith('cli.ts') ? '#!/usr/bin/env node' : '',
  },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts'],
      compilerOptions: { sourceMap: false, outDir: 'dist', rootDir: '.' },
    }),
    nodeResolve({ preferBuiltins: true }),
    commonjs(),
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

export default [entry('src/cli.ts', 'dist/cli.js')];
