/**
 * A boot's guest network (`harness.network`, model/network.ts): the host ports it gets, QEMU's
 * `-netdev`/`-device` arguments, how QEMU is started for it, and what the driver is told.
 *
 * - `user`: slirp with `restrict=on` (the guest reaches neither the host nor anything beyond),
 *   each forwarded guest port from a free TCP port of 127.0.0.1.
 * - `tap`: QEMU starts in a network namespace of its own (`unshare --net`), where a shell
 *   creates the tap device, gives it the host address and then becomes QEMU. The namespace has no
 *   other device and no route out; it is anonymous, so it ends with the last process in it (QEMU,
 *   the driver): no exit path of diverge, SIGKILL included, can leave it, or its tap, behind.
 * - `socket`: QEMU's `-netdev socket,udp=` on 127.0.0.1, a per-boot pair of UDP ports.
 *
 * Ports are chosen by binding port 0 and are held in a table of this process until the boot
 * ends, so that two boots of one run never get the same one however the kernel hands them out.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import {
  DRIVER_ENV,
  type NetworkSettings,
  type NicModel,
  TAP_DEVICE,
  USER_GUEST_ADDRESS,
  USER_HOST_ADDRESS,
} from '../model/network.js';
import type { MachineProfile } from '../model/machines.js';
import { findProgram } from './binary.js';

/** What a boot's network got: its host ports (absent from a command line that is no boot's own). */
export interface NetworkPorts {
  /** `user`: guest TCP port → host port on 127.0.0.1. */
  forwarded: ReadonlyMap<number, number>;
  /** `socket`: the UDP port QEMU sends to (the driver's) and the one it reads from (QEMU's). */
  udp?: { listen: number; send: number };
}

/** The loopback address every forwarded and UDP port is on. */
export const LOOPBACK = '127.0.0.1';
/** A port in a command line that is no boot's own (the observation cache's key). */
export const PORT_PLACEHOLDER = '<port>';

const held = new Set<number>();

/** A free port of 127.0.0.1 (TCP or UDP), held until `releasePorts`. */
async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = await new Promise<number>((resolve, reject) => {
      if (kind === 'tcp') {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, LOOPBACK, () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      } else {
        const socket = createSocket('udp4');
        socket.once('error', reject);
        socket.bind(0, LOOPBACK, () => {
          const { port } = socket.address();
          socket.close(() => resolve(port));
        });
      }
    });
    if (held.has(port)) continue;
    held.add(port);
    return port;
  }
  throw new Error(`no free ${kind.toUpperCase()} port on ${LOOPBACK}`);
}

/** Chooses the host ports of one boot's network. */
export async function allocatePorts(network: NetworkSettings): Promise<NetworkPorts> {
  const forwarded = new Map<number, number>();
  try {
    if (network.mode === 'user')
      for (const guest of network.forward) forwarded.set(guest, await freePort('tcp'));
    if (network.mode !== 'socket') return { forwarded };
    const listen = await freePort('udp');
    const send = await freePort('udp').catch((error: unknown) => {
      held.delete(listen);
      throw error;
    });
    return { forwarded, udp: { listen, send } };
  } catch (error) {
    for (const port of forwarded.values()) held.delete(port);
    throw error;
  }
}

/** Gives a boot's ports back once its QEMU has exited. */
export function releasePorts(ports: NetworkPorts | undefined): void {
  if (!ports) return;
  for (const port of ports.forwarded.values()) held.delete(port);
  if (ports.udp) {
    held.delete(ports.udp.listen);
    held.delete(ports.udp.send);
  }
}

/** The NIC a boot gets: the config's, else the machine's first. */
export function nicOf(profile: MachineProfile, network: NetworkSettings): NicModel {
  return network.nic ?? (profile.nics[0] as NicModel);
}

/**
 * QEMU's arguments for the network: `-nic none` without one. `ports` absent: placeholders
 * stand for the per-boot ports (a command line that is no boot's own).
 */
export function networkArgs(
  profile: MachineProfile,
  network: NetworkSettings | undefined,
  ports?: NetworkPorts,
): string[] {
  if (!network) return ['-nic', 'none'];
  const port = (p: number | undefined) => (p === undefined ? PORT_PLACEHOLDER : String(p));
  let netdev: string;
  switch (network.mode) {
    case 'user': {
      const forwards = network.forward.map(
        (guest) => `,hostfwd=tcp:${LOOPBACK}:${port(ports?.forwarded.get(guest))}-:${guest}`,
      );
      netdev = `user,id=net0,restrict=on${forwards.join('')}`;
      break;
    }
    case 'tap':
      netdev = `tap,id=net0,ifname=${TAP_DEVICE},script=no,downscript=no`;
      break;
    case 'socket':
      netdev = `socket,id=net0,udp=${LOOPBACK}:${port(ports?.udp?.listen)},localaddr=${LOOPBACK}:${port(ports?.udp?.send)}`;
      break;
  }
  return [
    '-netdev',
    netdev,
    '-device',
    `${nicOf(profile, network)},netdev=net0,mac=${network.mac}`,
  ];
}

/** Whether the NIC sits on a virtio-mmio transport (which diverge makes modern, see command.ts). */
export function nicOnVirtioMmio(profile: MachineProfile, network: NetworkSettings | undefined) {
  return network !== undefined && nicOf(profile, network) === 'virtio-net-device';
}

/** The programs `tap` mode runs: util-linux's unshare and nsenter, iproute2's ip, a shell. */
export interface TapTools {
  unshare: string;
  nsenter: string;
  ip: string;
  sh: string;
}

export class NetworkSetupError extends Error {}

/**
 * Finds the tools of `tap` mode and checks, with a namespace made and dropped at once, that this
 * host lets diverge make one: without CAP_NET_ADMIN (root, or a hosted runner's sudo) it cannot.
 */
export async function tapTools(searchPath: readonly string[]): Promise<TapTools> {
  const [unshare, nsenter, ip, sh] = await Promise.all([
    findProgram('unshare', 'util-linux', searchPath),
    findProgram('nsenter', 'util-linux', searchPath),
    findProgram('ip', 'iproute2', searchPath),
    findProgram('sh', 'dash', searchPath),
  ]);
  const tools = { unshare, nsenter, ip, sh };
  const probe = tapScript(tools, '10.0.2.2/24');
  await new Promise<void>((resolve, reject) => {
    execFile(unshare, ['--net', '--', sh, '-c', probe, 'sh', 'true'], (error, _out, stderr) => {
      if (!error) return resolve();
      const said = stderr.trim().split('\n').slice(-1)[0] ?? error.message;
      reject(
        new NetworkSetupError(
          `harness.network mode tap needs CAP_NET_ADMIN to make a network namespace and a tap device (run diverge as root, or with sudo on a hosted runner; modes user and socket need no privilege): ${said}`,
        ),
      );
    });
  });
  return tools;
}

/** The shell script that sets up a boot's namespace, then execs its arguments (QEMU). */
function tapScript(tools: TapTools, host: string): string {
  const ip = tools.ip;
  return [
    `${ip} link set lo up`,
    `${ip} tuntap add dev ${TAP_DEVICE} mode tap`,
    `${ip} addr add ${host} dev ${TAP_DEVICE}`,
    `${ip} link set ${TAP_DEVICE} up`,
    'exec "$@"',
  ].join(' && ');
}

/** What QEMU's command line is prefixed with (after the launcher) for `tap` mode. */
export function tapWrapper(tools: TapTools, network: NetworkSettings): string[] {
  return [tools.unshare, '--net', '--', tools.sh, '-c', tapScript(tools, network.host), 'sh'];
}

/** What a driver's command is prefixed with to run in the namespace of the QEMU process `pid`. */
export function inNamespaceOf(tools: TapTools, pid: number): string[] {
  return [tools.nsenter, `--net=/proc/${pid}/ns/net`, '--'];
}

/** The driver's environment entries for a boot's network. */
export function networkEnv(
  network: NetworkSettings | undefined,
  ports: NetworkPorts | undefined,
): Record<string, string> {
  if (!network) return {};
  const env: Record<string, string> = {
    [DRIVER_ENV.network]: network.mode,
    [DRIVER_ENV.mac]: network.mac,
  };
  if (network.mode === 'user') {
    env[DRIVER_ENV.guest] = USER_GUEST_ADDRESS;
    env[DRIVER_ENV.host] = USER_HOST_ADDRESS;
    env[DRIVER_ENV.forwardHost] = LOOPBACK;
    const pairs = [...(ports?.forwarded ?? [])];
    env[DRIVER_ENV.ports] = pairs.map(([guest, host]) => `${guest}=${host}`).join(' ');
    for (const [guest, host] of pairs) env[`${DRIVER_ENV.portPrefix}${guest}`] = String(host);
  }
  if (network.mode === 'tap') {
    env[DRIVER_ENV.guest] = network.guest.split('/')[0] as string;
    env[DRIVER_ENV.host] = network.host.split('/')[0] as string;
  }
  if (network.mode === 'socket' && ports?.udp) {
    env[DRIVER_ENV.udpListen] = String(ports.udp.listen);
    env[DRIVER_ENV.udpSend] = String(ports.udp.send);
  }
  return env;
}
