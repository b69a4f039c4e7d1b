#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { r as runCli } from './chunks/main.js';
import './chunks/proxy.js';
import 'node:os';
import 'node:path';
import 'node:http';
import 'node:events';
import 'node:child_process';
import 'node:fs';
import 'node:process';
import './chunks/candidate.js';
import 'node:stream';
import 'events';
import 'querystring';
import 'https';
import 'http';
import 'url';
import 'fs';
import 'path';
import 'net';
import 'stream';
import 'child_process';
import 'crypto';
import 'assert';
import 'buffer';
import 'tls';
import 'dns';
import 'util';
import 'zlib';
import 'tty';
import 'os';
import 'constants';
import 'string_decoder';
import './chunks/validate.js';
import 'node:readline';
import 'node:fs/promises';
import 'node:stream/promises';
import 'node:crypto';
import 'node:timers/promises';
import 'node:util';
import 'process';
import 'http2';
import 'node:string_decoder';
import 'node:net';
import 'node:dgram';
import 'node:zlib';
import './chunks/matrix.js';
import 'node:url';
import 'node:readline/promises';

process.exitCode = await runCli({
    argv: process.argv,
    env: process.env,
    cwd: process.cwd(),
    stderr: (text) => process.stderr.write(text),
    tty: Boolean(process.stdout.isTTY),
});
