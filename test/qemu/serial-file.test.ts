import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { systemClock } from '../../src/context.js';
import { SerialFollower, serialFile } from '../../src/qemu/serial-file.js';
import { CappedLog } from '../../src/util/capped-log.js';

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('SerialFollower', () => {
  it("catches up on demand, between its loop's reads, and never hands a byte over twice", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-serial-test-'));
    const file = path.join(dir, 'console');
    const log = new CappedLog(path.join(dir, 'console.log'), 1 << 20, 'serial output');
    const seen: Buffer[] = [];
    const handle = await serialFile(file);
    const follower = new SerialFollower(handle, dir, log, (kept) => seen.push(kept), systemClock);
    const qemu = await open(file, 'r+');
    // Not started: only catchUp reads, so what it hands over is what was there when it was asked.
    await qemu.write(Buffer.from('Kernel panic - not syncing\n'), 0, 27, 0);
    await follower.catchUp();
    expect(Buffer.concat(seen).toString()).toBe('Kernel panic - not syncing\n');
    // With the loop running too, many catch-ups at once read each byte once.
    follower.start();
    let offset = 27;
    for (let i = 0; i < 50; i++) {
      const line = `line ${i}\n`;
      await qemu.write(Buffer.from(line), 0, line.length, offset);
      offset += line.length;
      void follower.catchUp();
    }
    await Promise.all([follower.catchUp(), follower.catchUp()]);
    await follower.finish();
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join('');
    expect(Buffer.concat(seen).toString()).toBe(`Kernel panic - not syncing\n${lines}`);
    await qemu.close();
    await handle.close();
    await log.close();
    rmSync(dir, { recursive: true });
  });

  it('hands over every byte as it comes, then past the cap only counts and empties the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-serial-test-'));
    const file = path.join(dir, 'console');
    const log = new CappedLog(path.join(dir, 'console.log'), 1000, 'serial output');
    const seen: Buffer[] = [];
    let calls = 0;
    const handle = await serialFile(file);
    const follower = new SerialFollower(
      handle,
      dir,
      log,
      (kept) => {
        seen.push(kept);
        calls += 1;
      },
      systemClock,
    );
    follower.start();
    // Written the way QEMU writes: its own descriptor, each write at its own offset.
    const qemu = await open(file, 'r+');
    let offset = 0;
    const write = async (text: string) => {
      await qemu.write(Buffer.from(text), 0, text.length, offset);
      offset += text.length;
    };
    await write('a'.repeat(600));
    await until(() => Buffer.concat(seen).length === 600);
    expect(Buffer.concat(seen).toString()).toBe('a'.repeat(600));
    await write('b'.repeat(3000));
    await until(() => log.dropped === 2600);
    const callsAtCap = calls;
    await write('c'.repeat(50_000));
    await until(() => log.dropped === 52_600);
    // Still alive for the watchdogs (an empty chunk), and the file no longer holds the bytes.
    expect(calls).toBeGreaterThan(callsAtCap);
    expect(seen.at(-1)).toEqual(Buffer.alloc(0));
    expect(statSync(file).blocks * 512).toBeLessThan(16 * 1024);
    await qemu.close();
    await follower.finish();
    await handle.close();
    await log.close();
    expect(follower.full).toBe(false);
    expect(readFileSync(path.join(dir, 'console.log'), 'utf8')).toBe(
      `${'a'.repeat(600)}${'b'.repeat(400)}\n[diverge: serial output cut at 1000 bytes; 52600 more dropped]\n`,
    );
    rmSync(dir, { recursive: true });
  });
});
