/**
 * The output-format table (render/formats.ts) and writeReport: report.json checked first, then
 * the formats every report is saved in, in the table's order.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  OUTPUT_FORMAT_NAMES,
  OUTPUT_FORMATS,
  outputFormat,
  REPORT_FILE,
  SAVED_FORMATS,
} from '../../src/render/formats.js';
import { renderHtml } from '../../src/render/html.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderTerminal } from '../../src/render/terminal.js';
import type { Report } from '../../src/model/report.js';
import { ReportError } from '../../src/report/validate.js';
import { writeReport } from '../../src/report/write.js';
import { sampleReport } from './sample.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const tempDir = () => (dir = mkdtempSync(path.join(tmpdir(), 'diverge-write-')));

/** The sample report, with digests the schema takes and a boot whose serial log is saved. */
function validReport(): Report {
  const report = sampleReport();
  const digest = `sha256:${'0'.repeat(64)}`;
  for (const kernel of [report.candidate, ...report.references]) kernel.digest = digest;
  report.harness.digest = digest;
  report.boots.push({
    kernel: 'candidate',
    attempt: 1,
    outcome: 'completed',
    stage: 'done',
    durationMs: 1000,
    log: 'logs/candidate-1.log',
    splats: [],
  });
  return report;
}

describe('the output formats', () => {
  it('names each format once, terminal first (the default of diverge report)', () => {
    expect(OUTPUT_FORMAT_NAMES).toEqual(['terminal', 'json', 'markdown', 'html', 'junit']);
    const files = OUTPUT_FORMATS.flatMap((format) => ('file' in format ? [format.file] : []));
    expect(new Set(files).size).toBe(files.length);
    expect(outputFormat('html')?.file).toBe('report.html');
    expect(outputFormat('constructor')).toBeUndefined();
  });

  it('saves every report as report.json first, then report.md and report.html', () => {
    expect(SAVED_FORMATS.map((format) => format.file)).toEqual([
      REPORT_FILE,
      'report.md',
      'report.html',
    ]);
  });

  it('renders with the renderers, the Markdown linking the page saved beside it', async () => {
    const report = sampleReport();
    const options = { dir: '/nonexistent' };
    const rendered = async (name: string, color?: boolean) =>
      outputFormat(name)?.render(report, { ...options, ...(color ? { color } : {}) });
    expect(await rendered('terminal')).toBe(renderTerminal(report, { color: false }));
    expect(await rendered('terminal', true)).toBe(renderTerminal(report, { color: true }));
    const json = await rendered('json');
    expect(typeof json === 'string' ? json : [...(json ?? [])].join('')).toBe(
      `${JSON.stringify(report, null, 2)}\n`,
    );
    expect(await rendered('markdown')).toBe(renderMarkdown(report, { reportUrl: 'report.html' }));
    expect(await rendered('html')).toBe(renderHtml(report));
    expect(await rendered('junit')).toBe(renderJunit(report));
    const markdown = await outputFormat('markdown')?.render(report, {
      ...options,
      markdown: { reportUrl: 'elsewhere/report.json', budgetBytes: 2000 },
    });
    expect(markdown).toBe(
      renderMarkdown(report, { reportUrl: 'elsewhere/report.json', budgetBytes: 2000 }),
    );
  });
});

describe('writeReport', () => {
  it("writes the saved formats, the page with the boots' serial logs", async () => {
    const out = tempDir();
    const report = validReport();
    mkdirSync(path.join(out, 'logs'));
    writeFileSync(path.join(out, 'logs/candidate-1.log'), 'KTAP version 1\nSERIAL-LOG-LINE\n');
    await writeReport(report, out);
    expect(readdirSync(out).sort()).toEqual(['logs', 'report.html', 'report.json', 'report.md']);
    const read = (file: string) => readFileSync(path.join(out, file), 'utf8');
    expect(JSON.parse(read('report.json'))).toEqual(report);
    expect(read('report.md')).toBe(renderMarkdown(report, { reportUrl: 'report.html' }));
    expect(read('report.html')).toContain('SERIAL-LOG-LINE');
  });

  it('writes nothing of a report the schema refuses', async () => {
    const out = tempDir();
    const report = { ...validReport(), schema: 'diverge.report/v0' } as never;
    await expect(writeReport(report, out)).rejects.toThrow(ReportError);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("a report's serial logs on its page", () => {
  /** A report in ROOT/students/alice whose reference boot's log is in ROOT/references/logs. */
  function studentReport() {
    const root = tempDir();
    const out = path.join(root, 'students', 'alice');
    mkdirSync(path.join(out, 'logs'), { recursive: true });
    mkdirSync(path.join(root, 'references', 'logs'), { recursive: true });
    writeFileSync(path.join(out, 'logs', 'candidate-1.log'), 'the candidate line\n');
    writeFileSync(path.join(root, 'references', 'logs', 'staff-1.log'), 'the staff line\n');
    writeFileSync(path.join(root, 'secret.txt'), 'outside the tree\n');
    const report = { ...validReport(), subject: 'alice' };
    const boot = report.boots[0] as Report['boots'][number];
    report.boots.push(
      { ...boot, kernel: 'staff', log: '../../references/logs/staff-1.log' },
      { ...boot, kernel: 'tampered', log: '../../../secret.txt' },
    );
    return { root, out, report };
  }

  it("reads a log anywhere under the given root (grade's OUT), and nothing outside it", async () => {
    const { root, out, report } = studentReport();
    await writeReport(report, out, root);
    const page = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(page).toContain('<title>diverge report — alice');
    expect(page).toContain('the candidate line');
    expect(page).toContain('the staff line');
    expect(page).not.toContain('outside the tree');
  });

  it('reads only beside the report when no root is given', async () => {
    const { out, report } = studentReport();
    await writeReport(report, out);
    const page = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(page).toContain('the candidate line');
    expect(page).not.toContain('the staff line');
  });
});
