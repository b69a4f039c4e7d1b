import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { claimOutDir, LOCK_FILE, OutDirBusyError } from '../../src/util/out-dir.js';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'diverge-outdir-'));
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('claimOutDir', () => {
  it('refuses a directory whose lock a live process holds, naming its pid', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid} ${startOf(process.ppid)}\n`);
    await expect(claimOutDir(dir, () => undefined)).rejects.toThrow(
      new OutDirBusyError(
        `--out ${dir} is in use by another diverge run (pid ${process.ppid}, lock file ${path.join(dir, LOCK_FILE)}): wait for it to end, or give another --out`,
      ),
    );
  });

  it('takes over a lock whose pid now belongs to another process (started later)', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid} 1\n`);
    const said: string[] = [];
    await claimOutDir(dir, (l) => said.push(l));
    expect(said).toEqual([
      `--out ${dir}: taking over the lock of a run that is gone (pid ${process.ppid})`,
    ]);
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(
      `${process.pid} ${startOf(process.pid)}\n`,
    );
    expect(existsSync(`${path.join(dir, LOCK_FILE)}.${process.pid}`)).toBe(false);
  });
});
