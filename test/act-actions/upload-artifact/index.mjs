// Stand-in for actions/upload-artifact@v4 under act (see ../README.md).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The package is ESM-only: its entry is read from its exports, then imported by URL.
const pkg = path.join(process.env.DIVERGE_NODE_MODULES ?? '', '@actions/artifact');
const entry = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).exports['.'].import;
const { DefaultArtifactClient } = await import(pathToFileURL(path.join(pkg, entry)).href);
const input = (name) => process.env[`INPUT_${name.toUpperCase()}`] ?? '';

const root = path.resolve(process.env.GITHUB_WORKSPACE ?? '.', input('path'));
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
const kind = statSync(root, { throwIfNoEntry: false });
const list = kind === undefined ? [] : kind.isDirectory() ? files(root) : [root];
if (list.length === 0) {
  const message = `No files were found with the provided path: ${input('path')}`;
  if (input('if-no-files-found') === 'error') {
    console.log(`::error::${message}`);
    process.exit(1);
  }
  console.log(`::warning::${message}. No artifacts will be uploaded.`);
  process.exit(0);
}
const base = kind?.isDirectory() ? root : path.dirname(root);
const { id, size } = await new DefaultArtifactClient().uploadArtifact(input('name'), list, base);
console.log(
  `Artifact ${input('name')} has been successfully uploaded! Final size is ${size} bytes. Artifact ID is ${id}`,
);
