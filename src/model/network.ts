/**
 * The guest network (`harness.network`) and the host-side driver (`harness.driver`): the modes,
 * the NIC models, the addresses each mode gives the guest and the driver, and the environment a
 * driver is started with. What the config, the QEMU command line, the driver runner and the docs
 * share lives here.
 */

/**
 * `harness.network.mode`:
 * - `user`: QEMU's user-mode network (slirp), restricted (the guest reaches nothing outside
 *   it); each of `forward`'s guest TCP ports is forwarded from a free port on 127.0.0.1, chosen
 *   per boot.
 * - `tap`: a tap device in a network namespace made for the boot (QEMU and the driver run in it;
 *   it dies with them), the host end at `host`, the guest at `guest`. Needs CAP_NET_ADMIN.
 * - `socket`: raw Ethernet frames over UDP on 127.0.0.1 (QEMU's `-netdev socket,udp=`), a
 *   per-boot port pair, for drivers that speak Ethernet, ARP and ICMP themselves. Rootless.
 */
export const NETWORK_MODES = ['user', 'tap', 'socket'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** The NIC models diverge attaches (`harness.network.nic`); each machine lists those it has. */
export const NIC_MODELS = [
  'virtio-net-pci',
  'virtio-net-device',
  'e1000',
  'e1000e',
  'rtl8139',
] as const;
export type NicModel = (typeof NIC_MODELS)[number];

/** The guest's MAC address unless `harness.network.mac` says otherwise (QEMU's own default). */
export const DEFAULT_MAC = '52:54:00:12:34:56';

/**
 * The guest's and the host's addresses: in `user` mode QEMU's fixed ones (slirp's 10.0.2.0/24);
 * in `tap` mode the defaults of `harness.network.guest` and `host`, the same, so that a guest
 * configured for one mode works in the other.
 */
export const USER_GUEST_ADDRESS = '10.0.2.15';
export const USER_HOST_ADDRESS = '10.0.2.2';
export const DEFAULT_TAP_GUEST = '10.0.2.15/24';
export const DEFAULT_TAP_HOST = '10.0.2.2/24';
/** The tap device's name inside the boot's own namespace (no other boot can see it). */
export const TAP_DEVICE = 'tap0';

export interface NetworkSettings {
  mode: NetworkMode;
  /** The NIC model: `harness.network.nic`, else the machine's first (see machines.ts). */
  nic?: NicModel;
  mac: string;
  /** `user`: the guest TCP ports forwarded to the host, each to a free port of 127.0.0.1. */
  forward: readonly number[];
  /** `tap`: the guest's and the tap device's addresses, with their prefix lengths. */
  guest: string;
  host: string;
}

/**
 * When the driver starts (`harness.driver.ready`): once the console matched `expect`, then once
 * the guest's TCP `port` accepts connections (both when both are given); without either, as
 * soon as the guest runs.
 */
export interface DriverReady {
  expect?: string;
  port?: number;
}

export interface DriverSettings {
  /** The host command, as a list of words (no shell); `{test}` is replaced with the boot's test. */
  command: readonly string[];
  ready: DriverReady;
  /** The driver's time limit, from its start; past it the boot is a `timeout`. */
  timeoutMs: number;
  /** Caps of what the driver writes: its stdout (the results) and its stderr (a log). */
  outputCapBytes: number;
}

/** `harness.driver.timeout` when the config sets none. */
export const DEFAULT_DRIVER_TIMEOUT_MS = 60_000;
/** How long after the driver exits the console is still watched (a panic it saw first). */
export const DRIVER_GRACE_MS = 1000;

/**
 * The environment a driver gets, besides PATH, HOME, LANG and TMPDIR (nothing else of diverge's
 * own: no tokens). Absent entries are those a mode has none of.
 */
export const DRIVER_ENV = {
  /** `user`, `tap` or `socket`. */
  network: 'DIVERGE_NETWORK',
  /** The guest's address (user: 10.0.2.15 as the guest sees itself; tap: reachable as is). */
  guest: 'DIVERGE_GUEST_ADDRESS',
  /** The host's address as the guest sees it (user: 10.0.2.2; tap: the tap device's). */
  host: 'DIVERGE_HOST_ADDRESS',
  /** The guest's MAC address. */
  mac: 'DIVERGE_GUEST_MAC',
  /** `user`: where the forwarded ports listen (127.0.0.1). */
  forwardHost: 'DIVERGE_FORWARD_HOST',
  /** `user`: `GUEST=HOST` pairs, space separated; each also as DIVERGE_PORT_<GUEST>=<HOST>. */
  ports: 'DIVERGE_PORTS',
  portPrefix: 'DIVERGE_PORT_',
  /** `socket`: the UDP port of 127.0.0.1 QEMU sends the guest's frames to (the driver binds it). */
  udpListen: 'DIVERGE_UDP_LISTEN',
  /** `socket`: the UDP port of 127.0.0.1 QEMU reads frames for the guest from (send them there). */
  udpSend: 'DIVERGE_UDP_SEND',
  /** The boot's test (`harness.tests`), else empty. */
  test: 'DIVERGE_TEST',
  /** The kernel's name and the attempt. */
  kernel: 'DIVERGE_KERNEL',
  attempt: 'DIVERGE_ATTEMPT',
  /** A directory of the run's output for this boot's driver: files it writes are kept. */
  out: 'DIVERGE_OUT',
} as const;

/** The host variables a driver inherits (when set); everything else of diverge's is left out. */
export const DRIVER_INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ'] as const;
