import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export class MissingQemuError extends Error {}

/**
 * Finds a QEMU binary in the search path (the run context's PATH); the error names the Debian
 * package that ships it.
 */
export function findQemu(
  profile: { binary: string; debianPackage: string },
  searchPath: readonly string[],
): Promise<string> {
  return findProgram(profile.binary, profile.debianPackage, searchPath);
}

/**
 * How QEMU is started so that it dies with diverge however diverge dies (even SIGKILL, which
 * leaves no handler to run): util-linux's setpriv sets the parent-death signal, then execs QEMU.
 */
export async function tiedLauncher(searchPath: readonly string[]): Promise<string[]> {
  return [await findProgram('setpriv', 'util-linux', searchPath), '--pdeathsig', 'SIGKILL', '--'];
}

export async function findProgram(
  name: string,
  debianPackage: string,
  searchPath: readonly string[],
): Promise<string> {
  for (const dir of searchPath) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new MissingQemuError(
    `${name} not found on PATH: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
  );
}

/** `QEMU emulator version 7.2.22 (...)` → `7.2.22`. */
export async function qemuVersion(binary: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (error, stdout) => {
      resolve(error ? 'unknown' : (/version (\S+)/.exec(stdout)?.[1] ?? 'unknown'));
    });
  });
}
