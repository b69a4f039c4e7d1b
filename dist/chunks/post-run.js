import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { tmpdir } from 'node:os';
import { k as core, i as info } from './core.js';
import { a as actionEnvironment, c as context, b as actionGitHub } from './environment.js';
import { u as useProxy, z as proxySettings, F as systemClock } from './proxy.js';
import { r as runPost } from './post.js';
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
import 'node:path';

/** The post step's work when the main step left a check run in progress (see post-action.ts). */
const environment = actionEnvironment(process.env, context, {
    cwd: process.cwd(),
    tempDir: tmpdir(),
});
useProxy(proxySettings(process.env), core);
await runPost({
    core,
    github: actionGitHub(environment.apiUrl, info),
    clock: systemClock,
});
