import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { DockerAccess } from '../../src/docker/docker.js';
import { defaultSettings } from '../../src/config/load.js';
import { createRunContext } from '../../src/context.js';
import { doctor, doctorExitCode, renderFindings } from '../../src/doctor/doctor.js';
import { NODE_MINIMUM } from '../../src/model/constants.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const docker = (error?: Error): DockerAccess =>
  ({
    client: async () => {
      if (error) throw error;
      return {};
    },
  }) as unknown as DockerAccess;

describe('diverge doctor', () => {
  it('names each problem with its fix and exits 3 when one is not a mere slowdown', async () => {
    const dir = scratchDir('doctor');
    // No QEMU on PATH, Docker refused, an old Node, hardly any free memory.
    const context = createRunContext({ PATH: dir, XDG_CACHE_HOME: path.join(dir, 'cache') });
    const findings = await doctor(
      context,
      defaultSettings(dir),
      docker(new Error('permission denied on unix:///var/run/docker.sock')),
      { nodeVersion: '20.11.0', freeMemory: 100 * 1024 ** 2 },
    );
    const byWhat = Object.fromEntries(findings.map((f) => [f.what, f]));
    expect(byWhat['QEMU (x86_64)']).toMatchObject({
      ok: false,
      fix: expect.stringContaining('apt-get install qemu-system-x86'),
    });
    expect(byWhat.Docker).toMatchObject({
      ok: false,
      fix: expect.stringContaining('docker group'),
    });
    expect(byWhat.Node).toMatchObject({
      ok: false,
      detail: 'v20.11.0, older than 20.12',
      fix: 'install Node 20.12 or later (24 recommended)',
    });
    expect(byWhat.Node?.warning).toBeUndefined();
    expect(byWhat.memory).toMatchObject({ ok: false, warning: true });
    expect(doctorExitCode(findings)).toBe(3);
    expect(renderFindings(findings)).toMatch(
      /^FAIL QEMU \(x86_64\): .*\n {5}fix: apt-get install/m,
    );
  });

  it('exits 0 on a host with QEMU, Docker and Node 24, whatever KVM says', async () => {
    const dir = scratchDir('doctor');
    const context = createRunContext({
      PATH: process.env.PATH,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    });
    const findings = await doctor(context, defaultSettings(dir), docker(), {
      nodeVersion: '24.1.0',
      freeMemory: 8 * 1024 ** 3,
    });
    expect(findings.find((f) => f.what === 'QEMU (x86_64)')?.detail).toMatch(
      /qemu-system-x86_64 \d+\.\d+/,
    );
    expect(doctorExitCode(findings)).toBe(0);
    expect(findings.find((f) => f.what === 'Node')).toMatchObject({ ok: true, detail: 'v24.1.0' });
  });

  it("agrees with package.json's engines: Node 20 runs (with a warning past its end of life)", async () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${NODE_MINIMUM.join('.')}`);
    const dir = scratchDir('doctor');
    const context = createRunContext({
      PATH: process.env.PATH,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    });
    const findings = await doctor(context, defaultSettings(dir), docker(), {
      nodeVersion: '20.20.2',
      freeMemory: 8 * 1024 ** 3,
    });
    expect(findings.find((f) => f.what === 'Node')).toMatchObject({
      ok: false,
      warning: true,
      detail: 'v20.20.2: diverge runs on it, but Node 20 is past its end of life (2026-04-30)',
    });
    expect(doctorExitCode(findings)).toBe(0);
  });
});
