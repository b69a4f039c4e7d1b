/**
 * report.html: one self-contained page (see html-page.ts for the shell and its policy) with the
 * run's head, a tests × kernels grid coloured by status and class, each test's verdict with a
 * side-by-side diff, the clusters, the boots and their serial logs with each test's lines marked.
 */
import { CLASSES, CLASS_ORDER, type DivergenceClass } from '../model/classes.js';
import type { Report, ReportObservation } from '../model/report.js';
import { REPORT_CSS, REPORT_BODY } from './html-report-client.js';
import { classColour, htmlPage } from './html-page.js';
import { type LogMark, type PageLog, pageLogs, runsOf } from './html-logs.js';
import { REPORT_SCRIPT } from './html-scripts.js';
import type { PageBootLog, ReportPageData } from './page-data.js';

export { readBootLogs } from './html-logs.js';

/** One kernel's runs of a test as a grid cell: `pass`, `fail ×3`, `2/3 fail`, `—` (not reported). */
export function statusCell(all: readonly ReportObservation[] | undefined): string {
  // A run that died during the test (`missing`, with what it printed) did not report it.
  const runs = all?.filter((r) => r.status !== 'missing');
  if (!runs || runs.length === 0) return '—';
  const first = runs[0]?.status;
  if (runs.every((r) => r.status === first))
    return runs.length === 1 ? String(first) : `${first} ×${runs.length}`;
  const failing = runs.filter((r) => r.status === 'fail' || r.status === 'error').length;
  return `${failing}/${runs.length} fail`;
}

function compactLog(log: PageLog): PageBootLog {
  const head = log.numbers.indexOf(0);
  const tailFrom = log.numbers[head + 1] ?? Infinity;
  const kept = (m: LogMark) => head < 0 || m.from <= head || m.to >= tailFrom;
  return {
    lines: log.lines,
    ...(head >= 0 ? { cut: [head, log.numbers[head + 1] ?? 0] as [number, number] } : {}),
    marks: log.marks.filter(kept).flatMap((m) => [m.test, m.from, m.to]),
    ...(log.note ? { note: log.note } : {}),
  };
}

const known = (cls: string): cls is DivergenceClass => Object.hasOwn(CLASSES, cls);

export function reportPageData(report: Report, logs: ReadonlyMap<string, string>): ReportPageData {
  const kernels = [report.candidate.name, ...report.references.map((r) => r.name)];
  const index = new Map(report.tests.map((t, i) => [t.id, i]));
  const counts = new Map<string, number>();
  for (const t of report.tests) counts.set(t.verdict.class, (counts.get(t.verdict.class) ?? 0) + 1);
  const names = [...CLASS_ORDER, ...[...counts.keys()].filter((c) => !known(c)).sort()];
  const pageLogsList = pageLogs(report, logs);
  const column = <T>(pick: (t: Report['tests'][number]) => T) => report.tests.map(pick);
  const extras: ReportPageData['extras'] = {};
  report.tests.forEach(({ verdict: v }, i) => {
    if (v.expected || v.cluster || v.diff)
      extras[i] = {
        ...(v.expected ? { expected: v.expected } : {}),
        ...(v.cluster ? { cluster: v.cluster } : {}),
        ...(v.diff ? { diff: v.diff } : {}),
      };
  });
  return {
    head: {
      variant: report.variant,
      candidate: { name: report.candidate.name, digest: report.candidate.digest },
      references: report.references.map((r) => ({
        name: r.name,
        digest: r.digest,
        ...(r.broken ? { broken: r.broken } : {}),
      })),
      machine: `${report.machine.arch} ${report.machine.profile}, ${report.machine.memory}, ${report.machine.cpus} CPU`,
      accel: report.run.host.accel,
      qemu: report.run.host.qemu,
      tool: `${report.run.tool.name} ${report.run.tool.version}`,
      startedAt: report.run.startedAt,
      durationMs: report.run.durationMs,
      harness: report.harness.format,
      conclusion: report.summary.conclusion,
      ...(report.summary.note ? { note: report.summary.note } : {}),
      tests: report.summary.tests,
      divergences: report.summary.divergences,
      failing: report.summary.failing,
    },
    kernels,
    classes: names.map((name) => {
      const rule = known(name) ? CLASSES[name] : undefined;
      return {
        name,
        color: classColour(name),
        meaning: rule?.meaning ?? 'a class this version of diverge does not know',
        count: counts.get(name) ?? 0,
        divergent: rule?.divergence ?? true,
      };
    }),
    tests: {
      id: column((t) => t.id),
      class: column((t) => t.verdict.class),
      severity: column((t) => t.verdict.severity),
      blame: column((t) => t.verdict.blame),
      failing: column((t) => t.verdict.failing),
      cells: column((t) => kernels.map((k) => statusCell(runsOf(t, k)))),
      reason: column((t) => t.verdict.reason),
      counts: column((t) =>
        Object.entries(t.verdict.counts)
          .map(([kernel, count]) => `${kernel} ${count}`)
          .join(', '),
      ),
      agreeing: column((t) => t.verdict.agreeing),
      confidence: column((t) => t.verdict.confidence),
    },
    extras,
    clusters: report.clusters.map((c) => ({
      id: c.id,
      class: c.class,
      signature: c.signature,
      tests: c.tests.map((id) => index.get(id)).filter((i) => i !== undefined),
    })),
    boots: report.boots.map((b, i) => ({
      kernel: b.kernel,
      attempt: b.attempt,
      outcome: b.outcome,
      stage: b.stage,
      durationMs: b.durationMs,
      cached: b.cached === true,
      ...(b.message ? { message: b.message } : {}),
      file: b.log,
      splats: b.splats.map((s) => ({ kind: s.kind, message: s.message, line: s.line })),
      log: compactLog(pageLogsList[i] as PageLog),
    })),
  };
}

/**
 * The report as one HTML page. `logs` maps each boot's `log` path to the file's text (see
 * readBootLogs); a boot without one shows that its log was not found. Deterministic: the same
 * report and logs give the same bytes.
 */
export function renderHtml(report: Report, logs: ReadonlyMap<string, string> = new Map()): string {
  const variant = report.variant === 'default' ? '' : ` (${report.variant})`;
  const subject = report.subject ? ` — ${report.subject}` : '';
  return htmlPage({
    title: `diverge report${subject}${variant}: ${report.summary.conclusion}`,
    css: REPORT_CSS,
    script: REPORT_SCRIPT,
    body: REPORT_BODY,
    data: reportPageData(report, logs),
  });
}
