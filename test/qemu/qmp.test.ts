/**
 * The QMP session's conversations, against a scripted peer speaking QEMU's side of the socket:
 * a cold start, loading a saved VM (and QEMU refusing it), and saving one. Real QEMU speaks
 * them in test/integration/snapshot.test.ts.
 */
import { Duplex } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { qmpSession } from '../../src/qemu/qmp.js';

/** QEMU's end: records what diverge sent, answers by the scripted `reply`. */
function peer(reply: (command: { execute: string; id?: string; arguments?: unknown }) => object[]) {
  const sent: { execute: string; arguments?: unknown }[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const command = JSON.parse(line) as { execute: string; id?: string; arguments?: unknown };
        sent.push({
          execute: command.execute,
          ...(command.arguments ? { arguments: command.arguments } : {}),
        });
        for (const message of reply(command))
          setImmediate(() => socket.push(`${JSON.stringify(message)}\n`));
      }
      done();
    },
  });
  const greet = () => socket.push('{"QMP": {"version": {}, "capabilities": []}}\n');
  return { socket, sent, greet };
}

/**
 * Until the conversation has got as far as `done` says (or 5 s have passed): the scripted peer
 * answers over many turns of the event loop, which a loaded machine spreads over any fixed wait.
 */
async function settle(done: () => boolean): Promise<void> {
  for (const until = Date.now() + 5_000; !done() && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 5));
}
const answer = (command: { id?: string }) => (command.id ? [{ return: {}, id: command.id }] : []);

describe('qmpSession', () => {
  it('resumes a cold guest once the protocol is ready', async () => {
    const { socket, sent, greet } = peer(answer);
    let started = 0;
    const qmp = qmpSession(socket, { onStarted: () => started++ });
    greet();
    await settle(() => qmp.started);
    expect(sent.map((c) => c.execute)).toEqual(['qmp_capabilities', 'cont']);
    expect([qmp.started, started]).toEqual([true, 1]);
  });

  it('loads a saved VM, and resumes the guest only when QEMU says the state is in', async () => {
    const { socket, sent, greet } = peer((command) => [
      ...answer(command),
      ...(command.execute === 'migrate-incoming'
        ? [
            { event: 'MIGRATION', data: { status: 'active' } },
            { event: 'MIGRATION', data: { status: 'completed' } },
          ]
        : []),
    ]);
    const failed: string[] = [];
    const qmp = qmpSession(socket, {
      onStarted: () => undefined,
      incoming: { file: "/tmp/it's/vm.state", onFailed: (reason) => failed.push(reason) },
    });
    greet();
    await settle(() => qmp.started || failed.length > 0);
    expect(sent).toEqual([
      { execute: 'qmp_capabilities' },
      {
        execute: 'migrate-set-capabilities',
        arguments: { capabilities: [{ capability: 'events', state: true }] },
      },
      { execute: 'migrate-incoming', arguments: { uri: "exec:cat '/tmp/it'\\''s/vm.state'" } },
      { execute: 'cont' },
    ]);
    expect([qmp.started, qmp.incomingError, failed]).toEqual([true, undefined, []]);
  });

  it('never resumes a guest whose saved state QEMU refused, and says why', async () => {
    const { socket, sent, greet } = peer((command) =>
      command.execute === 'migrate-incoming'
        ? [{ error: { class: 'GenericError', desc: 'no such file' }, id: command.id }]
        : answer(command),
    );
    const failed: string[] = [];
    const qmp = qmpSession(socket, {
      onStarted: () => undefined,
      incoming: { file: '/nowhere', onFailed: (reason) => failed.push(reason) },
    });
    greet();
    await settle(() => failed.length > 0);
    expect(sent.map((c) => c.execute)).not.toContain('cont');
    expect(qmp.started).toBe(false);
    expect(failed).toEqual(['QMP migrate-incoming: no such file']);
  });

  it('saves: stops the guest, migrates to the file, waits for the migration to complete', async () => {
    let polls = 0;
    const { socket, sent, greet } = peer((command) =>
      command.execute === 'query-migrate'
        ? [{ return: { status: ++polls < 3 ? 'active' : 'completed' }, id: command.id }]
        : answer(command),
    );
    const qmp = qmpSession(socket, { onStarted: () => undefined });
    greet();
    await settle(() => qmp.started);
    await qmp.save('/s/vm.state', 10_000);
    expect(sent.map((c) => c.execute)).toEqual([
      'qmp_capabilities',
      'cont',
      'stop',
      'x-query-virtio',
      'migrate',
      'query-migrate',
      'query-migrate',
      'query-migrate',
    ]);
    expect(sent[4]?.arguments).toEqual({ uri: "exec:cat > '/s/vm.state'" });
  });

  it("rejects a save QEMU could not make, with QEMU's reason", async () => {
    const { socket, greet } = peer((command) =>
      command.execute === 'query-migrate'
        ? [
            {
              return: { status: 'failed', 'error-desc': 'State blocked by non-migratable device' },
              id: command.id,
            },
          ]
        : answer(command),
    );
    const qmp = qmpSession(socket, { onStarted: () => undefined });
    greet();
    await settle(() => qmp.started);
    await expect(qmp.save('/s/vm.state', 10_000)).rejects.toThrow(
      'QEMU could not save the VM: State blocked by non-migratable device',
    );
  });

  /** QEMU's answers about one virtio-blk device with one queue of 8 at 0x87f78000. */
  const virtio =
    (transports: string[], avail: number, used: number) =>
    (command: { execute: string; id?: string }) => {
      const returns: Record<string, unknown> = {
        'x-query-virtio': [{ name: 'virtio-blk', path: '/machine/peripheral-anon/device[0]' }],
        'x-query-virtio-status': { 'num-vqs': 1, 'guest-features': { transports } },
        'x-query-virtio-queue-status': {
          'vring-num': 8,
          'vring-align': 4096,
          'vring-desc': 0x87f78000,
          'vring-avail': avail,
          'vring-used': used,
        },
        'query-migrate': { status: 'completed' },
      };
      return command.id ? [{ return: returns[command.execute] ?? {}, id: command.id }] : [];
    };

  it('saves no VM whose virtio rings a restored QEMU would look for elsewhere (xv6-riscv)', async () => {
    // No VIRTIO_F_VERSION_1, rings in three pages: QEMU would recompute avail and used.
    const { socket, sent, greet } = peer(virtio([], 0x87f77000, 0x87f76000));
    const qmp = qmpSession(socket, { onStarted: () => undefined });
    greet();
    await settle(() => qmp.started);
    await expect(qmp.save('/s/vm.state', 10_000)).rejects.toThrow(
      "the guest's virtio-blk driver did not negotiate VIRTIO_F_VERSION_1 yet placed queue 0's rings apart (desc 0x87f78000, avail 0x87f77000, used 0x87f76000); QEMU restores such a queue's rings at a legacy device's places (avail 0x87f78080, used 0x87f79000)",
    );
    expect(sent.map((c) => c.execute)).not.toContain('migrate');
  });

  it('saves a VM whose rings are where QEMU puts them: the legacy layout, or a VERSION_1 driver', async () => {
    for (const reply of [
      virtio([], 0x87f78080, 0x87f79000),
      virtio(['VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)'], 0x1000, 0x2000),
    ]) {
      const { socket, sent, greet } = peer(reply);
      const qmp = qmpSession(socket, { onStarted: () => undefined });
      greet();
      await settle(() => qmp.started);
      await qmp.save('/s/vm.state', 10_000);
      expect(sent.map((c) => c.execute)).toContain('migrate');
    }
  });
});
