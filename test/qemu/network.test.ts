import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { machineProfile } from '../../src/model/machines.js';
import type { NetworkSettings } from '../../src/model/network.js';
import { allocatePorts, networkArgs, networkEnv, releasePorts } from '../../src/qemu/network.js';
import { probePort } from '../../src/qemu/driver.js';

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
