/**
 * One tokeniser and tree builder for TAP 13/14 and KTAP 1: the dialects share the grammar of
 * version, plan, result, diagnostic and subtest lines and differ only in a few options.
 */
import { stripPrintk, uniqueIds } from './common.js';
import type { HarnessProgress } from '../model/boot.js';
import type { ParseResult, TestObservation, TestStatus } from '../model/results.js';

export interface TapDialect {
  /** KTAP: a result needs a test number and should follow a version line. */
  strict: boolean;
  /** TAP: a `---` … `...` block indented under a result belongs to that result. */
  yamlBlocks: boolean;
}

type Token =
  | { kind: 'version' }
  | { kind: 'plan'; count: number }
  | { kind: 'result'; number?: number; status: TestStatus; name: string; directive?: string }
  | { kind: 'subtest'; name: string }
  | { kind: 'diagnostic'; text: string }
  | { kind: 'bailout'; reason: string };

// The `s` flag keeps `.` from stopping at stray U+2028 and friends inside a line.
const VERSION = /^(?:KTAP version \d+|TAP version 1[34])$/;
const PLAN = /^1\.\.(\d+)(?:\s*#.*)?$/s;
const RESULT = /^(not +)?ok(?:\s+(\d+))?(?=\s|$)(?:\s+-(?=\s|$))?(.*)$/s;
const DIRECTIVE = /^(skip(?:ped|ping)?|todo|xfail|timeout|error)\b/i;
const SUBTEST = /^#\s*Subtest:(.*)$/s;
const BAIL_OUT = /^Bail out!(.*)$/is;
const DIAGNOSTIC = /^# ?(.*)$/s;
/** A bigger plan is garbage: honouring it would allocate a placeholder per planned test. */
const MAX_PLAN = 100_000;
/** Placeholders for planned tests never reported, over the whole stream: they bubble up nests. */
const MAX_PLACEHOLDERS = 10_000;
/** Subtest levels kept (KTAP nests two or three): each level renames every test under it. */
export const MAX_DEPTH = 32;

function tokenise(text: string, strict: boolean): Token | undefined {
  if (VERSION.test(text)) return { kind: 'version' };
  const plan = PLAN.exec(text);
  if (plan) return { kind: 'plan', count: Number(plan[1]) };
  const result = RESULT.exec(text);
  if (result) return resultToken(result, strict);
  const subtest = SUBTEST.exec(text);
  if (subtest) return { kind: 'subtest', name: (subtest[1] ?? '').trim() };
  const bailOut = BAIL_OUT.exec(text);
  if (bailOut) return { kind: 'bailout', reason: (bailOut[1] ?? '').trim() };
  const diagnostic = DIAGNOSTIC.exec(text);
  if (diagnostic) return { kind: 'diagnostic', text: diagnostic[1] ?? '' };
  return undefined;
}

function resultToken([, not, digits, rest = '']: RegExpExecArray, strict: boolean) {
  if (digits === undefined && strict) return undefined;
  // An unescaped `#` after whitespace starts the directive or a comment (`# time=3ms`); neither
  // belongs in the name, which must stay stable across runs.
  const hash = rest.search(/(?:^|\s)#/);
  const name = (hash < 0 ? rest : rest.slice(0, hash)).trim().replace(/\\([\\#])/g, '$1');
  const comment = hash < 0 ? '' : rest.slice(hash).replace(/^\s*#/, '').trim();
  const keyword = DIRECTIVE.exec(comment)?.[1]?.toLowerCase();
  let status: TestStatus = not ? 'fail' : 'pass';
  if (keyword?.startsWith('skip')) status = 'skip';
  else if (keyword === 'timeout') status = 'fail';
  else if (keyword === 'error') status = 'error';
  return {
    kind: 'result',
    number: digits === undefined ? undefined : Number(digits),
    status,
    name,
    ...(keyword ? { directive: comment } : {}),
  } satisfies Token;
}

function indentation(line: string): { cols: number; text: string } {
  const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
  const tabs = lead.split('\t').length - 1;
  return { cols: lead.length + 3 * tabs, text: line.slice(lead.length).trimEnd() };
}

/** One (sub)test document: the tests at one indentation. */
interface Frame {
  /** Columns of indentation (a tab counts 4): KTAP nests by 4, kunit_tool's own logs by 2. */
  indent: number;
  /** Id of the enclosing frame; undefined for the top level. */
  parentId?: string;
  /** Number this subtest will have in its parent, for a name of last resort. */
  number: number;
  /** From `# Subtest:`; the parent's result line, when it comes, names the subtest instead. */
  name?: string;
  version: boolean;
  plan?: number;
  last: number;
  count: number;
  numbers: Set<number>;
  /** Leaf tests, with ids relative to this frame. */
  tests: TestObservation[];
  /** Diagnostics waiting for the result line that follows them. */
  diagnostics: string[];
  /** A subtest whose lines ended, waiting for its result line at this level. */
  closed?: Frame;
  /** `# Subtest:` name announced at this level for the subtest indented below it. */
  header?: string;
}

function newFrame(indent: number, parent?: Frame): Frame {
  return {
    indent,
    parentId: parent && frameId(parent),
    number: (parent?.last ?? 0) + 1,
    name: parent?.header || undefined,
    version: false,
    last: 0,
    count: 0,
    numbers: new Set(),
    tests: [],
    diagnostics: [],
  };
}

function frameId(frame: Frame): string {
  if (frame.parentId === undefined) return '';
  const name = frame.name ?? `#${frame.number}`;
  return frame.parentId ? `${frame.parentId}.${name}` : name;
}

/** Prefix for problems inside a frame. */
function where(frame: Frame): string {
  return frame.parentId === undefined ? '' : `${frameId(frame)}: `;
}

function fresh(frame: Frame): boolean {
  return frame.plan === undefined && frame.count === 0 && !frame.closed && !frame.header;
}

export function parseTapStream(lines: string[], dialect: TapDialect): ParseResult {
  const stream = new TapStream(dialect);
  for (const line of lines) if (!stream.feed(line)) break;
  return stream.finish();
}

/**
 * Follows a stream line by line while the boot runs, with the parser's tokeniser. Every result
 * line counts towards `maxTests`, nested or not: the one past it is `too-many`. An unindented
 * version, plan or result line says the harness started; the first top-level plan (one the
 * parser keeps), once as many top-level results have come, says the stream is complete.
 */
export function tapProgress(dialect: TapDialect, maxTests: number): HarnessProgress {
  let planned: number | undefined;
  let reported = 0;
  let seen = 0;
  return (raw) => {
    const { cols, text } = indentation(stripPrintk(raw));
    const token = tokenise(text, dialect.strict);
    if (token?.kind === 'result' && ++seen > maxTests) return 'too-many';
    if (cols > 0 || !token || !PROGRESS_TOKENS.has(token.kind)) return 'none';
    if (token.kind === 'plan' && planned === undefined && token.count <= MAX_PLAN) {
      planned = token.count;
    }
    if (token.kind === 'result') reported += 1;
    return planned !== undefined && reported >= planned ? 'complete' : 'started';
  };
}

/** Lines of a stream's structure; diagnostics and subtest headers say nothing of progress. */
const PROGRESS_TOKENS: ReadonlySet<Token['kind']> = new Set(['version', 'plan', 'result']);

class TapStream {
  private readonly tests: TestObservation[] = [];
  private readonly problems: string[] = [];
  private complete = true;
  /** Whether any version, plan or result line was seen. */
  private found = false;
  private sawVersion = false;
  private stack: Frame[] = [newFrame(0)];
  /** Whether the current document has had a structural line (and so fixed its indentation). */
  private started = false;
  private lastResult?: { test: TestObservation; cols: number };
  private placeholders = MAX_PLACEHOLDERS;
  private tooDeep = false;
  private yaml?: { test: TestObservation; cols: number };

  constructor(private readonly dialect: TapDialect) {}

  private get root(): Frame {
    return this.stack[0] as Frame;
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  /** Takes one console line; false once the stream has bailed out. */
  feed(raw: string): boolean {
    const { cols, text } = indentation(stripPrintk(raw));
    if (this.yaml ? this.continueYaml(this.yaml, cols, text) : this.startYaml(cols, text)) {
      return true;
    }
    const token = tokenise(text, this.dialect.strict);
    if (!token) {
      this.continuation(cols, text);
      return true;
    }
    this.lastResult = undefined;
    if (token.kind === 'diagnostic') {
      this.frameAt(cols).diagnostics.push(token.text);
      return true;
    }
    if (token.kind === 'bailout') {
      this.found = true;
      this.incomplete(token.reason ? `bail out: ${token.reason}` : 'bail out');
      return false;
    }
    if (token.kind !== 'subtest') this.found = true;
    if (token.kind === 'version' && this.started && cols <= this.root.indent && !fresh(this.root)) {
      this.finishDocument(); // a second document, e.g. kselftest after kunit
    }
    if (!this.started) {
      // A document indented as a whole is still a top-level document.
      this.root.indent = cols;
      this.started = true;
    }
    const indent = Math.max(cols, this.root.indent);
    this.popTo(indent);
    if (indent > this.top.indent && this.stack.length >= MAX_DEPTH) {
      if (!this.tooDeep) this.problem(`subtests nested deeper than ${MAX_DEPTH} levels ignored`);
      this.tooDeep = true;
      return true;
    }
    if (indent > this.top.indent) this.push(indent);
    this.handle(this.top, token, cols);
    return true;
  }

  finish(): ParseResult {
    if (this.started) this.finishDocument();
    if (!this.found) {
      return {
        tests: [],
        complete: false,
        problems: ['no KTAP/TAP version line or results found'],
      };
    }
    uniqueIds(this.tests, this.problems);
    return { tests: this.tests, complete: this.complete, problems: this.problems };
  }

  private handle(frame: Frame, token: Token, cols: number): void {
    switch (token.kind) {
      case 'version':
        this.sawVersion = true;
        if (frame.version || !fresh(frame)) this.problem(`${where(frame)}unexpected version line`);
        frame.version = true;
        break;
      case 'subtest':
        if (!token.name) break;
        // kunit prints the header inside the subtest, TAP 14 producers often just above it.
        if (frame.parentId !== undefined && frame.name === undefined && fresh(frame)) {
          frame.name = token.name;
        } else {
          if (frame.closed) this.adoptUnfinished(frame);
          frame.header = token.name;
        }
        break;
      case 'plan':
        if (token.count > MAX_PLAN) {
          this.problem(`${where(frame)}implausible plan 1..${token.count} ignored`);
        } else if (frame.plan !== undefined) {
          this.problem(`${where(frame)}second plan ignored`);
        } else {
          frame.plan = token.count;
        }
        break;
      case 'result':
        this.result(frame, token, cols);
        break;
    }
  }

  private result(frame: Frame, token: Extract<Token, { kind: 'result' }>, cols: number): void {
    const expected = frame.last + 1;
    const number = token.number ?? expected;
    if (this.dialect.strict && !this.sawVersion) {
      this.problem('result line before any KTAP version line');
      this.sawVersion = true; // say it once
    }
    if (number !== expected) {
      this.problem(`${where(frame)}test ${number} out of order (expected ${expected})`);
    }
    const test: TestObservation = {
      id: token.name || `#${number}`,
      status: token.status,
      output: frame.diagnostics,
      ...(token.directive ? { directive: token.directive } : {}),
    };
    frame.diagnostics = [];
    frame.header = undefined;
    this.count(frame, number);
    const child = frame.closed;
    frame.closed = undefined;
    if (child) this.adopt(frame, child, test.id, test);
    else frame.tests.push(test);
    this.lastResult = { test, cols };
  }

  private count(frame: Frame, number: number): void {
    frame.last = number;
    frame.numbers.add(number);
    frame.count++;
  }

  /** Moves a finished subtest's leaves into its parent, or the subtest itself if it has none. */
  private adopt(parent: Frame, child: Frame, name: string, result?: TestObservation): void {
    child.name = name;
    this.checkPlan(child);
    if (child.tests.length === 0) {
      parent.tests.push(result ?? { id: name, status: 'missing', output: [] });
      return;
    }
    const bad = (t: TestObservation) => t.status !== 'pass' && t.status !== 'skip';
    if (result && bad(result) && !child.tests.some(bad)) {
      this.problem(`${frameId(child)}: reported ${result.status} although none of its tests did`);
    }
    for (const test of child.tests) parent.tests.push({ ...test, id: `${name}.${test.id}` });
  }

  /** A subtest that ended without its result line: the stream was cut or garbled. */
  private adoptUnfinished(parent: Frame): void {
    const child = parent.closed as Frame;
    parent.closed = undefined;
    this.count(parent, parent.last + 1);
    this.incomplete(`${frameId(child)}: no result line for this subtest`);
    this.adopt(parent, child, child.name ?? `#${child.number}`);
  }

  private checkPlan(frame: Frame): void {
    const { plan, count } = frame;
    if (plan === undefined) {
      // Only the top level must have a plan; KTAP subtests (e.g. parameterised kunit cases) often don't.
      if (frame.parentId === undefined) this.incomplete('no plan line seen');
      return;
    }
    // A plan met by as many results costs no more than the results did.
    if (
      count === plan &&
      Array.from({ length: plan }, (_, i) => i + 1).every((n) => frame.numbers.has(n))
    )
      return;
    const missing: number[] = [];
    for (let n = 1; n <= plan && missing.length < this.placeholders; n++)
      if (!frame.numbers.has(n)) missing.push(n);
    this.placeholders -= missing.length;
    const seen =
      count < plan
        ? `only ${count} ${count === 1 ? 'result' : 'results'} seen`
        : count > plan
          ? `${count} results seen`
          : 'results misnumbered';
    this.incomplete(`${where(frame)}plan 1..${plan} but ${seen}`);
    for (const n of missing) frame.tests.push({ id: `#${n}`, status: 'missing', output: [] });
  }

  private push(indent: number): void {
    const parent = this.top;
    if (parent.closed) this.adoptUnfinished(parent);
    this.stack.push(newFrame(indent, parent));
    parent.header = undefined;
  }

  /** Closes subtests indented deeper than `indent`; each waits for its result line in its parent. */
  private popTo(indent: number): void {
    while (this.top.indent > indent) {
      const child = this.stack.pop() as Frame;
      if (child.closed) this.adoptUnfinished(child);
      if (this.top.closed) this.adoptUnfinished(this.top);
      this.top.closed = child;
    }
  }

  private finishDocument(): void {
    this.popTo(this.root.indent);
    if (this.root.closed) this.adoptUnfinished(this.root);
    this.checkPlan(this.root);
    for (const test of this.root.tests) this.tests.push(test); // spreading could overflow the stack
    this.stack = [newFrame(0)];
    this.started = false;
  }

  /** The innermost open frame a diagnostic indented by `cols` belongs to. */
  private frameAt(cols: number): Frame {
    return this.stack.findLast((frame) => frame.indent <= cols) ?? this.root;
  }

  private startYaml(cols: number, text: string): boolean {
    const last = this.lastResult;
    if (!this.dialect.yamlBlocks || !last || text !== '---') return false;
    if (cols <= last.cols || cols >= last.cols + 4) return false;
    this.yaml = { test: last.test, cols };
    last.test.output.push(text);
    return true;
  }

  /** Whether the line belongs to the YAML block; a less indented line ends a block left open. */
  private continueYaml(yaml: { test: TestObservation; cols: number }, cols: number, text: string) {
    if (text && cols < yaml.cols) {
      this.yaml = undefined;
      return false;
    }
    yaml.test.output.push(text && ' '.repeat(cols - yaml.cols) + text);
    if (text === '...' && cols === yaml.cols) this.yaml = undefined;
    return true;
  }

  /**
   * Keeps other lines indented inside a subtest, such as the `Expected 1 + 1 == 3, but` that
   * follows a kunit `# case: EXPECTATION FAILED`, for the next result; unindented lines are
   * kernel messages and are dropped.
   */
  private continuation(cols: number, text: string): void {
    const frame = this.top;
    if (frame.parentId !== undefined && text && cols >= frame.indent) {
      frame.diagnostics.push(' '.repeat(cols - frame.indent) + text);
    }
  }

  private problem(message: string): void {
    this.problems.push(message);
  }

  /** A problem that breaks the stream's promise. */
  private incomplete(message: string): void {
    this.complete = false;
    this.problems.push(message);
  }
}
