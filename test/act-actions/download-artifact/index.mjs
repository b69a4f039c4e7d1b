// Stand-in for actions/download-artifact@v4 under act (see ../README.md).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// The package is ESM-only: its entry is read from its exports, then imported by URL.
const pkg = path.join(process.env.DIVERGE_NODE_MODULES ?? '', '@actions/artifact');
const entry = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).exports['.'].import;
const { DefaultArtifactClient } = await import(pathToFileURL(path.join(pkg, entry)).href);
const input = (name) => process.env[`INPUT_${name.toUpperCase()}`] ?? '';

const client = new DefaultArtifactClient();
const destination = path.resolve(process.env.GITHUB_WORKSPACE ?? '.', input('path') || '.');
const glob = input('pattern')
  ? new RegExp(
      `^${input('pattern')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    )
  : undefined;
const { artifacts } = await client.listArtifacts({ latest: true });
const wanted = artifacts.filter((a) =>
  input('name') ? a.name === input('name') : !glob || glob.test(a.name),
);
if (input('name') && wanted.length === 0) {
  console.log(`::error::Artifact not found for name: ${input('name')}`);
  process.exit(1);
}
const merge = input('merge-multiple') === 'true' || Boolean(input('name'));
for (const artifact of wanted) {
  const dir = merge ? destination : path.join(destination, artifact.name);
  await client.downloadArtifact(artifact.id, { path: dir });
  console.log(`Artifact ${artifact.name} (id ${artifact.id}) downloaded to ${dir}`);
}
console.log(`Total of ${wanted.length} artifact(s) downloaded`);
