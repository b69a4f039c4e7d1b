/**
 * docs/config.md's teaching-kernel sections say what the code does: the example configs load,
 * the xv6-riscv example is the fixture config test/integration/xv6-riscv.test.ts runs, and the
 * firmware and disk table is the machine table's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { ARCHES, archMachines, diskInterfacesOf, profilesOf } from '../../src/model/machines.js';
import { CRASH_PATTERNS } from '../../src/qemu/crash-patterns.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const DOC = readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8');
const XV6_DIR = path.join(REPO_ROOT, 'fixtures/xv6-riscv');
const XV6_TRUTH = JSON.parse(readFileSync(path.join(XV6_DIR, 'variants.json'), 'utf8')) as {
  tests: string[];
};
const section = (title: string) => {
  const start = DOC.indexOf(`## ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
};

describe('docs/config.md for teaching kernels', () => {
  it('has an xv6-style and a Pintos-style example that load as documented', () => {
    const blocks = [
      ...section('Examples for teaching kernels').matchAll(/```yaml\n([\s\S]*?)```/g),
    ];
    expect(blocks).toHaveLength(2);
    const [xv6, pintos] = blocks.map(([, yaml]) =>
      parseConfig(yaml as string, '/course/diverge.yml'),
    );
    expect(xv6?.machine).toMatchObject({ arch: 'riscv64', firmware: 'none' });
    expect(xv6?.harness.disks).toEqual([
      { file: '/course/fs.img', interface: 'virtio-mmio', format: 'raw' },
    ]);
    expect(xv6?.harness.tests).toEqual(XV6_TRUTH.tests);
    expect(xv6?.harness.script.map((s) => s.send)).toEqual(['{test}\n']);
    expect(pintos?.machine.append).toBe('-q run {test}');
    expect(pintos?.harness.tests).toHaveLength(4);
    expect(pintos?.harness.results.regex?.start).toBe("^Executing '");
  });

  it('shows the xv6-riscv fixture config word for word (the config its integration test runs)', () => {
    const [xv6] = section('Examples for teaching kernels').matchAll(/```yaml\n([\s\S]*?)```/g);
    // All but the fixture's first line, which names the schema by a path inside this repository.
    const fixture = readFileSync(path.join(XV6_DIR, 'diverge.yml'), 'utf8');
    expect(xv6?.[1]).toBe(fixture.replace(/^# yaml-language-server: .*\n/, ''));
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
