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

const settle = () => new Promise((r) => setTimeout(r, 20));
const answer = (command: { id?: string }) => (command.id ? [{ return: {}, id: command.id }] : []);

describe('qmpSession', () => {
  it('resumes a cold guest once the protocol is ready', async () => {
    const { socket, sent, greet } = peer(answer);
    let started = 0;
    const qmp = qmpSession(socket, { onStarted: () => started++ });
    greet();
    await settle();
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
    await settle();
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
    await settle();
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
    await settle();
    await qmp.save('/s/vm.state', 10_000);
    expect(sent.map((c) => c.execute)).toEqual([
      'qmp_capabilities',
      'cont',
      'stop',
      'migrate',
      'query-migrate',
      'query-migrate',
      'query-migrate',
    ]);
    expect(sent[3]?.arguments).toEqual({ uri: "exec:cat > '/s/vm.state'" });
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
    await settle();
    await expect(qmp.save('/s/vm.state', 10_000)).rejects.toThrow(
      'QEMU could not save the VM: State blocked by non-migratable device',
    );
  });
});
