/**
 * Docker faults, through the bundled CLI: no engine at DOCKER_HOST, an engine that accepts
 * connections and never answers, one that cuts the connection in the middle of a build (both
 * local unix-socket servers), and a hostile image on the real engine (a loop of symbolic links
 * on the way to the kernel). The engine's faults are the infrastructure's (exit 3), the image's
 * the input's (exit 2); each message names the engine or the image, and what diverge was doing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fixtureKernels } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

let kernel: string;
beforeAll(async () => {
  kernel = (await fixtureKernels()).X86_61_A as string;
});

const LOOP_IMAGE = 'diverge-fault-symlink-loop:1';

/** A run whose one reference is taken out of `image` at `inImage`. */
function imageReference(sb: FaultSandbox, image: string, inImage: string) {
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(
    config,
    `references:\n  - { name: vendor, image: { ref: "${image}", path: "${inImage}" } }\n`,
  );
  return config;
}

/** Listens on a unix socket in the sandbox; every connection is kept, to be destroyed. */
async function listen<T extends Server | HttpServer>(sb: FaultSandbox, server: T) {
  const socketPath = path.join(sb.root, 'docker.sock');
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the Docker engine failing', () => {
  it('docker-absent: no engine at DOCKER_HOST, exit 3 naming the address and what to do', async () => {
    const sb = faultSandbox('docker-absent');
    const config = imageReference(sb, 'busybox:latest', '/bin/busybox');
    const host = `unix://${path.join(sb.root, 'no-engine.sock')}`;
    const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out], {
      DOCKER_HOST: host,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `diverge: no Docker engine is listening at ${host}: start dockerd (or set DOCKER_HOST)`,
    );
    expect(await leftovers(sb)).toEqual([]);
  });

  it('docker-host-tcp: a tcp:// DOCKER_HOST with no engine is named, without a Node deprecation warning', async () => {
    const sb = faultSandbox('docker-host-tcp');
    const config = imageReference(sb, 'busybox:latest', '/bin/busybox');
    const host = 'tcp://127.0.0.1:1';
    const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out], {
      DOCKER_HOST: host,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`no Docker engine is listening at ${host}`);
    expect(result.stderr).not.toMatch(/DEP0169|DeprecationWarning|url\.parse/);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('docker-wedged: an engine that never answers is given up after the timeout, exit 3 naming it and the call', async () => {
    const sb = faultSandbox('docker-wedged');
    const engine = await listen(sb, createServer()); // accepts, reads, never answers
    try {
      const config = imageReference(sb, 'busybox:latest', '/bin/busybox');
      const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out], {
        DOCKER_HOST: engine.host,
        DIVERGE_DOCKER_TIMEOUT: '1',
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        `diverge: the Docker engine at ${engine.host} did not answer GET /_ping within 1 s (DIVERGE_DOCKER_TIMEOUT)`,
      );
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('docker-cut-mid-build: the cut connection is named with the engine and the build, exit 3, the build log kept', async () => {
    const sb = faultSandbox('docker-cut-mid-build');
    // Answers like an engine until the build has begun, then cuts the connection.
    const server = createHttpServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/_ping')) return res.end('OK');
      if (url.startsWith('/version'))
        return res
          .setHeader('content-type', 'application/json')
          .end(JSON.stringify({ Version: '28.0.0', ApiVersion: '1.48' }));
      if (url.startsWith('/images/'))
        return res.writeHead(404).end(JSON.stringify({ message: 'No such image' }));
      if (url.startsWith('/build')) {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(`${JSON.stringify({ stream: 'Step 1/2 : FROM scratch\n' })}\n`, () =>
            res.socket?.destroy(),
          );
        });
        return;
      }
      res.writeHead(500).end(JSON.stringify({ message: `unexpected ${req.method} ${url}` }));
    });
    const engine = await listen(sb, server);
    try {
      writeFileSync(path.join(sb.work, 'Dockerfile'), 'FROM scratch\nCOPY k /out/kernel.elf\n');
      writeFileSync(path.join(sb.work, 'k'), 'kernel');
      const config = path.join(sb.work, 'diverge.yml');
      writeFileSync(config, 'kernel:\n  build: { context: . }\n  path: /out/kernel.elf\n');
      const result = await sb.cli(['run', '-c', config, '-o', sb.out], {
        DOCKER_HOST: engine.host,
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        new RegExp(
          `^diverge: the connection to the Docker engine at ${engine.host} was cut during POST /build`,
          'm',
        ),
      );
      expect(result.stderr).not.toMatch(/^diverge: aborted$/m);
      // What the build printed before the cut is kept.
      expect(readFileSync(path.join(sb.out, 'logs', 'build-kernel.log'), 'utf8')).toContain(
        'Step 1/2 : FROM scratch',
      );
      expect(await leftovers(sb)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});

describe('hostile images', () => {
  beforeAll(() => {
    // /a -> /b -> /a: any path through /a loops; the kernel itself is at /boot/vmlinuz.
    const sb = faultSandbox('image-symlink-loop-build');
    const root = path.join(sb.work, 'root');
    mkdirSync(path.join(root, 'boot'), { recursive: true });
    writeFileSync(path.join(root, 'boot', 'vmlinuz'), 'not reached');
    symlinkSync('/b', path.join(root, 'a'));
    symlinkSync('/a', path.join(root, 'b'));
    const tarball = path.join(sb.work, 'root.tar');
    execFileSync('tar', ['-C', root, '-cf', tarball, '.']);
    execFileSync('docker', ['import', tarball, LOOP_IMAGE], { stdio: 'ignore' });
  });
  afterAll(() => {
    execFileSync('docker', ['rmi', '-f', LOOP_IMAGE], { stdio: 'ignore' });
  });

  it('image-symlink-loop: a loop on the way to the kernel named with the image and the path, exit 2, no container left', async () => {
    const sb = faultSandbox('image-symlink-loop');
    const config = imageReference(sb, LOOP_IMAGE, '/a/vmlinuz');
    const result = await sb.cli(['run', '-c', config, '--candidate', kernel, '-o', sb.out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `diverge: reference vendor: image.path: /a/vmlinuz in image ${LOOP_IMAGE}: a loop of symbolic links on the way (too many levels of symbolic links)`,
    );
    expect(result.stderr).not.toContain('overlay2');
    // Containers of this image only: other runs on the machine may have theirs at this moment.
    const containers = execFileSync(
      'docker',
      ['ps', '-a', '--filter', `ancestor=${LOOP_IMAGE}`, '--format', '{{.ID}}'],
      { encoding: 'utf8' },
    );
    expect(containers.trim()).toBe('');
    expect(await leftovers(sb)).toEqual([]);
  });
});
