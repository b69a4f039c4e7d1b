// Rollup's view of src/: TypeScript transpiled file by file (types are checked by tsc, not
// here), imports written `./x.js` resolved to `./x.ts`. Shared by the scripts that bundle a piece
// of src/ at build time (build-clients.mjs, config-schema.mjs).
import path from 'node:path';
import ts from 'typescript';

/** The Rollup plugin. */
export const transpile = {
  name: 'diverge-transpile',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null;
    return path.resolve(path.dirname(importer), source.replace(/\.js$/, '.ts'));
  },
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const { outputText } = ts.transpileModule(code, {
      fileName: id,
      compilerOptions: {
        target: ts.ScriptTarget.ES2023,
        module: ts.ModuleKind.ESNext,
        removeComments: true,
        verbatimModuleSyntax: true,
      },
    });
    return { code: outputText, map: null };
  },
};
