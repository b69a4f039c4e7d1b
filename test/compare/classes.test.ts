import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  CLASS_ORDER,
  CLASSES,
  DEFAULT_FAIL_ON,
  DIVERGENCE_CLASSES,
  DIVERGENT_CLASSES,
  FAIL_ON_CLASSES,
  isDivergence,
  isShownDivergence,
  SEVERITIES,
  SEVERITY_ORDER,
  type DivergenceClass,
} from '../../src/model/classes.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the class table', () => {
  it.each([
    ['same', 'none', false],
    ['regression', 'error', true],
    ['fix', 'notice', false],
    ['output', 'warning', true],
    ['crash', 'error', true],
    ['hang', 'error', true],
    ['missing', 'error', true],
    ['new', 'notice', false],
    ['flaky', 'warning', false],
    ['ambiguous', 'warning', false],
    ['expected', 'none', false],
  ] as const)('%s: severity %s, fails by default: %s', (cls, severity, failsByDefault) => {
    expect(CLASSES[cls].severity).toBe(severity);
    expect(CLASSES[cls].failsByDefault).toBe(failsByDefault);
  });

  it('lists the classes in report.json order and shows them most severe first', () => {
    expect(DIVERGENCE_CLASSES).toEqual([
      'same',
      'regression',
      'fix',
      'output',
      'crash',
      'hang',
      'missing',
      'new',
      'flaky',
      'ambiguous',
      'expected',
    ]);
    expect(CLASS_ORDER).toEqual([
      'regression',
      'crash',
      'hang',
      'missing',
      'output',
      'flaky',
      'ambiguous',
      'fix',
      'new',
      'expected',
      'same',
    ]);
    expect(SEVERITY_ORDER).toEqual(['error', 'warning', 'notice', 'none']);
  });

  it('fail-on: the defaults, then every other divergence; never same or expected', () => {
    expect(DEFAULT_FAIL_ON).toEqual(['regression', 'crash', 'hang', 'missing', 'output']);
    expect(FAIL_ON_CLASSES).toEqual([
      ...['regression', 'crash', 'hang', 'missing', 'output'],
      ...['fix', 'new', 'flaky', 'ambiguous'],
    ]);
    expect(DIVERGENT_CLASSES).toEqual([
      ...['regression', 'fix', 'output', 'crash', 'hang', 'missing', 'new', 'flaky'],
      'ambiguous',
    ]);
  });

  it('annotates and colours by severity', () => {
    const annotation = Object.fromEntries(
      SEVERITY_ORDER.map((severity) => [severity, SEVERITIES[severity].annotation]),
    );
    expect(annotation).toEqual({
      error: 'failure',
      warning: 'warning',
      notice: 'notice',
      none: 'notice',
    });
    const style = Object.fromEntries(
      SEVERITY_ORDER.map((severity) => [severity, SEVERITIES[severity].style]),
    );
    expect(style).toEqual({ error: 'red', warning: 'yellow', notice: 'cyan', none: 'dim' });
  });
});

describe('divergences', () => {
  it('a divergence is a divergent class the kernel is to blame for', () => {
    expect(isDivergence({ class: 'regression', blame: 'kernel' })).toBe(true);
    expect(isDivergence({ class: 'fix', blame: 'kernel' })).toBe(true);
    expect(isDivergence({ class: 'missing', blame: 'infrastructure' })).toBe(false);
    expect(isDivergence({ class: 'ambiguous', blame: 'reference' })).toBe(false);
    expect(isDivergence({ class: 'same', blame: 'kernel' })).toBe(false);
    expect(isDivergence({ class: 'expected', blame: 'kernel' })).toBe(false);
  });

  it('a report shows divergent classes whoever is to blame, unless their severity is none', () => {
    expect(isShownDivergence({ class: 'missing', severity: 'error' })).toBe(true);
    expect(isShownDivergence({ class: 'new', severity: 'notice' })).toBe(true);
    expect(isShownDivergence({ class: 'regression', severity: 'none' })).toBe(false);
    expect(isShownDivergence({ class: 'expected', severity: 'none' })).toBe(false);
    expect(isShownDivergence({ class: 'same', severity: 'error' })).toBe(false);
    // A tampered report's unknown class is shown, never hidden.
    const unknown = 'constructor' as DivergenceClass;
    expect(isShownDivergence({ class: unknown, severity: 'warning' })).toBe(true);
  });
});

// The schemas' enums are held to the tables in test/model/schemas.test.ts.
describe('the table and its copies', () => {
  it("docs/report.md's class table has the table's rows: class, meaning, severity", () => {
    const docs = read('docs/report.md');
    const rows = docs
      .split('\n')
      .filter((line) => /^\| `[a-z]+` /.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, 4)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(
      DIVERGENCE_CLASSES.map((cls) => [`\`${cls}\``, CLASSES[cls].meaning, CLASSES[cls].severity]),
    );
    const defaults = /`fail-on`\s+\(default `([^`]*)`\)/.exec(docs)?.[1];
    expect(defaults).toBe(DEFAULT_FAIL_ON.join(', '));
  });
});

describe('the default fail-on wherever a user reads it', () => {
  const defaults = DEFAULT_FAIL_ON.join(', ');
  it.each([
    ['README.md', /default `([a-z, ]+)`\)/],
    ['README.md', /default: the config's fail-on: ([a-z, ]+)\)/],
    ['action.yml', /fail-on: ([a-z, ]+)\)/],
    ['docs/config.md', /^fail-on: \[([a-z, ]+)\]/m],
  ] as const)('%s says %s', (file, pattern) => {
    expect(pattern.exec(read(file))?.[1]).toBe(defaults);
  });

  it('docs/config.md lists the other classes fail-on takes', () => {
    const others = /^fail-on: \[[a-z, ]+\] # also: ([a-z, ]+)$/m.exec(read('docs/config.md'))?.[1];
    expect(others?.split(', ')).toEqual(
      FAIL_ON_CLASSES.filter((c) => !DEFAULT_FAIL_ON.includes(c)),
    );
  });
});
