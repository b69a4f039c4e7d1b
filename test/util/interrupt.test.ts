import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { owner, ownerGone, undoAll, untilDone } from '../../src/util/interrupt.js';

describe('owners of what must not outlive a process', () => {
  it('a live process of this machine is not gone; an ended one is; another machine is never', () => {
    expect(ownerGone(owner())).toBe(false);
    const ended = spawnSync('true').pid as number;
    expect(ownerGone(owner(ended))).toBe(true);
    const [, pid, started] = owner().split(' ');
    expect(ownerGone(`elsewhere/boot ${pid} ${started}`)).toBe(false);
    expect(ownerGone('garbage')).toBe(false);
  });

  it('a reused pid (another start time) is not the owner', () => {
    const [where, pid] = owner().split(' ');
    expect(ownerGone(`${where} ${pid} 1`)).toBe(true);
  });
});

describe('undoing what an interrupted command made', () => {
  it('undoes what is still registered, not what was done, and at once what comes after', async () => {
    const undone: string[] = [];
    const done = untilDone(async () => void undone.push('finished'));
    done();
    untilDone(async () => void undone.push('container'));
    untilDone(() => new Promise(() => undefined)); // a wedged engine: bounded by the timeout
    expect(await undoAll(50)).toBe(2);
    expect(undone).toEqual(['container']);
    untilDone(async () => void undone.push('late'));
    await new Promise((r) => setImmediate(r));
    expect(undone).toEqual(['container', 'late']);
  });
});
