import { describe, expect, it } from '@jest/globals';
import {
  applyMasks,
  learnMasks,
  makeNormalizer,
  type BuiltinRule,
} from '../../src/compare/normalize.js';

const ALL: BuiltinRule[] = [
  'timestamps',
  'addresses',
  'pids',
  'kernel-release',
  'durations',
  'network',
];
const all = makeNormalizer({ builtin: ALL, rules: [] });
const without = (off: BuiltinRule) =>
  makeNormalizer({ builtin: ALL.filter((rule) => rule !== off), rules: [] });

// Real Debian 6.1 and 6.12 boot/diagnostic lines, with what each must become.
const CASES: [string, string][] = [
  [
    '[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)',
    '[<ts>] Linux version <release> (debian-kernel@lists.debian.org) (gcc-12 (Debian <release>) <release>, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian <release> (<date>)',
  ],
  [
    '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
    '[<ts>] BIOS-e820: [mem <addr>-<addr>] usable',
  ],
  ['[    1.234567][    T1] Run /init as init process', '[<ts>] Run /init as init process'],
  ['[  T12] kworker started', '[<ts>] kworker started'],
  ['# pid 84', '# pid <pid>'],
  ['# release 6.1.0-56-cloud-amd64', '# release <release>'],
  ['# monotonic 2.167882181', '# monotonic <ts>'],
  ['# realtime 1712345678.123456', '# realtime <ts>'],
  [
    '    # example_failing_test: EXPECTATION FAILED at lib/foo.c:123',
    '    # example_failing_test: EXPECTATION FAILED at lib/foo.c:123',
  ],
  [
    'BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'BUG: kernel NULL pointer dereference, address: <addr>',
  ],
  ['[   12.345678] Oops: 0002 [#1] PREEMPT SMP NOPTI', '[<ts>] Oops: 0002 [#1] PREEMPT SMP NOPTI'],
  ['RIP: 0010:do_sys_openat2+0x1f/0x40', 'RIP: 0010:do_sys_openat2+<off>'],
  ['RSP: 0018:ffffc90000013e38 EFLAGS: 00010246', 'RSP: 0018:<addr> EFLAGS: <addr>'],
  [
    'CPU: 0 PID: 84 Comm: sh Not tainted 6.12.117+deb12-cloud-amd64 #1',
    'CPU: 0 PID: <pid> Comm: sh Not tainted <release> #1',
  ],
  [
    'sh[84]: segfault at 0 ip 000055d2c1a4b2c0 sp 00007ffd5e0c1a10 error 4',
    'sh[<pid>]: segfault at 0 ip <addr> sp <addr> error 4',
  ],
  ['traps: init[1] general protection fault', 'traps: init[<pid>] general protection fault'],
  [
    '/proc/123/status pid=5 tid 7 PID: 9 pid: 10 ppid 1',
    '/proc/<pid>/status pid=<pid> tid <pid> PID: <pid> pid: <pid> ppid <pid>',
  ],
  [
    'took 42ms, 12 ms, 3.5s, 250us, 17µs, 1.2 sec, 3 seconds',
    'took <duration>, <duration>, <duration>, <duration>, <duration>, <duration>, <duration>',
  ],
  [
    'at 2026-11-16T12:34:56.123Z, 2026-11-16 12:34:56, 12:34:56 and 01:02:03.5',
    'at <datetime>, <datetime>, <time> and <time>',
  ],
  [
    '5.15.0-91-generic 6.8.0-rc3 6.9-rc1 4.19.0 ends 6.1.0-56-cloud-amd64.',
    '<release> <release> <release> <release> ends <release>.',
  ],
  // What differs between boots of one network service: ports chosen per boot, round-trip
  // times, TTLs, HTTP dates. Well-known ports stay.
  [
    'Date: Sun, 06 Dec 2026 17:50:00 GMT and Last-Modified: Mon, 30 Nov 2026 08:01:02 GMT',
    'Date: <http-date> and Last-Modified: <http-date>',
  ],
  [
    'GET http://127.0.0.1:40123/ via localhost:51234 and [::1]:40999, guest 10.0.2.15:80',
    'GET http://127.0.0.1:<port>/ via localhost:<port> and [::1]:<port>, guest 10.0.2.15:80',
  ],
  ['tcpdump 10.0.2.2.40123 > 10.0.2.15.80', 'tcpdump 10.0.2.2.<port> > 10.0.2.15.80'],
  [
    'listening on port 40123, sport=51000 dport 80',
    'listening on port <port>, sport=<port> dport 80',
  ],
  [
    '64 bytes from 10.0.0.2: icmp_seq=1 ttl=255 time=0.512 ms',
    '64 bytes from 10.0.0.2: icmp_seq=1 ttl=<ttl> time=<duration>',
  ],
  ['rtt min/avg/max/mdev = 0.301/0.512/0.833/0.210 ms', 'rtt min/avg/max/mdev = <rtt> ms'],
  ['round-trip min/avg/max = 0.3/0.5/0.8 ms', 'round-trip min/avg/max = <rtt> ms'],
  // Results, not noise: small numbers, errno names, IPs, MACs, short hex and hex words stay.
  [
    'errno ENOSYS got 41 want 42 wrote 1 sectors 10.0.2.15 52:54:00:12:34:56 0x1f deadbeef v1.2',
    'errno ENOSYS got 41 want 42 wrote 1 sectors 10.0.2.15 52:54:00:12:34:56 0x1f deadbeef v1.2',
  ],
];

describe('makeNormalizer built-ins', () => {
  it.each(CASES)('%s', (input, expected) => {
    expect(all.line(input)).toBe(expected);
  });

  it('leaves lines without digits alone, and lines() maps line()', () => {
    expect(all.lines(['ok 1 - open', 'not ok: no such file', ''])).toEqual([
      'ok 1 - open',
      'not ok: no such file',
      '',
    ]);
  });

  it('switching a built-in off leaves its text alone', () => {
    expect(without('pids').line('# pid 84 at 0xffff8880')).toBe('# pid 84 at <addr>');
    expect(without('addresses').line('# pid 84 at 0xffff8880')).toBe('# pid <pid> at 0xffff8880');
    expect(without('kernel-release').line('# release 6.1.0-56-cloud-amd64')).toBe(
      '# release 6.1.0-56-cloud-amd64',
    );
    expect(without('timestamps').line('[    1.234567] took 3.5s')).toBe(
      '[    1.234567] took <duration>',
    );
    expect(without('durations').line('[    1.234567] took 3.5s')).toBe('[<ts>] took 3.5s');
    const none = makeNormalizer({ builtin: [], rules: [] });
    for (const [input] of CASES) expect(none.line(input)).toBe(input);
  });

  it('keeps a release whole, and the Debian version tail becomes release + date', () => {
    const tail = (v: string, d: string) => `#1 SMP PREEMPT_DYNAMIC Debian ${v} (${d})`;
    expect(all.line(tail('6.1.192-2', '2026-11-16'))).toBe(
      '#1 SMP PREEMPT_DYNAMIC Debian <release> (<date>)',
    );
    expect(all.line(tail('6.12.57-1', '2025-11-05'))).toBe(
      all.line(tail('6.1.192-2', '2026-11-16')),
    );
  });
});

describe('makeNormalizer user rules', () => {
  it('applies user rules after the built-ins, in order, globally, with groups', () => {
    const n = makeNormalizer({
      builtin: ['pids'],
      rules: [
        { match: 'took (\\d+) ms', replace: 'took <ms>' },
        { match: '(\\w+)@(\\w+)', replace: '$2:$1' },
        { match: '<pid>', replace: 'P' }, // sees the built-in's output
        { match: 'b:a', replace: 'swapped' }, // sees the previous rule's output
      ],
    });
    expect(n.line('a@b took 12 ms, took 3 ms (pid 9) c@d')).toBe(
      'swapped took <ms>, took <ms> (pid P) d:c',
    );
  });

  it('names a user rule that is not a regular expression', () => {
    expect(() => makeNormalizer({ builtin: [], rules: [{ match: '(', replace: '' }] })).toThrow(
      /normalize rule "\(":/,
    );
  });
});

describe('normalisation across kernels', () => {
  const run = (release: string, pid: number, ts: string, result: string) => [
    `[${ts}] Linux version ${release} (debian-kernel@lists.debian.org)`,
    `# release ${release}`,
    `# pid ${pid}`,
    `# monotonic ${ts}123`,
    result,
    `ok 1 getpid`,
  ];

  it('makes outputs equal when only pids, releases and timestamps differ', () => {
    const a = run('6.1.0-56-cloud-amd64', 84, '    1.234567', '# errno ENOSYS got 41');
    const b = run('6.12.117+deb12-cloud-amd64', 91, '    0.987654', '# errno ENOSYS got 41');
    expect(all.lines(a)).toEqual(all.lines(b));
    expect(a).not.toEqual(b);
  });

  it('keeps different results different', () => {
    const base = run('6.1.0-56-cloud-amd64', 84, '    1.234567', '# errno ENOSYS got 41');
    for (const result of ['# errno EBADF got 41', '# errno ENOSYS got 42']) {
      const other = run('6.12.117+deb12-cloud-amd64', 91, '    0.987654', result);
      expect(all.lines(other)).not.toEqual(all.lines(base));
    }
  });

  it('is a plain function of the line (no state carried between lines or calls)', () => {
    const lines = CASES.map(([input]) => input);
    const many = Array.from({ length: 2000 }, (_, i) => lines[i % lines.length] as string);
    const once = all.lines(lines);
    expect(all.lines(many)).toEqual(many.map((_, i) => once[i % lines.length]));
  });
});

describe('learned masks', () => {
  const staff = (monotonic: string, order: string) => [
    'ok 1 clock',
    `# monotonic ${monotonic} s`,
    `# order: ${order}`,
    '# errno ENOSYS',
  ];

  it('learns one mask per varying line from a reference with repeated runs', () => {
    const masks = learnMasks(
      new Map([
        [
          'staff',
          new Map([
            ['clock', [staff('2.16', 'a b c'), staff('2.20', 'a b c d'), staff('2.16', 'a b c')]],
            ['single', [['# x 1']]],
          ]),
        ],
        ['base', new Map([['clock', [staff('3.01', 'a b c'), staff('2.99', 'b a c d')]]])],
      ]),
    );
    expect(masks).toEqual([
      { test: 'clock', template: '# monotonic <learned> s', reference: 'staff' },
      { test: 'clock', template: '<learned>', reference: 'staff' },
    ]);
  });

  it('masks every token position that differs, keeping separators', () => {
    const masks = learnMasks(
      new Map([
        [
          'staff',
          new Map([
            [
              't',
              [
                ['# took: 12 (cpu=0) [fast]'],
                ['# took: 13 (cpu=1) [fast]'],
                ['# took: 13 (cpu=0) [slow]'],
              ],
            ],
          ]),
        ],
      ]),
    );
    expect(masks.map((mask) => mask.template)).toEqual([
      '# took: <learned> (cpu=<learned>) [<learned>]',
    ]);
  });

  it('learns nothing when the runs have different numbers of lines', () => {
    const runs = [staff('2.16', 'a'), [...staff('2.20', 'b'), '# extra']];
    expect(learnMasks(new Map([['staff', new Map([['clock', runs]])]]))).toEqual([]);
  });

  it('applies masks learned from two runs to a third kernel of the same test only', () => {
    const masks = learnMasks(
      new Map([['staff', new Map([['clock', [staff('2.16', 'a'), staff('2.20', 'a')]]])]]),
    );
    expect(masks).toEqual([
      { test: 'clock', template: '# monotonic <learned> s', reference: 'staff' },
    ]);
    const candidate = ['ok 1 clock', '# monotonic 9.75 s', '# order: z', '# errno EBADF'];
    expect(applyMasks(masks, 'clock', candidate)).toEqual([
      'ok 1 clock',
      '# monotonic <learned> s',
      '# order: z',
      '# errno EBADF',
    ]);
    // One token only, literal tokens equal, anchored at both ends.
    expect(
      applyMasks(masks, 'clock', [
        '# monotonic 9 75 s',
        '# monotonic 9.75 ms',
        'x # monotonic 9.75 s',
        '# monotonic  s',
      ]),
    ).toEqual([
      '# monotonic 9 75 s',
      '# monotonic 9.75 ms',
      'x # monotonic 9.75 s',
      '# monotonic  s',
    ]);
    expect(applyMasks(masks, 'other', candidate)).toEqual(candidate);
  });

  it('a whole-line mask stands for any line of its test', () => {
    const masks = [{ test: 't', template: '<learned>', reference: 'staff' }];
    expect(applyMasks(masks, 't', ['a b', ''])).toEqual(['<learned>', '<learned>']);
  });

  it('matches templates literally, regex characters included', () => {
    const masks = [{ test: 't', template: 'a.b* (x=<learned>) $1', reference: 'r' }];
    expect(applyMasks(masks, 't', ['a.b* (x=7) $1', 'aXb* (x=7) $1', 'a.b* (x=7,8) $1'])).toEqual([
      'a.b* (x=<learned>) $1',
      'aXb* (x=7) $1',
      'a.b* (x=7,8) $1',
    ]);
  });
});
