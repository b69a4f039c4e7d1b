import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { tmpdir } from 'node:os';
import { k as core, i as info } from './chunks/core.js';
import { a as actionEnvironment, c as context, b as actionGitHub } from './chunks/environment.js';
import { u as useProxy, z as proxySettings, F as systemClock } from './chunks/proxy.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { f as readReportInputs, c as createCheck, w as withErrorBoundary, R as REPORT_ARTIFACT_PREFIX, p as publish, s as stateOf } from './chunks/published.js';
import { l as download, m as extractZip, v as validateReport, d as renderMarkdown } from './chunks/validate.js';
import { r as renderMatrixMarkdown } from './chunks/matrix.js';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
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
import 'node:child_process';
import 'node:readline';
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
/**
 * Downloads and validates every report artifact of `runId`; an artifact that fails is skipped
 * with a warning, and none at all is an error.
 */
async function readPublished(core, github, env, runId) {
    const { owner, repo } = env.context.repo;
    const artifacts = (await github.paginate(github.rest.actions.listWorkflowRunArtifacts, {
        owner,
        repo,
        run_id: runId,
        per_page: 100,
    })).filter((a) => a.name.startsWith(REPORT_ARTIFACT_PREFIX) && !a.expired);
    const published = [];
    for (const artifact of artifacts.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const dir = await mkdtemp(path.join(env.runnerTemp, 'diverge-report-'));
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
            core.warning(`skipping artifact ${artifact.name}: ${error.message}`);
        }
        finally {
            await rm(dir, { recursive: true, force: true });
        }
    }
    if (published.length === 0)
        throw new Error(`no ${REPORT_ARTIFACT_PREFIX}* artifact with a valid report in run ${runId}`);
    return published;
}
/** The workflow run whose artifacts are published: the triggering one under workflow_run. */
function triggeringRun(context) {
    return context.payload.workflow_run;
}
/** The commit the check run goes on: the pull request's head, else the run's. */
function headShaOf(context) {
    const pr = context.payload.pull_request;
    return pr?.head.sha ?? triggeringRun(context)?.head_sha ?? context.sha;
}
/**
 * The pull request to comment on. From a workflow_run event the number comes from the uploaded
 * record, which the fork wrote; it is only believed when its head commit is the run's and its
 * base is this repository.
 */
function pullRequestOf(core, context, published) {
    const pr = context.payload.pull_request;
    if (pr)
        return pr.number;
    const run = triggeringRun(context);
    if (!run)
        return undefined;
    const here = `${context.repo.owner}/${context.repo.repo}`;
    for (const { pullRequest } of published) {
        if (!pullRequest)
            continue;
        if (pullRequest.headSha !== run.head_sha || pullRequest.baseRepository !== here) {
            core.warning(`ignoring the pull request record of the triggering run: it names head ${pullRequest.headSha} in ${pullRequest.baseRepository}, but the run built ${run.head_sha} for ${here}`);
            continue;
        }
        return pullRequest.number;
    }
    return undefined;
}
const WORST = ['failure', 'neutral', 'success'];
/** The reports taken together: the worst conclusion, every divergence, the variant table. */
function combine(published) {
    return {
        published,
        conclusion: WORST.find((c) => published.some((p) => p.report.summary.conclusion === c)) ?? 'neutral',
        divergences: published.reduce((n, p) => n + p.report.summary.divergences, 0),
        table: renderMatrixMarkdown(published),
    };
}
/**
 * The report/ sub-action: check run created → reports read → summary and outputs → publish.
 * Once the check run exists, any failure completes it.
 */
async function runPublishReports(env, services) {
    const { core } = services;
    let inputs;
    try {
        inputs = readReportInputs((name) => core.getInput(name));
    }
    catch (error) {
        core.setFailed(error.message);
        return;
    }
    const github = services.github(inputs.token);
    const { owner, repo } = env.context.repo;
    const check = await createCheck(core, github, { owner, repo, headSha: headShaOf(env.context), name: inputs.checkName }, services.clock);
    if (!check)
        return;
    await withErrorBoundary(core, check, async () => {
        const runId = triggeringRun(env.context)?.id ?? env.context.runId;
        const published = await readPublished(core, github, env, runId);
        const combined = combine(published);
        await core.summary.addRaw(combined.table).write();
        core.setOutput('conclusion', combined.conclusion);
        core.setOutput('divergences', combined.divergences);
        // Each variant's report.html is in its artifact, in the run that uploaded them.
        const artifactsRun = `${env.serverUrl}/${owner}/${repo}/actions/runs/${runId}`;
        await publishCombined(core, check, inputs, combined, pullRequestOf(core, env.context, published), artifactsRun);
        if (combined.conclusion === 'failure')
            core.setFailed('a variant has failing divergences');
    });
}
/** One check run and one comment for all variants: the table, then each report in its share. */
async function publishCombined(core, check, inputs, { published, conclusion, divergences, table }, issueNumber, artifactsRun) {
    const details = (budget) => {
        const each = Math.floor((budget - table.length - 200) / published.length);
        return published
            .map(({ report, variant }) => renderMarkdown(report, {
            budgetBytes: Math.max(each, 200),
            title: inputs.checkName,
            htmlReport: { artifact: `${REPORT_ARTIFACT_PREFIX}${variant}`, runUrl: artifactsRun },
        }))
            .join('\n\n');
    };
    await publish(core, check, {
        conclusion,
        title: `${published.length} variants, ${divergences} divergences`,
        summary: `${table}\n${details(60_000)}`,
        annotations: [],
    }, issueNumber === undefined
        ? undefined
        : {
            issueNumber,
            mode: inputs.comment,
            divergences,
            state: stateOf(published),
            markdown: (budget) => `### ${inputs.checkName}: variants\n\n${table}\n${details(budget - 100)}`,
        });
}

/**
 * Entry point of the report/ sub-action (dist/publish.js): reads the runner's environment once
 * and runs action/publish-reports.ts with the real services.
 */
const environment = actionEnvironment(process.env, context, {
    cwd: process.cwd(),
    tempDir: tmpdir(),
});
useProxy(proxySettings(process.env), core);
await runPublishReports(environment, {
    core,
    github: actionGitHub(environment.apiUrl, info),
    clock: systemClock,
});
