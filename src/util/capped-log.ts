import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { storageReason } from './storage.js';

/**
 * Writes a stream to a log file until `cap` bytes, then only counts what it drops. QEMU's
 * serial port arrives a few bytes at a time, so writes are batched rather than one per chunk.
 */
export class CappedLog {
  written = 0;
  dropped = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Why the file could not be written (a full or read-only disk): the log is then not kept. */
  failure?: string;
  private readonly file: WriteStream;
  constructor(
    private readonly filePath: string,
    readonly cap: number,
    /** What the log holds, for the note at its end, like `serial output`. */
    private readonly what: string,
  ) {
    this.file = createWriteStream(filePath);
    // Without a listener a failed write (ENOSPC) would crash the whole run with a stack trace.
    this.file.on('error', (error) => this.fail(error));
  }
  private fail(error: unknown): void {
    this.failure ??= `cannot write the ${this.what} log ${this.filePath}: ${storageReason(error)}`;
  }
  write(chunk: Buffer): Buffer {
    const room = Math.max(0, this.cap - this.written);
    const kept = chunk.subarray(0, room);
    if (kept.length > 0) {
      this.pending.push(kept);
      this.pendingBytes += kept.length;
      if (this.pendingBytes >= 64 * 1024) this.flush();
    }
    this.written += kept.length;
    this.dropped += chunk.length - kept.length;
    return kept;
  }
  /** Counts bytes that never reached the log (the serial follower drops them unread). */
  skip(bytes: number): void {
    this.dropped += bytes;
  }
  flush(): void {
    if (this.pendingBytes === 0) return;
    // After a failure there is nowhere to go: the log is not kept.
    if (!this.failure) this.file.write(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
  async close(): Promise<void> {
    this.flush();
    if (this.dropped > 0 && !this.failure) {
      this.file.write(
        `\n[diverge: ${this.what} cut at ${this.cap} bytes; ${this.dropped} more dropped]\n`,
      );
    }
    if (!this.file.destroyed) this.file.end();
    // A write that failed at the end may not have been reported yet: finished() waits for it.
    await finished(this.file).catch((error: unknown) => this.fail(error));
    // A cut log would pass for the whole output: a log that could not be written is not kept.
    if (this.failure) await rm(this.filePath, { force: true });
  }
}
