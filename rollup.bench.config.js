import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

// Benchmarks are bundled like the CLI (into build/, not committed) so they measure the same code.
export default {
  input: 'bench/judge.ts',
  output: { file: 'build/bench/judge.js', format: 'es' },
  plugins: [
    typescript({
      tsconfig: './tsconfig.json',
      include: ['src/**/*.ts', 'bench/**/*.ts'],
      compilerOptions: { outDir: 'build/bench', rootDir: '.', sourceMap: false },
    }),
    nodeResolve({ preferBuiltins: true }),
    commonjs(),
    json(),
  ],
  onwarn(warning, warn) {
    if (
      warning.ids?.some((id) => id.includes('node_modules')) ||
      warning.id?.includes('node_modules')
    )
      return;
    warn(warning);
  },
};
