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
