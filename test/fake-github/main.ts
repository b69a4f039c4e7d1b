/**
 * The fake as a process, for tests of code that runs elsewhere (a bundled CLI, `act`):
 *
 *   node build/test/fake-github.js --port 0 [--prefix /api/v3] [--seed seed.json]
 *
 * prints one JSON line `{"url": ..., "admin": ..., "origin": ..., "storage": ...}` once it
 * listens, and runs until SIGTERM or SIGINT. State is inspected and seeded through `admin`.
 */
import { readFileSync } from 'node:fs';
import { applySeed, type Seed } from './admin.js';
import { startFakeGitHub } from './index.js';

/** `--name value` pairs; anything else is a usage error. */
function parseArgs(args: string[]): Record<string, string> {
  const known = new Set(['--port', '--prefix', '--seed']);
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i] as string;
    const value = args[i + 1];
    if (!known.has(name))
      throw new Error(`unknown argument ${name} (use --port, --prefix, --seed)`);
    if (value === undefined) throw new Error(`${name} needs a value`);
    options[name.slice(2)] = value;
  }
  return options;
}

async function main(args: string[]): Promise<void> {
  const { port = '0', prefix, seed: seedFile } = parseArgs(args);
  const fake = await startFakeGitHub({ port: Number(port), ...(prefix ? { prefix } : {}) });
  if (seedFile) await applySeed(fake.state, JSON.parse(readFileSync(seedFile, 'utf8')) as Seed);
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(
    `${JSON.stringify({ url: fake.url, admin: fake.admin, origin: fake.origin, storage: fake.storage })}\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`fake-github: ${(error as Error).message}\n`);
  process.exit(2);
});
