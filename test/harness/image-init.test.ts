import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { initScript } from '../../src/harness/image.js';
import { ARCHES, machineProfile, profilesOf } from '../../src/model/machines.js';

/** The script's command line, run by a real shell with the results going to stdout. */
function runCommandLine(script: string): string {
  const line = script.split('\n').find((l) => l.includes('>>"$out" 2>&1'));
  if (!line) throw new Error('no command line in the script');
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'diverge-init-')), 'results');
  execFileSync('sh', ['-c', `out=${out}\n${line}`]);
  return readFileSync(out, 'utf8');
}

describe('the generated /init of a harness image', () => {
  it("runs the image's ENTRYPOINT and CMD with every argument intact", () => {
    const script = initScript(
      { argv: ['printf', '%s|', "it's", 'a b', '$HOME', '`id`'], env: [], workdir: '/' },
      'console',
    );
    expect(runCommandLine(script)).toBe("it's|a b|$HOME|`id`|");
  });

  it('exports the image environment and works in its WORKDIR', () => {
    const script = initScript(
      { argv: ['/bin/true'], env: ["GREETING=hello 'world'"], workdir: '/opt/tests' },
      'console',
    );
    expect(script).toContain("export 'GREETING=hello '\\''world'\\'''");
    expect(script).toContain("cd '/opt/tests' || exit 1");
    const exported = execFileSync(
      'sh',
      [
        '-c',
        `${script.split('\n').find((l) => l.startsWith("export 'GREETING"))}\nprintf %s "$GREETING"`,
      ],
      { encoding: 'utf8' },
    );
    expect(exported).toBe("hello 'world'");
  });

  it("frames the command's results with the boot's token, given on the kernel command line", () => {
    const script = initScript({ argv: ['echo', 'ok 1 a'], env: [], workdir: '/' }, 'console');
    const lines = script.split('\n');
    const from = lines.findIndex((l) => l.startsWith('token='));
    const to = lines.findIndex((l) => l.startsWith('echo "diverge: harness exited'));
    const run = (env: NodeJS.ProcessEnv) => {
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'diverge-init-')), 'results');
      const part = lines.slice(from, to).join('\n');
      execFileSync('sh', ['-c', `out=${out}\n${part}\ntrue`], { env });
      return readFileSync(out, 'utf8');
    };
    // Linux hands `diverge_token=…` to init in its environment.
    expect(run({ PATH: process.env.PATH, diverge_token: 'c0ffee' })).toBe(
      '# diverge-token: c0ffee\nok 1 a\n# diverge-token: c0ffee\n',
    );
    // Without it (another kernel's handling), /proc/cmdline is read: the host's has no token.
    expect(run({ PATH: process.env.PATH })).toBe('ok 1 a\n');
  });

  it('sends results to the second serial port or virtio console when the channel is serial2', () => {
    expect(initScript({ argv: ['t'], env: [], workdir: '/' }, 'serial2')).toContain(
      'for dev in /dev/ttyS1 /dev/hvc0',
    );
    expect(initScript({ argv: ['t'], env: [], workdir: '/' }, 'console')).not.toContain('ttyS1');
  });

  it("tries the second serial port's guest device of every machine in the table", () => {
    const tried = /for dev in ([^;]*);/
      .exec(initScript({ argv: ['t'], env: [], workdir: '/' }, 'serial2'))?.[1]
      ?.split(' ');
    for (const arch of ARCHES) {
      for (const profile of profilesOf(arch)) {
        expect(tried).toContain(machineProfile(arch, profile).serial2.guest);
      }
    }
  });
});
