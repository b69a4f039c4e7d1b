import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * Writes a stream to a log file until `cap` bytes, then only counts what it drops. QEMU's
 * serial port arrives a few bytes at a time, so writes are batched rather than one per chunk.
 */
export class CappedLog {
  written = 0;
  dropped = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly file: WriteStream;
  constructor(
    filePath: string,
    readonly cap: number,
    /** What the log holds, for the note at its end, like `serial output`. */
    private readonly what: string,
  ) {
    this.file = createWriteStream(filePath);
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
    this.file.write(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
  async close(): Promise<void> {
    this.flush();
    if (this.dropped > 0) {
      this.file.write(
        `\n[diverge: ${this.what} cut at ${this.cap} bytes; ${this.dropped} more dropped]\n`,
      );
    }
    await new Promise<void>((resolve) => this.file.end(resolve));
  }
}
