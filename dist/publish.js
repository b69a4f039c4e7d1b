import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { k as context, F as readReportInputs, n as setFailed, o as actionGitHub, p as startCheckRun, v as completeCheckRun, i as info, t as summary, D as COMMENT_LIMIT, E as frameBudget, A as upsertComment, C as commentBody, u as setOutput, R as REPORT_ARTIFACT_PREFIX, w as warning } from './chunks/published-BDAjUmTS.js';
import { K as download, M as extractZip, v as validateReport, e as renderMarkdown } from './chunks/client-CJ21HmYH.js';
import { r as renderMatrixMarkdown } from './chunks/matrix-D3cUEYGC.js';
import 'fs';
import 'os';
import 'http';
import 'https';
import 'crypto';
import 'path';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:stream';
import 'node:buffer';
import 'node:util';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import 'node:tls';
import 'node:zlib';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import 'node:fs';
import 'node:stream/promises';
import 'zlib';
import 'stream';
import 'node:crypto';
import 'node:timers/promises';

/**
 * The report/ sub-action: publishes report artifacts that other jobs (a matrix) or another
 * workflow (a fork's pull_request run, published from workflow_run) uploaded. It reads every
 * `diverge-report-<variant>` artifact of the run, validates each report against the schema (they
 * may come from a fork: they are untrusted), and posts one combined check run and one sticky
 * comment with the variant × class table.
 */
/** Downloads and validates every report artifact of `runId`. */
async function readPublished(github, owner, repo, runId) {
    const artifacts = (await github.paginate(github.rest.actions.listWorkflowRunArtifacts, {
        owner,
        repo,
        run_id: runId,
        per_page: 100,
    })).filter((a) => a.name.startsWith(REPORT_ARTIFACT_PREFIX) && !a.expired);
    const published = [];
    for (const artifact of artifacts.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? tmpdir(), 'diverge-report-'));
        try {
            const response = await github.request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', {
                owner,
                repo,
                artifact_id: artifact.id,
                archive_format: 'zip',
                request: { redirect: 'manual' },
            });
            const location = response.headers.location;
            if (!location)
                throw new Error(`artifact ${artifact.name}: no download redirect`);
            await download(location, path.join(dir, 'a.zip'), { maxBytes: 512 * 1024 * 1024 });
            await extractZip(path.join(dir, 'a.zip'), path.join(dir, 'files'));
            const file = path.join(dir, 'files', 'report.json');
            const report = validateReport(JSON.parse(await readFile(file, 'utf8')), `${artifact.name}/report.json`);
            const record = await readFile(path.join(dir, 'files', 'pull-request.json'), 'utf8')
                .then((text) => JSON.parse(text))
                .catch(() => undefined);
            published.push({
                variant: artifact.name.slice(REPORT_ARTIFACT_PREFIX.length),
                report,
                ...(record ? { pullRequest: record } : {}),
            });
        }
        catch (error) {
            warning(`skipping artifact ${artifact.name}: ${error.message}`);
        }
        finally {
            await rm(dir, { recursive: true, force: true });
        }
    }
    return published;
}
/**
 * The pull request to comment on. From a workflow_run event the number comes from the uploaded
 * record, which the fork wrote; it is only believed when its head commit is the run's and its
 * base is this repository.
 */
function pullRequestOf(context, published) {
    const pr = context.payload.pull_request;
    if (pr)
        return { number: pr.number, headSha: pr.head.sha };
    const run = context.payload.workflow_run;
    if (!run)
        return undefined;
    const here = `${context.repo.owner}/${context.repo.repo}`;
    for (const { pullRequest } of published) {
        if (!pullRequest)
            continue;
        if (pullRequest.headSha !== run.head_sha || pullRequest.baseRepository !== here) {
            warning(`ignoring the pull request record of the triggering run: it names head ${pullRequest.headSha} in ${pullRequest.baseRepository}, but the run built ${run.head_sha} for ${here}`);
            continue;
        }
        return { number: pullRequest.number, headSha: run.head_sha };
    }
    return undefined;
}
const WORST = ['failure', 'neutral', 'success'];
async function runReportAction(context$1 = context) {
    let inputs;
    try {
        inputs = readReportInputs();
    }
    catch (error) {
        setFailed(error.message);
        return;
    }
    const github = actionGitHub(inputs.token);
    const { owner, repo } = context$1.repo;
    const run = context$1.payload.workflow_run;
    const runId = run?.id ?? context$1.runId;
    const published = await readPublished(github, owner, repo, runId);
    if (published.length === 0) {
        setFailed(`no ${REPORT_ARTIFACT_PREFIX}* artifact with a valid report in run ${runId}`);
        return;
    }
    const rows = published.map(({ variant, report }) => ({ variant, report }));
    const conclusion = WORST.find((c) => published.some((p) => p.report.summary.conclusion === c)) ?? 'neutral';
    const table = renderMatrixMarkdown(rows);
    const pr = pullRequestOf(context$1, published);
    const headSha = pr?.headSha ?? run?.head_sha ?? context$1.sha;
    const details = (budget) => {
        const each = Math.floor((budget - table.length - 200) / published.length);
        return published
            .map(({ report }) => renderMarkdown(report, { budgetBytes: Math.max(each, 200), title: inputs.checkName }))
            .join('\n\n');
    };
    const checkRunId = await startCheckRun(github, { owner, repo, headSha, name: inputs.checkName });
    const divergences = published.reduce((n, p) => n + p.report.summary.divergences, 0);
    await completeCheckRun(github, { owner, repo, name: inputs.checkName, checkRunId }, {
        conclusion,
        title: `${published.length} variants, ${divergences} divergences`,
        summary: `${table}\n${details(60_000)}`,
        annotations: [],
    });
    info(`check run "${inputs.checkName}" completed: ${conclusion}`);
    await summary.addRaw(table).write();
    if (pr && inputs.comment !== 'never') {
        const state = Object.fromEntries(published.flatMap(({ variant, report }) => report.tests
            .filter((t) => t.verdict.class !== 'same' && t.verdict.class !== 'expected')
            .map((t) => [`${variant}: ${t.id}`, t.verdict.class])));
        const budget = COMMENT_LIMIT - frameBudget(state);
        const result = await upsertComment(github, { owner, repo, issueNumber: pr.number, checkName: inputs.checkName }, (previous) => commentBody(inputs.checkName, `### ${inputs.checkName}: variants\n\n${table}\n${details(budget - 100)}`, state, previous), { createIfMissing: inputs.comment === 'always' || divergences > 0 });
        if (result)
            info(`pull request comment ${result.created ? 'created' : 'updated'}: ${result.url}`);
    }
    setOutput('conclusion', conclusion);
    setOutput('divergences', divergences);
    if (conclusion === 'failure')
        setFailed('a variant has failing divergences');
}

/** Entry point of the report/ sub-action (dist/report.js): see action/report-main.ts. */
await runReportAction();
