/**
 * docs/config.md's teaching-kernel sections say what the code does: the example configs load,
 * the xv6-riscv, Pintos and xv6 for x86 examples are the fixture configs their integration tests
 * run, and the firmware, disk and boot-disk tables are the machine table's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import {
  ARCHES,
  archMachines,
  bootDiskMachines,
  diskInterfacesOf,
  profilesOf,
} from '../../src/model/machines.js';
import { CRASH_PATTERNS } from '../../src/qemu/crash-patterns.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const DOC = readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8');
const XV6_DIR = path.join(REPO_ROOT, 'fixtures/xv6-riscv');
const truth = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'variants.json'), 'utf8')) as { tests: string[] };
const XV6_TRUTH = truth(XV6_DIR);
const XV6_X86_DIR = path.join(REPO_ROOT, 'fixtures/xv6-x86');
const PINTOS_DIR = path.join(REPO_ROOT, 'fixtures/pintos');
/** A fixture's config as the docs show it: without its first line, which names the schema by a path inside this repository. */
const shownConfig = (dir: string) =>
  readFileSync(path.join(dir, 'diverge.yml'), 'utf8').replace(/^# yaml-language-server: .*\n/, '');
const examples = () =>
  [...section('Examples for teaching kernels').matchAll(/```yaml\n([\s\S]*?)```/g)].map(
    ([, yaml]) => yaml as string,
  );
const section = (title: string) => {
  const start = DOC.indexOf(`## ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
};

describe('docs/config.md for teaching kernels', () => {
  it('has an xv6-style, a Pintos-style and an xv6 for x86 example that load as documented', () => {
    const blocks = examples();
    expect(blocks).toHaveLength(3);
    const [xv6, pintos, xv6x86] = blocks.map((yaml) => parseConfig(yaml, '/course/diverge.yml'));
    expect(xv6?.machine).toMatchObject({ arch: 'riscv64', firmware: 'none' });
    expect(xv6?.harness.disks).toEqual([
      { file: '/course/fs.img', interface: 'virtio-mmio', format: 'raw' },
    ]);
    expect(xv6?.harness.tests).toEqual(XV6_TRUTH.tests);
    expect(xv6?.harness.script.map((s) => s.send)).toEqual(['{test}\n']);
    expect(pintos?.machine).toMatchObject({
      arch: 'i386',
      boot: 'disk',
      commandLine: 'pintos',
      append: '-q run {test}',
    });
    expect(pintos?.harness.tests).toEqual(truth(PINTOS_DIR).tests);
    expect(pintos?.harness.results.regex?.start).toBe("^Executing '");
    expect(xv6x86?.machine).toMatchObject({ arch: 'i386', profile: 'pc', boot: 'disk' });
    expect(xv6x86?.harness.disks).toEqual([
      { file: '/course/fs.img', interface: 'ide', format: 'raw' },
    ]);
    expect(xv6x86?.harness.tests).toEqual(truth(XV6_X86_DIR).tests);
  });

  it('shows the fixture configs word for word (the configs their integration tests run)', () => {
    const [xv6, pintos, xv6x86] = examples();
    expect(xv6).toBe(shownConfig(XV6_DIR));
    expect(pintos).toBe(shownConfig(PINTOS_DIR));
    expect(xv6x86).toBe(shownConfig(XV6_X86_DIR));
  });

  it('lists the machines that boot a disk as the machine table has them', () => {
    const rows = section('Booting from a disk')
      .split('\n')
      .filter((line) => /^\| [a-z0-9_]/.test(line) && !line.startsWith('| arch '))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const [booting, others] = rows;
    const documented = booting?.[1]
      ?.split(', ')
      .flatMap((arch) => (booting[2] ?? '').split(', ').map((profile) => `${arch} ${profile}`));
    expect(documented?.sort()).toEqual(bootDiskMachines().sort());
    expect(booting?.[3]).toBe('`ide`, index 0');
    expect(others?.[3]).toMatch(/^none/);
  });

  it("lists every machine's firmware choices and disk interfaces as the machine table has them", () => {
    const rows = section('Firmware and disks')
      .split('\n')
      .filter(
        (line) => /^\| [a-z0-9_]+ +\| [a-z0-9]+ +\|/.test(line) && !line.startsWith('| arch '),
      )
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const documented = rows.map(([, arch, profile, , none, disks]) => [
      arch,
      profile,
      none !== 'not accepted',
      disks,
    ]);
    const table = ARCHES.flatMap((arch) =>
      profilesOf(arch).map((profile) => [
        arch,
        profile,
        archMachines(arch).firmware.none !== undefined,
        diskInterfacesOf(arch, profile).join(', '),
      ]),
    );
    expect(documented).toEqual(table);
  });

  it('lists one row per family of the crash-pattern table, by its name', () => {
    const documented = section('Crashes')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !/^\| (family|-)/.test(line))
      .map((line) => line.split('|')[1]?.trim());
    const table = Object.values(CRASH_PATTERNS).map(({ kernels }) => kernels.replace(/ \(.*$/, ''));
    expect(documented).toEqual(table);
  });

  it("says each arch's least memory as the machine table has it", () => {
    const text = section('Exit, memory and the kernel command line').replace(/\s+/g, ' ');
    const said = (arch: string) => Number(new RegExp(`(\\d+)M on ${arch}\\b`).exec(text)?.[1]);
    expect(said('x86')).toBe(archMachines('x86_64').minMemoryMiB);
    expect(said('x86')).toBe(archMachines('i386').minMemoryMiB);
    expect(said('riscv64')).toBe(archMachines('riscv64').minMemoryMiB);
    expect(said('aarch64')).toBe(archMachines('aarch64').minMemoryMiB);
  });
});
