import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { l as getMultilineInput, n as getBooleanInput, s as setSecret, o as setOutput, p as summary, w as warning, j as setFailed, q as getInput } from './chunks/core.js';
import { r as runCli } from './chunks/main.js';
import { E as EXIT } from './chunks/proxy.js';
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
import 'node:process';
import './chunks/candidate.js';
import 'querystring';
import 'url';
import 'stream';
import 'buffer';
import 'dns';
import 'zlib';
import 'tty';
import 'constants';
import './chunks/validate.js';
import 'node:readline';
import 'node:fs/promises';
import 'node:stream/promises';
import 'node:crypto';
import 'node:timers/promises';
import 'node:os';
import 'process';
import 'http2';
import 'node:string_decoder';
import 'node:dgram';
import './chunks/matrix.js';
import 'node:readline/promises';

/**
 * Entry point of the grade/ sub-action (dist/grade.js): `diverge grade` on a runner, for the
 * staff's own repository (a deadline run, a schedule, a manual run). Its inputs become the
 * command's flags; the token goes to the command as GITHUB_TOKEN (for --github-org and GitHub
 * references), never to a build. The gradebook's Markdown is added to the job summary; the step
 * fails when the command could not grade (usage, no references), and warns when some rows were
 * not graded (infrastructure), which a later run with the same `out` grades. With `merge`, the
 * step is `diverge grade merge` of the shards' gradebooks instead.
 */
const input = (name) => getInput(name).trim();
const cwd = path.resolve(process.cwd(), input('working-directory') || '.');
// Every path of the inputs is relative to working-directory, as the root action's are.
process.chdir(cwd);
const out = input('out') || 'gradebook';
const shards = getMultilineInput('merge').flatMap((line) => expand(line.trim()));
const args = shards.length > 0
    ? ['grade', 'merge', ...shards, '--out', out]
    : ['grade', '--config', input('config') || 'diverge.yml', '--out', out];
/** A shard's gradebook directory, or several when its last component has a `*` (`shards/gradebook-*`). */
function expand(pattern) {
    const base = path.basename(pattern);
    if (!base.includes('*'))
        return [pattern];
    const dir = path.dirname(pattern);
    const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
    const found = existsSync(dir)
        ? readdirSync(dir)
            .filter((name) => re.test(name))
            .sort()
        : [];
    if (found.length === 0)
        throw new Error(`merge: nothing matches ${pattern}`);
    return found.map((name) => path.join(dir, name));
}
const flag = (name, value) => {
    if (value !== '')
        args.push(`--${name}`, value);
};
if (shards.length === 0) {
    flag('submissions', input('submissions'));
    flag('github-org', input('github-org'));
    flag('repo-prefix', input('repo-prefix'));
    flag('shard', input('shard'));
    flag('jobs', input('jobs'));
    flag('variant', input('variant'));
    if (getBooleanInput('sources-only'))
        args.push('--sources-only');
    for (const line of getMultilineInput('references'))
        flag('reference', line.trim());
}
const token = input('github-token');
if (token !== '')
    setSecret(token);
const code = await runCli({
    argv: [process.execPath, 'diverge', ...args],
    env: { ...process.env, ...(token === '' ? {} : { GITHUB_TOKEN: token }) },
    cwd,
    stderr: (text) => process.stderr.write(text),
    tty: false,
});
const dir = path.resolve(cwd, out);
setOutput('gradebook', dir);
const markdown = path.join(dir, 'gradebook.md');
if (existsSync(markdown))
    await summary.addRaw(readFileSync(markdown, 'utf8')).write();
if (code === EXIT.infrastructure && existsSync(path.join(dir, 'gradebook.json'))) {
    const book = JSON.parse(readFileSync(path.join(dir, 'gradebook.json'), 'utf8'));
    const neutral = book.students.filter((s) => s.conclusion === 'neutral').length;
    setOutput('not-graded', String(neutral));
    if (neutral > 0)
        warning(`${neutral} of ${book.students.length} submissions not graded (the infrastructure kept them from it): run again with the same out to grade them`);
    else
        setFailed(`diverge grade exited with code ${code}`);
}
else {
    setOutput('not-graded', '0');
    if (code !== EXIT.ok)
        setFailed(`diverge grade exited with code ${code}`);
}
