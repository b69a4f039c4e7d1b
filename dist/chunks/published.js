import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import path from 'node:path';
import { i as isDivergence, p as singleLine, a6 as SEVERITIES, af as SEVERITY_ORDER, a0 as inlineCode, ag as testDigest, ah as stateOfCode, ai as codeAt, a8 as plural, w as link, aj as classOfCode, ak as statusOfCode, a1 as codeBlock, q as inlineText, F as FAIL_ON_CLASSES, al as parseBuildCache } from './validate.js';
import { readdir, stat, readFile } from 'node:fs/promises';

/**
 * The check run of one leg: created in progress when the run starts, completed with the
 * conclusion, the report as its summary and one annotation per divergence, placed on the line of
 * the harness source that defines the test when it can be found (else on the config file).
 * GitHub takes at most 50 annotations a request, so they go in batches.
 */
const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations beyond this are left out (the summary still lists every divergence). */
const MAX_ANNOTATIONS = 500;
/** GitHub's limit on a check run's summary, in characters. */
const SUMMARY_LIMIT = 65_535;
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'out', 'build', '.cache', '.tools']);
const MAX_FILES = 5_000;
const MAX_FILE_BYTES = 1024 * 1024;
/**
 * Where each test is defined: the first line of a source file under `roots` that names it (the
 * last dotted part of a KTAP id, as a whole word). Paths are relative to `repoRoot`.
 */
async function locateTests(ids, roots, repoRoot) {
    const wanted = new Map(ids.map((id) => [id, id.split('.').pop() ?? id]));
    const found = new Map();
    let files = 0;
    const visit = async (dir) => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
            if (found.size === wanted.size || files >= MAX_FILES)
                return;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!SKIP_DIRS.has(entry.name))
                    await visit(full);
                continue;
            }
            if (!entry.isFile())
                continue;
            files++;
            const info = await stat(full);
            if (info.size > MAX_FILE_BYTES)
                continue;
            const text = await readFile(full, 'utf8');
            if (text.includes('\0'))
                continue; // binary
            const lines = text.split('\n');
            for (const [id, word] of wanted) {
                if (found.has(id) || !text.includes(word))
                    continue;
                const pattern = new RegExp(`(^|[^\\w])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`);
                const index = lines.findIndex((line) => pattern.test(line));
                if (index >= 0)
                    found.set(id, {
                        path: path.relative(repoRoot, full).split(path.sep).join('/'),
                        line: index + 1,
                    });
            }
        }
    };
    for (const root of roots)
        await visit(root);
    return found;
}
/** One annotation per divergent test, most severe first, capped at MAX_ANNOTATIONS. */
function annotationsFor(report, located, fallbackPath) {
    const divergent = report.tests.filter((t) => isDivergence(t.verdict));
    const rank = (test) => SEVERITY_ORDER.indexOf(test.verdict.severity);
    divergent.sort((a, b) => rank(a) - rank(b));
    return divergent.slice(0, MAX_ANNOTATIONS).map((test) => {
        const where = located.get(test.id) ?? { path: fallbackPath, line: 1 };
        const reason = singleLine(test.verdict.reason ?? test.verdict.class);
        const diff = test.verdict.diff ? `\n\n${test.verdict.diff.slice(0, 2000)}` : '';
        return {
            path: where.path,
            start_line: where.line,
            end_line: where.line,
            annotation_level: SEVERITIES[test.verdict.severity].annotation,
            title: singleLine(`${test.verdict.class}: ${test.id}`).slice(0, 255),
            message: `${reason}${diff}`.slice(0, 60_000),
        };
    });
}
/** Creates the check run in progress, started now by `clock`; its id and its page. */
async function startCheckRun(github, target, clock) {
    const { data } = await github.rest.checks.create({
        owner: target.owner,
        repo: target.repo,
        name: target.name,
        head_sha: target.headSha,
        status: 'in_progress',
        started_at: new Date(clock.now()).toISOString(),
        ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
        output: { title: 'Booting kernels', summary: 'diverge is building and booting the kernels.' },
    });
    return { id: data.id, url: data.html_url ?? '' };
}
/**
 * Completes the check run, now by `clock`: the first request carries the conclusion, title,
 * summary and the first 50 annotations; later requests add 50 more each (GitHub appends them).
 */
async function completeCheckRun(github, target, result, clock) {
    const batches = [];
    for (let i = 0; i < result.annotations.length; i += ANNOTATIONS_PER_REQUEST)
        batches.push(result.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    const output = {
        title: result.title.slice(0, 255),
        summary: result.summary.slice(0, SUMMARY_LIMIT),
    };
    const [first = [], ...rest] = batches;
    await github.rest.checks.update({
        owner: target.owner,
        repo: target.repo,
        check_run_id: target.checkRunId,
        status: 'completed',
        conclusion: result.conclusion,
        completed_at: new Date(clock.now()).toISOString(),
        output: { ...output, annotations: first },
    });
    for (const batch of rest)
        await github.rest.checks.update({
            owner: target.owner,
            repo: target.repo,
            check_run_id: target.checkRunId,
            output: { ...output, annotations: batch },
        });
}

/**
 * The sticky pull-request comment: one per check name, found again by a hidden marker among the
 * comments the token's own identity wrote (any bot for an app's token), and updated in place or
 * posted anew. It carries the divergences it showed in a second
 * hidden line, so the next push can say which divergences are new and which were resolved.
 */
/** GitHub's limit on a comment body, in characters. */
const COMMENT_LIMIT = 65_536;
const MARKER$1 = (checkName) => `<!-- diverge:comment ${encodeURIComponent(checkName)} -->`;
const STATE = /<!-- diverge:state ([A-Za-z0-9+/=]*) -->/;
/**
 * The comment's state, the one definition both actions use: each divergence of the candidate,
 * keyed by test id, as `variant: id` for a report that names its variant.
 */
function stateOf(reports) {
    return Object.fromEntries(reports.flatMap(({ variant, report }) => report.tests
        .filter((test) => isDivergence(test.verdict))
        .map((test) => [
        variant === undefined ? test.id : `${variant}: ${test.id}`,
        test.verdict.class,
    ])));
}
function readState(body) {
    const match = STATE.exec(body);
    if (!match)
        return undefined;
    try {
        const value = JSON.parse(Buffer.from(match[1] ?? '', 'base64').toString('utf8'));
        if (typeof value !== 'object' || value === null || Array.isArray(value))
            return undefined;
        return Object.fromEntries(Object.entries(value).filter((entry) => typeof entry[1] === 'string'));
    }
    catch {
        return undefined;
    }
}
/** New, resolved and changed divergences since the state of the previous comment. */
function changesSince(previous, current) {
    const added = Object.keys(current).filter((id) => !(id in previous));
    const resolved = Object.keys(previous).filter((id) => !(id in current));
    const changed = Object.keys(current).filter((id) => id in previous && previous[id] !== current[id]);
    const list = (ids, show) => {
        const shown = ids.slice(0, 20).map(show).join(', ');
        return ids.length > 20 ? `${shown} and ${ids.length - 20} more` : shown;
    };
    const lines = [];
    if (added.length)
        lines.push(`- **new:** ${list(added, (id) => `${inlineCode(id)} (${current[id]})`)}`);
    if (resolved.length)
        lines.push(`- **resolved:** ${list(resolved, inlineCode)}`);
    if (changed.length)
        lines.push(`- **changed:** ${list(changed, (id) => `${inlineCode(id)} (${previous[id]} → ${current[id]})`)}`);
    return lines;
}
/**
 * The comment body: marker, what changed since the last push (when there was one), the report
 * as Markdown, and the state. `markdown` must already fit `COMMENT_LIMIT` minus the frame.
 */
function commentBody(checkName, markdown, current, previous) {
    const state = Buffer.from(JSON.stringify(current)).toString('base64');
    const parts = [MARKER$1(checkName)];
    if (previous) {
        const changes = changesSince(previous, current);
        parts.push(changes.length
            ? `**Since the previous push:**\n${changes.join('\n')}`
            : '**Since the previous push:** no change in the divergences.');
    }
    parts.push(markdown.trimEnd(), `<!-- diverge:state ${state} -->`);
    return `${parts.join('\n\n')}\n`;
}
/** Bytes the frame around the Markdown may take: marker, change list (capped) and state. */
function frameBudget(current) {
    return 8_000 + Buffer.byteLength(JSON.stringify(current)) * 2;
}
/**
 * Updates the comment an earlier run left (the newest one of this identity carrying this check's
 * marker), or with `recreate` posts a new one and deletes the earlier; creates one when
 * `createIfMissing` (a clean first run need not comment at all).
 */
async function upsertComment(github, target, render, options = { createIfMissing: true }) {
    const { owner, repo, issueNumber } = target;
    const marker = MARKER$1(target.checkName);
    const comments = await github.paginate(github.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issueNumber,
        per_page: 100,
    });
    // Only the token's own comments count: a person quoting the marker must not have theirs
    // overwritten.
    const { author } = options;
    const ours = (user) => author === undefined
        ? user?.type === 'Bot'
        : user?.login.toLowerCase() === author.toLowerCase();
    const mine = comments.filter((c) => ours(c.user) && (c.body ?? '').startsWith(marker)).at(-1);
    const body = render(mine ? readState(mine.body ?? '') : undefined);
    if (mine && options.replacement !== 'recreate') {
        const { data } = await github.rest.issues.updateComment({
            owner,
            repo,
            comment_id: mine.id,
            body,
        });
        return { created: false, id: data.id, url: data.html_url };
    }
    if (!mine && !options.createIfMissing)
        return undefined;
    const { data } = await github.rest.issues.createComment({
        owner,
        repo,
        issue_number: issueNumber,
        body,
    });
    // Posted first, deleted second: a failure in between leaves two comments, never none.
    if (mine)
        await github.rest.issues.deleteComment({ owner, repo, comment_id: mine.id });
    return { created: true, id: data.id, url: data.html_url };
}

/**
 * `track-issues`: one issue per broken test (docs/history.md). Pure: the history's timeline and
 * the tracked issues found on GitHub in, what to write out. An issue is known by a hidden marker
 * holding a digest of the test's key (test ids are kernel output: never raw in an HTML
 * comment), so it is found again whatever its title became.
 */
/** The label every tracked issue carries; the issues are listed by it. */
const TRACK_LABEL = 'diverge';
/** Good runs in a row after which a tracked issue is closed, unless told otherwise. */
const CLOSE_AFTER = 3;
/** Issues opened in one run at most: a toolchain break of every test opens the rest later. */
const MAX_NEW_ISSUES = 20;
const MARKER = /<!-- diverge-track: ([0-9a-f]{16}) -->/;
const trackMarker = (test) => `<!-- diverge-track: ${testDigest(test)} -->`;
/** The digest in an issue body's marker, if it has one. */
const markerOf = (body) => MARKER.exec(body)?.[1];
const short = (commit) => commit.slice(0, 12);
const runLink = (run) => run.link ? link(short(run.commit), run.link) : inlineCode(short(run.commit));
/** The test's state in each run that had it, newest first. */
function presentStates(timeline, t) {
    const states = [];
    for (let r = timeline.runs.length - 1; r >= 0; r--) {
        const state = stateOfCode(codeAt(timeline, r, t));
        if (state !== 'absent')
            states.push({ r, state });
    }
    return states;
}
/** The culprit: the bisect's when it ran over this very break, else the first broken run's commit. */
function culpritOf(input, facts, brokeNow) {
    const bisect = input.culprit;
    if (bisect && brokeNow && (bisect.tests.length === 0 || bisect.tests.includes(facts.id)))
        return { sha: bisect.sha, how: `found by bisect: ${inlineText(bisect.subject)}` };
    return {
        sha: facts.brokenSince?.commit ?? '',
        how: 'the commit of the first broken run',
    };
}
function issueText(input, facts, t, streak, brokeNow) {
    const { timeline } = input;
    const culprit = culpritOf(input, facts, brokeNow);
    const classes = [
        ...new Set(streak.map((r) => {
            const code = codeAt(timeline, r, t);
            return `${classOfCode(code) ?? '?'} (${statusOfCode(code) ?? '?'})`;
        })),
    ];
    const since = facts.brokenSince;
    const good = facts.lastGood;
    const name = singleLine(facts.id).slice(0, 200);
    const title = `diverge: ${name} broken since ${short(culprit.sha)}`;
    const body = [
        trackMarker(facts.id),
        `${inlineCode(name)} is broken on ${inlineCode(input.branch)}.`,
        '',
        '| | |',
        '| --- | --- |',
        `| culprit | ${inlineCode(culprit.sha)} (${culprit.how}) |`,
        `| classes | ${classes.join(', ')} |`,
        `| first bad run | ${since ? `${runLink(since)}, ${since.time}` : 'unknown'} |`,
        `| cause | ${facts.cause ?? 'unknown'}${facts.cause === 'commit' || facts.cause === null ? '' : ' (broke with no commit)'} |`,
        `| last good run | ${good ? `${runLink(good)}, ${good.time}` : 'none'} |`,
        `| history | ${link('the test in the dashboard', input.historyLink(facts.id))} |`,
        '',
        ...(good && since && good.commit !== since.commit
            ? [
                'The commits between, bisected locally:',
                '',
                codeBlock([`diverge bisect --good ${good.commit} --bad ${since.commit}`], 'sh'),
                '',
            ]
            : []),
        `diverge closes this issue when the test has been good for ${input.closeAfter} runs in a row.`,
    ].join('\n');
    return { title, body };
}
/** What to write for one test, given its tracked issues. */
function planTest(input, facts, t, issues) {
    const states = presentStates(input.timeline, t);
    const now = states[0];
    if (!now)
        return [];
    const before = states[1]?.state;
    const open = issues.filter((i) => i.open).sort((a, b) => a.number - b.number);
    const [issue, ...extra] = open;
    const writes = extra.map((dup) => ({
        kind: 'duplicate',
        test: facts.id,
        number: dup.number,
        comment: `Duplicate of #${issue?.number ?? ''}: diverge keeps one issue per test.`,
        reason: 'duplicate',
    }));
    const word = `${inlineCode(singleLine(facts.id).slice(0, 200))}`;
    const at = runLink(input.timeline.runs[now.r]);
    if (now.state === 'broken') {
        const end = states.findIndex((s) => s.state !== 'broken');
        const streak = (end < 0 ? states : states.slice(0, end)).map((s) => s.r);
        const brokeNow = before !== 'broken';
        const text = issueText(input, facts, t, streak, brokeNow);
        if (!issue) {
            // A test broken before tracking began (or before a human closed its issue) is opened
            // only when no issue ever tracked it.
            if (brokeNow || issues.length === 0)
                writes.push({ kind: 'open', test: facts.id, ...text });
        }
        else if (brokeNow)
            writes.push({
                kind: 'flip',
                test: facts.id,
                number: issue.number,
                comment: `${word} is broken again at ${at} (was ${before ?? 'absent'}).`,
                ...text,
            });
        return writes;
    }
    if (!issue)
        return writes;
    const good = states.findIndex((s) => s.state !== 'good');
    const goodRuns = good < 0 ? states.length : good;
    if (goodRuns >= input.closeAfter)
        writes.push({
            kind: 'close',
            test: facts.id,
            number: issue.number,
            comment: `${word} has been good for ${plural(goodRuns, 'run')} in a row (the latest: ${at}): closing.`,
            reason: 'completed',
        });
    else if (before === 'broken')
        writes.push({
            kind: 'flip',
            test: facts.id,
            number: issue.number,
            comment: `${word} is ${now.state} at ${at}${now.state === 'good' ? ` (the issue closes after ${input.closeAfter} good runs in a row)` : ''}.`,
        });
    return writes;
}
/** Every write the tracked issues need after the latest run; new issues capped at MAX_NEW_ISSUES. */
function planIssues(input) {
    const byDigest = new Map();
    for (const issue of input.issues)
        byDigest.set(issue.digest, [...(byDigest.get(issue.digest) ?? []), issue]);
    const writes = [];
    let opened = 0;
    input.timeline.tests.forEach((test, t) => {
        const facts = input.facts[t];
        if (!facts)
            return;
        for (const write of planTest(input, facts, t, byDigest.get(testDigest(test)) ?? [])) {
            if (write.kind === 'open' && opened++ >= MAX_NEW_ISSUES)
                continue;
            writes.push(write);
        }
    });
    return writes;
}

/**
 * The action's inputs, read in one place and turned into one typed settings object; nothing
 * else reads inputs. An invalid input fails the step with a message naming it.
 */
const COMMENT_MODES = ['auto', 'always', 'never'];
const CHECK_RUN_MODES = ['auto', 'always', 'never'];
const SETUP_MODES = ['auto', 'never'];
const COMMENT_REPLACEMENTS = ['update', 'recreate'];
class InputError extends Error {
}
function oneOf(name, value, allowed) {
    if (allowed.includes(value))
        return value;
    throw new InputError(`input ${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
}
function boolean(name, fallback, read) {
    const value = read(name).trim().toLowerCase();
    if (value === '')
        return fallback;
    if (value === 'true')
        return true;
    if (value === 'false')
        return false;
    throw new InputError(`input ${name}: expected true or false, got "${value}"`);
}
/** A retention in days: GitHub accepts 1 to 90 (a repository may lower the maximum). */
function days(name, fallback, read) {
    const value = read(name).trim();
    if (value === '')
        return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 90)
        throw new InputError(`input ${name}: expected a whole number of days from 1 to 90, got "${value}"`);
    return n;
}
/** A whole number of runs, at least 1. */
function count(name, fallback, read) {
    const value = read(name).trim();
    if (value === '')
        return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
        throw new InputError(`input ${name}: expected a whole number from 1 to 1000, got "${value}"`);
    return n;
}
/** The history input: a branch name git takes, and never one a pull request could name. */
function historyBranch(read) {
    const branch = read('history').trim();
    if (branch === '')
        return {};
    if (!/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,100}(?<![./])$/.test(branch))
        throw new InputError(`input history: expected a branch name (letters, digits, '.', '_', '-', '/'), got "${branch}"`);
    return { history: branch };
}
function buildCacheInput(read, variant) {
    try {
        const cache = parseBuildCache(read('build-cache'), `diverge-${variant ?? 'default'}`);
        return cache ? { buildCache: cache } : {};
    }
    catch (error) {
        throw new InputError(`input build-cache: ${error.message}`);
    }
}
/** Reads the inputs through `read` (the runner's INPUT_* variables); paths are relative to `workspace`. */
function readInputs(read, workspace) {
    const workingDirectory = path.resolve(workspace, read('working-directory') || '.');
    const { token, comment, commentMode, checkName: baseName } = readPublishing(read);
    const variant = read('variant').trim() || undefined;
    if (variant !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(variant))
        throw new InputError(`input variant: expected letters, digits, '.', '_' or '-' (at most 64), got "${variant}"`);
    const failOnText = read('fail-on').trim();
    const failOn = failOnText
        ? failOnText
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((cls) => oneOf('fail-on', cls, FAIL_ON_CLASSES))
        : undefined;
    return {
        config: path.resolve(workingDirectory, read('config') || 'diverge.yml'),
        token,
        ...(variant ? { variant } : {}),
        checkName: variant === undefined ? baseName : `${baseName} (${variant})`,
        baseCheckName: baseName,
        comment,
        commentMode,
        checkRun: oneOf('check-run', read('check-run').trim() || 'auto', CHECK_RUN_MODES),
        installQemu: oneOf('install-qemu', read('install-qemu').trim() || 'auto', SETUP_MODES),
        kvm: oneOf('kvm', read('kvm').trim() || 'auto', SETUP_MODES),
        ...(failOn ? { failOn } : {}),
        uploadArtifacts: boolean('upload-artifacts', true, read),
        publishKernel: boolean('publish-kernel', true, read),
        kernelRetentionDays: days('kernel-retention-days', 30, read),
        bisect: boolean('bisect', false, read),
        ...historyBranch(read),
        trackIssues: boolean('track-issues', false, read),
        trackIssuesCloseAfter: count('track-issues-close-after', CLOSE_AFTER, read),
        allowForkCode: boolean('allow-fork-code', false, read),
        ...buildCacheInput(read, variant),
        workingDirectory,
    };
}
function readPublishing(read) {
    const token = read('github-token');
    if (!token)
        throw new InputError('input github-token: empty (the default is the workflow token)');
    return {
        token,
        checkName: read('check-name').trim() || 'diverge',
        comment: oneOf('comment', read('comment').trim() || 'auto', COMMENT_MODES),
        commentMode: oneOf('comment-mode', read('comment-mode').trim() || 'update', COMMENT_REPLACEMENTS),
    };
}
/** The report/ sub-action's inputs. */
function readReportInputs(read) {
    return readPublishing(read);
}

/** The login of a user's token, or undefined for an app's installation token. */
async function tokenLogin(github) {
    try {
        const { data } = await github.rest.users.getAuthenticated();
        return data.login;
    }
    catch (error) {
        if (error.status === 403)
            return undefined;
        throw error;
    }
}

/**
 * How both actions publish: the check run, created in progress before the work starts and
 * completed with the verdict, then the sticky pull-request comment. One error boundary around
 * the work: whatever fails after the check run exists completes it, so no check is left in
 * progress, and the step fails with the message. A token that may not write checks or comments
 * (a fork, Dependabot, a workflow without `checks: write`) costs those two, never the run: the
 * divergences then become workflow-command annotations and the job summary says what was not
 * published and why.
 */
/**
 * Completes the check run, unless there is none, it is already complete, or a cancellation has
 * the last word; says whether it did.
 */
async function completeOnce(publisher, result) {
    const { checkRun } = publisher;
    if (!checkRun || publisher.completed)
        return false;
    if (publisher.cancelling && result.conclusion !== 'cancelled')
        return false;
    await completeCheckRun(publisher.github, { ...publisher.target, checkRunId: checkRun.id }, result, publisher.clock);
    publisher.completed = true;
    return true;
}
/** The check run's title when diverge failed before it had a verdict. */
const FAILED_TITLE = 'diverge could not run';
/** GitHub's answer to a token without the permission (403 "Resource not accessible by integration"). */
const isRefusal = (error) => error.status === 403;
/**
 * Creates the check run in progress. With `auto`, a token GitHub refuses (403) or a fork's
 * read-only token (`readOnly` says why) leaves the leg without a check run; with `always` a
 * refusal fails the step (returns undefined), as does any other error.
 */
async function createCheck(core, github, target, clock, options = { mode: 'always' }) {
    const publisher = {
        github,
        target,
        clock,
        missed: [],
        canComment: !options.readOnly,
    };
    if (options.mode === 'never')
        return publisher;
    if (options.readOnly && options.mode === 'auto') {
        core.warning(options.readOnly);
        publisher.missed.push(`the check run and the comment: ${options.readOnly}`);
        return publisher;
    }
    try {
        publisher.checkRun = await startCheckRun(github, target, clock);
        return publisher;
    }
    catch (error) {
        const message = error.message;
        if (options.mode === 'auto' && isRefusal(error)) {
            core.warning(`cannot create the check run: ${message}; the divergences are annotations of this step instead (grant checks: write to get a check run)`);
            publisher.missed.push(`the check run: GitHub refused it (${message}); the workflow needs \`checks: write\``);
            return publisher;
        }
        core.setFailed(`cannot create the check run in ${target.owner}/${target.repo}: ${message} (does the workflow grant checks: write?)`);
        return undefined;
    }
}
const COMMAND_LEVEL = { failure: 'error', warning: 'warning', notice: 'notice' };
/**
 * The annotations as workflow commands (::error file=…,line=…::), placed where the check run
 * would have put them, for a run without a check run. GitHub shows a few per step; the job
 * summary has them all.
 */
function annotateStep(core, annotations) {
    for (const a of annotations)
        core[COMMAND_LEVEL[a.annotation_level]](a.message, {
            title: a.title,
            file: a.path,
            startLine: a.start_line,
            endLine: a.end_line,
        });
}
/**
 * Completes the check run with the verdict (or, without one, annotates the step), then posts or
 * updates the sticky comment. A comment GitHub refuses is a warning and goes in `missed`.
 */
async function publish(core, publisher, result, comment) {
    const { github, target, checkRun } = publisher;
    const published = {};
    if (checkRun) {
        if (!(await completeOnce(publisher, result)))
            return published;
        published.checkUrl = checkRun.url;
        core.info(`check run "${target.name}" completed: ${result.conclusion}, ${result.annotations.length} annotations`);
    }
    else
        annotateStep(core, result.annotations);
    if (!comment || comment.mode === 'never' || !publisher.canComment)
        return published;
    // The check run or the summary already carries the verdict: a refused comment is a warning.
    try {
        const budget = COMMENT_LIMIT - frameBudget(comment.state);
        const posted = await upsertComment(github, {
            owner: target.owner,
            repo: target.repo,
            issueNumber: comment.issueNumber,
            checkName: target.name,
        }, (previous) => commentBody(target.name, comment.markdown(budget), comment.state, previous), {
            createIfMissing: comment.mode === 'always' || comment.divergences > 0,
            author: await tokenLogin(github),
            replacement: comment.replacement ?? 'update',
        });
        if (posted) {
            published.commentUrl = posted.url;
            core.info(`pull request comment ${posted.created ? 'created' : 'updated'}: ${posted.url}`);
        }
    }
    catch (error) {
        const message = error.message;
        core.warning(`could not post the pull request comment: ${message}`);
        publisher.missed.push(`the pull request comment: ${message}${isRefusal(error) ? '; the workflow needs `pull-requests: write`' : ''}`);
    }
    return published;
}
/** Says in the job summary what could not be published and why (nothing when all was). */
async function reportMissed(core, publisher) {
    if (publisher.missed.length === 0)
        return;
    await core.summary
        .addRaw(`\n\n**Not published:**\n${publisher.missed.map((m) => `- ${m}`).join('\n')}\n\nThe verdict above stands: the step fails only on it.\n`)
        .write();
}
/**
 * Runs `work`, the steps after the check run was created (when there is one). Whatever it throws
 * is written to the job summary and completes the check run as a failure, and fails the step.
 */
async function withErrorBoundary(core, publisher, work) {
    try {
        await work();
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const shown = message.slice(0, 60_000);
        // The job summary is written whatever happened: it is where people look first.
        await core.summary
            .addHeading(FAILED_TITLE, 3)
            .addCodeBlock(shown)
            .write()
            .catch(() => undefined);
        await completeOnce(publisher, {
            conclusion: 'failure',
            title: FAILED_TITLE,
            summary: `\`\`\`\n${shown}\n\`\`\``,
            annotations: [],
        }).catch((failure) => core.warning(`could not complete the check run: ${failure.message}`));
        core.setFailed(message);
    }
}

/** What the main action uploads for the report/ sub-action to publish later. */
/** Report artifacts are named `diverge-report-<variant>`. */
const REPORT_ARTIFACT_PREFIX = 'diverge-report-';

export { REPORT_ARTIFACT_PREFIX as R, TRACK_LABEL as T, planIssues as a, completeOnce as b, createCheck as c, annotationsFor as d, reportMissed as e, readReportInputs as f, locateTests as l, markerOf as m, publish as p, readInputs as r, stateOf as s, withErrorBoundary as w };
