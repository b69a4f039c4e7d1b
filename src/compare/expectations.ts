/**
 * The expectations file (default `.github/diverge-expectations.yml`): known divergences a project
 * accepts, so that they show as class `expected` instead of failing the run.
 *
 * ```yaml
 * # comments are kept when `diverge expectations update` rewrites the file
 * expectations:
 *   - test: "syscalls.cachestat*"   # a test id or a glob over ids (see below)
 *     classes: [fix]                # classes to accept: regression, fix, output, crash, hang,
 *                                   #   missing, new, flaky, ambiguous
 *     outcomes: [fail, skip]        # and/or candidate statuses to accept: pass, fail, skip, error,
 *                                   #   missing (an entry needs at least one of classes, outcomes)
 *     reference: staff              # optional: only verdicts that this reference agrees with (or
 *                                   #   any verdict when it is the report's only reference)
 *     arch: x86_64                  # optional: only on this machine arch
 *     variant: default              # optional: only in this variant (matrix leg)
 *     reason: "cachestat(2) is new in 6.5"   # required, shown in the report
 *     link: https://example.org/bug/1        # optional http(s) URL, shown in the report
 *     expires: 2027-01-31           # optional: from this date on the entry no longer matches
 * ```
 *
 * `test` is a glob over whole ids (src/util/glob.ts): `*` stays within a `.`-separated segment,
 * `**` crosses segments, `?` is one character other than `.`, `\` makes the next character
 * literal. The first entry that matches wins.
 * Entries that matched nothing in a run, and expired ones, are reported as stale.
 */
import { realpath } from 'node:fs/promises';
import { type Document, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { z } from 'zod';
import {
  expected,
  nonEmptyList,
  oneOf,
  parseYamlDocument,
  readYamlFile,
  strict,
  text,
} from '../config/validation.js';
import { TEST_STATUSES, type TestStatus } from '../model/results.js';
import { writeAtomically } from '../util/atomic.js';
import { compileGlob, escapeGlob, noMatch } from '../util/glob.js';
import {
  type DivergenceClass,
  DIVERGENT_CLASSES,
  isDivergence,
  isDivergentClass,
} from '../model/classes.js';
import type { Report, StaleExpectation } from '../model/report.js';

export interface Expectation {
  test: string;
  classes?: DivergenceClass[];
  outcomes?: TestStatus[];
  reference?: string;
  arch?: string;
  variant?: string;
  reason: string;
  link?: string;
  /** `YYYY-MM-DD`; the entry stops matching on this day. */
  expires?: string;
  /** Line of the entry in its file, for messages. */
  line?: number;
}

export interface MatchContext {
  test: string;
  class: DivergenceClass;
  candidateStatus: TestStatus;
  /** References that agree with the verdict's consensus. */
  agreeing: string[];
  /** Every reference of the report. */
  references: string[];
  arch: string;
  variant: string;
  /** `YYYY-MM-DD`. */
  today: string;
}

/** A real calendar date written as YYYY-MM-DD. */
function isDate(s: string): boolean {
  const date = new Date(`${s}T00:00:00Z`);
  // Date rolls 2027-02-30 over to March (or rejects it): a round trip catches both.
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(s) &&
    !Number.isNaN(date.getTime()) &&
    date.toISOString().slice(0, 10) === s
  );
}

const entrySchema = strict({
  test: text('a test id or glob'),
  classes: nonEmptyList(oneOf(DIVERGENT_CLASSES), 'a non-empty list of classes').optional(),
  outcomes: nonEmptyList(oneOf(TEST_STATUSES), 'a non-empty list of outcomes').optional(),
  reference: text('a reference name').optional(),
  arch: text('an architecture like x86_64').optional(),
  variant: text('a variant name').optional(),
  reason: text('a reason (why this divergence is accepted)'),
  link: text('an http:// or https:// URL', (s) => /^https?:\/\/\S+$/i.test(s)).optional(),
  expires: text('a date like 2027-01-31', isDate).optional(),
}).superRefine((entry, ctx) => {
  if (entry.classes === undefined && entry.outcomes === undefined)
    ctx.addIssue({ code: 'custom', message: 'missing classes or outcomes (at least one of them)' });
});

const fileSchema = strict({
  expectations: z.array(entrySchema, { error: expected('a list of expectations') }).default([]),
});

/** The entries of `file`; a missing file has none. Throws `ConfigError` when it is invalid. */
export async function loadExpectations(file: string): Promise<Expectation[]> {
  const source = await readIfPresent(file);
  return source === undefined ? [] : parseExpectations(source, file);
}

/** Parses expectations `source`; `file` names it in messages. */
export function parseExpectations(source: string, file: string): Expectation[] {
  return parse(source, file).entries;
}

function parse(source: string, file: string): { doc: Document; entries: Expectation[] } {
  // An empty file, or `expectations:` with nothing after it, accepts nothing.
  const { data, doc, lineOf } = parseYamlDocument(fileSchema, source, file);
  const entries = data.expectations.map((entry, i) => {
    const line = lineOf(['expectations', i]);
    return line === undefined ? entry : { ...entry, line };
  });
  return { doc, entries };
}

const isExpired = (entry: Expectation, today: string) =>
  entry.expires !== undefined && today >= entry.expires;

/** The first live entry that accepts this verdict, if any. */
export function matchExpectation(
  entries: Expectation[],
  ctx: MatchContext,
): Expectation | undefined {
  if (!isDivergentClass(ctx.class)) return undefined;
  const soleReference = ctx.references.length === 1 ? ctx.references[0] : undefined;
  return entries.find(
    (entry) =>
      !isExpired(entry, ctx.today) &&
      (entry.arch === undefined || entry.arch === ctx.arch) &&
      (entry.variant === undefined || entry.variant === ctx.variant) &&
      (entry.reference === undefined ||
        entry.reference === soleReference ||
        ctx.agreeing.includes(entry.reference)) &&
      (entry.classes?.includes(ctx.class) || entry.outcomes?.includes(ctx.candidateStatus)) &&
      compileGlob(entry.test)(ctx.test),
  );
}

/**
 * Entries to clean up: expired ones, and live ones that matched nothing in this run. An entry
 * whose glob matches no test of the run at all (of `tests`, every id judged) says so, naming the
 * nearest ids: most often a typo. It is not an error: a file shared by arches and variants, or
 * kept while tests are renamed, holds such entries, and the divergence a misspelt entry meant to
 * accept still fails the run.
 */
export function staleExpectations(
  entries: Expectation[],
  matched: Set<Expectation>,
  today: string,
  tests: readonly string[] = [],
): StaleExpectation[] {
  return entries.flatMap((entry) => {
    if (isExpired(entry, today))
      return [{ test: entry.test, reason: `expired on ${entry.expires}` }];
    if (matched.has(entry)) return [];
    const reason = (tests.length > 0 && noMatch(entry.test, tests)) || 'matched no divergence';
    return [{ test: entry.test, reason }];
  });
}

const HEADER = `\
 Known divergences this project accepts: diverge shows them as class "expected" instead of
 failing. Each entry: test (an id, or a glob: * within a dot-separated segment, ** across
 segments, ? one character but .), classes and/or outcomes (the candidate's statuses) to accept,
 optional reference / arch / variant scopes, reason (required), link, expires (YYYY-MM-DD).
 "diverge expectations update" appends entries and keeps the rest of this file, comments too.`;

export interface AcceptedDivergence {
  test: string;
  class: DivergenceClass;
  candidateStatus: TestStatus;
  /** References agreeing with the verdict; lets reference-scoped entries count as covering. */
  agreeing?: string[];
}

/**
 * A report's divergences (the kernel to blame), each with the candidate's status in its first
 * run: what `diverge expectations update` accepts.
 */
export function reportDivergences(report: Report): AcceptedDivergence[] {
  return report.tests
    .filter((t) => isDivergence(t.verdict))
    .map((t) => ({
      test: t.id,
      class: t.verdict.class,
      candidateStatus: t.observations[report.candidate.name]?.[0]?.status ?? 'missing',
    }));
}

/**
 * Appends one entry per divergence that no live entry covers yet (`same` and `expected` verdicts
 * are skipped), keeping the file's entries and comments. Creates the file when missing and leaves
 * it alone when nothing is added. `kept` counts the entries the file already had.
 */
export async function updateExpectations(
  file: string,
  divergences: AcceptedDivergence[],
  context: { arch: string; variant: string; today: string; references?: string[] },
): Promise<{ added: number; kept: number }> {
  const source = await readIfPresent(file);
  const { doc, entries } = source === undefined ? fresh() : parse(source, file);
  const all = [...entries];
  const addedByTest = new Map<string, { entry: Expectation; classes: YAMLSeq }>();
  for (const divergence of divergences) {
    const { test, class: cls } = divergence;
    if (!isDivergentClass(cls)) continue;
    const { arch, variant, today, references = [] } = context;
    const { candidateStatus, agreeing = [] } = divergence;
    const ctx = { test, class: cls, candidateStatus, agreeing, references, arch, variant, today };
    if (matchExpectation(all, ctx)) continue;
    // A second verdict for a test just added widens that entry instead of adding another.
    const added = addedByTest.get(test);
    if (added) {
      added.entry.classes?.push(cls);
      added.classes.add(cls);
      continue;
    }
    // The id is kernel output: written as a glob that matches it alone (a test named `**`
    // must not accept every other test's divergences).
    const entry = {
      test: escapeGlob(test),
      classes: [cls],
      reason: `accepted on ${context.today}: ${cls}`,
    };
    const classes = new YAMLSeq();
    classes.flow = true;
    classes.add(cls);
    const node = new YAMLMap();
    node.set('test', entry.test);
    node.set('classes', classes);
    node.set('reason', entry.reason);
    entriesNode(doc).add(node);
    all.push(entry);
    addedByTest.set(test, { entry, classes });
  }
  // Through a symbolic link to the file it names: a project that links its expectations from
  // elsewhere keeps the link.
  if (addedByTest.size > 0)
    await writeAtomically(
      await realpath(file).catch(() => file),
      doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    );
  return { added: addedByTest.size, kept: entries.length };
}

function fresh(): { doc: Document; entries: Expectation[] } {
  const doc = parseDocument('expectations:\n');
  doc.commentBefore = HEADER;
  return { doc, entries: [] };
}

/** The `expectations` sequence, made a block sequence (it may be absent, empty or `[]`). */
function entriesNode(doc: Document): YAMLSeq {
  const found = doc.get('expectations', true);
  const seq = isSeq(found) ? found : new YAMLSeq();
  if (seq !== found) doc.set('expectations', seq);
  if (seq.items.length === 0) seq.flow = false;
  return seq;
}

const readIfPresent = (file: string) => readYamlFile(file, 'expectations', true);
