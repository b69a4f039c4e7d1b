import { describe, expect, it } from '@jest/globals';
import { detectSplat } from '../../src/qemu/splats.js';

describe('detectSplat', () => {
  it.each([
    ['panic: kfree: page 0x8011c000 not aligned', 'panic', 'panic: kfree: page _ not aligned'],
    [
      '[    1.234567] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)',
      'panic',
      'panic: VFS: Unable to mount root fs on unknown-block(N,N)',
    ],
    [
      '[    2.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
      'bug',
      'bug: kernel NULL pointer dereference, address: _',
    ],
    [
      '[    3.1] BUG: KASAN: slab-out-of-bounds in foo_write+0x1c/0x40',
      'kasan',
      'kasan: slab-out-of-bounds in foo_write+_/_',
    ],
    [
      '[   23.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]',
      'soft-lockup',
      'soft-lockup: CPU#N stuck for Ns!',
    ],
    [
      '[    5.5] WARNING: CPU: 1 PID: 77 at kernel/fork.c:1234 copy_process+0x1f/0x2a0',
      'warning',
      'warning: kernel/fork.c:N copy_process+_/_',
    ],
    [
      '[   60.0] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:',
      'rcu-stall',
      'rcu-stall: rcu_sched detected stalls on CPUs/tasks:',
    ],
    ['[    4.0] Oops: 0002 [#1] PREEMPT SMP NOPTI', 'oops', 'oops: N [#N] PREEMPT SMP NOPTI'],
    ['[    4.0] Internal error: Oops: 96000005 [#1] SMP', 'oops', 'oops: _ [#N] SMP'],
    [
      '[  120.0] INFO: task kworker/0:1:12 blocked for more than 120 seconds.',
      'hung-task',
      'hung-task: kworker/N:N:N',
    ],
  ])('%s', (line, kind, fingerprint) => {
    const splat = detectSplat(line, 7);
    expect(splat?.kind).toBe(kind);
    expect(splat?.fingerprint).toBe(fingerprint);
    expect(splat?.line).toBe(7);
  });

  it('gives two runs of the same bug the same fingerprint', () => {
    const a = detectSplat(
      '[    2.1] BUG: unable to handle page fault for address: ffff8880deadbeef',
      1,
    );
    const b = detectSplat(
      '[    9.9] BUG: unable to handle page fault for address: ffff888012345678',
      1,
    );
    expect(a?.fingerprint).toBe(b?.fingerprint);
  });

  it('ignores ordinary lines', () => {
    expect(
      detectSplat('[    0.000000] Linux version 6.1.0 (debian-kernel@lists.debian.org)', 1),
    ).toBeUndefined();
    expect(detectSplat('ok 3 debug_bug_counter', 1)).toBeUndefined();
    expect(detectSplat('# no panic: all good', 1)).toBeUndefined();
  });
});
