/**
 * Global set-up of the fast tier (jest.unit.config.js). Jest runs it in its main process before
 * it starts any worker, and the workers, like the processes the tests start, inherit the
 * environment set here, in which QEMU, Docker and Chromium are missing: a suite that needs one of
 * them fails at once, naming it, instead of making the fast loop slow. Each QEMU binary on PATH,
 * docker and chromium get a stub, first on PATH, that says so and exits 127; DOCKER_HOST is a
 * socket that does not exist (dockerode and the docker CLI fail at once); CHROMIUM
 * (test/helpers/browser.ts) is the stub. What this cannot take away (act, which the tests run by
 * its path in .tools, the Debian kernels in .cache) the tier's 30 s test timeout catches.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TOOLS = ['docker', 'act', 'chromium', 'chromium-browser', 'google-chrome'];
const MARK = 'DIVERGE_UNIT_TIER_BIN';

export default function unitTier() {
  if (process.env[MARK]) return; // set up already (--watch runs this before every run)
  const bin = mkdtempSync(path.join(tmpdir(), 'diverge-unit-tier-'));
  process.on('exit', () => rmSync(bin, { recursive: true, force: true }));
  const searchPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const qemu = searchPath.flatMap((dir) => {
    try {
      return readdirSync(dir).filter((name) => name.startsWith('qemu-'));
    } catch {
      return [];
    }
  });
  for (const name of new Set([...qemu, ...TOOLS])) {
    const stub = path.join(bin, name);
    writeFileSync(
      stub,
      `#!/bin/sh\necho "${name}: not available to the unit tier (npm run test:unit): a suite that needs it belongs in test/integration/ or SLOW_FILES of jest.unit.config.js" >&2\nexit 127\n`,
    );
    chmodSync(stub, 0o755);
  }
  process.env[MARK] = bin;
  process.env.PATH = [bin, ...searchPath].join(path.delimiter);
  process.env.DOCKER_HOST = `unix://${path.join(bin, 'no-docker.sock')}`;
  process.env.CHROMIUM = path.join(bin, 'chromium');
}
