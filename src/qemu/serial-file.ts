/**
 * The serial transport: QEMU writes each serial port to a regular file and diverge follows the
 * file as it grows. On a pipe (`-chardev stdio`) a full pipe refuses QEMU's write (EAGAIN) and
 * QEMU's 16550 drops the byte after a few retries, so heavy output lost bytes in silence; a
 * write to a regular file blocks until done and never drops. The console reads the text diverge
 * sends (console scripts) from a FIFO.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, rm, statfs, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../context.js';
import type { CappedLog } from '../util/capped-log.js';

/**
 * Where QEMU writes and reads one boot's serial ports: files of one directory. The console is a
 * `pipe` chardev (QEMU 7.2's `file` chardev takes no input): QEMU reads `<base>.in`, a FIFO, and
 * writes `<base>.out`, a regular file.
 */
export const serialFiles = (dir: string) => ({
  consoleBase: path.join(dir, 'console'),
  console: path.join(dir, 'console.out'),
  input: path.join(dir, 'console.in'),
  results: path.join(dir, 'results'),
});

const READ_BYTES = 256 * 1024;
/** How long the follower waits at the end of the file before looking again. */
const FOLLOW_MS = 20;

/**
 * Follows one serial file: hands every byte to its capped log and its consumer as it arrives.
 * Once the log is full, it only counts what QEMU writes (from the file's size) and empties the
 * file, so that a kernel printing forever fills neither memory nor the disk.
 */
export class SerialFollower {
  private position = 0;
  private counting = false;
  private stopped = false;
  private loop: Promise<void> | undefined;
  /** The reads in turn: the loop's and catchUp's never read at one position twice. */
  private reading: Promise<void> = Promise.resolve();
  /** Set when the file system of the serial files was full: QEMU may have lost a write. */
  full = false;

  constructor(
    private readonly file: FileHandle,
    /** A directory on the serial files' file system (they are unlinked while QEMU runs). */
    private readonly dir: string,
    private readonly log: CappedLog,
    /** Bytes the log kept (empty once it is full: the port is still alive), and when. */
    private readonly consume: (kept: Buffer, now: number) => void,
    /** The boot's clock, read as each read's time. */
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.catchUp();
        await new Promise((r) => setTimeout(r, FOLLOW_MS));
      }
    })();
  }

  /** Reads what QEMU has written so far, now rather than at the loop's next turn. */
  catchUp(): Promise<void> {
    const read = this.reading.catch(() => undefined).then(() => this.pump());
    this.reading = read;
    return read;
  }

  /** QEMU has exited: reads what is left. */
  async finish(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.catchUp();
  }

  private async pump(): Promise<void> {
    const buffer = Buffer.alloc(READ_BYTES);
    while (!this.counting) {
      const { bytesRead } = await this.file.read(buffer, 0, READ_BYTES, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      const kept = this.log.write(Buffer.from(buffer.subarray(0, bytesRead)));
      this.consume(kept, this.clock.now());
      if (this.log.written >= this.log.cap) this.counting = true;
    }
    if (this.counting) {
      // QEMU writes at its own offset, so the size still counts every byte after truncation.
      const { size } = await this.file.stat();
      if (size > this.position) {
        this.log.skip(size - this.position);
        this.position = size;
        this.consume(Buffer.alloc(0), this.clock.now());
        await this.file.truncate(0);
      }
    }
    // A full file system makes QEMU's write fail (ENOSPC), and its serial port drops the byte.
    const space = await statfs(this.dir);
    if (space.bavail === 0) this.full = true;
  }
}

/** One boot's serial directory: made before QEMU starts, removed once QEMU has opened its files. */
/** The prefix of a boot's temporary directory; its owner's pid follows, for sweepOrphans. */
export const SERIAL_PREFIX = 'diverge-serial-';

export async function serialDir(tempDir: string): Promise<string> {
  return mkdtemp(path.join(tempDir, `${SERIAL_PREFIX}${process.pid}-`));
}

export async function removeSerialDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** An empty file QEMU will write, opened for following (and truncating) before QEMU opens it. */
export async function serialFile(file: string): Promise<FileHandle> {
  return open(file, 'w+');
}

/**
 * The console's input: a FIFO QEMU reads. diverge opens it read-write and non-blocking, so that
 * neither side waits for the other to open it, QEMU never reads its end, and a QEMU that stopped
 * reading cannot block diverge (the rest of a text is written as room comes, while the boot runs).
 */
export class ConsoleInput {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(private readonly fifo: FileHandle) {}

  static async create(file: string): Promise<ConsoleInput> {
    await promisify(execFile)('mkfifo', ['-m', '600', file]);
    return new ConsoleInput(await open(file, constants.O_RDWR | constants.O_NONBLOCK));
  }

  send(text: string): void {
    this.queue = this.queue.then(() => this.write(Buffer.from(text)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.fifo.close();
  }

  private async write(data: Buffer): Promise<void> {
    while (data.length > 0 && !this.closed) {
      try {
        const { bytesWritten } = await this.fifo.write(data);
        data = data.subarray(bytesWritten);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        await new Promise((r) => setTimeout(r, FOLLOW_MS));
      }
    }
  }
}
