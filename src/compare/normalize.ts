import type { BuiltinNormalization, LearnedMask } from '../model/report.js';
import { compileGlob } from '../util/glob.js';
/**
 * Output normalisation: what makes two kernels' lines comparable (config `normalize:`), and
 * masks learned from the references' own repeated runs for lines that vary anyway.
 */
export type BuiltinRule = BuiltinNormalization;

export interface NormalizeSettings {
  builtin: BuiltinRule[];
  rules: { match: string; replace: string }[];
  /** Globs of test ids whose lines are compared in any order (as a multiset): sorted. */
  unordered?: readonly string[];
}

export interface Normalizer {
  line(text: string): string;
  lines(lines: string[]): string[];
}

type Rule = readonly [RegExp, string];

/*
 * Built-in rules, applied in this order (rule by rule, each regex over the whole line):
 *
 * | rule           | matches                                          | becomes             |
 * |----------------|--------------------------------------------------|---------------------|
 * | kernel-release | 6.1.0-56-cloud-amd64, 6.12.117+deb12-cloud-amd64,| <release>           |
 * |                | 5.15.0-91-generic, 6.8.0-rc3, 6.9-rc1, 4.19.0,   |                     |
 * |                | 6.1.192-2, and any other a.b.c[-suffix] version  |                     |
 * |                | (gcc 12.2.0 too); IPs and 2-part 2.40 stay       |                     |
 * | timestamps     | [    1.234567] [  T12] [    1.234567][    T1]    | [<ts>]              |
 * |                | 2026-11-16T12:34:56.123Z, 2026-11-16 12:34:56    | <datetime>          |
 * |                | 2026-11-16                                       | <date>              |
 * |                | 12:34:56, 12:34:56.123                           | <time>              |
 * |                | 2.167882181, 1712345678.123456 (>= 6 decimals)   | <ts>                |
 * | addresses      | do_sys_open+0x1f/0x40                            | do_sys_open+<off>   |
 * |                | 0x1234 and longer (0x1f stays)                   | <addr>              |
 * |                | ffff888003a1b2c0, 0000000000000008, 00010246     | <addr>              |
 * |                | (bare 8/16 hex digits with a digit: not deadbeef)|                     |
 * | pids           | pid 84, pid=84, PID: 84, ppid 1, tgid 9, tid 7   | pid <pid> ...       |
 * |                | /proc/123/                                       | /proc/<pid>/        |
 * |                | sh[84]: , init[1] general ... (comm[pid])        | sh[<pid>]:          |
 * | durations      | 12 ms, 3.5s, 250us, 17µs, 1.2 sec, 3 seconds     | <duration>          |
 * | network        | Date: Sun, 06 Dec 2026 17:50:00 GMT (HTTP dates) | <http-date>         |
 * |                | 127.0.0.1:40123, localhost:40123, [::1]:40123,   | ...:<port>          |
 * |                | port 40123, sport=40123 (4-5 digits, >= 1024)    | port <port>         |
 * |                | rtt min/avg/max/mdev = 0.1/0.2/0.3/0.1 ms,       | ... = <rtt> ms      |
 * |                | round-trip min/avg/max = 0.1/0.2/0.3 ms          |                     |
 * |                | ttl=64, TTL 255, hlim=64, hop limit 64           | ttl=<ttl>           |
 *
 * Network rules go first: an HTTP date holds a time, a forwarded port sits after an address.
 * What differs between boots of one service: the host ports diverge chooses per boot (a driver
 * that prints them), round-trip times, the TTL a path derives (user-mode networking answers with
 * its own), and the dates servers put in headers. Well-known ports (80, 443) stay.
 * Release strings go next, so a release is replaced whole before any number-shaped rule looks
 * at its pieces; `Debian 6.1.192-2 (2026-11-16)` ends as `Debian <release> (<date>)`.
 * Datetimes go before dates and times, symbol offsets before bare `0x` numbers. Small plain numbers (`got 41`) never change:
 * they are what tests print as results. `comm[pid]` also catches `buf[3]: ...`; switch `pids`
 * off if a harness prints indexed diagnostics like that.
 */
const RELEASE_SUFFIX = String.raw`[-+~][0-9A-Za-z](?:[\w.+~-]*[0-9A-Za-z])?`;
const HTTP_DATE = String.raw`(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT`;
const BUILTINS: Record<BuiltinRule, readonly Rule[]> = {
  network: [
    [new RegExp(HTTP_DATE, 'g'), '<http-date>'],
    [/(?<=(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}|\blocalhost|\])([:.])[1-9]\d{3,4}(?!\w)/g, '$1<port>'],
    [
      /\b((?:s|d|src|dst|source |destination |host |local |remote )?port)([ =:]\s*)[1-9]\d{3,4}\b/gi,
      '$1$2<port>',
    ],
    [
      /\b(rtt|round-trip) (min\/avg\/max(?:\/mdev|\/stddev)?) = [\d.]+\/[\d.]+\/[\d.]+(?:\/[\d.]+)?/g,
      '$1 $2 = <rtt>',
    ],
    [/\b(ttl|hlim|hop limit)([ =:]\s*)\d{1,3}\b/gi, '$1$2<ttl>'],
  ],
  'kernel-release': [
    [
      new RegExp(
        String.raw`(?<![\w.])\d{1,2}\.\d{1,3}(?:\.\d{1,3}|-rc\d+)(?:${RELEASE_SUFFIX})?(?![\w+~]|[.-]\w)`,
        'g',
      ),
      '<release>',
    ],
  ],
  timestamps: [
    [/\[\s*(?:\d+\.\d{3,}|[TC]\d+)\](?:\[\s*[TC]\d+\])?/g, '[<ts>]'],
    [
      /(?<![\w-])\d{4}-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?(?:Z|[+-][0-2]\d:?[0-5]\d)?(?!\w)/g,
      '<datetime>',
    ],
    [/(?<![\w-])\d{4}-[01]\d-[0-3]\d(?![\w-])/g, '<date>'],
    [/(?<![\w:.])[0-2]?\d:[0-5]\d:[0-5]\d(?:[.,]\d+)?(?![\w:])/g, '<time>'],
    [/(?<![\w.])\d+\.\d{6,}(?![\w.])/g, '<ts>'],
  ],
  addresses: [
    [/(?<=[\w.$])\+0x[0-9a-f]+\/0x[0-9a-f]+(?!\w)/gi, '+<off>'],
    [/(?<!\w)0x[0-9a-f]{4,}(?!\w)/gi, '<addr>'],
    // The lookahead sees only hex letters before its digit, so it cannot look past the word.
    [/(?<![\w-])(?=[a-f]*\d)(?:[0-9a-f]{16}|[0-9a-f]{8})(?![\w-])/gi, '<addr>'],
  ],
  pids: [
    [/\b(p?pid|tgid|tid)(\s*[:=]\s*|\s+)\d+\b/gi, '$1$2<pid>'],
    [/\/proc\/\d+(?!\w)/g, '/proc/<pid>'],
    [/([A-Za-z_][\w./-]*)\[\d+\](?=[:\s]|$)/g, '$1[<pid>]'],
  ],
  durations: [
    [
      /(?<![\w.])\d+(?:\.\d+)? ?(?:seconds?|secs?|msecs?|usecs?|nsecs?|minutes?|mins?|ms|us|µs|μs|ns|s)(?!\w)/g,
      '<duration>',
    ],
  ],
};
const ORDER: readonly BuiltinRule[] = [
  'network',
  'kernel-release',
  'timestamps',
  'addresses',
  'pids',
  'durations',
];

/** Compiles the enabled built-ins (fixed order) and then the user rules (their order) once. */
const MAX_REMEMBERED_LINES = 200_000;

export function makeNormalizer(settings: NormalizeSettings): Normalizer {
  const enabled = new Set(settings.builtin);
  const builtins = ORDER.filter((name) => enabled.has(name)).flatMap((name) => BUILTINS[name]);
  const user: Rule[] = settings.rules.map(({ match, replace }) => {
    try {
      return [new RegExp(match, 'g'), replace];
    } catch (error) {
      throw new Error(`normalize rule ${JSON.stringify(match)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
  // Kernels mostly print the same lines, so each distinct line is normalised once per run.
  const seen = new Map<string, string>();
  // A global regex is safe to share: String#replace starts from lastIndex 0 and resets it.
  const line = (text: string): string => {
    const known = seen.get(text);
    if (known !== undefined) return known;
    let out = text;
    // Every built-in needs a digit; most harness lines have none worth touching.
    if (builtins.length > 0 && /\d/.test(out)) {
      for (const [re, to] of builtins) out = out.replace(re, to);
    }
    for (const [re, to] of user) out = out.replace(re, to);
    if (seen.size < MAX_REMEMBERED_LINES) seen.set(text, out);
    return out;
  };
  return { line, lines: (lines) => lines.map(line) };
}

/**
 * Whether a test's lines are compared in any order (`normalize.unordered`): for tests whose line
 * order is the scheduler's choice, such as equal-priority threads printing in either order.
 */
export function unorderedTests(globs: readonly string[]): (id: string) => boolean {
  const matchers = globs.map(compileGlob);
  const known = new Map<string, boolean>();
  return (id) => {
    let unordered = known.get(id);
    if (unordered === undefined) {
      unordered = matchers.some((match) => match(id));
      known.set(id, unordered);
    }
    return unordered;
  };
}

const LEARNED = '<learned>';
const SEPARATORS = String.raw`,:;=()\[\]{}<>"'`;
const SEP = String.raw`\s` + SEPARATORS;
const SPLIT = new RegExp(String.raw`(\s+|[${SEPARATORS}])`);
// One whole token: a word, a whitespace run or a separator, never a piece of one.
const TOKEN = String.raw`(?:(?<![^${SEP}])[^${SEP}]+(?![^${SEP}])|(?<!\s)\s+(?!\s)|[${SEPARATORS}])`;

const tokenize = (text: string): string[] => text.split(SPLIT).filter((t) => t !== '');

/** The template for one line position whose versions (≥2, not all equal) differ across runs. */
function maskLine(versions: string[]): string {
  const tokenized = versions.map(tokenize);
  const [first, ...rest] = tokenized as [string[], ...string[][]];
  if (rest.some((tokens) => tokens.length !== first.length)) return LEARNED;
  return first
    .map((token, i) => (rest.some((tokens) => tokens[i] !== token) ? LEARNED : token))
    .join('');
}

/**
 * Masks for lines that vary between one reference's own runs of a test: such a line cannot tell
 * kernels apart. Runs of a test are compared only when all have the same number of lines.
 */
export function learnMasks(runsByReference: Map<string, Map<string, string[][]>>): LearnedMask[] {
  const masks: LearnedMask[] = [];
  const seen = new Set<string>();
  for (const [reference, tests] of runsByReference) {
    for (const [test, runs] of tests) {
      const [first] = runs;
      if (first === undefined || runs.length < 2) continue;
      if (runs.some((run) => run.length !== first.length)) continue;
      for (let i = 0; i < first.length; i++) {
        const versions = [...new Set(runs.map((run) => run[i] as string))];
        if (versions.length < 2) continue;
        const template = maskLine(versions);
        const key = `${test}\0${template}`;
        if (seen.has(key)) continue;
        seen.add(key);
        masks.push({ test, template, reference });
      }
    }
  }
  return masks;
}

const compiled = new Map<string, RegExp>();
/** `<learned>` stands for one token; a template that is only `<learned>` stands for any line. */
function templateRegExp(template: string): RegExp {
  let re = compiled.get(template);
  if (re === undefined) {
    const body =
      template === LEARNED
        ? '[\\s\\S]*'
        : template
            .split(LEARNED)
            .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join(TOKEN);
    re = new RegExp(`^${body}$`);
    compiled.set(template, re);
  }
  return re;
}

type Compiled = { template: string; re: RegExp }[];
// Masks grouped by test, per mask list (rebuilt if the list grew): applyMasks runs once per
// (test, kernel, run), so it must not scan every mask each time.
const byTestCache = new WeakMap<LearnedMask[], { size: number; byTest: Map<string, Compiled> }>();

function masksByTest(masks: LearnedMask[]): Map<string, Compiled> {
  const cached = byTestCache.get(masks);
  if (cached?.size === masks.length) return cached.byTest;
  const byTest = new Map<string, Compiled>();
  for (const { test, template } of masks) {
    const list = byTest.get(test) ?? [];
    list.push({ template, re: templateRegExp(template) });
    byTest.set(test, list);
  }
  byTestCache.set(masks, { size: masks.length, byTest });
  return byTest;
}

/** Rewrites each line of `test` that matches one of its masks into that mask's template. */
export function applyMasks(masks: LearnedMask[], test: string, lines: string[]): string[] {
  const own = masksByTest(masks).get(test);
  if (own === undefined) return [...lines];
  return lines.map((line) => own.find(({ re }) => re.test(line))?.template ?? line);
}
