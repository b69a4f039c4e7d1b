/**
 * The divergence classes: one row per class, and everything else derives from this table (the
 * class list, `fail-on` and its default, severities, the order and colours reports show them in,
 * check-run annotation levels). Which class a test gets is decided in compare/classify.ts.
 * test/compare/classes.test.ts holds docs/report.md's class table and schema/report.v1.json's
 * enums to this table.
 */

/** How loud a verdict is, loudest first: the order reports sort verdicts in. */
export const SEVERITIES = {
  error: { annotation: 'failure', style: 'red' },
  warning: { annotation: 'warning', style: 'yellow' },
  notice: { annotation: 'notice', style: 'cyan' },
  // Not shown as a divergence (isShownDivergence).
  none: { annotation: 'notice', style: 'dim' },
} as const satisfies Record<string, SeverityRule>;

interface SeverityRule {
  /** The check-run annotation level of a divergence this loud. */
  annotation: 'failure' | 'warning' | 'notice';
  /** The terminal colour of its class name. */
  style: 'red' | 'yellow' | 'cyan' | 'dim';
}

export type Severity = keyof typeof SEVERITIES;
export const SEVERITY_ORDER = Object.keys(SEVERITIES) as readonly Severity[];

/** A class that is not a divergence (see `divergence`) can never fail a run. */
type ClassRule = {
  /** What the class means, as docs/report.md's class table says it. */
  meaning: string;
  severity: Severity;
  /** Position in reports: class tables and columns, and divergences of equal severity. */
  display: number;
} & (
  | {
      /**
       * Whether the class is a divergence; the others (`same`, and `expected`, which an
       * expectation turns a divergence into) cannot be named in `fail-on` or in an expectation.
       */
      divergence: true;
      /** In `fail-on` unless the config says otherwise. */
      failsByDefault: boolean;
    }
  | { divergence: false; failsByDefault: false }
);

/** In docs/report.md's order, which is also report.json's `byClass` order. */
export const CLASSES = {
  same: {
    meaning:
      "each of the candidate's runs is an outcome every reference showed; `varying` names references whose own runs differ",
    severity: 'none',
    divergence: false,
    failsByDefault: false,
    display: 11,
  },
  regression: {
    meaning: 'references pass (or skip), candidate fails or errors',
    severity: 'error',
    divergence: true,
    failsByDefault: true,
    display: 1,
  },
  fix: {
    meaning: 'references fail, candidate passes',
    severity: 'notice',
    divergence: true,
    failsByDefault: false,
    display: 8,
  },
  output: {
    meaning: 'same status, different normalised output (or fail ↔ error, failing ↔ skip)',
    severity: 'warning',
    divergence: true,
    failsByDefault: true,
    display: 5,
  },
  crash: {
    meaning: "the candidate's boot panicked before reporting the test; references reported it",
    severity: 'error',
    divergence: true,
    failsByDefault: true,
    display: 2,
  },
  hang: {
    meaning: "the candidate's boot timed out or stalled before reporting the test",
    severity: 'error',
    divergence: true,
    failsByDefault: true,
    display: 3,
  },
  missing: {
    meaning: "the candidate's boot finished without reporting a test the references report",
    severity: 'error',
    divergence: true,
    failsByDefault: true,
    display: 4,
  },
  new: {
    meaning: 'only the candidate reports the test',
    severity: 'notice',
    divergence: true,
    failsByDefault: false,
    display: 9,
  },
  flaky: {
    meaning: "the candidate's own runs disagree in a way the references' own runs did not",
    severity: 'warning',
    divergence: true,
    failsByDefault: false,
    display: 6,
  },
  ambiguous: {
    meaning:
      'the references disagree among themselves; `agreeing` lists the ones the candidate matches',
    severity: 'warning',
    divergence: true,
    failsByDefault: false,
    display: 7,
  },
  expected: {
    meaning:
      'a divergence matched by the expectations file; `expected.class` keeps what it would have been',
    severity: 'none',
    divergence: false,
    failsByDefault: false,
    display: 10,
  },
} as const satisfies Record<string, ClassRule>;

export type DivergenceClass = keyof typeof CLASSES;
/** The classes that are divergences. */
export type DivergentClass = {
  [C in DivergenceClass]: (typeof CLASSES)[C]['divergence'] extends true ? C : never;
}[DivergenceClass];

/** Every class, in the table's order. */
export const DIVERGENCE_CLASSES = Object.keys(CLASSES) as [DivergenceClass, ...DivergenceClass[]];

/** Classes from the most to the least severe, `same` last: the order reports show them in. */
export const CLASS_ORDER: readonly DivergenceClass[] = [...DIVERGENCE_CLASSES].sort(
  (a, b) => CLASSES[a].display - CLASSES[b].display,
);

const NOT_DIVERGENT = new Set<string>(DIVERGENCE_CLASSES.filter((cls) => !CLASSES[cls].divergence));

/**
 * Whether a class is a divergence, whoever is to blame. A name the table does not know (a
 * tampered report's) counts as one: shown, never hidden.
 */
export const isDivergentClass = (cls: DivergenceClass): cls is DivergentClass =>
  !NOT_DIVERGENT.has(cls);

/** The classes an expectation entry may accept, in the table's order. */
export const DIVERGENT_CLASSES = DIVERGENCE_CLASSES.filter(isDivergentClass) as [
  DivergentClass,
  ...DivergentClass[],
];

/** `fail-on` when the config does not set it, most severe first. */
export const DEFAULT_FAIL_ON: readonly DivergentClass[] = CLASS_ORDER.filter(
  (cls): cls is DivergentClass => CLASSES[cls].failsByDefault,
);

/** The classes `fail-on` may name: the defaults first, as messages and docs list them. */
export const FAIL_ON_CLASSES = [
  ...DEFAULT_FAIL_ON,
  ...DIVERGENT_CLASSES.filter((cls) => !DEFAULT_FAIL_ON.includes(cls)),
] as [DivergentClass, ...DivergentClass[]];

/** Whose fault a verdict is. Only `kernel` verdicts are divergences of the candidate. */
export const BLAMES = ['kernel', 'harness', 'infrastructure', 'reference'] as const;
export type Blame = (typeof BLAMES)[number];

/**
 * Whether a verdict is a divergence of the candidate: the kernel is to blame and its class is a
 * divergence: what the summary counts, clusters group, and annotations and the PR comment show.
 */
export const isDivergence = (verdict: { class: DivergenceClass; blame: Blame }): boolean =>
  verdict.blame === 'kernel' && isDivergentClass(verdict.class);

/**
 * Whether a report lists a verdict among its divergences: a divergent class whoever is to blame
 * (a test an unbootable candidate did not report shows as `ambiguous`, blamed on the infrastructure), and loud enough to
 * show (a saved report's severity is taken as written).
 */
export const isShownDivergence = (verdict: { class: DivergenceClass; severity: Severity }) =>
  isDivergentClass(verdict.class) && verdict.severity !== 'none';
