/**
 * QEMU's machine protocol (QMP) on a socket QEMU inherits, for what only it tells or does: that
 * the guest was started after the protocol was ready (QEMU runs with -S, so no event can come
 * before diverge listens), why QEMU shut down (`guest-reset`: a triple fault or a reset request,
 * which -no-reboot turns into an exit with status 0; `host-signal`: someone else's SIGTERM/SIGINT,
 * which QEMU also turns into status 0), and the two halves of a saved VM (snapshot.ts): saving
 * a stopped guest to a file, and loading one into a QEMU started with `-incoming defer`.
 */
import type { Duplex } from 'node:stream';
import { shellQuote } from '../util/shell.js';

export interface QmpSession {
  /** Whether QEMU accepted `cont`: the guest ran. */
  readonly started: boolean;
  /** The reason of QEMU's SHUTDOWN event, if one came. */
  readonly shutdown: string | undefined;
  /** Why a saved VM could not be loaded (`incoming`), if it could not. */
  readonly incomingError: string | undefined;
  /** Stops the guest and writes its RAM and device state to `file`; rejects with QEMU's reason. */
  save(file: string, timeoutMs: number): Promise<void>;
}

export interface QmpOptions {
  /** Called when QEMU has resumed the guest. */
  onStarted: () => void;
  /**
   * A saved VM to load before the guest starts (QEMU started with `-incoming defer`); `onFailed`
   * is called when QEMU cannot load it, and the guest is never started.
   */
  incoming?: { file: string; onFailed: (reason: string) => void };
}

/** Line cap: QMP's messages are short; anything longer is not read as one. */
const LINE_CAP = 64 * 1024;
/** How often a save asks QEMU how far the migration got. */
const POLL_MS = 50;

interface QmpMessage {
  QMP?: unknown;
  return?: unknown;
  error?: { desc?: string };
  id?: string;
  event?: string;
  data?: { reason?: string; status?: string };
}

/**
 * A VM that QEMU could save but would not restore as it ran: a property of the kernel, the
 * machine and QEMU, the same on every boot (the saved-VM cache remembers it).
 */
export class UnrestorableVm extends Error {}

/** What QEMU's x-query-virtio-queue-status tells of a queue (QEMU 7.0 and later). */
interface QueueStatus {
  'vring-num'?: number;
  'vring-align'?: number;
  'vring-desc'?: number;
  'vring-avail'?: number;
  'vring-used'?: number;
}

/** The legacy (virtio 0.9) layout of a ring at `desc`: where QEMU puts avail and used on load. */
export function legacyRings(desc: number, num: number, align: number) {
  const avail = desc + num * 16; // VRingDesc: 16 bytes each
  const availEnd = avail + 4 + 2 * num; // flags, idx, ring[num]
  const used = Math.ceil(availEnd / align) * align;
  return { avail, used };
}

/**
 * Why a restored QEMU would not run this guest's virtio devices as the saved one did, or
 * undefined. QEMU (virtio_load in hw/virtio/virtio.c, 7.2 included) migrates a ring's three
 * addresses only for a driver that negotiated VIRTIO_F_VERSION_1; for any other driver it
 * recomputes the avail and used rings from the descriptor table as a legacy device lays them out.
 * A driver that did not negotiate VERSION_1 on a modern transport and placed its rings apart
 * (upstream xv6-riscv: three separate pages) is restored with its rings elsewhere: QEMU then
 * refuses the ring indexes, or worse, reads the wrong memory. Asked of the stopped guest before
 * its state is written, so such a VM is never saved. A QEMU without these queries (before 7.0)
 * is not asked: a restore it refuses is still caught after the restore (boot.ts).
 */
async function misplacedRings(
  execute: (command: string, args?: object) => Promise<unknown>,
): Promise<string | undefined> {
  let devices: unknown;
  try {
    devices = await execute('x-query-virtio');
  } catch {
    return undefined; // an older QEMU, or one without virtio
  }
  if (!Array.isArray(devices)) return undefined;
  for (const device of devices as { name?: string; path?: string }[]) {
    if (!device.path) continue;
    const status = (await execute('x-query-virtio-status', { path: device.path }).catch(
      () => ({}),
    )) as { 'num-vqs'?: number; 'guest-features'?: { transports?: string[] } };
    const transports = status['guest-features']?.transports ?? [];
    if (transports.some((feature) => feature.startsWith('VIRTIO_F_VERSION_1'))) continue;
    for (let queue = 0; queue < (status['num-vqs'] ?? 0); queue++) {
      const ring = (await execute('x-query-virtio-queue-status', {
        path: device.path,
        queue,
      }).catch(() => ({}))) as QueueStatus;
      const desc = ring['vring-desc'] ?? 0;
      const num = ring['vring-num'] ?? 0;
      if (desc === 0 || num === 0) continue;
      const legacy = legacyRings(desc, num, ring['vring-align'] || 4096);
      if (legacy.avail === ring['vring-avail'] && legacy.used === ring['vring-used']) continue;
      const hex = (n: number | undefined) => `0x${(n ?? 0).toString(16)}`;
      return (
        `the guest's ${device.name ?? 'virtio'} driver did not negotiate VIRTIO_F_VERSION_1 yet ` +
        `placed queue ${queue}'s rings apart (desc ${hex(desc)}, avail ${hex(ring['vring-avail'])}, ` +
        `used ${hex(ring['vring-used'])}); QEMU restores such a queue's rings at a legacy ` +
        `device's places (avail ${hex(legacy.avail)}, used ${hex(legacy.used)}), so a restored ` +
        `boot would not run as this one`
      );
    }
  }
  return undefined;
}

export function qmpSession(socket: Duplex, options: QmpOptions): QmpSession {
  const state = {
    started: false,
    shutdown: undefined as string | undefined,
    incomingError: undefined as string | undefined,
  };
  const waiting = new Map<string, (message: QmpMessage) => void>();
  let nextId = 0;
  let pending = '';
  const send = (command: string, args?: object, id?: string) =>
    socket.write(
      `${JSON.stringify({ execute: command, ...(args && { arguments: args }), ...(id && { id }) })}\n`,
    );
  const execute = (command: string, args?: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = `q${nextId++}`;
      waiting.set(id, (message) =>
        message.error
          ? reject(new Error(`QMP ${command}: ${message.error.desc ?? 'failed'}`))
          : resolve(message.return),
      );
      send(command, args, id);
    });
  const failIncoming = (reason: string) => {
    if (state.incomingError !== undefined) return;
    state.incomingError = reason;
    options.incoming?.onFailed(reason);
  };

  socket.on('error', () => undefined); // QEMU may exit at any point
  socket.on('close', () => {
    for (const answer of waiting.values()) answer({ error: { desc: 'QEMU exited' } });
    waiting.clear();
  });
  socket.on('data', (chunk: Buffer) => {
    pending = (pending + chunk.toString('utf8')).slice(-LINE_CAP);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      let message: QmpMessage;
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if (message.QMP) {
        send('qmp_capabilities');
        if (!options.incoming) send('cont', undefined, 'cont');
        else {
          // The MIGRATION event says when the state is in; the guest stays paused (-S) until `cont`.
          send('migrate-set-capabilities', {
            capabilities: [{ capability: 'events', state: true }],
          });
          const uri = `exec:cat ${shellQuote(options.incoming.file)}`;
          execute('migrate-incoming', { uri }).catch((error: Error) => failIncoming(error.message));
        }
      } else if (message.id === 'cont' && message.return !== undefined) {
        state.started = true;
        options.onStarted();
      } else if (message.id !== undefined && waiting.has(message.id)) {
        const answer = waiting.get(message.id) as (message: QmpMessage) => void;
        waiting.delete(message.id);
        answer(message);
      } else if (message.event === 'SHUTDOWN') state.shutdown = message.data?.reason;
      else if (message.event === 'MIGRATION' && options.incoming && !state.started) {
        const status = message.data?.status;
        if (status === 'completed') send('cont', undefined, 'cont');
        else if (status === 'failed' || status === 'cancelled')
          failIncoming(`QEMU could not load the saved VM (migration ${status})`);
      }
    }
  });

  const save = async (file: string, timeoutMs: number): Promise<void> => {
    await execute('stop');
    const misplaced = await misplacedRings(execute);
    if (misplaced) throw new UnrestorableVm(misplaced);
    await execute('migrate', { uri: `exec:cat > ${shellQuote(file)}` });
    for (let waited = 0; ; waited += POLL_MS) {
      const info = (await execute('query-migrate')) as { status?: string; 'error-desc'?: string };
      if (info.status === 'completed') return;
      if (info.status === 'failed' || info.status === 'cancelled')
        throw new Error(`QEMU could not save the VM: ${info['error-desc'] ?? info.status}`);
      if (waited > timeoutMs)
        throw new Error(`QEMU had not saved the VM after ${timeoutMs} ms (${info.status})`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  return {
    get started() {
      return state.started;
    },
    get shutdown() {
      return state.shutdown;
    },
    get incomingError() {
      return state.incomingError;
    },
    save,
  };
}
