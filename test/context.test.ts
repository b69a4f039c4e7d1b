import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { TOOL_VERSION } from '../src/model/constants.js';
import { createRunContext } from '../src/context.js';

describe('createRunContext', () => {
  it('keeps every cache under XDG_CACHE_HOME/diverge when it is set', () => {
    const { cache } = createRunContext({ XDG_CACHE_HOME: '/scratch/xdg' });
    expect(cache.root).toBe('/scratch/xdg/diverge');
    for (const dir of Object.values(cache))
      expect(dir.startsWith('/scratch/xdg/diverge')).toBe(true);
    expect(cache.observations).toBe('/scratch/xdg/diverge/observations');
    expect(cache.kvmProbe).toBe('/scratch/xdg/diverge/kvm-probe.json');
  });

  it('falls back to ~/.cache/diverge when XDG_CACHE_HOME is unset or empty', () => {
    const home = path.join(homedir(), '.cache', 'diverge');
    expect(createRunContext({}).cache.root).toBe(home);
    expect(createRunContext({ XDG_CACHE_HOME: '' }).cache.root).toBe(home);
  });

  it('splits PATH into the search path, dropping empty entries', () => {
    expect(createRunContext({ PATH: '/usr/local/bin::/usr/bin:' }).searchPath).toEqual([
      '/usr/local/bin',
      '/usr/bin',
    ]);
    expect(createRunContext({}).searchPath).toEqual([]);
  });

  it("takes the runner's RUNNER_TEMP as scratch space, else the system's", () => {
    expect(createRunContext({ RUNNER_TEMP: '/runner/tmp' }).tempDir).toBe('/runner/tmp');
    expect(createRunContext({}).tempDir).toBe(tmpdir());
  });

  it('reads the proxy variables, the lower-case name first; a bare host:port is http://', () => {
    expect(createRunContext({}).proxy).toEqual({});
    expect(
      createRunContext({
        HTTPS_PROXY: 'http://upper:3128',
        https_proxy: 'http://lower:3128',
        HTTP_PROXY: 'proxy.corp:8080',
        NO_PROXY: 'localhost,.corp',
      }).proxy,
    ).toEqual({
      HTTPS_PROXY: 'http://lower:3128',
      HTTP_PROXY: 'http://proxy.corp:8080',
      NO_PROXY: 'localhost,.corp',
    });
    expect(createRunContext({ https_proxy: '', HTTPS_PROXY: 'http://upper:3128' }).proxy).toEqual({
      HTTPS_PROXY: 'http://upper:3128',
    });
  });

  it('talks to DOCKER_HOST, else the local socket', () => {
    expect(createRunContext({ DOCKER_HOST: 'tcp://10.0.0.7:2375' }).dockerHost).toBe(
      'tcp://10.0.0.7:2375',
    );
    expect(createRunContext({}).dockerHost).toBe('unix:///var/run/docker.sock');
  });

  it('carries the version in the build id', () => {
    expect(createRunContext({}).buildId.startsWith(`${TOOL_VERSION}+`)).toBe(true);
  });

  it('gives each context its own process registry', () => {
    expect(createRunContext({}).processes).not.toBe(createRunContext({}).processes);
  });
});
