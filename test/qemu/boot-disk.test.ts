/**
 * machine.command-line: pintos, the Pintos loader's argument sector: diverge's writer against
 * Pintos' own (utils/pintos-set-cmdline of the pinned fixtures/pintos, run by perl on the same
 * disk), the layout against loader.h, and the per-boot copy that leaves the kernel file as it is.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { COMMAND_LINE_AREAS } from '../../src/model/command-line.js';
import { prepareBootDisk, writeCommandLine } from '../../src/qemu/boot-disk.js';
import { checkKernelFile } from '../../src/qemu/kernel-image.js';
import { StorageError } from '../../src/util/storage.js';

const PINTOS = path.join(import.meta.dirname, '../../fixtures/pintos/src');
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-boot-disk-'));

/**
 * A disk as pintos-mkdisk makes one, as far as the writers care: a boot sector holding the
 * loader's "Pintos" and the boot signature, every other byte not zero (so a byte written where
 * it should not be shows), and a second sector.
 */
function pintosDisk(name: string): string {
  const disk = Buffer.alloc(1024, 0xa5);
  disk.write('Pintos\0', 0x15, 'latin1');
  disk[510] = 0x55;
  disk[511] = 0xaa;
  const file = path.join(dir, name);
  writeFileSync(file, disk);
  return file;
}

/** Pintos' own writer on a copy of `disk`: the copy's bytes, or what it said when it refused. */
function pintosSetCmdline(disk: string, words: string[]): Buffer | string {
  const copy = `${disk}.perl`;
  copyFileSync(disk, copy);
  const run = spawnSync('perl', [
    path.join(PINTOS, 'utils/pintos-set-cmdline'),
    copy,
    '--',
    ...words,
  ]);
  if (run.status !== 0) return run.stderr.toString('utf8');
  return readFileSync(copy);
}

/** diverge's writer on a copy of `disk`. */
async function divergeSetCmdline(disk: string, append: string): Promise<Buffer> {
  const copy = `${disk}.diverge`;
  copyFileSync(disk, copy);
  await writeCommandLine('pintos', copy, append);
  return readFileSync(copy);
}

describe("the Pintos loader's command line", () => {
  it('sits where loader.h puts it: the count, then LOADER_ARGS_LEN bytes below the partition table', () => {
    const header = readFileSync(path.join(PINTOS, 'threads/loader.h'), 'utf8');
    const define = (name: string) => {
      const value = new RegExp(`#define ${name}\\s+(\\S+)`).exec(header)?.[1];
      if (value === undefined) throw new Error(`loader.h: no ${name}`);
      return Number(value);
    };
    const sectorEnd = define('LOADER_END') - define('LOADER_BASE');
    const args =
      sectorEnd - define('LOADER_SIG_LEN') - define('LOADER_PARTS_LEN') - define('LOADER_ARGS_LEN');
    expect(COMMAND_LINE_AREAS.pintos.offset).toBe(args - define('LOADER_ARG_CNT_LEN'));
    expect(COMMAND_LINE_AREAS.pintos.offset).toBe(0x13a);
    expect(COMMAND_LINE_AREAS.pintos.capacity).toBe(define('LOADER_ARGS_LEN'));
  });

  it.each([
    ['-q run alarm-single'],
    ['-q -mlfqs run mlfqs-load-1'],
    [''],
    ['  -q\trun   priority-donate-chain  '], // white space as a shell splits it
    [`-q run ${'x'.repeat(128 - '-q\0run\0\0'.length)}`], // exactly 128 bytes
    ['-q run é'], // a word's bytes, as perl counts them
  ])('writes %j byte for byte as pintos-set-cmdline does', async (append) => {
    const disk = pintosDisk('alike.dsk');
    const words = append.split(/\s+/).filter((w) => w !== '');
    const theirs = pintosSetCmdline(disk, words);
    expect(Buffer.isBuffer(theirs)).toBe(true);
    expect(await divergeSetCmdline(disk, append)).toEqual(theirs);
  });

  it('lands the words after the count, and the sector keeps everything else', async () => {
    const disk = pintosDisk('layout.dsk');
    const before = readFileSync(disk);
    const after = await divergeSetCmdline(disk, '-q run alarm-single');
    expect(after.readUInt32LE(0x13a)).toBe(3);
    expect(after.toString('latin1', 0x13e, 0x13e + 20)).toBe('-q\0run\0alarm-single\0');
    expect(after.subarray(0, 0x13a)).toEqual(before.subarray(0, 0x13a));
    expect(after.subarray(0x1be)).toEqual(before.subarray(0x1be));
  });

  it('refuses a command line longer than 128 bytes, as Pintos does', async () => {
    const disk = pintosDisk('long.dsk');
    const append = `-q run ${'x'.repeat(128 - '-q\0run\0\0'.length + 1)}`;
    expect(pintosSetCmdline(disk, append.split(' '))).toContain('command line exceeds 128 bytes');
    await expect(divergeSetCmdline(disk, append)).rejects.toThrow(
      `machine.append: "${append}" takes 129 bytes as the Pintos loader's command line (each word and its NUL); it holds 128`,
    );
  });

  it('refuses a disk whose boot sector is not the Pintos loader', async () => {
    const other = path.join(dir, 'xv6.img');
    const sector = Buffer.alloc(1024);
    sector[510] = 0x55;
    sector[511] = 0xaa;
    writeFileSync(other, sector);
    expect(pintosSetCmdline(other, ['-q'])).toContain('does not contain Pintos loader');
    const message = `a boot disk without the Pintos loader (no "Pintos" in its boot sector), where machine.command-line: pintos writes the command line`;
    await expect(writeCommandLine('pintos', other, '-q')).rejects.toThrow(`${other} is ${message}`);
    const machine = { arch: 'i386', boot: 'disk', commandLine: 'pintos' } as const;
    await expect(checkKernelFile('student', other, machine)).rejects.toThrow(
      `kernel "student": ${other} is ${message}`,
    );
    await expect(checkKernelFile('staff', pintosDisk('ok.dsk'), machine)).resolves.toBe(
      'boot disk',
    );
  });
});

describe('the boot disk of one boot', () => {
  it("is a copy in the boot's own directory holding its command line; the kernel file stays as it was", async () => {
    const kernel = pintosDisk('os.dsk');
    const before = readFileSync(kernel);
    const bootDir = mkdtempSync(path.join(dir, 'boot-'));
    const plan = { commandLine: 'pintos', append: '-q run alarm-zero' } as const;
    const disk = await prepareBootDisk(plan, kernel, bootDir);
    expect(path.dirname(disk)).toBe(bootDir);
    expect(readdirSync(bootDir)).toEqual([path.basename(disk)]);
    expect(readFileSync(disk)).toEqual(pintosSetCmdline(kernel, ['-q', 'run', 'alarm-zero']));
    expect(readFileSync(kernel)).toEqual(before);
  });

  it('that cannot be written is the host failing, said with the file', async () => {
    // sysfs takes no new files, root or not: a stand-in for a full or read-only temp folder.
    const plan = { commandLine: 'pintos', append: '-q' } as const;
    const error: unknown = await prepareBootDisk(plan, pintosDisk('host.dsk'), '/sys').catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(
      /^cannot write the boot's disk \/sys\/boot\.dsk: .* \((EACCES|EPERM|EROFS)\)$/,
    );
  });

  it('is the kernel file itself when nothing is written into it', async () => {
    const kernel = pintosDisk('plain.dsk');
    await expect(prepareBootDisk({}, kernel, dir)).resolves.toBe(kernel);
  });
});

describe('machine.append under machine.command-line: pintos', () => {
  const config = (append: string, tests: string) =>
    `machine: { arch: i386, boot: disk, command-line: pintos, append: '${append}' }\n` +
    `harness: { tests: [${tests}] }\n`;

  it("is refused when a test's command line would not fit, naming the field and the test's line", () => {
    const long = 'x'.repeat(125);
    let error: unknown;
    try {
      parseConfig(config('-q run {test}', `alarm-zero, ${long}`), 'pintos.yml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `pintos.yml:1: machine.append: "-q run ${long}" takes 133 bytes as the Pintos loader's command line (each word and its NUL); it holds 128`,
    );
  });

  it('is taken when every test fits', () => {
    const settings = parseConfig(config('-q run {test}', 'alarm-zero'), 'pintos.yml');
    expect(settings.machine).toMatchObject({ commandLine: 'pintos', append: '-q run {test}' });
  });
});
