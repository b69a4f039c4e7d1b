/**
 * Saved VMs kept between runs (see snapshot.ts): a kernel booted to its ready point once is not
 * booted there again by the next run. An entry is a directory named by the digest of everything
 * that defines the saved state (the kernel's and every named file's contents, the whole QEMU
 * command line, the ready point, the harness, the QEMU version, diverge's build id), holding
 * `vm.state`, the disks' overlays, the console up to the ready point and `entry.json` with the
 * digest of each of those files. Every file is checked against its digest whenever the entry is
 * used, so a saved state that was changed, cut short or moved is discarded and the kernel is
 * saved again: a verdict never comes from a state that is not the one saved. Entries least
 * recently used are removed beyond a size cap (a saved VM holds the RAM its guest touched).
 */
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../context.js';
import type { Disk } from '../model/machines.js';
import { isFileSystemError, makeDir, partialName } from '../util/atomic.js';
import { sha256, sha256File } from '../util/digest.js';
import type { SavedVm } from './snapshot.js';

const ENTRY_SCHEMA = 'diverge.saved-vm/v1';
/** Default cap on the cache's size; the oldest entries go first. */
export const SAVED_VM_CACHE_BYTES = 4 * 1024 ** 3;

interface Entry {
  schema: typeof ENTRY_SCHEMA;
  key: string;
  /** Why no VM is saved for this key: QEMU would not restore it as it ran (qmp.ts). */
  refused?: string;
  /** File name in the entry → sha256 of its content. */
  files: Record<string, string>;
  overlays: Disk[];
  checksum: string;
}

const CONSOLE = 'console.log';
const STATE = 'vm.state';

export class SavedVmCache {
  constructor(
    readonly dir: string,
    readonly buildId: string,
    /** Marks an entry used (least recently used entries go first). */
    private readonly clock: Pick<Clock, 'now'>,
    /** Where discarded entries and failed writes are said. */
    private readonly say: (line: string) => void = () => undefined,
    private readonly maxBytes = SAVED_VM_CACHE_BYTES,
  ) {}

  /** The entry name for a saved VM defined by `identity` (any JSON). */
  key(identity: unknown): string {
    return sha256(JSON.stringify({ build: this.buildId, identity })).slice('sha256:'.length);
  }

  private static checksum(
    key: string,
    files: Entry['files'],
    overlays: Disk[],
    refused?: string,
  ): string {
    return sha256(JSON.stringify([ENTRY_SCHEMA, key, files, overlays, refused ?? null]));
  }

  /** Why the entry in `dir` is not a whole, unchanged saved VM for `key`; undefined if it is. */
  private async check(dir: string, key: string): Promise<{ entry?: Entry; bad?: string }> {
    let entry: Entry;
    try {
      entry = JSON.parse(await readFile(path.join(dir, 'entry.json'), 'utf8')) as Entry;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return {};
      return { bad: 'is not JSON' };
    }
    if (entry?.schema !== ENTRY_SCHEMA || typeof entry.files !== 'object' || !entry.files)
      return { bad: `is not a ${ENTRY_SCHEMA} entry` };
    if (entry.key !== key) return { bad: 'is stored under another key (moved or copied)' };
    if (!Array.isArray(entry.overlays)) return { bad: 'lists no overlays' };
    if (entry.refused !== undefined && typeof entry.refused !== 'string')
      return { bad: 'holds a refusal that is not text' };
    if (entry.checksum !== SavedVmCache.checksum(key, entry.files, entry.overlays, entry.refused))
      return { bad: 'was changed after it was written (checksum)' };
    if (entry.refused !== undefined) return { entry };
    const names = [STATE, CONSOLE, ...entry.overlays.map((disk) => path.basename(disk.file))];
    for (const name of names) {
      if (entry.files[name] === undefined) return { bad: `lists no digest of ${name}` };
      const digest = await sha256File(path.join(dir, name)).catch(() => undefined);
      if (digest === undefined) return { bad: `lacks ${name}` };
      if (digest !== entry.files[name]) return { bad: `holds a changed ${name} (digest)` };
    }
    return { entry };
  }

  /**
   * The saved VM stored under `key`, checked file by file; a bad entry is removed and said (the
   * kernel is then saved again). `label` names the kernel in what is said.
   */
  async load(key: string, label: string): Promise<SavedVm | { refused: string } | undefined> {
    const dir = path.join(this.dir, key);
    const { entry, bad } = await this.check(dir, key);
    if (bad !== undefined) {
      this.say(
        `saved-VM cache: the entry for ${label} (${dir}) ${bad}: discarded, saving ${label} again`,
      );
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    }
    if (!entry) return undefined;
    const now = new Date(this.clock.now());
    await utimes(path.join(dir, 'entry.json'), now, now).catch(() => undefined);
    if (entry.refused !== undefined) return { refused: entry.refused };
    return {
      state: path.join(dir, STATE),
      overlays: entry.overlays.map((disk) => ({ ...disk, file: path.join(dir, disk.file) })),
      console: await readFile(path.join(dir, CONSOLE)),
    };
  }

  /** A fresh directory to save a VM in before `store` (beside the entries: a rename moves it). */
  async partial(key: string): Promise<string> {
    const dir = partialName(path.join(this.dir, key));
    await makeDir(dir);
    return dir;
  }

  /**
   * Makes the VM saved in `partial` (by saveReadyVm) the entry for `key` and returns it as stored
   * there. A cache that cannot be written costs a saving boot next run, not this run: the VM is
   * returned where it was.
   */
  async store(key: string, partial: string, saved: SavedVm): Promise<SavedVm> {
    const dir = path.join(this.dir, key);
    try {
      await writeFile(path.join(partial, CONSOLE), saved.console);
      const overlays = saved.overlays.map((disk) => ({ ...disk, file: path.basename(disk.file) }));
      const files: Entry['files'] = {};
      for (const name of [STATE, CONSOLE, ...overlays.map((disk) => disk.file)])
        files[name] = await sha256File(path.join(partial, name));
      const checksum = SavedVmCache.checksum(key, files, overlays);
      const entry: Entry = { schema: ENTRY_SCHEMA, key, files, overlays, checksum };
      await writeFile(path.join(partial, 'entry.json'), JSON.stringify(entry));
      await rm(dir, { recursive: true, force: true });
      await rename(partial, dir);
      await this.prune(key);
      return {
        state: path.join(dir, STATE),
        overlays: overlays.map((disk) => ({ ...disk, file: path.join(dir, disk.file) })),
        console: saved.console,
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      // ENOTEMPTY, EEXIST: a concurrent run stored the same VM first; this one is still whole.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        if (!isFileSystemError(error)) throw error;
        this.say(`saved-VM cache: cannot store a saved VM in ${this.dir}: ${String(error)}`);
      }
      return saved;
    }
  }

  /**
   * Remembers that no VM is saved for `key`, and why (a VM QEMU would not restore as it ran), so
   * that the next run does not boot the kernel to its prompt only to find out again.
   */
  async refuse(key: string, reason: string): Promise<void> {
    const dir = path.join(this.dir, key);
    const partial = partialName(dir);
    try {
      await makeDir(partial);
      const checksum = SavedVmCache.checksum(key, {}, [], reason);
      const entry: Entry = {
        schema: ENTRY_SCHEMA,
        key,
        refused: reason,
        files: {},
        overlays: [],
        checksum,
      };
      await writeFile(path.join(partial, 'entry.json'), JSON.stringify(entry));
      await rm(dir, { recursive: true, force: true });
      await rename(partial, dir);
    } catch (error) {
      await rm(partial, { recursive: true, force: true }).catch(() => undefined);
      if (!isFileSystemError(error)) throw error;
    }
  }

  /** Removes the least recently used entries (never `keep`) while the cache is over its cap. */
  private async prune(keep: string): Promise<void> {
    const entries: { dir: string; bytes: number; used: number }[] = [];
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name.endsWith('.partial')) continue;
      const dir = path.join(this.dir, name);
      const used = await stat(path.join(dir, 'entry.json')).catch(() => undefined);
      if (!used) continue;
      let bytes = 0;
      for (const file of await readdir(dir).catch(() => [] as string[]))
        bytes += (await stat(path.join(dir, file)).catch(() => undefined))?.size ?? 0;
      entries.push({ dir, bytes, used: name === keep ? Infinity : used.mtimeMs });
    }
    let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    for (const entry of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.maxBytes || entry.used === Infinity) break;
      await rm(entry.dir, { recursive: true, force: true }).catch(() => undefined);
      total -= entry.bytes;
    }
  }
}
