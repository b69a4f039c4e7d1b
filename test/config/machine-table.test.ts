import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { ARCHES, archMachines, profilesOf } from '../../src/model/machines.js';

/** The problems `text` has, one a line, without the file name. */
function problemsOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^diverge\.yml:\d+: /gm, '');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe("the config's machine choices come from the machine table", () => {
  it("names exactly the table's architectures when the arch is unknown", () => {
    expect(problemsOf('machine: { arch: sparc64 }')).toBe(
      `machine.arch: expected one of ${ARCHES.join(', ')}, got "sparc64"`,
    );
  });

  it.each(ARCHES)('accepts every profile of %s, the first by default', (arch) => {
    const machine = (profile: string) =>
      parseConfig(`machine: { arch: ${arch}${profile} }`, 'd.yml').machine;
    expect(machine('').profile).toBe(profilesOf(arch)[0]);
    for (const profile of profilesOf(arch)) {
      expect(machine(`, profile: ${profile}`).profile).toBe(profile);
    }
  });

  it.each(ARCHES)("names exactly %s's profiles when the profile is unknown", (arch) => {
    expect(problemsOf(`machine: { arch: ${arch}, profile: cray }`)).toBe(
      `machine.profile: expected one of ${profilesOf(arch).join(', ')} for ${arch}, got "cray"`,
    );
  });

  it.each(ARCHES)('takes isa-debug-exit on %s only when its machines have one', (arch) => {
    const text = `machine: { arch: ${arch}, exit: isa-debug-exit }`;
    if (archMachines(arch).debugExit)
      expect(parseConfig(text, 'd.yml').machine.exit).toBe('isa-debug-exit');
    else
      expect(problemsOf(text)).toBe(
        `machine.exit: isa-debug-exit needs an x86 machine, not ${arch}`,
      );
  });

  it.each(ARCHES)(
    "puts %s's console device and Linux quirks in the default command line",
    (arch) => {
      const { console, linuxQuirks } = archMachines(arch);
      expect(parseConfig(`machine: { arch: ${arch} }`, 'd.yml').machine.append).toBe(
        `console=${console} panic=-1${linuxQuirks ? ` ${linuxQuirks}` : ''}`,
      );
    },
  );

  it("x86 guests skip Linux's timer check, which a loaded TCG host fails", () => {
    expect(parseConfig('machine: { arch: x86_64 }', 'd.yml').machine.append).toContain(
      'no_timer_check',
    );
  });
});
