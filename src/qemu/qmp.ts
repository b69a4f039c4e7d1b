/**
 * QEMU's machine protocol (QMP) on a socket QEMU inherits, for the two things only it tells:
 * that the guest was started after the protocol was ready (QEMU runs with -S, so no event can
 * come before diverge listens), and why QEMU shut down (`guest-reset`: a triple fault or a reset
 * request, which -no-reboot turns into an exit with status 0; `host-signal`: someone else's
 * SIGTERM/SIGINT, which QEMU also turns into status 0).
 */
import type { Duplex } from 'node:stream';

export interface QmpSession {
  /** Whether QEMU accepted `cont`: the guest ran. */
  readonly started: boolean;
  /** The reason of QEMU's SHUTDOWN event, if one came. */
  readonly shutdown: string | undefined;
}

/** Line cap: QMP's messages are short; anything longer is not read as one. */
const LINE_CAP = 64 * 1024;

/** `onStarted`: called when QEMU has resumed the guest. */
export function qmpSession(socket: Duplex, onStarted: () => void): QmpSession {
  const state = { started: false, shutdown: undefined as string | undefined };
  let pending = '';
  socket.on('error', () => undefined); // QEMU may exit at any point
  socket.on('data', (chunk: Buffer) => {
    pending = (pending + chunk.toString('utf8')).slice(-LINE_CAP);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      let message: {
        QMP?: unknown;
        return?: unknown;
        id?: string;
        event?: string;
        data?: { reason?: string };
      };
      try {
        message = JSON.parse(line);
      } catch {
        continue;
      }
      if (message.QMP)
        socket.write('{"execute":"qmp_capabilities"}\n{"execute":"cont","id":"cont"}\n');
      else if (message.id === 'cont' && message.return !== undefined) {
        state.started = true;
        onStarted();
      } else if (message.event === 'SHUTDOWN') state.shutdown = message.data?.reason;
    }
  });
  return {
    get started() {
      return state.started;
    },
    get shutdown() {
      return state.shutdown;
    },
  };
}
