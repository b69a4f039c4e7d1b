import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processRegistry } from '../../src/context.js';
import { machineProfile } from '../../src/model/machines.js';
import type { NetworkSettings } from '../../src/model/network.js';
import { allocatePorts, networkArgs, networkEnv, releasePorts } from '../../src/qemu/network.js';
import { probePort, startDriver } from '../../src/qemu/driver.js';

const pc = machineProfile('x86_64', 'pc');
const net = (over: Partial<NetworkSettings>): NetworkSettings => ({
  mode: 'user',
  mac: '52:54:00:12:34:56',
  forward: [],
  guest: '10.0.2.15/24',
  host: '10.0.2.2/24',
  ...over,
});

describe('a boot network', () => {
  it('is -nic none without harness.network', () => {
    expect(networkArgs(pc, undefined)).toStrictEqual(['-nic', 'none']);
  });

  it('forwards each guest port from the port chosen for the boot, restricted, on the machine NIC', () => {
    const ports = {
      forwarded: new Map([
        [80, 40001],
        [443, 40002],
      ]),
    };
    expect(networkArgs(pc, net({ forward: [80, 443] }), ports)).toStrictEqual([
      '-netdev',
      'user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40001-:80,hostfwd=tcp:127.0.0.1:40002-:443',
      '-device',
      'virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56',
    ]);
    // A command line that is no boot's own (the cache key) holds placeholders, not ports.
    expect(networkArgs(pc, net({ forward: [80] }))[1]).toBe(
      'user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:<port>-:80',
    );
  });

  it('names the NIC the config or the machine table says, and the tap and socket backends', () => {
    const microvm = machineProfile('x86_64', 'microvm');
    expect(networkArgs(microvm, net({ mode: 'tap' }))).toStrictEqual([
      '-netdev',
      'tap,id=net0,ifname=tap0,script=no,downscript=no',
      '-device',
      'virtio-net-device,netdev=net0,mac=52:54:00:12:34:56',
    ]);
    const udp = { forwarded: new Map(), udp: { listen: 5000, send: 5001 } };
    expect(networkArgs(pc, net({ mode: 'socket', nic: 'e1000' }), udp)).toStrictEqual([
      '-netdev',
      'socket,id=net0,udp=127.0.0.1:5000,localaddr=127.0.0.1:5001',
      '-device',
      'e1000,netdev=net0,mac=52:54:00:12:34:56',
    ]);
  });

  it('gives parallel boots different free ports, held until released', async () => {
    const settings = net({ forward: [80, 8080] });
    const boots = await Promise.all(Array.from({ length: 20 }, () => allocatePorts(settings)));
    const all = boots.flatMap((b) => [...b.forwarded.values()]);
    expect(new Set(all).size).toBe(40);
    const udp = await Promise.all(
      Array.from({ length: 10 }, () => allocatePorts(net({ mode: 'socket' }))),
    );
    const pairs = udp.flatMap((b) => [b.udp?.listen, b.udp?.send]);
    expect(new Set(pairs).size).toBe(20);
    // Each is free: a server can listen on it.
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(all[0], '127.0.0.1', () => server.close(() => resolve()));
    });
    for (const b of [...boots, ...udp]) releasePorts(b);
  });

  it("tells the driver the guest's address and its ports", () => {
    const ports = { forwarded: new Map([[80, 40001]]) };
    expect(networkEnv(net({ forward: [80] }), ports)).toStrictEqual({
      DIVERGE_NETWORK: 'user',
      DIVERGE_GUEST_MAC: '52:54:00:12:34:56',
      DIVERGE_GUEST_ADDRESS: '10.0.2.15',
      DIVERGE_HOST_ADDRESS: '10.0.2.2',
      DIVERGE_FORWARD_HOST: '127.0.0.1',
      DIVERGE_PORTS: '80=40001',
      DIVERGE_PORT_80: '40001',
    });
    expect(
      networkEnv(net({ mode: 'tap', guest: '10.0.0.2/24', host: '10.0.0.1/24' }), undefined),
    ).toMatchObject({
      DIVERGE_GUEST_ADDRESS: '10.0.0.2',
      DIVERGE_HOST_ADDRESS: '10.0.0.1',
    });
    expect(
      networkEnv(net({ mode: 'socket' }), { forwarded: new Map(), udp: { listen: 1, send: 2 } }),
    ).toMatchObject({ DIVERGE_UDP_LISTEN: '1', DIVERGE_UDP_SEND: '2' });
  });

  it('takes a port as ready only when a connection to it stays open', async () => {
    // A server that closes every connection at once: what QEMU's user network does for a
    // forwarded port the guest does not listen on.
    const closing = createServer((socket) => socket.destroy());
    const holding = createServer(() => undefined);
    const listen = (server: ReturnType<typeof createServer>) =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
      );
    const [closed, open] = [await listen(closing), await listen(holding)];
    try {
      expect(await probePort('127.0.0.1', closed)).toBe(false);
      expect(await probePort('127.0.0.1', open)).toBe(true);
    } finally {
      closing.close();
      holding.close();
      for (const s of [closing, holding]) s.unref();
    }
  });
});

describe('startDriver', () => {
  const settings = (command: string[]) => ({
    command,
    ready: {},
    timeoutMs: 5000,
    outputCapBytes: 64,
  });
  const run = async (command: string[], hostEnv: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-driver-'));
    let stdout = '';
    const driver = await startDriver({
      settings: settings(command),
      prefix: [],
      env: { DIVERGE_KERNEL: 'k' },
      hostEnv,
      cwd: dir,
      outDir: path.join(dir, 'out'),
      logPath: path.join(dir, 'driver.log'),
      test: 'alarm',
      processes: processRegistry(),
      onStdout: (kept) => (stdout += kept.toString()),
      onStderr: () => undefined,
    });
    const exit = await driver.exited;
    const logFile = path.join(dir, 'driver.log');
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return { exit, stdout, log, dir };
  };

  it('gets a scrubbed environment with its test and directory, its stdout capped, its stderr logged', async () => {
    const { exit, stdout, log, dir } = await run(
      ['sh', '-c', 'env | sort; echo to-stderr >&2; echo "{test}" >&2; head -c 500 /dev/zero'],
      { PATH: process.env.PATH ?? '', GITHUB_TOKEN: 'secret', HOME: '/home/x' },
    );
    expect(exit).toMatchObject({ status: 0 });
    expect(stdout).toHaveLength(64); // the cap
    const all = await run(['sh', '-c', 'env'], { PATH: process.env.PATH ?? '', GITHUB_TOKEN: 'x' });
    expect(all.stdout).not.toContain('GITHUB_TOKEN');
    expect(log).toBe('to-stderr\nalarm\n');
    const names = (
      await run(['sh', '-c', 'env | cut -d= -f1 | sort | tr "\\n" " "'], {
        PATH: process.env.PATH ?? '',
        HOME: '/home/x',
      })
    ).stdout;
    expect(names).toContain('DIVERGE_KERNEL DIVERGE_OUT DIVERGE_TEST HOME');
    expect(existsSync(path.join(dir, 'out'))).toBe(true);
  });

  it('a command that cannot run is a spawn error, not an exit status of the driver', async () => {
    const { exit } = await run(['./no-such-driver'], { PATH: process.env.PATH ?? '' });
    expect(exit.spawnError?.message).toContain('./no-such-driver: no such executable');
    const named = await run(['no-such-driver-anywhere'], { PATH: '/nonexistent' });
    expect(named.exit.spawnError?.message).toBe('no-such-driver-anywhere: not found on PATH');
  });
});
