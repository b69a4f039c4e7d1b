/**
 * The crash-pattern table against real console text: each family's panic lines as its kernels
 * print them (taken from their panic() implementations and from boot logs that courses and
 * students published), and the lines of those kernels that must not count as crashes (a user
 * process killed, the simulator's own lines).
 */
import { describe, expect, it } from '@jest/globals';
import {
  CRASH_PATTERNS,
  type CrashFamilyName,
  compileCrashPatterns,
  crashMessage,
} from '../../src/qemu/crash-patterns.js';
import { detectSplat } from '../../src/qemu/splats.js';

/** Per family: lines it prints when the kernel dies, each with the message its fingerprint keeps. */
const PANICS: Record<CrashFamilyName, [line: string, message: string][]> = {
  linux: [
    [
      '[    1.234567] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)',
      'VFS: Unable to mount root fs on unknown-block(0,0)',
    ],
    [
      '[    2.718281] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009',
      'Attempted to kill init! exitcode=0x00000009',
    ],
  ],
  pintos: [
    // debug_panic(): "Kernel PANIC at %s:%d in %s(): ", then PANIC's message (ASSERT's below).
    [
      "Kernel PANIC at ../../threads/thread.c:273 in thread_current(): assertion `is_thread (t)' failed.",
      "../../threads/thread.c:273 in thread_current(): assertion `is_thread (t)' failed.",
    ],
    [
      "Kernel PANIC at ../../lib/kernel/list.c:78 in list_next(): assertion `is_head (elem) || is_interior (elem)' failed.",
      "../../lib/kernel/list.c:78 in list_next(): assertion `is_head (elem) || is_interior (elem)' failed.",
    ],
    // A page fault in kernel context: exception.c's kill() panics.
    [
      'Kernel PANIC at ../../userprog/exception.c:101 in kill(): Kernel bug - unexpected interrupt in kernel',
      '../../userprog/exception.c:101 in kill(): Kernel bug - unexpected interrupt in kernel',
    ],
    // A panic while panicking: "Kernel PANIC recursion at %s:%d in %s().\n".
    [
      'Kernel PANIC recursion at ../../threads/synch.c:198 in lock_acquire().',
      '../../threads/synch.c:198 in lock_acquire().',
    ],
  ],
  xv6: [
    // xv6-riscv kernel/printf.c: printf("panic: "); printf("%s\n", s);
    ['panic: kerneltrap', 'kerneltrap'],
    ['panic: freewalk: leaf', 'freewalk: leaf'],
    // xv6 for x86 console.c: cprintf("lapicid %d: panic: ", lapicid()); older "cpu%d: panic: ".
    ['lapicid 0: panic: acquire', 'acquire'],
    ['cpu1: panic: init exiting', 'init exiting'],
    // usertests prints "test NAME: " and the kernel died before its "OK".
    ['test copyin: panic: kerneltrap', 'kerneltrap'],
  ],
  jos: [
    // kern/init.c _panic(): cprintf("kernel panic at %s:%d: ", file, line); lab 4 on: "on CPU %d".
    [
      'kernel panic at kern/pmap.c:158: PADDR called with invalid kva 00000000',
      'kern/pmap.c:158: PADDR called with invalid kva 00000000',
    ],
    [
      'kernel panic at kern/pmap.c:517: assertion failed: page2pa(pp) != 0',
      'kern/pmap.c:517: assertion failed: page2pa(pp) != 0',
    ],
    [
      'kernel panic on CPU 0 at kern/trap.c:275: page fault in kernel mode',
      'kern/trap.c:275: page fault in kernel mode',
    ],
  ],
  os161: [
    // kern/lib/kprintf.c panic(): kprintf("panic: "); KASSERT's badassert() words it.
    [
      'panic: Assertion failed: fl != fl->next, at ../../vm/kmalloc.c:1134 (subpage_kfree)',
      'Assertion failed: fl != fl->next, at ../../vm/kmalloc.c:1134 (subpage_kfree)',
    ],
    [
      'panic: Fatal exception 3 (TLB miss on store) in kernel mode',
      'Fatal exception 3 (TLB miss on store) in kernel mode',
    ],
    ['panic: Deadlock.', 'Deadlock.'],
  ],
  solo5: [
    // bindings/abort.c _abort() and _assert_fail(), crt.c's stack protector.
    ['Solo5: ABORT: cpu_x86_64.c:182: Fatal trap', 'cpu_x86_64.c:182: Fatal trap'],
    [
      "Solo5: ABORT: mem.c:80: Assertion `heap_start < (uint64_t)&prev' failed",
      "mem.c:80: Assertion `heap_start < (uint64_t)&prev' failed",
    ],
    ['Solo5: ABORT: Stack corruption detected', 'Stack corruption detected'],
    // cpu_x86_64.c and cpu_aarch64.c cpu_trap_handler(): the first line of a fatal trap.
    [
      'Solo5: trap: type=#PF ec=0x2 rip=0x100f3c rsp=0x1fffff30 rflags=0x10002',
      'type=#PF ec=0x2 rip=0x100f3c rsp=0x1fffff30 rflags=0x10002',
    ],
    ['Solo5: Trap: EL1 Synchronous Abort caught', 'EL1 Synchronous Abort caught'],
  ],
};

/** Lines of the same kernels that are not the kernel dying: the kernel goes on. */
const NOT_CRASHES: [kernel: string, line: string][] = [
  ['xv6-riscv: a user process killed', 'usertrap(): unexpected scause 0x000000000000000d pid=3'],
  ['xv6-riscv: its registers', '            sepc=0x0000000000000d6c stval=0x0000000000000000'],
  [
    'xv6 x86: a user process killed',
    'pid 3 sh: trap 14 err 4 on cpu 0 eip 0x1234 addr 0x0--kill proc',
  ],
  [
    'Pintos: a user process killed',
    'bad-read: dying due to interrupt 0x0e (#PF Page-Fault Exception).',
  ],
  [
    'Pintos: a user program panic',
    'User process panic at ../../lib/user/syscall.c:71 in exit(): oops',
  ],
  ['Pintos: a process exits', 'bad-read: exit(-1)'],
  ['JOS: a user environment faults', '[00001000] user fault va 00000000 ip 0080003a'],
  ['JOS: a user program panics', '[00001000] user panic in hello at lib/libmain.c:23: oops'],
  ["Solo5: the application's own abort", 'Solo5: solo5_abort() called'],
  ['Solo5: a normal end', 'Solo5: solo5_exit(0) called'],
  [
    'System/161 after a panic (never on a QEMU console)',
    'sys161: trace: software-requested debugger stop',
  ],
  ['a harness line that mentions a panic', '# no panic: all good'],
  [
    'Linux: a warning',
    '[    5.5] WARNING: CPU: 1 PID: 77 at kernel/fork.c:1234 copy_process+0x1f/0x2a0',
  ],
];

describe('the crash-pattern table', () => {
  it('has a row of real panic lines for every family, and every family has a test', () => {
    expect(Object.keys(PANICS).sort()).toEqual(Object.keys(CRASH_PATTERNS).sort());
  });

  describe.each(Object.keys(CRASH_PATTERNS) as CrashFamilyName[])('%s', (family) => {
    it.each(PANICS[family])('%s', (line, message) => {
      // The family's own patterns recognise it ...
      const own = CRASH_PATTERNS[family].patterns.map((p) =>
        p.exec(line.replace(/^\[[^\]]*\] /, '')),
      );
      expect(own.some((m) => m !== null)).toBe(true);
      // ... and as a console line it is a panic, its message the fingerprint's source.
      const splat = detectSplat(line, 3);
      expect(splat).toMatchObject({ kind: 'panic', line: 3 });
      expect(crashMessage(line.replace(/^\[[^\]]*\] /, ''))).toBe(message);
    });
  });

  it.each(NOT_CRASHES)('%s is not a crash', (_kernel, line) => {
    expect(crashMessage(line)).toBeUndefined();
    expect(detectSplat(line, 1)?.kind).not.toBe('panic');
  });

  it('fingerprints two boots of one panic alike (numbers and addresses stripped)', () => {
    const a = detectSplat(
      'Solo5: trap: type=#PF ec=0x2 rip=0x100f3c rsp=0x1fffff30 rflags=0x10002',
      1,
    );
    const b = detectSplat(
      'Solo5: trap: type=#PF ec=0x2 rip=0x100a00 rsp=0x1ffffe00 rflags=0x10002',
      9,
    );
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(detectSplat('lapicid 1: panic: acquire', 1)?.fingerprint).toBe(
      detectSplat('lapicid 0: panic: acquire', 1)?.fingerprint,
    );
  });
});

describe('harness.crash patterns', () => {
  const configured = compileCrashPatterns(['^FATAL: (.*)', 'guru meditation']);

  it('make a panic of a line no built-in pattern knows, after the built-in ones', () => {
    expect(detectSplat('FATAL: out of frames', 2)).toBeUndefined();
    expect(detectSplat('FATAL: out of frames', 2, configured)).toEqual({
      kind: 'panic',
      message: 'FATAL: out of frames',
      fingerprint: 'panic: out of frames',
      line: 2,
    });
    // Without a group, the whole match is the message.
    expect(crashMessage('*** guru meditation #00000004 ***', configured)).toBe('guru meditation');
    // A built-in pattern still decides a line both know.
    expect(crashMessage('panic: FATAL: x', compileCrashPatterns(['FATAL: (.*)']))).toBe('FATAL: x');
  });
});
