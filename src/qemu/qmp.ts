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
