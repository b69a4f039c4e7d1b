import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  claimOutDir,
  clearEarlierRun,
  LOCK_FILE,
  OUTPUT_MARK,
  OutDirBusyError,
} from '../../src/util/out-dir.js';

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

describe('claimOutDir marks', () => {
  it('the directory as diverge output, once, so that no build context carries it', async () => {
    const dir = path.join(scratch(), 'out');
    await claimOutDir(dir, () => undefined);
    const mark = path.join(dir, OUTPUT_MARK);
    expect(readFileSync(mark, 'utf8')).toContain(
      'diverge leaves it out of every Docker build context',
    );
    writeFileSync(mark, 'kept\n');
    rmSync(path.join(dir, LOCK_FILE)); // as when the first run ended
    await claimOutDir(dir, () => undefined);
    expect(readFileSync(mark, 'utf8')).toBe('kept\n');
  });
});

describe('clearEarlierRun', () => {
  it("leaves a directory no run wrote to alone, and clears a run's files only", async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'mine.log'), 'a user log');
    await clearEarlierRun(dir, () => undefined);
    expect(existsSync(path.join(dir, 'logs', 'mine.log'))).toBe(true);
    mkdirSync(path.join(dir, 'observations'));
    writeFileSync(path.join(dir, 'observations', 'staff-2.json'), '{}');
    writeFileSync(path.join(dir, 'report.json'), '{}');
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const said: string[] = [];
    await clearEarlierRun(dir, (l) => said.push(l));
    expect(said).toEqual([`--out ${dir}: removed 3 file(s) an earlier run wrote there`]);
    expect(existsSync(path.join(dir, 'observations'))).toBe(false);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });
});
