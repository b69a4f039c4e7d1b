/**
 * JUnit XML for test-report viewers (the Ant/Jenkins shape most of them read): one testcase per
 * test, a `failure` for a verdict that fails the run (its class as the type, the reason as the
 * message, the diff as the body), an `error` for one blamed on the harness or the
 * infrastructure. Kernel text is untrusted: control characters and everything XML 1.0 forbids
 * are dropped, the rest escaped, and bodies capped.
 */
import { isDivergentClass } from '../model/classes.js';
import type { Report, ReportTest } from '../model/report.js';
import { stripControls, truncateUtf8 } from './escape.js';

/** Most bytes of one failure body (a diff); a longer one is cut and says so. */
export const JUNIT_BODY_CAP_BYTES = 64 * 1024;

/** Characters XML 1.0 does not allow anywhere, lone surrogates included (the `u` flag sees them). */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Without control characters and what XML 1.0 forbids (before cutting: a lone surrogate would become U+FFFD). */
const allowed = (text: string) => stripControls(text).replace(NOT_XML, '');
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** Text safe in an XML attribute or element: allowed characters only, markup escaped. */
export const xmlText = (text: string) => escape(allowed(text));

/** In an attribute a line break would be normalised to a space by the parser anyway. */
const attr = (text: string) => xmlText(text).replace(/\r\n|\r|\n/g, '&#10;');

function body(text: string): string {
  const clean = allowed(text);
  const capped = truncateUtf8(clean, JUNIT_BODY_CAP_BYTES);
  return escape(capped === clean ? clean : `${capped}\n… (cut at ${JUNIT_BODY_CAP_BYTES} bytes)`);
}

type Outcome = 'passed' | 'failure' | 'error';

/** A failing verdict is a failure; a divergence the kernel is not blamed for is an error. */
export function junitOutcome({ verdict }: ReportTest): Outcome {
  if (verdict.failing) return 'failure';
  if (verdict.blame !== 'kernel' && isDivergentClass(verdict.class)) return 'error';
  return 'passed';
}

function testcase(test: ReportTest, classname: string): string {
  const { verdict } = test;
  const outcome = junitOutcome(test);
  const open = `    <testcase name="${attr(test.id)}" classname="${attr(classname)}" time="0"`;
  const detail = `${verdict.class}: ${verdict.reason}`;
  const lines: string[] = [];
  if (outcome !== 'passed')
    lines.push(
      `      <${outcome} message="${attr(verdict.reason)}" type="${attr(verdict.class)}">${body(verdict.diff ?? detail)}</${outcome}>`,
    );
  // Classes that pass but are worth a look (fix, flaky, expected, a warning) say so in the output.
  if (verdict.class !== 'same') lines.push(`      <system-out>${body(detail)}</system-out>`);
  return lines.length ? `${open}>\n${lines.join('\n')}\n    </testcase>` : `${open}/>`;
}

export function renderJunit(report: Report): string {
  const name = report.variant === 'default' ? 'diverge' : `diverge (${report.variant})`;
  const classname = `diverge.${report.variant}`;
  const outcomes = report.tests.map(junitOutcome);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const counts = `tests="${report.tests.length}" failures="${count('failure')}" errors="${count('error')}"`;
  const time = `time="${(report.run.durationMs / 1000).toFixed(3)}"`;
  const properties = [
    ['candidate', `${report.candidate.name} ${report.candidate.digest}`],
    ...report.references.map((ref) => [`reference.${ref.name}`, ref.digest]),
    ['conclusion', report.summary.conclusion],
  ].map(
    ([key, value]) => `      <property name="${attr(key ?? '')}" value="${attr(value ?? '')}"/>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(name)}" ${counts} ${time}>`,
    `  <testsuite name="${attr(name)}" ${counts} skipped="0" ${time} timestamp="${attr(report.run.startedAt.slice(0, 19))}">`,
    '    <properties>',
    ...properties,
    '    </properties>',
    ...report.tests.map((test) => testcase(test, classname)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
