import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { JUNIT_BODY_CAP_BYTES, renderJunit } from '../../src/render/junit.js';
import type { Report } from '../../src/model/report.js';
import { makeTest, sampleReport } from '../report/sample.js';

const XSD = fileURLToPath(new URL('../formats/junit.xsd', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'diverge-junit-'));

/** Writes the XML and checks it with libxml2 against the viewers' schema; returns xmllint's verdict. */
function validate(xml: string, name: string) {
  const file = path.join(dir, name);
  writeFileSync(file, xml);
  return spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
}

const xpath = (xml: string, name: string, expression: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, xml);
  return execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).replace(
    /\n$/,
    '',
  );
};

describe('JUnit XML', () => {
  const xml = renderJunit(sampleReport());

  it("is valid against the test-report viewers' schema", () => {
    const result = validate(xml, 'sample.xml');
    expect(result.stderr).toContain('validates');
    expect(result.status).toBe(0);
  });

  it('the schema can fail: an attribute viewers do not know is refused', () => {
    expect(
      validate(xml.replace('<testsuites ', '<testsuites skipped="0" '), 'bad.xml').status,
    ).not.toBe(0);
  });

  it('has one testcase per test; failing verdicts are failures with the class, reason and diff', () => {
    // sample: regression, output and three crashes fail the run; nothing is blamed elsewhere.
    expect(xpath(xml, 'count.xml', 'count(//testcase)')).toBe('10');
    expect(xpath(xml, 'count.xml', 'string(/testsuites/testsuite/@failures)')).toBe('5');
    expect(xpath(xml, 'count.xml', 'count(//testcase/failure)')).toBe('5');
    expect(xpath(xml, 'count.xml', 'string(//testcase[@name="mm.alloc"]/failure/@type)')).toBe(
      'regression',
    );
    expect(xpath(xml, 'count.xml', 'string(//testcase[@name="mm.alloc"]/failure)')).toContain(
      '+not ok',
    );
    expect(xpath(xml, 'count.xml', 'count(//testcase[@name="sched.yield"]/*)')).toBe('0');
  });

  it('reports a verdict blamed on the infrastructure as an error', () => {
    const report = sampleReport();
    report.tests.push(makeTest('boot.all', { class: 'missing', blame: 'infrastructure' }));
    expect(
      xpath(renderJunit(report), 'error.xml', 'string(//testcase[@name="boot.all"]/error/@type)'),
    ).toBe('missing');
  });

  it('keeps untrusted kernel text well-formed: forbidden characters dropped, markup escaped', () => {
    const hostile = 'a\u0000b\u001b[31mc\uFFFEd\uD800e]]><x/>&amp;"\'';
    const report: Report = sampleReport();
    report.tests = [
      makeTest(`t${hostile}`, {
        class: 'regression',
        failing: true,
        reason: hostile,
        diff: `${hostile}\n${'z'.repeat(JUNIT_BODY_CAP_BYTES)}`,
      }),
    ];
    const out = renderJunit(report);
    expect(validate(out, 'hostile.xml').status).toBe(0);
    const cleaned = 'abcde]]><x/>&amp;"\'';
    expect(xpath(out, 'hostile.xml', 'string(//testcase/@name)')).toBe(`t${cleaned}`);
    expect(xpath(out, 'hostile.xml', 'string(//failure/@message)')).toBe(cleaned);
    const body = xpath(out, 'hostile.xml', 'string(//failure)');
    expect(body.startsWith(cleaned)).toBe(true);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(JUNIT_BODY_CAP_BYTES + 40);
  });
});
