import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync, createWriteStream } from 'node:fs';
import { mkdir, access, constants, writeFile, rename, rm, readFile, open as open$1, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { a as getDefaultExportFromCjs } from './proxy.js';
import fs__default from 'fs';
import require$$0 from 'zlib';
import require$$1__default from 'util';
import require$$0__default from 'stream';
import require$$2__default from 'events';
import { randomBytes, createHash } from 'node:crypto';
import { setTimeout as setTimeout$1 } from 'node:timers/promises';
import { hostname } from 'node:os';

/**
 * `mkdir -p` whose failure says why: Node reports a directory that cannot be made on a
 * read-only file system as ENOENT, so the nearest existing parent is asked (EROFS, EACCES).
 */
async function makeDir(dir) {
    try {
        await mkdir(dir, { recursive: true });
    }
    catch (error) {
        if (error.code !== 'ENOENT')
            throw error;
        let parent = path.dirname(dir);
        while (!existsSync(parent) && parent !== path.dirname(parent))
            parent = path.dirname(parent);
        await access(parent, constants.W_OK);
        throw error;
    }
}
/**
 * A name beside `target` for writing it before a rename: unique per write, not per process, so
 * two writes of one process to the same target (two boots storing one observation) never share
 * it.
 */
const partialName = (target) => `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
/** Whether `error` is the file system's (it has an errno code), not a defect of diverge's. */
const isFileSystemError = (error) => typeof error?.code === 'string' &&
    /^E[A-Z]+$/.test(error.code);
/**
 * Readers never see a half-written file: write a temp file beside it, then rename over. Caches
 * shared by concurrent runs rely on it.
 */
async function writeAtomically(file, content) {
    await makeDir(path.dirname(file));
    const temp = partialName(file);
    try {
        await writeFile(temp, content);
        await rename(temp, file);
    }
    catch (error) {
        await rm(temp, { force: true });
        throw error;
    }
}

/**
 * What an interrupted command must undo besides its QEMU processes (the context's process
 * registry stops those): the containers it runs and the git worktrees it checks commits out in.
 * Each is registered while it exists; on SIGINT or SIGTERM the entry point undoes what is still
 * registered, within a bound, before it dies of the signal. What SIGKILL leaves is found by the
 * next run from its owner (`owner()`, a process that is gone) and removed then.
 */
const pending = new Set();
let interrupted = false;
/**
 * Registers `undo` until the returned function is called. Once the command was interrupted,
 * `undo` runs at once: what is made after the signal does not outlive the command either.
 */
function untilDone(undo) {
    if (interrupted) {
        void undo().catch(() => undefined);
        return () => undefined;
    }
    pending.add(undo);
    return () => void pending.delete(undo);
}
/** Undoes everything registered, waiting at most `timeoutMs`; resolves to how many there were. */
async function undoAll(timeoutMs) {
    interrupted = true;
    const all = [...pending];
    pending.clear();
    let timer;
    await Promise.race([
        Promise.allSettled(all.map((undo) => undo())),
        new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
    return all.length;
}
/** The start time of a process (Linux /proc), which tells a reused pid from the first one. */
function startTime(pid) {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name (which may hold spaces) start after the last ')'.
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    }
    catch {
        return undefined;
    }
}
/** Whether the process `pid` that started at `started` still runs (a reused pid is not it). */
function alive(pid, started) {
    try {
        process.kill(pid, 0);
    }
    catch (error) {
        if (error.code !== 'EPERM')
            return false;
    }
    const now = startTime(pid);
    return started === undefined || now === undefined || now === started;
}
/** This machine, for as long as it is up: a pid means nothing on another host or after a reboot. */
function machine() {
    let boot = '';
    try {
        boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    }
    catch {
        // Not Linux: the host name alone.
    }
    return `${hostname()}/${boot}`;
}
/** `MACHINE PID START`: what made a thing that must not outlive it. */
function owner(pid = process.pid) {
    return `${machine()} ${pid} ${startTime(pid) ?? ''}`;
}
/**
 * Whether the owner a thing was labelled with (`owner()`) is a process of this machine that is
 * gone: only then may another run remove the thing. Another machine's, or a live one's, is not.
 */
function ownerGone(label) {
    const [where, pid, started] = label.split(' ');
    if (where !== machine() || pid === undefined || !/^\d+$/.test(pid))
        return false;
    return !alive(Number(pid), started || undefined);
}

/**
 * Builds through `docker buildx build` when the action's `build-cache` input asks for a cache
 * BuildKit keeps outside the engine (`type=gha`: the GitHub Actions cache). The Engine API
 * cannot export a build cache; buildx can, with a builder whose driver is not `docker` (the
 * `docker-container` builder `docker/setup-buildx-action` creates). Without such a buildx the
 * input does nothing, and the build says so (see docs/action.md).
 */
/** `build-cache`: empty for none; else `gha` with optional `scope=` and `mode=` attributes. */
function parseBuildCache(text, defaultScope) {
    const value = text.trim();
    if (!value)
        return undefined;
    const [type, ...attributes] = value.split(',').map((part) => part.trim());
    if (type !== 'gha' && type !== 'type=gha')
        throw new Error(`expected gha (the GitHub Actions cache), optionally with ,scope=NAME and ,mode=min|max; got "${value}"`);
    const cache = { type: 'gha', scope: defaultScope, mode: 'max' };
    for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const val = rest.join('=');
        if (key === 'scope' && /^[A-Za-z0-9._/-]{1,100}$/.test(val))
            cache.scope = val;
        else if (key === 'mode' && (val === 'min' || val === 'max'))
            cache.mode = val;
        else
            throw new Error(`unknown or invalid attribute "${attribute}" (scope=NAME, mode=min|max)`);
    }
    return cache;
}
/** The buildx command lines: `--cache-from` and `--cache-to` of a cache. */
function cacheFlags(cache) {
    return [
        '--cache-from',
        `type=gha,scope=${cache.scope}`,
        '--cache-to',
        `type=gha,scope=${cache.scope},mode=${cache.mode}`,
    ];
}
/**
 * The driver of buildx's current builder (`docker-container`, `docker`, …), or why there is
 * none usable: no buildx plugin, or the engine's own (`docker`) driver, which exports no cache.
 */
async function buildxDriver(docker = 'docker') {
    const child = spawn(docker, ['buildx', 'inspect'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk.toString()));
    child.stderr.on('data', (chunk) => (out += chunk.toString()));
    const code = await exited(child);
    if (code !== 0)
        return { why: 'no docker buildx here' };
    const driver = /^Driver:\s*(\S+)/m.exec(out)?.[1];
    if (!driver)
        return { why: 'docker buildx inspect named no driver' };
    if (driver === 'docker')
        return {
            driver,
            why: "buildx's builder uses the docker driver, which exports no build cache (docker/setup-buildx-action creates a docker-container builder)",
        };
    return { driver };
}
/**
 * `docker buildx build … -` with the packed context on standard input; `--progress=plain`
 * lines go to `line`. Resolves to the exit code (null when stopped).
 */
async function runBuildx(run) {
    const child = spawn(run.docker ?? 'docker', ['buildx', 'build', ...run.args, '-'], {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(run.signal ? { signal: run.signal } : {}),
    });
    child.stdin.on('error', () => undefined);
    run.context.pipe(child.stdin);
    const lines = [
        createInterface({ input: child.stdout }),
        createInterface({ input: child.stderr }),
    ];
    for (const reader of lines)
        reader.on('line', run.line);
    return exited(child);
}
/** The exit status of `child`; null when it could not start or was stopped by a signal. */
function exited(child) {
    return new Promise((resolve) => {
        child.on('error', () => resolve(null));
        child.on('close', (code) => resolve(code));
    });
}

/**
 * The divergence classes: one row per class, and everything else derives from this table (the
 * class list, `fail-on` and its default, severities, the order and colours reports show them in,
 * check-run annotation levels). Which class a test gets is decided in compare/classify.ts.
 * test/compare/classes.test.ts holds docs/report.md's class table and schema/report.v1.json's
 * enums to this table.
 */
/** How loud a verdict is, loudest first: the order reports sort verdicts in. */
const SEVERITIES = {
    error: { annotation: 'failure', style: 'red' },
    warning: { annotation: 'warning', style: 'yellow' },
    notice: { annotation: 'notice', style: 'cyan' },
    // Not shown as a divergence (isShownDivergence).
    none: { annotation: 'notice', style: 'dim' },
};
const SEVERITY_ORDER = Object.keys(SEVERITIES);
/** In docs/report.md's order, which is also report.json's `byClass` order. */
const CLASSES = {
    same: {
        meaning: "each of the candidate's runs is an outcome every reference showed; `varying` names references whose own runs differ",
        severity: 'none',
        divergence: false,
        failsByDefault: false,
        display: 11,
    },
    regression: {
        meaning: 'references pass (or skip), candidate fails or errors',
        severity: 'error',
        divergence: true,
        failsByDefault: true,
        display: 1,
    },
    fix: {
        meaning: 'references fail, candidate passes',
        severity: 'notice',
        divergence: true,
        failsByDefault: false,
        display: 8,
    },
    output: {
        meaning: 'same status, different normalised output (or fail ↔ error, failing ↔ skip)',
        severity: 'warning',
        divergence: true,
        failsByDefault: true,
        display: 5,
    },
    crash: {
        meaning: "the candidate's boot panicked before reporting the test; references reported it",
        severity: 'error',
        divergence: true,
        failsByDefault: true,
        display: 2,
    },
    hang: {
        meaning: "the candidate's boot timed out or stalled before reporting the test",
        severity: 'error',
        divergence: true,
        failsByDefault: true,
        display: 3,
    },
    missing: {
        meaning: "the candidate's boot finished without reporting a test the references report",
        severity: 'error',
        divergence: true,
        failsByDefault: true,
        display: 4,
    },
    new: {
        meaning: 'only the candidate reports the test',
        severity: 'notice',
        divergence: true,
        failsByDefault: false,
        display: 9,
    },
    flaky: {
        meaning: "the candidate's own runs disagree in a way the references' own runs did not",
        severity: 'warning',
        divergence: true,
        failsByDefault: false,
        display: 6,
    },
    ambiguous: {
        meaning: 'the references disagree among themselves; `agreeing` lists the ones the candidate matches',
        severity: 'warning',
        divergence: true,
        failsByDefault: false,
        display: 7,
    },
    expected: {
        meaning: 'a divergence matched by the expectations file; `expected.class` keeps what it would have been',
        severity: 'none',
        divergence: false,
        failsByDefault: false,
        display: 10,
    },
};
/** Every class, in the table's order. */
const DIVERGENCE_CLASSES = Object.keys(CLASSES);
/** Classes from the most to the least severe, `same` last: the order reports show them in. */
const CLASS_ORDER = [...DIVERGENCE_CLASSES].sort((a, b) => CLASSES[a].display - CLASSES[b].display);
const NOT_DIVERGENT = new Set(DIVERGENCE_CLASSES.filter((cls) => !CLASSES[cls].divergence));
/**
 * Whether a class is a divergence, whoever is to blame. A name the table does not know (a
 * tampered report's) counts as one: shown, never hidden.
 */
const isDivergentClass = (cls) => !NOT_DIVERGENT.has(cls);
/** The classes an expectation entry may accept, in the table's order. */
const DIVERGENT_CLASSES = DIVERGENCE_CLASSES.filter(isDivergentClass);
/** `fail-on` when the config does not set it, most severe first. */
const DEFAULT_FAIL_ON = CLASS_ORDER.filter((cls) => CLASSES[cls].failsByDefault);
/** The classes `fail-on` may name: the defaults first, as messages and docs list them. */
const FAIL_ON_CLASSES = [
    ...DEFAULT_FAIL_ON,
    ...DIVERGENT_CLASSES.filter((cls) => !DEFAULT_FAIL_ON.includes(cls)),
];
/**
 * Whether a verdict is a divergence of the candidate: the kernel is to blame and its class is a
 * divergence: what the summary counts, clusters group, and annotations and the PR comment show.
 */
const isDivergence = (verdict) => verdict.blame === 'kernel' && isDivergentClass(verdict.class);
/**
 * Whether a report lists a verdict among its divergences: a divergent class whoever is to blame
 * (a test an unbootable candidate did not report shows as `ambiguous`, blamed on the infrastructure), and loud enough to
 * show (a saved report's severity is taken as written).
 */
const isShownDivergence = (verdict) => isDivergentClass(verdict.class) && verdict.severity !== 'none';

/** What one kernel's boot said about one test, before normalisation (report.json's `status`). */
const TEST_STATUSES = ['pass', 'fail', 'skip', 'error', 'missing'];
/**
 * The names `harness.results.format` takes. They type the results-format table
 * (src/results/formats.ts), one row a name: a name without a row, or a row without a name, does
 * not compile.
 */
const RESULTS_FORMATS = ['ktap', 'tap', 'regex', 'transcript'];

/**
 * Escaping for text that comes from kernels, harnesses or config files (test ids, outputs, diffs,
 * reasons, reference names): it is untrusted, and a saved report may have been tampered with.
 */
/* eslint-disable no-control-regex -- matching control characters is the point here */
/**
 * Terminal escape sequences: CSI, OSC, DCS/SOS/PM/APC strings (an unterminated one ends at the
 * line), two-byte ESC codes, 8-bit CSI.
 */
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b\n\r\u2028\u2029]*(?:\x07|\x1b\\)?|[PX^_][^\x1b\n\r\u2028\u2029]*(?:\x1b\\)?|[ -/]*[0-~]?)|\x9b[0-?]*[ -/]*[@-~]?/g;
/** C0 except tab and line breaks, DEL, C1, and the bidi controls that can disguise text. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029/;
/** Removes escape sequences and control characters, keeping tabs and line breaks. */
function stripControls(text) {
    return String(text).replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
/** Lines of `text` without control characters; a lone `\r` counts as a line break (as in CommonMark). */
function splitLines(text) {
    return stripControls(text).split(LINE_BREAK);
}
/** For fields that are one line: line breaks become spaces. */
function singleLine(text) {
    return splitLines(text).join(' ');
}
/** Longest run of `char` in `text`. */
function longestRun(text, char) {
    let longest = 0;
    let run = 0;
    for (const c of text) {
        run = c === char ? run + 1 : 0;
        longest = Math.max(longest, run);
    }
    return longest;
}
/**
 * Breaks what GitHub would turn into a link or a notification: `@user` mentions, `#12`,
 * `owner/repo#12` and `GH-12` references, bare URLs and e-mail addresses. A zero-width space does
 * it; entities would not, since GitHub matches the decoded text.
 */
function defuse(text) {
    return text
        .replace(/[@#]/g, '$&\u200b')
        .replace(/\b(gh)-/gi, '$1\u200b-')
        .replace(/:(?=\/)/g, ':\u200b')
        .replace(/\b(www)\./gi, '$1\u200b.');
}
const ENTITIES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
};
/**
 * Untrusted text in Markdown prose (paragraphs, headings, list items; never at the start of a
 * line): one line, no HTML, no emphasis, links, images, tables, math or strikethrough.
 */
function inlineText(text) {
    return defuse(singleLine(text)).replace(/[\\`*_[\]()!~|$#<>&]/g, (c) => ENTITIES[c] ?? `\\${c}`);
}
/** Untrusted text in an HTML context of the Markdown, e.g. inside `<summary>`: one line. */
function htmlText(text) {
    return defuse(singleLine(text)).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
/** Untrusted text as a code span: the backtick fence is longer than any run inside. */
function inlineCode(text) {
    const content = singleLine(text);
    if (content === '')
        return '` `';
    const fence = '`'.repeat(longestRun(content, '`') + 1);
    // CommonMark strips one space from each side when both are there, and a backtick at an edge
    // would join the fence: pad in those cases so the content shows as it is.
    const pad = /^`|`$|^ .*[^ ].* $/.test(content) ? ' ' : '';
    return `${fence}${pad}${content}${pad}${fence}`;
}
/**
 * Untrusted lines as a fenced code block. The fence is longer than any backtick run in the
 * content, so no content line can close it, and line breaks inside a "line" (including a lone
 * `\r`, which CommonMark treats as one) are split out before the fence length is chosen.
 */
function codeBlock(lines, info = '') {
    const content = lines.flatMap((line) => splitLines(line));
    const fence = '`'.repeat(Math.max(3, longestRun(content.join('\n'), '`') + 1));
    return [fence + info, ...content, fence].join('\n');
}
/** A Markdown link to an http(s) URL or a plain relative path; anything else is shown as code. */
function link(label, url) {
    if (!/^(?:https?:\/\/[^\s]+|[\w./-]+)$/i.test(url))
        return `${label} (${inlineCode(url)})`;
    const destination = url.replace(/[()<>\\`"'[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return `[${label}](${destination})`;
}
/** Byte length as GitHub counts it. */
function byteLength(text) {
    return Buffer.byteLength(text, 'utf8');
}
/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, cut at a character boundary. */
function truncateUtf8(text, maxBytes) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length <= maxBytes)
        return text;
    let end = Math.max(0, Math.floor(maxBytes));
    while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80)
        end--;
    return bytes.subarray(0, end).toString('utf8');
}
/** Replaces tabs with spaces up to the next multiple of `width` columns. */
function expandTabs(line, width = 8) {
    let column = 0;
    let out = '';
    for (const c of line) {
        if (c === '\t') {
            const spaces = width - (column % width);
            out += ' '.repeat(spaces);
            column += spaces;
        }
        else {
            out += c;
            column++;
        }
    }
    return out;
}

var yauzl$1 = {};

var fdSlicer = {};

var pend;
var hasRequiredPend;

function requirePend () {
	if (hasRequiredPend) return pend;
	hasRequiredPend = 1;
	pend = Pend;

	function Pend() {
	  this.pending = 0;
	  this.max = Infinity;
	  this.listeners = [];
	  this.waiting = [];
	  this.error = null;
	}

	Pend.prototype.go = function(fn) {
	  if (this.pending < this.max) {
	    pendGo(this, fn);
	  } else {
	    this.waiting.push(fn);
	  }
	};

	Pend.prototype.wait = function(cb) {
	  if (this.pending === 0) {
	    cb(this.error);
	  } else {
	    this.listeners.push(cb);
	  }
	};

	Pend.prototype.hold = function() {
	  return pendHold(this);
	};

	function pendHold(self) {
	  self.pending += 1;
	  var called = false;
	  return onCb;
	  function onCb(err) {
	    if (called) throw new Error("callback called twice");
	    called = true;
	    self.error = self.error || err;
	    self.pending -= 1;
	    if (self.waiting.length > 0 && self.pending < self.max) {
	      pendGo(self, self.waiting.shift());
	    } else if (self.pending === 0) {
	      var listeners = self.listeners;
	      self.listeners = [];
	      listeners.forEach(cbListener);
	    }
	  }
	  function cbListener(listener) {
	    listener(self.error);
	  }
	}

	function pendGo(self, fn) {
	  fn(pendHold(self));
	}
	return pend;
}

var hasRequiredFdSlicer;

function requireFdSlicer () {
	if (hasRequiredFdSlicer) return fdSlicer;
	hasRequiredFdSlicer = 1;
	// This was adapted from https://github.com/andrewrk/node-fd-slicer by Andrew Kelley under the MIT License.
	var fs = fs__default;
	var util = require$$1__default;
	var stream = require$$0__default;
	var Readable = stream.Readable;
	var PassThrough = stream.PassThrough;
	var Pend = requirePend();
	var EventEmitter = require$$2__default.EventEmitter;

	fdSlicer.BufferSlicer = BufferSlicer;
	fdSlicer.FdSlicer = FdSlicer;

	util.inherits(FdSlicer, EventEmitter);
	function FdSlicer(fd) {
	  EventEmitter.call(this);

	  this.fd = fd;
	  this.pend = new Pend();
	  this.pend.max = 1;
	  this.refCount = 0;
	}

	FdSlicer.prototype.read = function(buffer, offset, length, position, callback) {
	  var self = this;
	  self.pend.go(function(cb) {
	    fs.read(self.fd, buffer, offset, length, position, function(err, bytesRead, buffer) {
	      cb();
	      callback(err, bytesRead, buffer);
	    });
	  });
	};

	FdSlicer.prototype.createReadStream = function(options) {
	  return new ReadStream(this, options);
	};

	FdSlicer.prototype.ref = function() {
	  this.refCount += 1;
	};

	FdSlicer.prototype.unref = function() {
	  var self = this;
	  self.refCount -= 1;
	  if (self.refCount < 0) throw new Error("invalid unref");
	  if (self.refCount > 0) return;

	  fs.close(self.fd, onCloseDone);

	  function onCloseDone(err) {
	    if (err) {
	      self.emit('error', err);
	    } else {
	      self.emit('close');
	    }
	  }
	};

	util.inherits(ReadStream, Readable);
	function ReadStream(context, options) {
	  options = options || {};
	  Readable.call(this, options);

	  this.context = context;
	  this.context.ref();

	  this.start = options.start || 0;
	  this.endOffset = options.end;
	  this.pos = this.start;
	}

	ReadStream.prototype._read = function(n) {
	  var self = this;

	  var toRead = Math.min(self._readableState.highWaterMark, n);
	  if (self.endOffset != null) {
	    toRead = Math.min(toRead, self.endOffset - self.pos);
	  }
	  if (toRead <= 0) {
	    self.push(null);
	    this._cleanup();
	    return;
	  }
	  self.context.pend.go(function(cb) {
	    var buffer = Buffer.allocUnsafe(toRead);
	    fs.read(self.context.fd, buffer, 0, toRead, self.pos, function(err, bytesRead) {
	      if (err) {
	        self.destroy(err);
	      } else if (bytesRead === 0) {
	        self.push(null);
	        self._cleanup();
	      } else {
	        self.pos += bytesRead;
	        self.push(buffer.slice(0, bytesRead));
	      }
	      cb();
	    });
	  });
	};

	ReadStream.prototype._destroy = function(err, cb) {
	  // Node 14+ calls this automatically at EOF.
	  this._cleanup();
	  cb(err);
	};

	ReadStream.prototype._cleanup = function() {
	  if (this.context != null) {
	    this.context.unref();
	    this.context = null;
	  }
	};

	util.inherits(BufferSlicer, EventEmitter);
	function BufferSlicer(buffer) {
	  EventEmitter.call(this);

	  this.refCount = 0;
	  this.buffer = buffer;
	}

	BufferSlicer.prototype.read = function(buffer, offset, length, position, callback) {
	  if (!(0 <= offset && offset <= buffer.length)) throw new RangeError("offset outside buffer: 0 <= " + offset + " <= " + buffer.length);
	  if (position < 0) throw new RangeError("position is negative: " + position);
	  if (offset + length > buffer.length) {
	    // The caller's buffer can't hold all the bytes they're trying to read.
	    // Clamp the length instead of giving an error.
	    // The callback will be informed of fewer than expected bytes written.
	    length = buffer.length - offset;
	  }
	  if (position + length > this.buffer.length) {
	    // Clamp any attempt to read past the end of the source buffer.
	    length = this.buffer.length - position;
	  }
	  if (length <= 0) {
	    // After any clamping, we're fully out of bounds or otherwise have nothing to do.
	    // This isn't an error; it's just zero bytes written.
	    setImmediate(function() {
	      callback(null, 0);
	    });
	    return;
	  }
	  this.buffer.copy(buffer, offset, position, position + length);
	  setImmediate(function() {
	    callback(null, length);
	  });
	};

	BufferSlicer.prototype.createReadStream = function(options) {
	  options = options || {};
	  var readStream = new PassThrough(options);
	  readStream.start = options.start || 0;
	  readStream.endOffset = options.end;
	  // by the time this function returns, we'll be done.
	  readStream.pos = readStream.endOffset || this.buffer.length;

	  var entireSlice = this.buffer.slice(readStream.start, readStream.pos);
	  // Cut the buffer into smaller slices for better memory usage when streaming into a zlib inflate stream.
	  // See https://github.com/thejoshwolfe/yauzl/issues/87
	  var maxChunkSize = 0x10000;
	  var offset = 0;
	  while (true) {
	    var nextOffset = offset + maxChunkSize;
	    if (nextOffset >= entireSlice.length) {
	      // last chunk
	      if (offset < entireSlice.length) {
	        readStream.write(entireSlice.slice(offset, entireSlice.length));
	      }
	      break;
	    }
	    readStream.write(entireSlice.slice(offset, nextOffset));
	    offset = nextOffset;
	  }

	  readStream.end();
	  return readStream;
	};

	BufferSlicer.prototype.ref = function() {
	  this.refCount += 1;
	};

	BufferSlicer.prototype.unref = function() {
	  this.refCount -= 1;

	  if (this.refCount < 0) {
	    throw new Error("invalid unref");
	  }
	};
	return fdSlicer;
}

var crc32_1;
var hasRequiredCrc32;

function requireCrc32 () {
	if (hasRequiredCrc32) return crc32_1;
	hasRequiredCrc32 = 1;
	// Adapted from https://github.com/brianloveswords/buffer-crc32/blob/v0.2.13/index.js
	const CRC_TABLE = new Int32Array([
	  0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f, 0xe963a535, 0x9e6495a3,
	  0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988, 0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91,
	  0x1db71064, 0x6ab020f2, 0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
	  0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9, 0xfa0f3d63, 0x8d080df5,
	  0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172, 0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b,
	  0x35b5a8fa, 0x42b2986c, 0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
	  0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423, 0xcfba9599, 0xb8bda50f,
	  0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924, 0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d,
	  0x76dc4190, 0x01db7106, 0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
	  0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d, 0x91646c97, 0xe6635c01,
	  0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e, 0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457,
	  0x65b0d9c6, 0x12b7e950, 0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
	  0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7, 0xa4d1c46d, 0xd3d6f4fb,
	  0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0, 0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9,
	  0x5005713c, 0x270241aa, 0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
	  0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81, 0xb7bd5c3b, 0xc0ba6cad,
	  0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a, 0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683,
	  0xe3630b12, 0x94643b84, 0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
	  0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb, 0x196c3671, 0x6e6b06e7,
	  0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc, 0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5,
	  0xd6d6a3e8, 0xa1d1937e, 0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
	  0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55, 0x316e8eef, 0x4669be79,
	  0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236, 0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f,
	  0xc5ba3bbe, 0xb2bd0b28, 0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
	  0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f, 0x72076785, 0x05005713,
	  0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38, 0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21,
	  0x86d3d2d4, 0xf1d4e242, 0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
	  0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69, 0x616bffd3, 0x166ccf45,
	  0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2, 0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db,
	  0xaed16a4a, 0xd9d65adc, 0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
	  0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693, 0x54de5729, 0x23d967bf,
	  0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94, 0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
	]);

	function crc32(buf) {
	  let crc = -1;
	  for (let x of buf) {
	    crc = CRC_TABLE[(crc ^ x) & 0xff] ^ (crc >>> 8);
	  }
	  return (crc ^ -1) >>> 0;
	}

	crc32_1 = crc32;
	return crc32_1;
}

var hasRequiredYauzl;

function requireYauzl () {
	if (hasRequiredYauzl) return yauzl$1;
	hasRequiredYauzl = 1;
	var fs = fs__default;
	var zlib = require$$0;
	var fd_slicer = requireFdSlicer();
	var util = require$$1__default;
	var EventEmitter = require$$2__default.EventEmitter;
	var Transform = require$$0__default.Transform;
	var PassThrough = require$$0__default.PassThrough;
	var Writable = require$$0__default.Writable;

	// Node 20 added zlib.crc32.
	const crc32 = typeof zlib.crc32 === "function" ? zlib.crc32 : requireCrc32();

	yauzl$1.open = open;
	yauzl$1.fromFd = fromFd;
	yauzl$1.fromBuffer = fromBuffer;
	yauzl$1.fromRandomAccessReader = fromRandomAccessReader;
	yauzl$1.openPromise = openPromise;
	yauzl$1.fromFdPromise = fromFdPromise;
	yauzl$1.fromBufferPromise = fromBufferPromise;
	yauzl$1.fromRandomAccessReaderPromise = fromRandomAccessReaderPromise;

	yauzl$1.dosDateTimeToDate = dosDateTimeToDate;
	yauzl$1.getFileNameLowLevel = getFileNameLowLevel;
	yauzl$1.validateFileName = validateFileName;
	yauzl$1.parseExtraFields = parseExtraFields;
	yauzl$1.ZipFile = ZipFile;
	yauzl$1.Entry = Entry;
	yauzl$1.LocalFileHeader = LocalFileHeader;
	yauzl$1.RandomAccessReader = RandomAccessReader;

	function openPromise(path, options) {
	  return new Promise((resolve, reject) => {
	    open(path, {...options, lazyEntries: true}, function(err, zipfile) {
	      if (err) return reject(err);
	      resolve(zipfile);
	    });
	  });
	}
	function fromFdPromise(fd, options) {
	  return new Promise((resolve, reject) => {
	    fromFd(fd, {...options, lazyEntries: true}, function(err, zipfile) {
	      if (err) return reject(err);
	      resolve(zipfile);
	    });
	  });
	}
	function fromBufferPromise(buffer, options) {
	  return new Promise((resolve, reject) => {
	    fromBuffer(buffer, {...options, lazyEntries: true}, function(err, zipfile) {
	      if (err) return reject(err);
	      resolve(zipfile);
	    });
	  });
	}
	function fromRandomAccessReaderPromise(reader, totalSize, options) {
	  return new Promise((resolve, reject) => {
	    fromRandomAccessReader(reader, totalSize, {...options, lazyEntries: true}, function(err, zipfile) {
	      if (err) return reject(err);
	      resolve(zipfile);
	    });
	  });
	}

	function open(path, options, callback) {
	  if (typeof options === "function") {
	    callback = options;
	    options = null;
	  }
	  if (options == null) options = {};
	  if (options.autoClose == null) options.autoClose = true;
	  if (options.lazyEntries == null) options.lazyEntries = false;
	  if (options.decodeStrings == null) options.decodeStrings = true;
	  if (options.validateEntrySizes == null) options.validateEntrySizes = true;
	  if (options.strictFileNames == null) options.strictFileNames = false;
	  if (callback == null) callback = defaultCallback;
	  fs.open(path, "r", function(err, fd) {
	    if (err) return callback(err);
	    fromFd(fd, options, function(err, zipfile) {
	      if (err) fs.close(fd, defaultCallback);
	      callback(err, zipfile);
	    });
	  });
	}

	function fromFd(fd, options, callback) {
	  if (typeof options === "function") {
	    callback = options;
	    options = null;
	  }
	  if (options == null) options = {};
	  if (options.autoClose == null) options.autoClose = false;
	  if (options.lazyEntries == null) options.lazyEntries = false;
	  if (options.decodeStrings == null) options.decodeStrings = true;
	  if (options.validateEntrySizes == null) options.validateEntrySizes = true;
	  if (options.strictFileNames == null) options.strictFileNames = false;
	  if (callback == null) callback = defaultCallback;
	  fs.fstat(fd, function(err, stats) {
	    if (err) return callback(err);
	    var reader = new fd_slicer.FdSlicer(fd);
	    fromRandomAccessReader(reader, stats.size, options, callback);
	  });
	}

	function fromBuffer(buffer, options, callback) {
	  if (typeof options === "function") {
	    callback = options;
	    options = null;
	  }
	  if (options == null) options = {};
	  options.autoClose = false;
	  if (options.lazyEntries == null) options.lazyEntries = false;
	  if (options.decodeStrings == null) options.decodeStrings = true;
	  if (options.validateEntrySizes == null) options.validateEntrySizes = true;
	  if (options.strictFileNames == null) options.strictFileNames = false;
	  var reader = new fd_slicer.BufferSlicer(buffer);
	  fromRandomAccessReader(reader, buffer.length, options, callback);
	}

	function fromRandomAccessReader(reader, totalSize, options, callback) {
	  if (typeof options === "function") {
	    callback = options;
	    options = null;
	  }
	  if (options == null) options = {};
	  if (options.autoClose == null) options.autoClose = true;
	  if (options.lazyEntries == null) options.lazyEntries = false;
	  if (options.decodeStrings == null) options.decodeStrings = true;
	  var decodeStrings = !!options.decodeStrings;
	  if (options.validateEntrySizes == null) options.validateEntrySizes = true;
	  if (options.strictFileNames == null) options.strictFileNames = false;
	  if (callback == null) callback = defaultCallback;
	  if (typeof totalSize !== "number") throw new Error("expected totalSize parameter to be a number");
	  if (totalSize > Number.MAX_SAFE_INTEGER) {
	    throw new Error("zip file too large. only file sizes up to 2^52 are supported due to JavaScript's Number type being an IEEE 754 double.");
	  }

	  // the matching unref() call is in zipfile.close()
	  reader.ref();

	  // eocdr means End of Central Directory Record.
	  // search backwards for the eocdr signature.
	  // the last field of the eocdr is a variable-length comment.
	  // the comment size is encoded in a 2-byte field in the eocdr, which we can't find without trudging backwards through the comment to find it.
	  // as a consequence of this design decision, it's possible to have ambiguous zip file metadata if a coherent eocdr was in the comment.
	  // we search backwards for a eocdr signature, and hope that whoever made the zip file was smart enough to forbid the eocdr signature in the comment.
	  var eocdrWithoutCommentSize = 22;
	  var zip64EocdlSize = 20; // Zip64 end of central directory locator
	  var maxCommentSize = 0xffff; // 2-byte size
	  var bufferSize = Math.min(zip64EocdlSize + eocdrWithoutCommentSize + maxCommentSize, totalSize);
	  var buffer = newBuffer(bufferSize);
	  var bufferReadStart = totalSize - buffer.length;
	  readAndAssertNoEof(reader, buffer, 0, bufferSize, bufferReadStart, function(err) {
	    if (err) return callback(err);
	    for (var i = bufferSize - eocdrWithoutCommentSize; i >= 0; i -= 1) {
	      if (buffer.readUInt32LE(i) !== 0x06054b50) continue;
	      // found eocdr
	      var eocdrBuffer = buffer.subarray(i);

	      // 0 - End of central directory signature = 0x06054b50
	      // 4 - Number of this disk
	      var diskNumber = eocdrBuffer.readUInt16LE(4);
	      // 6 - Disk where central directory starts
	      // 8 - Number of central directory records on this disk
	      // 10 - Total number of central directory records
	      var entryCount = eocdrBuffer.readUInt16LE(10);
	      // 12 - Size of central directory (bytes)
	      // 16 - Offset of start of central directory, relative to start of archive
	      var centralDirectoryOffset = eocdrBuffer.readUInt32LE(16);
	      // 20 - Comment length
	      var commentLength = eocdrBuffer.readUInt16LE(20);
	      var expectedCommentLength = eocdrBuffer.length - eocdrWithoutCommentSize;
	      if (commentLength !== expectedCommentLength) {
	        return callback(new Error("Invalid comment length. Expected: " + expectedCommentLength + ". Found: " + commentLength + ". Are there extra bytes at the end of the file? Or is the end of central dir signature `PK☺☻` in the comment?"));
	      }
	      // 22 - Comment
	      // the encoding is always cp437.
	      var comment = decodeStrings ? decodeBuffer(eocdrBuffer.subarray(22), false)
	                                  : eocdrBuffer.subarray(22);

	      // Look for a Zip64 end of central directory locator
	      if (i - zip64EocdlSize >= 0 && buffer.readUInt32LE(i - zip64EocdlSize) === 0x07064b50) {
	        // ZIP64 format
	        var zip64EocdlBuffer = buffer.subarray(i - zip64EocdlSize, i - zip64EocdlSize + zip64EocdlSize);
	        // 0 - zip64 end of central dir locator signature = 0x07064b50
	        // 4 - number of the disk with the start of the zip64 end of central directory
	        // 8 - relative offset of the zip64 end of central directory record
	        var zip64EocdrOffset = readUInt64LE(zip64EocdlBuffer, 8);
	        // 16 - total number of disks

	        // ZIP64 end of central directory record
	        var zip64EocdrBuffer = newBuffer(56);
	        return readAndAssertNoEof(reader, zip64EocdrBuffer, 0, zip64EocdrBuffer.length, zip64EocdrOffset, function(err) {
	          if (err) return callback(err);

	          // 0 - zip64 end of central dir signature                           4 bytes  (0x06064b50)
	          if (zip64EocdrBuffer.readUInt32LE(0) !== 0x06064b50) {
	            return callback(new Error("invalid zip64 end of central directory record signature"));
	          }
	          // 4 - size of zip64 end of central directory record                8 bytes
	          // 12 - version made by                                             2 bytes
	          // 14 - version needed to extract                                   2 bytes
	          // 16 - number of this disk                                         4 bytes
	          diskNumber = zip64EocdrBuffer.readUInt32LE(16);
	          if (diskNumber !== 0) {
	            // Check this only after zip64 overrides. See #118.
	            return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
	          }
	          // 20 - number of the disk with the start of the central directory  4 bytes
	          // 24 - total number of entries in the central directory on this disk         8 bytes
	          // 32 - total number of entries in the central directory            8 bytes
	          entryCount = readUInt64LE(zip64EocdrBuffer, 32);
	          // 40 - size of the central directory                               8 bytes
	          // 48 - offset of start of central directory with respect to the starting disk number     8 bytes
	          centralDirectoryOffset = readUInt64LE(zip64EocdrBuffer, 48);
	          // 56 - zip64 extensible data sector                                (variable size)
	          return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options.autoClose, options.lazyEntries, decodeStrings, options.validateEntrySizes, options.strictFileNames));
	        });
	      }

	      // Not ZIP64 format
	      if (diskNumber !== 0) {
	        return callback(new Error("multi-disk zip files are not supported: found disk number: " + diskNumber));
	      }
	      return callback(null, new ZipFile(reader, centralDirectoryOffset, totalSize, entryCount, comment, options.autoClose, options.lazyEntries, decodeStrings, options.validateEntrySizes, options.strictFileNames));

	    }

	    // Not a zip file.
	    callback(new Error("End of central directory record signature not found. Either not a zip file, or file is truncated."));
	  });
	}

	util.inherits(ZipFile, EventEmitter);
	function ZipFile(reader, centralDirectoryOffset, fileSize, entryCount, comment, autoClose, lazyEntries, decodeStrings, validateEntrySizes, strictFileNames) {
	  var self = this;
	  EventEmitter.call(self);
	  self.reader = reader;
	  // forward close events
	  self.reader.on("error", function(err) {
	    // error closing the fd
	    emitError(self, err);
	  });
	  self.reader.once("close", function() {
	    self.emit("close");
	  });
	  self.readEntryCursor = centralDirectoryOffset;
	  self.fileSize = fileSize;
	  self.entryCount = entryCount;
	  self.comment = comment;
	  self.entriesRead = 0;
	  self.autoClose = !!autoClose;
	  self.lazyEntries = !!lazyEntries;
	  self.decodeStrings = !!decodeStrings;
	  self.validateEntrySizes = !!validateEntrySizes;
	  self.strictFileNames = !!strictFileNames;
	  self.isOpen = true;
	  self.emittedError = false;
	  self.hasEachEntryBeenCalled = false;

	  if (!self.lazyEntries) self._readEntry();
	}
	ZipFile.prototype.close = function() {
	  if (!this.isOpen) return;
	  this.isOpen = false;
	  this.reader.unref();
	};

	function emitErrorAndAutoClose(self, err) {
	  if (self.autoClose) self.close();
	  emitError(self, err);
	}
	function emitError(self, err) {
	  if (self.emittedError) return;
	  self.emittedError = true;
	  self.emit("error", err);
	}

	ZipFile.prototype.readEntry = function() {
	  if (!this.lazyEntries) throw new Error("readEntry() called without lazyEntries:true");
	  this._readEntry();
	};
	ZipFile.prototype._readEntry = function() {
	  var self = this;
	  if (self.entryCount === self.entriesRead) {
	    // done with metadata
	    setImmediate(function() {
	      if (self.autoClose) self.close();
	      if (self.emittedError) return;
	      self.emit("end");
	    });
	    return;
	  }
	  if (self.emittedError) return;
	  var buffer = newBuffer(46);
	  readAndAssertNoEof(self.reader, buffer, 0, buffer.length, self.readEntryCursor, function(err) {
	    if (err) return emitErrorAndAutoClose(self, err);
	    if (self.emittedError) return;
	    var entry = new Entry();
	    // 0 - Central directory file header signature
	    var signature = buffer.readUInt32LE(0);
	    if (signature !== 0x02014b50) return emitErrorAndAutoClose(self, new Error("invalid central directory file header signature: 0x" + signature.toString(16)));
	    // 4 - Version made by
	    entry.versionMadeBy = buffer.readUInt16LE(4);
	    // 6 - Version needed to extract (minimum)
	    entry.versionNeededToExtract = buffer.readUInt16LE(6);
	    // 8 - General purpose bit flag
	    entry.generalPurposeBitFlag = buffer.readUInt16LE(8);
	    // 10 - Compression method
	    entry.compressionMethod = buffer.readUInt16LE(10);
	    // 12 - File last modification time
	    entry.lastModFileTime = buffer.readUInt16LE(12);
	    // 14 - File last modification date
	    entry.lastModFileDate = buffer.readUInt16LE(14);
	    // 16 - CRC-32
	    entry.crc32 = buffer.readUInt32LE(16);
	    // 20 - Compressed size
	    entry.compressedSize = buffer.readUInt32LE(20);
	    // 24 - Uncompressed size
	    entry.uncompressedSize = buffer.readUInt32LE(24);
	    // 28 - File name length (n)
	    entry.fileNameLength = buffer.readUInt16LE(28);
	    // 30 - Extra field length (m)
	    entry.extraFieldLength = buffer.readUInt16LE(30);
	    // 32 - File comment length (k)
	    entry.fileCommentLength = buffer.readUInt16LE(32);
	    // 34 - Disk number where file starts
	    // 36 - Internal file attributes
	    entry.internalFileAttributes = buffer.readUInt16LE(36);
	    // 38 - External file attributes
	    entry.externalFileAttributes = buffer.readUInt32LE(38);
	    // 42 - Relative offset of local file header
	    entry.relativeOffsetOfLocalHeader = buffer.readUInt32LE(42);

	    if (entry.generalPurposeBitFlag & 0x40) return emitErrorAndAutoClose(self, new Error("strong encryption is not supported"));

	    self.readEntryCursor += 46;

	    buffer = newBuffer(entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength);
	    readAndAssertNoEof(self.reader, buffer, 0, buffer.length, self.readEntryCursor, function(err) {
	      if (err) return emitErrorAndAutoClose(self, err);
	      if (self.emittedError) return;
	      // 46 - File name
	      entry.fileNameRaw = buffer.subarray(0, entry.fileNameLength);
	      // 46+n - Extra field
	      var fileCommentStart = entry.fileNameLength + entry.extraFieldLength;
	      entry.extraFieldRaw = buffer.subarray(entry.fileNameLength, fileCommentStart);
	      // 46+n+m - File comment
	      entry.fileCommentRaw = buffer.subarray(fileCommentStart, fileCommentStart + entry.fileCommentLength);

	      // Parse the extra fields, which we need for processing other fields.
	      try {
	        entry.extraFields = parseExtraFields(entry.extraFieldRaw);
	      } catch (err) {
	        return emitErrorAndAutoClose(self, err);
	      }

	      // Interpret strings according to bit flags, extra fields, and options.
	      if (self.decodeStrings) {
	        var isUtf8 = (entry.generalPurposeBitFlag & 0x800) !== 0;
	        entry.fileComment = decodeBuffer(entry.fileCommentRaw, isUtf8);
	        entry.fileName = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, self.strictFileNames);
	        var errorMessage = validateFileName(entry.fileName);
	        if (errorMessage != null) return emitErrorAndAutoClose(self, new Error(errorMessage));
	      } else {
	        entry.fileComment = entry.fileCommentRaw;
	        entry.fileName = entry.fileNameRaw;
	      }
	      // Maintain API compatibility. See https://github.com/thejoshwolfe/yauzl/issues/47
	      entry.comment = entry.fileComment;

	      self.readEntryCursor += buffer.length;
	      self.entriesRead += 1;

	      // Check for the Zip64 Extended Information Extra Field.
	      for (var i = 0; i < entry.extraFields.length; i++) {
	        var extraField = entry.extraFields[i];
	        if (extraField.id !== 0x0001) continue;
	        // Found it.

	        var zip64EiefBuffer = extraField.data;
	        var index = 0;
	        // 0 - Original Size          8 bytes
	        if (entry.uncompressedSize === 0xffffffff) {
	          if (index + 8 > zip64EiefBuffer.length) {
	            return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include uncompressed size"));
	          }
	          entry.uncompressedSize = readUInt64LE(zip64EiefBuffer, index);
	          index += 8;
	        }
	        // 8 - Compressed Size        8 bytes
	        if (entry.compressedSize === 0xffffffff) {
	          if (index + 8 > zip64EiefBuffer.length) {
	            return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include compressed size"));
	          }
	          entry.compressedSize = readUInt64LE(zip64EiefBuffer, index);
	          index += 8;
	        }
	        // 16 - Relative Header Offset 8 bytes
	        if (entry.relativeOffsetOfLocalHeader === 0xffffffff) {
	          if (index + 8 > zip64EiefBuffer.length) {
	            return emitErrorAndAutoClose(self, new Error("zip64 extended information extra field does not include relative header offset"));
	          }
	          entry.relativeOffsetOfLocalHeader = readUInt64LE(zip64EiefBuffer, index);
	          index += 8;
	        }
	        // 24 - Disk Start Number      4 bytes

	        break;
	      }

	      // validate file size
	      if (self.validateEntrySizes && entry.compressionMethod === 0) {
	        var expectedCompressedSize = entry.uncompressedSize;
	        if (entry.isEncrypted()) {
	          // traditional encryption prefixes the file data with a header
	          expectedCompressedSize += 12;
	        }
	        if (entry.compressedSize !== expectedCompressedSize) {
	          var msg = "compressed/uncompressed size mismatch for stored file: " + entry.compressedSize + " != " + entry.uncompressedSize;
	          return emitErrorAndAutoClose(self, new Error(msg));
	        }
	      }

	      self.emit("entry", entry);

	      if (!self.lazyEntries) self._readEntry();
	    });
	  });
	};

	ZipFile.prototype.eachEntry = function() {
	  const self = this;
	  if (!self.lazyEntries) throw new Error("eachEntry() requires lazyEntries: true");
	  if (self.hasEachEntryBeenCalled) throw new Error("eachEntry() must only be called once per ZipFile");
	  self.hasEachEntryBeenCalled = true;

	  let pendingResolveReject = null;
	  self.on("entry", onEntry);
	  self.on("end", onEnd);
	  self.on("error", onError);
	  function cleanup() {
	    self.removeListener("entry", onEntry);
	    self.removeListener("end", onEnd);
	    self.removeListener("error", onError);
	    if (self.autoClose) self.close();
	  }

	  function onEntry(entry) {
	    let {resolve} = pendingResolveReject;
	    pendingResolveReject = null;
	    resolve({value: entry});
	  }
	  function onEnd() {
	    let {resolve} = pendingResolveReject;
	    pendingResolveReject = null;
	    cleanup();
	    resolve({done: true});
	  }
	  function onError(err) {
	    let {reject} = pendingResolveReject;
	    pendingResolveReject = null;
	    cleanup();
	    reject(err);
	  }

	  return {
	    [Symbol.asyncIterator]() {
	      // Called once by `for await...of`.
	      return this;
	    },
	    next() {
	      // Called on each iteration in a `for await...of`.
	      const promise = new Promise((resolve, reject) => {
	        if (pendingResolveReject != null) throw new Error("next() called before previous Promise was resolved.");
	        pendingResolveReject = {resolve, reject};
	      });
	      self.readEntry();
	      return promise;
	    },
	    return(value) {
	      // Called when breaking, returning, throwing out of a `for await...of`.
	      cleanup();
	      return Promise.resolve({done: true, value});
	    },
	    throw(value) {
	      // Almost never called. Something about `yield*` maybe?
	      cleanup();
	      return Promise.reject(value);
	    },
	  };
	};

	ZipFile.prototype.openReadStream = function(entry, options, callback) {
	  var self = this;
	  // parameter validation
	  var relativeStart = 0;
	  var relativeEnd = entry.compressedSize;
	  if (callback == null) {
	    callback = options;
	    options = null;
	  }
	  if (options == null) {
	    options = {};
	  } else {
	    if (options.decodeFileData === false) {
	      // new, simple option
	      if (options.decrypt != null) {
	        throw new Error("cannot use options.decrypt when options.decodeFileData === false");
	      }
	      if (options.decompress != null) {
	        throw new Error("cannot use options.decompress when options.decodeFileData === false");
	      }
	      // start and end are allowed
	    } else {
	      // old, complicated options
	      if (options.decrypt != null) {
	        if (!entry.isEncrypted()) {
	          throw new Error("options.decrypt can only be specified for encrypted entries. See also option decodeFileData.");
	        }
	        if (options.decrypt !== false) throw new Error("invalid options.decrypt value: " + options.decrypt);
	        if (entry.isCompressed()) {
	          if (options.decompress !== false) throw new Error("entry is encrypted and compressed, and options.decompress !== false. See also option decodeFileData.");
	        }
	      }
	      if (options.decompress != null) {
	        if (!entry.isCompressed()) {
	          throw new Error("options.decompress can only be specified for compressed entries. See also option decodeFileData.");
	        }
	        if (!(options.decompress === false || options.decompress === true)) {
	          throw new Error("invalid options.decompress value: " + options.decompress);
	        }
	        decompress = options.decompress;
	      }
	    }
	    if (options.start != null) {
	      relativeStart = options.start;
	      if (relativeStart < 0) throw new Error("options.start < 0");
	      if (relativeStart > entry.compressedSize) throw new Error("options.start > entry.compressedSize");
	    }
	    if (options.end != null) {
	      relativeEnd = options.end;
	      if (relativeEnd < 0) throw new Error("options.end < 0");
	      if (relativeEnd > entry.compressedSize) throw new Error("options.end > entry.compressedSize");
	      if (relativeEnd < relativeStart) throw new Error("options.end < options.start");
	    }
	  }
	  var rawMode = (
	    options.decodeFileData === false || // Explicitly requested raw.
	    (
	      (entry.compressionMethod === 0 || // Naturally without compression.
	        (entry.compressionMethod === 8 && options.decompress === false) // Deprecated compression bypass option.
	      ) &&
	      (!entry.isEncrypted() || // Naturally without encryption.
	        options.decrypt === false // Deprecated encryption bypass option.
	      )
	    )
	  );
	  if (options.start != null || options.end != null) {
	    // Ensure slicing deals with raw data.
	    if (!rawMode) throw new Error("start/end range require options.decodeFileData === false for non-trivial encoded entries.");
	  }

	  // any further errors can either be caused by the zipfile,
	  // or were introduced in a minor version of yauzl,
	  // so should be passed to the client rather than thrown.
	  if (!self.isOpen) return callback(new Error("closed"));
	  if (entry.isEncrypted() && !rawMode) {
	    if (options.decrypt !== false) return callback(new Error("entry is encrypted, and options.decodeFileData !== false"));
	  }
	  var decompress;
	  if (rawMode) {
	    decompress = false;
	  } else if (entry.compressionMethod === 8) {
	    // 8 - The file is Deflated
	    decompress = options.decodeFileData !== true;
	  } else {
	    return callback(new Error("unsupported compression method: " + entry.compressionMethod));
	  }

	  self.readLocalFileHeader(entry, {minimal: true}, function(err, localFileHeader) {
	    if (err) return callback(err);
	    self.openReadStreamLowLevel(
	      localFileHeader.fileDataStart, entry.compressedSize,
	      relativeStart, relativeEnd,
	      decompress, entry.uncompressedSize,
	      callback);
	  });
	};

	ZipFile.prototype.openReadStreamLowLevel = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, callback) {
	  var self = this;
	  var readStream = self.reader.createReadStream({
	    start: fileDataStart + relativeStart,
	    end: fileDataStart + relativeEnd,
	  });
	  var endpointStream = readStream;
	  if (decompress) {
	    var destroyed = false;
	    var inflateFilter = zlib.createInflateRaw();
	    readStream.on("error", function(err) {
	      // setImmediate here because errors can be emitted during the first call to pipe()
	      setImmediate(function() {
	        if (!destroyed) inflateFilter.emit("error", err);
	      });
	    });
	    readStream.pipe(inflateFilter);

	    if (self.validateEntrySizes) {
	      endpointStream = new AssertByteCountStream(uncompressedSize);
	      inflateFilter.on("error", function(err) {
	        // forward zlib errors to the client-visible stream
	        setImmediate(function() {
	          if (!destroyed) endpointStream.emit("error", err);
	        });
	      });
	      inflateFilter.pipe(endpointStream);
	    } else {
	      // the zlib filter is the client-visible stream
	      endpointStream = inflateFilter;
	    }
	    // this is part of yauzl's API, so implement this function on the client-visible stream
	    installDestroyFn(endpointStream, function() {
	      destroyed = true;
	      if (inflateFilter !== endpointStream) inflateFilter.unpipe(endpointStream);
	      readStream.unpipe(inflateFilter);
	      // TODO: the inflateFilter may cause a memory leak. see Issue #27.
	      readStream.destroy();
	    });
	  }
	  callback(null, endpointStream);
	};

	ZipFile.prototype.readLocalFileHeader = function(entry, options, callback) {
	  var self = this;
	  if (callback == null) {
	    callback = options;
	    options = null;
	  }
	  if (options == null) options = {};

	  self.reader.ref();
	  var buffer = newBuffer(30);
	  readAndAssertNoEof(self.reader, buffer, 0, buffer.length, entry.relativeOffsetOfLocalHeader, function(err) {
	    try {
	      if (err) return callback(err);
	      // 0 - Local file header signature = 0x04034b50
	      var signature = buffer.readUInt32LE(0);
	      if (signature !== 0x04034b50) {
	        return callback(new Error("invalid local file header signature: 0x" + signature.toString(16)));
	      }

	      var fileNameLength = buffer.readUInt16LE(26);
	      var extraFieldLength = buffer.readUInt16LE(28);
	      var fileDataStart = entry.relativeOffsetOfLocalHeader + 30 + fileNameLength + extraFieldLength;
	      // We now have enough information to do this bounds check.
	      if (fileDataStart + entry.compressedSize > self.fileSize) {
	        return callback(new Error("file data overflows file bounds: " +
	            fileDataStart + " + " + entry.compressedSize + " > " + self.fileSize));
	      }

	      if (options.minimal) {
	        return callback(null, {fileDataStart: fileDataStart});
	      }

	      var localFileHeader = new LocalFileHeader();
	      localFileHeader.fileDataStart = fileDataStart;

	      // 4 - Version needed to extract (minimum)
	      localFileHeader.versionNeededToExtract = buffer.readUInt16LE(4);
	      // 6 - General purpose bit flag
	      localFileHeader.generalPurposeBitFlag = buffer.readUInt16LE(6);
	      // 8 - Compression method
	      localFileHeader.compressionMethod = buffer.readUInt16LE(8);
	      // 10 - File last modification time
	      localFileHeader.lastModFileTime = buffer.readUInt16LE(10);
	      // 12 - File last modification date
	      localFileHeader.lastModFileDate = buffer.readUInt16LE(12);
	      // 14 - CRC-32
	      localFileHeader.crc32 = buffer.readUInt32LE(14);
	      // 18 - Compressed size
	      localFileHeader.compressedSize = buffer.readUInt32LE(18);
	      // 22 - Uncompressed size
	      localFileHeader.uncompressedSize = buffer.readUInt32LE(22);
	      // 26 - File name length (n)
	      localFileHeader.fileNameLength = fileNameLength;
	      // 28 - Extra field length (m)
	      localFileHeader.extraFieldLength = extraFieldLength;
	      // 30 - File name
	      // 30+n - Extra field

	      buffer = newBuffer(fileNameLength + extraFieldLength);
	      self.reader.ref();
	      readAndAssertNoEof(self.reader, buffer, 0, buffer.length, entry.relativeOffsetOfLocalHeader + 30, function(err) {
	        try {
	          if (err) return callback(err);
	          localFileHeader.fileName = buffer.subarray(0, fileNameLength);
	          localFileHeader.extraField = buffer.subarray(fileNameLength);
	          return callback(null, localFileHeader);
	        } finally {
	          self.reader.unref();
	        }
	      });
	    } finally {
	      self.reader.unref();
	    }
	  });
	};

	ZipFile.prototype.openReadStreamPromise = function(entry, options) {
	  return new Promise((resolve, reject) => {
	    this.openReadStream(entry, options, function(err, readStream) {
	      if (err) return reject(err);
	      resolve(readStream);
	    });
	  });
	};
	ZipFile.prototype.openReadStreamLowLevelPromise = function(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize) {
	  return new Promise((resolve, reject) => {
	    this.openReadStream(fileDataStart, compressedSize, relativeStart, relativeEnd, decompress, uncompressedSize, function(err, readStream) {
	      if (err) return reject(err);
	      resolve(readStream);
	    });
	  });
	};
	ZipFile.prototype.readLocalFileHeaderPromise = function(entry, options) {
	  return new Promise((resolve, reject) => {
	    this.readLocalFileHeader(entry, options, function(err, localFileHeader) {
	      if (err) return reject(err);
	      resolve(localFileHeader);
	    });
	  });
	};

	function Entry() {
	}
	Entry.prototype.getLastModDate = function(options) {
	  if (options == null) options = {};

	  if (!options.forceDosFormat) {
	    // Check extended fields.
	    for (var i = 0; i < this.extraFields.length; i++) {
	      var extraField = this.extraFields[i];
	      if (extraField.id === 0x5455) {
	        // Info-ZIP "universal timestamp" extended field (`0x5455` aka `"UT"`).
	        // See the Info-ZIP source code unix/unix.c:set_extra_field() and zipfile.c:ef_scan_ut_time().
	        var data = extraField.data;
	        if (data.length < 5) continue; // Too short.
	        // The flags define which of the three fields are present: mtime, atime, ctime.
	        // We only care about mtime.
	        // Also, ctime is never included in practice.
	        // And also, atime is only included in the local file header for some reason
	        // despite the flags lying about its inclusion in the central header.
	        var flags = data[0];
	        var HAS_MTIME = 1;
	        if (!(flags & HAS_MTIME)) continue; // This will realistically never happen.
	        // Although the positions of all of the fields shift around depending on the presence of other fields,
	        // mtime is always first if present, and that's the only one we care about.
	        var posixTimestamp = data.readInt32LE(1);
	        return new Date(posixTimestamp * 1000);
	      } else if (extraField.id === 0x000a) {
	        var data = extraField.data;
	        if (data.length !== 32) continue; // The length is always the same.
	        // 4 bytes reserved
	        // 2 bytes Tag
	        if (data.readUInt16LE(4) !== 1) continue; // Tag1 is actually the only defined Tag.
	        // 2 bytes Size
	        if (data.readUInt16LE(6) !== 24) continue; // Size is always 24.
	        // 8 bytes Mtime
	        var hundredNanoSecondsSince1601 = data.readUInt32LE(8) + 4294967296 * data.readInt32LE(12);
	        // Convert from NTFS to POSIX milliseconds.
	        // The big number below is the milliseconds between year 1601 and year 1970
	        // (i.e. the negative POSIX timestamp of 1601-01-01 00:00:00Z)
	        var millisecondsSince1970 = hundredNanoSecondsSince1601 / 10000 - 11644473600000;
	        // Note on numeric precision: JavaScript Number objects lose precision above Number.MAX_SAFE_INTEGER,
	        // and NTFS timestamps are typically much bigger than that limit.
	        // (MAX_SAFE_INTEGER would represent 1629-07-17T23:58:45.475Z.)
	        // However, we're losing precision in the conversion from 100nanosecond units to millisecond units anyway,
	        // and the time at which we also lose 1-millisecond precision is year 275760, the JavaScript Date limit (by design).
	        // Up through the year 2057, this conversion only drops 4 bits of precision,
	        // which is well under the 13-14 bits ratio between the milliseconds and 100nanoseconds.
	        return new Date(millisecondsSince1970);
	      }
	    }
	  }

	  // Fallback to non-extended encoding.
	  return dosDateTimeToDate(this.lastModFileDate, this.lastModFileTime, options.timezone);
	};

	Entry.prototype.canDecodeFileData = function() {
	  return (
	    !this.isEncrypted() &&
	    (this.compressionMethod === 0 || this.compressionMethod === 8)
	  );
	};
	Entry.prototype.isEncrypted = function() {
	  return (this.generalPurposeBitFlag & 0x1) !== 0;
	};
	Entry.prototype.isCompressed = function() {
	  return this.compressionMethod === 8;
	};

	function LocalFileHeader() {
	}

	function dosDateTimeToDate(date, time, timezone) {
	  var day = date & 0x1f; // 1-31
	  var month = (date >> 5 & 0xf) - 1; // 1-12, 0-11
	  var year = (date >> 9 & 0x7f) + 1980; // 0-128, 1980-2108

	  var millisecond = 0;
	  var second = (time & 0x1f) * 2; // 0-29, 0-58 (even numbers)
	  var minute = time >> 5 & 0x3f; // 0-59
	  var hour = time >> 11 & 0x1f; // 0-23

	  if (timezone == null || timezone === "local") {
	    return new Date(year, month, day, hour, minute, second, millisecond);
	  } else if (timezone === "UTC") {
	    return new Date(Date.UTC(year, month, day, hour, minute, second, millisecond));
	  } else {
	    throw new Error("unrecognized options.timezone: " + options.timezone);
	  }
	}

	function getFileNameLowLevel(generalPurposeBitFlag, fileNameBuffer, extraFields, strictFileNames) {
	  var fileName = null;

	  // check for Info-ZIP Unicode Path Extra Field (0x7075)
	  // see https://github.com/thejoshwolfe/yauzl/issues/33
	  for (var i = 0; i < extraFields.length; i++) {
	    var extraField = extraFields[i];
	    if (extraField.id === 0x7075) {
	      if (extraField.data.length < 6) {
	        // too short to be meaningful
	        continue;
	      }
	      // Version       1 byte      version of this extra field, currently 1
	      if (extraField.data.readUInt8(0) !== 1) {
	        // > Changes may not be backward compatible so this extra
	        // > field should not be used if the version is not recognized.
	        continue;
	      }
	      // NameCRC32     4 bytes     File Name Field CRC32 Checksum
	      var oldNameCrc32 = extraField.data.readUInt32LE(1);
	      if (crc32(fileNameBuffer) !== oldNameCrc32) {
	        // > If the CRC check fails, this UTF-8 Path Extra Field should be
	        // > ignored and the File Name field in the header should be used instead.
	        continue;
	      }
	      // UnicodeName   Variable    UTF-8 version of the entry File Name
	      fileName = decodeBuffer(extraField.data.subarray(5), true);
	      break;
	    }
	  }

	  if (fileName == null) {
	    // The typical case.
	    var isUtf8 = (generalPurposeBitFlag & 0x800) !== 0;
	    fileName = decodeBuffer(fileNameBuffer, isUtf8);
	  }

	  if (!strictFileNames) {
	    // Allow backslash.
	    fileName = fileName.replace(/\\/g, "/");
	  }
	  return fileName;
	}

	function validateFileName(fileName) {
	  if (fileName.indexOf("\\") !== -1) {
	    return "invalid characters in fileName: " + fileName;
	  }
	  if (/^[a-zA-Z]:/.test(fileName) || /^\//.test(fileName)) {
	    return "absolute path: " + fileName;
	  }
	  if (fileName.split("/").indexOf("..") !== -1) {
	    return "invalid relative path: " + fileName;
	  }
	  // all good
	  return null;
	}

	function parseExtraFields(extraFieldBuffer) {
	  var extraFields = [];
	  var i = 0;
	  while (i < extraFieldBuffer.length - 3) {
	    var headerId = extraFieldBuffer.readUInt16LE(i + 0);
	    var dataSize = extraFieldBuffer.readUInt16LE(i + 2);
	    var dataStart = i + 4;
	    var dataEnd = dataStart + dataSize;
	    if (dataEnd > extraFieldBuffer.length) throw new Error("extra field length exceeds extra field buffer size");
	    var dataBuffer = extraFieldBuffer.subarray(dataStart, dataEnd);
	    extraFields.push({
	      id: headerId,
	      data: dataBuffer,
	    });
	    i = dataEnd;
	  }
	  return extraFields;
	}

	function readAndAssertNoEof(reader, buffer, offset, length, position, callback) {
	  if (length === 0) {
	    // fs.read will throw an out-of-bounds error if you try to read 0 bytes from a 0 byte file
	    return setImmediate(function() { callback(null, newBuffer(0)); });
	  }
	  reader.read(buffer, offset, length, position, function(err, bytesRead) {
	    if (err) return callback(err);
	    if (bytesRead < length) {
	      return callback(new Error("unexpected EOF"));
	    }
	    callback();
	  });
	}

	util.inherits(AssertByteCountStream, Transform);
	function AssertByteCountStream(byteCount) {
	  Transform.call(this);
	  this.actualByteCount = 0;
	  this.expectedByteCount = byteCount;
	}
	AssertByteCountStream.prototype._transform = function(chunk, encoding, cb) {
	  this.actualByteCount += chunk.length;
	  if (this.actualByteCount > this.expectedByteCount) {
	    var msg = "too many bytes in the stream. expected " + this.expectedByteCount + ". got at least " + this.actualByteCount;
	    return cb(new Error(msg));
	  }
	  cb(null, chunk);
	};
	AssertByteCountStream.prototype._flush = function(cb) {
	  if (this.actualByteCount < this.expectedByteCount) {
	    var msg = "not enough bytes in the stream. expected " + this.expectedByteCount + ". got only " + this.actualByteCount;
	    return cb(new Error(msg));
	  }
	  cb();
	};

	util.inherits(RandomAccessReader, EventEmitter);
	function RandomAccessReader() {
	  EventEmitter.call(this);
	  this.refCount = 0;
	}
	RandomAccessReader.prototype.ref = function() {
	  this.refCount += 1;
	};
	RandomAccessReader.prototype.unref = function() {
	  var self = this;
	  self.refCount -= 1;

	  if (self.refCount > 0) return;
	  if (self.refCount < 0) throw new Error("invalid unref");

	  self.close(onCloseDone);

	  function onCloseDone(err) {
	    if (err) return self.emit('error', err);
	    self.emit('close');
	  }
	};
	RandomAccessReader.prototype.createReadStream = function(options) {
	  if (options == null) options = {};
	  var start = options.start;
	  var end = options.end;
	  if (start === end) {
	    var emptyStream = new PassThrough();
	    setImmediate(function() {
	      emptyStream.end();
	    });
	    return emptyStream;
	  }
	  var stream = this._readStreamForRange(start, end);

	  var destroyed = false;
	  var refUnrefFilter = new RefUnrefFilter(this);
	  stream.on("error", function(err) {
	    setImmediate(function() {
	      if (!destroyed) refUnrefFilter.emit("error", err);
	    });
	  });
	  installDestroyFn(refUnrefFilter, function() {
	    stream.unpipe(refUnrefFilter);
	    refUnrefFilter.unref();
	    stream.destroy();
	  });

	  var byteCounter = new AssertByteCountStream(end - start);
	  refUnrefFilter.on("error", function(err) {
	    setImmediate(function() {
	      if (!destroyed) byteCounter.emit("error", err);
	    });
	  });
	  installDestroyFn(byteCounter, function() {
	    destroyed = true;
	    refUnrefFilter.unpipe(byteCounter);
	    refUnrefFilter.destroy();
	  });

	  return stream.pipe(refUnrefFilter).pipe(byteCounter);
	};
	RandomAccessReader.prototype._readStreamForRange = function(start, end) {
	  throw new Error("not implemented");
	};
	RandomAccessReader.prototype.read = function(buffer, offset, length, position, callback) {
	  var readStream = this.createReadStream({start: position, end: position + length});
	  var writeStream = new Writable();
	  var written = 0;
	  writeStream._write = function(chunk, encoding, cb) {
	    chunk.copy(buffer, offset + written, 0, chunk.length);
	    written += chunk.length;
	    cb();
	  };
	  writeStream.on("finish", callback);
	  readStream.on("error", function(error) {
	    callback(error);
	  });
	  readStream.pipe(writeStream);
	};
	RandomAccessReader.prototype.close = function(callback) {
	  setImmediate(callback);
	};

	util.inherits(RefUnrefFilter, PassThrough);
	function RefUnrefFilter(context) {
	  PassThrough.call(this);
	  this.context = context;
	  this.context.ref();
	  this.unreffedYet = false;
	}
	RefUnrefFilter.prototype._flush = function(cb) {
	  this.unref();
	  cb();
	};
	RefUnrefFilter.prototype.unref = function(cb) {
	  if (this.unreffedYet) return;
	  this.unreffedYet = true;
	  this.context.unref();
	};

	var cp437 = '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';
	function decodeBuffer(buffer, isUtf8) {
	  if (isUtf8) {
	    return buffer.toString("utf8");
	  } else {
	    var result = "";
	    for (var i = 0; i < buffer.length; i++) {
	      result += cp437[buffer[i]];
	    }
	    return result;
	  }
	}

	function readUInt64LE(buffer, offset) {
	  // There is no native function for this, because we can't actually store 64-bit integers precisely.
	  // after 53 bits, JavaScript's Number type (IEEE 754 double) can't store individual integers anymore.
	  // but since 53 bits is a whole lot more than 32 bits, we do our best anyway.
	  // As of 2020, Node has added support for BigInt, which obviates this whole function,
	  // but yauzl hasn't been updated to depend on BigInt (yet?).
	  var lower32 = buffer.readUInt32LE(offset);
	  var upper32 = buffer.readUInt32LE(offset + 4);
	  // we can't use bitshifting here, because JavaScript bitshifting only works on 32-bit integers.
	  return upper32 * 0x100000000 + lower32;
	  // as long as we're bounds checking the result of this function against the total file size,
	  // we'll catch any overflow errors, because we already made sure the total file size was within reason.
	}

	// Node 10 deprecated new Buffer().
	var newBuffer;
	if (typeof Buffer.allocUnsafe === "function") {
	  newBuffer = function(len) {
	    return Buffer.allocUnsafe(len);
	  };
	} else {
	  newBuffer = function(len) {
	    return new Buffer(len);
	  };
	}

	// Node 8 introduced a proper destroy() implementation on writable streams.
	function installDestroyFn(stream, fn) {
	  if (typeof stream.destroy === "function") {
	    // New API.
	    stream._destroy = function(err, cb) {
	      fn();
	      if (cb != null) cb(err);
	    };
	  } else {
	    // Old API.
	    stream.destroy = fn;
	  }
	}

	function defaultCallback(err) {
	  if (err) throw err;
	}
	return yauzl$1;
}

var yauzlExports = requireYauzl();
var yauzl = /*@__PURE__*/getDefaultExportFromCjs(yauzlExports);

/**
 * Safe extraction of a downloaded zip (a workflow artifact). An artifact is built by whoever
 * controls that workflow, so its archive is untrusted: entry names that climb out of the target
 * (`../`, absolute paths, drive letters) and symbolic links are refused, and the number of
 * entries and the bytes they inflate to are capped, which defuses zip bombs. yauzl checks each
 * entry's inflated size against its header as it streams.
 */
class ArchiveError extends Error {
}
const DEFAULT_ZIP_LIMITS = {
    maxEntries: 10_000,
    maxTotalBytes: 4 * 1024 * 1024 * 1024,
};
/** Unix mode bits stored by zip tools that record them (upper half of the external attributes). */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
function open(file) {
    return new Promise((resolve, reject) => yauzl.open(file, {
        lazyEntries: true,
        autoClose: false,
        decodeStrings: true,
        validateEntrySizes: true,
        strictFileNames: false,
    }, (error, zip) => (error || !zip ? reject(error ?? new Error('no zip')) : resolve(zip))));
}
/** The entry's path below `dir`, or why it is refused. */
function safeEntryPath(dir, name) {
    const normalised = name.replace(/\\/g, '/');
    if (normalised.startsWith('/') ||
        /^[A-Za-z]:/.test(normalised) ||
        normalised.split('/').some((part) => part === '..') ||
        normalised.includes('\0'))
        throw new ArchiveError(`entry "${name}" would be written outside the extraction directory`);
    const target = path.resolve(dir, normalised);
    if (target !== dir && !target.startsWith(`${dir}${path.sep}`))
        throw new ArchiveError(`entry "${name}" would be written outside the extraction directory`);
    return target;
}
/**
 * Extracts `file` into `dir` (created; removed again if extraction fails, so a half-extracted
 * artifact is never taken for a whole one). Returns the extracted files' paths relative to
 * `dir`, with forward slashes.
 */
async function extractZip(file, dir, limits = DEFAULT_ZIP_LIMITS) {
    let zip;
    try {
        zip = await open(file);
    }
    catch (error) {
        throw new ArchiveError(`not a readable zip archive: ${error.message}`);
    }
    await mkdir(dir, { recursive: true });
    const root = path.resolve(dir);
    const files = [];
    let total = 0;
    try {
        if (zip.entryCount > limits.maxEntries)
            throw new ArchiveError(`${zip.entryCount} entries, more than the ${limits.maxEntries} diverge accepts`);
        await new Promise((resolve, reject) => {
            zip.on('error', (error) => reject(error instanceof ArchiveError ? error : new ArchiveError(error.message)));
            zip.on('end', resolve);
            zip.on('entry', (entry) => {
                void (async () => {
                    const target = safeEntryPath(root, entry.fileName);
                    if (entry.fileName.endsWith('/')) {
                        await mkdir(target, { recursive: true });
                        return;
                    }
                    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
                        throw new ArchiveError(`entry "${entry.fileName}" is a symbolic link`);
                    // The header's size is checked first; the stream check below catches a header that lies.
                    if (total + entry.uncompressedSize > limits.maxTotalBytes)
                        throw new ArchiveError(`entries inflate to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`);
                    await mkdir(path.dirname(target), { recursive: true });
                    const stream = await new Promise((ok, fail) => zip.openReadStream(entry, (error, s) => (error || !s ? fail(error) : ok(s))));
                    const counter = new Transform({
                        transform(chunk, _encoding, done) {
                            total += chunk.length;
                            if (total > limits.maxTotalBytes)
                                done(new ArchiveError(`entries inflate to more than ${limits.maxTotalBytes} bytes (a zip bomb?)`));
                            else
                                done(null, chunk);
                        },
                    });
                    await pipeline(stream, counter, createWriteStream(target, { mode: 0o644 }));
                    files.push(path.relative(root, target).split(path.sep).join('/'));
                })().then(() => zip.readEntry(), (error) => reject(error instanceof ArchiveError ? error : new ArchiveError(error.message)));
            });
            zip.readEntry();
        });
    }
    catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
    }
    finally {
        zip.close();
    }
    return files.sort();
}

/**
 * Downloads to a file with a size cap and an idle timeout, retrying what may pass (5xx, 429,
 * resets, stalls, short bodies) with backoff and failing at once on what will not (4xx, a body
 * over the cap, a redirect loop or a redirect out of http(s)). Used for storage URLs GitHub redirects to
 * and for `url:` references; no credentials are ever sent.
 */
class DownloadError extends Error {
    transient;
    constructor(message, 
    /** True when trying again could work (a 5xx, a reset, a timeout). */
    transient) {
        super(message);
        this.transient = transient;
    }
}
/** A server that sends nothing for this long is given up, by default (DIVERGE_DOWNLOAD_IDLE_TIMEOUT). */
const DOWNLOAD_IDLE_MS = 60_000;
/** Redirects followed for one download: more is a loop, or as good as one. */
const MAX_REDIRECTS = 10;
/** Shows a URL without its query: pre-signed storage URLs carry their signature there. */
const redact = (url) => url.replace(/\?.*$/, '?…');
const cause = (error) => {
    const inner = error.cause;
    if (!inner)
        return error.message;
    return [inner.code, inner.message].filter(Boolean).join(': ');
};
/**
 * A watchdog that aborts when nothing happened for `idleMs`; `poke` says something did.
 * `stalled` is the error the abort stands for.
 */
function idleWatch(idleMs, stalled) {
    const controller = new AbortController();
    let timer;
    const poke = () => {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(stalled()), idleMs);
    };
    poke();
    return { signal: controller.signal, poke, stop: () => clearTimeout(timer) };
}
/**
 * The response at the end of `url`'s redirects. Redirects are followed here, not by fetch, so
 * that a loop or a redirect out of http(s) (`file:`) is a clear, final error, not a retry.
 */
async function follow(url, signal) {
    let at = url;
    for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
        let response;
        try {
            response = await fetch(at, { redirect: 'manual', signal });
        }
        catch (error) {
            if (signal.aborted && signal.reason instanceof DownloadError)
                throw signal.reason;
            throw new DownloadError(`${redact(url)}: ${cause(error)}`, true);
        }
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || !location)
            return response;
        await response.body?.cancel();
        const next = new URL(location, at);
        if (next.protocol !== 'https:' && next.protocol !== 'http:')
            throw new DownloadError(`${redact(url)}: redirected to ${redact(next.href)}; diverge follows redirects to http and https only`, false);
        at = next.href;
    }
    throw new DownloadError(`${redact(url)}: more than ${MAX_REDIRECTS} redirects (a redirect loop?)`, false);
}
async function attempt(url, file, options) {
    const idleMs = options.idleMs ?? DOWNLOAD_IDLE_MS;
    let bytes = 0;
    const watch = idleWatch(idleMs, () => new DownloadError(`${redact(url)}: the server sent nothing for ${idleMs / 1000} s ${bytes ? `after ${bytes} bytes` : 'before answering'} (DIVERGE_DOWNLOAD_IDLE_TIMEOUT)`, true));
    try {
        const response = await follow(url, watch.signal);
        if (!response.ok || !response.body) {
            throw new DownloadError(`${redact(url)}: HTTP ${response.status} ${response.statusText}`, response.status >= 500 || response.status === 429);
        }
        const declared = Number(response.headers.get('content-length') ?? NaN);
        if (declared > options.maxBytes) {
            await response.body.cancel();
            throw new DownloadError(`${redact(url)}: ${declared} bytes, more than the ${options.maxBytes} bytes diverge accepts`, false);
        }
        const hash = createHash('sha256');
        const meter = new Transform({
            transform(chunk, _encoding, done) {
                watch.poke();
                bytes += chunk.length;
                hash.update(chunk);
                if (bytes > options.maxBytes)
                    done(new DownloadError(`${redact(url)}: more than the ${options.maxBytes} bytes diverge accepts`, false));
                else
                    done(null, chunk);
            },
        });
        await mkdir(path.dirname(file), { recursive: true });
        try {
            await pipeline(Readable.fromWeb(response.body), meter, createWriteStream(file), { signal: watch.signal });
            if (Number.isFinite(declared) && bytes !== declared)
                throw new DownloadError(`${redact(url)}: the body ended after ${bytes} of the ${declared} bytes its Content-Length promised`, true);
        }
        catch (error) {
            await rm(file, { force: true });
            if (error instanceof DownloadError)
                throw error;
            if (watch.signal.reason instanceof DownloadError)
                throw watch.signal.reason;
            throw new DownloadError(`${redact(url)}: the connection was lost after ${bytes} bytes${Number.isFinite(declared) ? ` of ${declared}` : ''} (${cause(error)})`, true);
        }
        return { bytes, digest: `sha256:${hash.digest('hex')}` };
    }
    finally {
        watch.stop();
    }
}
async function download(url, file, options) {
    const retries = options.retries ?? 3;
    for (let attemptNo = 0;; attemptNo++) {
        try {
            return await attempt(url, file, options);
        }
        catch (error) {
            if (!(error instanceof DownloadError) || !error.transient)
                throw error;
            if (attemptNo >= retries)
                throw new DownloadError(`${error.message}, also after ${retries} retries`, true);
            const waitMs = (attemptNo + 1) ** 2 * (options.retryBaseMs ?? 1000);
            options.log?.(`${error.message}; retrying in ${waitMs} ms`);
            await setTimeout$1(waitMs);
        }
    }
}

/**
 * A report as GitHub Markdown (check-run summary, PR comment, job summary). Everything taken from
 * the report goes through `escape.ts`: ids, outputs and even reference names are untrusted, and the
 * report may come from a fork's workflow.
 */
const DEFAULT_BUDGET_BYTES = 60_000;
/** Size of one diff block once the report does not fit whole. */
const DIFF_BYTES = 4000;
/** Items shown of the compact lists (expected verdicts, stale expectations) and of learned masks. */
const LIST_LIMIT = 50;
const MASK_LIMIT = 5;
function rank(order, value) {
    const index = order.indexOf(value);
    return index < 0 ? order.length : index;
}
/** Failing first, then by severity, then by class. */
function compareVerdicts(a, b) {
    return (Number(b.failing === true) - Number(a.failing === true) ||
        rank(SEVERITY_ORDER, a.severity) - rank(SEVERITY_ORDER, b.severity) ||
        rank(CLASS_ORDER, a.class) - rank(CLASS_ORDER, b.class));
}
/** The divergences, most severe first, tests of one cluster grouped into one entry. */
function divergenceEntries(report) {
    const shown = report.tests
        .filter((test) => isShownDivergence(test.verdict))
        .sort((a, b) => compareVerdicts(a.verdict, b.verdict));
    const signatures = new Map(report.clusters.map((cluster) => [cluster.id, cluster.signature]));
    const members = new Map();
    for (const test of shown) {
        const cluster = test.verdict.cluster;
        if (cluster !== undefined && signatures.has(cluster)) {
            members.set(cluster, [...(members.get(cluster) ?? []), test]);
        }
    }
    const entries = [];
    const grouped = new Set();
    for (const test of shown) {
        const cluster = test.verdict.cluster;
        const tests = cluster === undefined ? undefined : members.get(cluster);
        if (cluster === undefined || tests === undefined || tests.length < 2) {
            entries.push({ tests: [test] });
        }
        else if (!grouped.has(cluster)) {
            grouped.add(cluster);
            entries.push({ tests, signature: signatures.get(cluster) });
        }
    }
    return entries;
}
function plural(count, noun) {
    return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
/** A number from the report; anything else (a tampered field) counts as 0. */
function num(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function percent(share) {
    return `${Math.round(num(share) * 100)}%`;
}
/** Prose joined as "a, b and c". */
function joinAnd(items) {
    return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
// Maps, not objects: a tampered value such as `constructor` must find nothing.
const CONCLUSION_ICON = new Map([
    ['success', '✅'],
    ['failure', '❌'],
    ['neutral', '⚪'],
]);
const SEVERITY_ICON = new Map([
    ['error', '🔴'],
    ['warning', '🟡'],
    ['notice', '🔵'],
]);
function renderHead(report, title, htmlReport) {
    const { summary } = report;
    const working = report.references.filter((ref) => ref.broken === undefined);
    const against = working.map((ref) => inlineText(ref.name)).join(', ') || 'no working reference';
    const failing = num(summary.failing);
    const divergences = num(summary.divergences);
    let headline;
    if (summary.conclusion === 'failure') {
        headline =
            failing > 0 ? `${plural(failing, 'failing divergence')} against ${against}` : 'failed';
    }
    else if (summary.conclusion === 'success') {
        headline =
            divergences === 0
                ? `no divergences against ${against}`
                : `${plural(divergences, 'divergence')}, none failing, against ${against}`;
    }
    else {
        headline = 'no conclusion';
    }
    const variant = report.variant === 'default' ? '' : ` (${inlineText(report.variant)})`;
    const icon = CONCLUSION_ICON.get(summary.conclusion) ?? '⚪';
    // Where a kernel came from, when its name alone does not say (e.g. `candidate`).
    const origin = (kernel) => {
        const from = Object.values(kernel.source).find((v) => typeof v === 'string');
        const file = from?.split('/').pop();
        return file && file !== kernel.name ? ` (${inlineText(file)})` : '';
    };
    const references = report.references.map((ref) => ref.broken === undefined
        ? inlineText(ref.name)
        : `${inlineText(ref.name)} (⚠️ broken: ${inlineText(ref.broken)})`);
    const context = [
        `candidate: ${inlineText(report.subject ?? report.candidate.name)}${origin(report.candidate)}`,
        `references: ${references.join(', ') || 'none'}`,
        plural(num(summary.tests), 'test'),
        `${inlineText(report.machine.arch)} ${inlineText(report.machine.profile)}`,
        `accelerator ${inlineText(report.run.host.accel)}`,
    ].join(' · ');
    const parts = [`### ${icon} ${inlineText(title)}${variant}: ${headline}`];
    if (htmlReport) {
        const page = htmlReport.url ? link('report.html', htmlReport.url) : inlineCode('report.html');
        parts.push(`The full report (tests × kernels grid, side-by-side diffs, serial logs): ${page} in the artifact ${inlineCode(htmlReport.artifact)} of ${link('this run', htmlReport.runUrl)}.`);
    }
    if (summary.note !== undefined)
        parts.push(`**Note:** ${inlineText(summary.note)}`);
    // Said at the top: the discarded results leave only `missing` tests to tell of it.
    const forged = report.boots.filter((boot) => boot.outcome === 'not-from-harness');
    const [first] = forged;
    if (first) {
        const boots = forged.slice(0, 5).map((boot) => `${inlineText(boot.kernel)} #${boot.attempt}`);
        if (forged.length > 5)
            boots.push(`${forged.length - 5} more`);
        const why = (first.message ?? '').replace(/^results not from the harness: /, '');
        parts.push(`**⚠️ Results not from the harness**, discarded (${boots.join(', ')}): ${inlineText(why)}`);
    }
    const table = classTable(report);
    if (table !== '')
        parts.push(table);
    // Which kernels, machine and accelerator: diverge's words, for whoever looks closer.
    parts.push(details('about this run', context));
    return parts.join('\n\n');
}
/** Tests of a class, from the summary (`same` may only be counted in `summary.same`). */
function classCount(summary, cls) {
    return num(summary.byClass[cls] ?? (cls === 'same' ? summary.same : 0));
}
function classTable(report) {
    const rows = [];
    for (const cls of CLASS_ORDER) {
        const count = classCount(report.summary, cls);
        if (count === 0)
            continue;
        const failing = report.tests.filter((t) => t.verdict.class === cls && t.verdict.failing).length;
        const fails = failing === 0 ? 'no' : failing >= count ? 'yes' : `${failing} of ${count}`;
        rows.push(`| ${cls} | ${count} | ${fails} |`);
    }
    if (rows.length === 0)
        return '';
    return ['| class | tests | fails the run? |', '| :-- | --: | :-- |', ...rows].join('\n');
}
/** `lines` cut to about `maxBytes`, with a `… N more lines` marker when some are left out. */
function cutLines(lines, maxBytes) {
    const room = maxBytes - 32; // the marker
    const kept = [];
    let used = 0;
    let partial = false;
    for (const line of lines) {
        const size = byteLength(line) + 1;
        if (used + size > room) {
            // One long line would leave the block empty: show its start.
            if (kept.length === 0 && room > 0) {
                kept.push(`${truncateUtf8(line, room - 4)}…`);
                partial = true;
            }
            break;
        }
        kept.push(line);
        used += size;
    }
    const more = lines.length - kept.length + (partial ? 1 : 0);
    return more > 0 ? [...kept, `… ${plural(more, 'more line')}`] : kept;
}
/** A `diff` code block of at most about `maxBytes`, long fences included. */
function diffBlock(lines, maxBytes) {
    let room = maxBytes;
    for (;;) {
        const block = codeBlock(cutLines(lines, room), 'diff');
        const size = byteLength(block);
        if (size <= maxBytes || room <= 0)
            return block;
        // Backtick runs made the fence long; shrinking the content shrinks it too, by up to 3 times.
        room -= Math.max(1, Math.ceil((size - maxBytes) / 3));
    }
}
function verdictFacts(verdict, diffShown) {
    const counts = Object.entries(verdict.counts ?? {})
        .map(([kernel, count]) => `${inlineText(kernel)} ${inlineText(count)}`)
        .join(', ');
    const facts = [
        `fail:runs ${counts || 'none'}`,
        `agreeing: ${(verdict.agreeing ?? []).map(inlineText).join(', ') || 'none'}`,
        `confidence ${percent(verdict.confidence)}`,
    ];
    if (verdict.blame !== 'kernel')
        facts.push(`blamed on ${inlineText(verdict.blame)}`);
    if (!verdict.failing)
        facts.push('does not fail the run');
    if (verdict.diff && !diffShown)
        facts.push('diff in the full report');
    return facts.join(' · ');
}
/**
 * A collapsed block (raw HTML up to the blank line: the summary is HTML context, hence
 * htmlText); `body` is Markdown.
 */
const details = (summary, body) => [`<details><summary>${htmlText(summary)}</summary>`, '', body, '', '</details>'].join('\n');
/** One entry; `diffBytes` caps its diff block (0: no diff block). */
function renderEntry(entry, diffBytes) {
    const [first] = entry.tests;
    if (first === undefined)
        return '';
    const { verdict } = first;
    const icon = verdict.failing ? '❌' : (SEVERITY_ICON.get(verdict.severity) ?? '⚪');
    const cls = `**${inlineText(verdict.class)}**`;
    const showDiff = Boolean(verdict.diff) && diffBytes > 0;
    const lines = entry.tests.length > 1
        ? [
            `${icon} ${cls} · ${entry.tests.length} tests: ${inlineCode(entry.signature ?? '')}`,
            `tests: ${entry.tests.map((test) => inlineCode(test.id)).join(', ')}`,
            `${inlineCode(first.id)}: ${inlineText(verdict.reason)}`,
        ]
        : [`${icon} ${cls} · ${inlineCode(first.id)}: ${inlineText(verdict.reason)}`];
    // The run counts, agreeing references and confidence are how diverge decided: folded away.
    const text = [
        lines.join('\\\n'), // a backslash at the end of a line is a hard line break
        '',
        details('how diverge decided', verdictFacts(verdict, showDiff)),
    ].join('\n');
    if (!showDiff)
        return text;
    const diff = splitLines(verdict.diff ?? '');
    if (diff.at(-1) === '')
        diff.pop();
    return [
        text,
        '',
        // Raw HTML up to the blank line: the summary is HTML context, hence htmlText.
        `<details><summary>diff of <code>${htmlText(first.id)}</code> (${plural(diff.length, 'line')})</summary>`,
        '',
        diffBlock(diff, diffBytes),
        '',
        '</details>',
    ].join('\n');
}
/** The `same` tests whose references vary on them (verdict.varying): judged within what they showed. */
function sameThoughVarying(report) {
    return report.tests.filter((test) => test.verdict.class === 'same' && (test.verdict.varying ?? []).length > 0);
}
function tailUnits(report) {
    const units = [];
    const expected = report.tests.filter((test) => test.verdict.class === 'expected');
    if (expected.length > 0) {
        const items = expected.slice(0, LIST_LIMIT).map(({ id, verdict }) => {
            const match = verdict.expected;
            if (match === undefined)
                return `- ${inlineCode(id)}`;
            const see = match.link === undefined ? '' : ` (${inlineCode(match.link)})`;
            return `- ${inlineCode(id)}, would be ${inlineText(match.class)}: ${inlineText(match.reason)}${see}`;
        });
        if (expected.length > LIST_LIMIT)
            items.push(`- … ${expected.length - LIST_LIMIT} more`);
        const text = [`#### Expected divergences (${expected.length})`, '', ...items].join('\n');
        units.push({ render: () => text, count: expected.length, noun: 'expected divergence' });
    }
    const varying = sameThoughVarying(report);
    if (varying.length > 0) {
        const items = varying
            .slice(0, LIST_LIMIT)
            .map(({ id, verdict }) => `- ${inlineCode(id)}: ${(verdict.varying ?? []).map(inlineText).join(', ')}`);
        if (varying.length > LIST_LIMIT)
            items.push(`- … ${varying.length - LIST_LIMIT} more`);
        const text = [
            `#### Tests the references vary on, judged same (${varying.length})`,
            '',
            "The named references' own runs of these tests differ; every run of the candidate is an outcome every reference showed:",
            '',
            ...items,
        ].join('\n');
        units.push({ render: () => text, count: varying.length, noun: 'varying test' });
    }
    const { stale } = report.expectations;
    if (stale.length > 0) {
        const items = stale
            .slice(0, LIST_LIMIT)
            .map((entry) => `- ${inlineCode(entry.test)}: ${inlineText(entry.reason)}`);
        if (stale.length > LIST_LIMIT)
            items.push(`- … ${stale.length - LIST_LIMIT} more`);
        const text = [
            `#### Stale expectations (${stale.length})`,
            '',
            'These entries of the expectations file matched no divergence:',
            '',
            ...items,
        ].join('\n');
        units.push({ render: () => text, count: stale.length, noun: 'stale expectation' });
    }
    const { learned } = report.normalization;
    if (learned.length > 0) {
        const items = learned
            .slice(0, MASK_LIMIT)
            .map((mask) => `- ${inlineCode(mask.template)} in ${inlineCode(mask.test)}, learned from ${inlineText(mask.reference)}`);
        if (learned.length > MASK_LIMIT)
            items.push(`- … ${learned.length - MASK_LIMIT} more`);
        const text = [`#### Learned normalisation masks (${learned.length})`, '', ...items].join('\n');
        units.push({ render: () => text, count: learned.length, noun: 'learned mask' });
    }
    return units;
}
function cutNote(dropped, reportUrl) {
    const counts = new Map();
    for (const unit of dropped)
        counts.set(unit.noun, (counts.get(unit.noun) ?? 0) + unit.count);
    const what = [...counts].map(([noun, count]) => plural(count, noun));
    const see = reportUrl === undefined ? 'see the full report' : link('see the full report', reportUrl);
    return what.length === 0
        ? `… long diffs are cut; ${see}`
        : `… ${joinAnd(what)} not shown; ${see}`;
}
const joinBlocks = (blocks) => `${blocks.join('\n\n')}\n`;
/** The report as Markdown of at most `budgetBytes` UTF-8 bytes. */
function renderMarkdown(report, options = {}) {
    const budget = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
    const head = renderHead(report, options.title ?? 'diverge', options.htmlReport);
    const units = [
        ...divergenceEntries(report).map((entry) => ({
            render: (diffBytes) => renderEntry(entry, diffBytes),
            count: entry.tests.length,
            noun: 'more divergence',
        })),
        ...tailUnits(report),
    ];
    if (options.reproduce !== undefined) {
        const text = ['#### Reproduce it locally', '', codeBlock([options.reproduce], 'sh')].join('\n');
        units.push({ render: () => text, count: 1, noun: 'command to reproduce' });
    }
    const full = joinBlocks([head, ...units.map((unit) => unit.render(Infinity))]);
    if (byteLength(full) <= budget)
        return full;
    // Too long: cap the diffs, keep the most severe entries that fit, and say what is left out.
    const reserve = byteLength(cutNote(units, options.reportUrl)) + 2; // the longest note possible
    const blocks = [head];
    let used = byteLength(head) + 1;
    let kept = 0;
    for (const unit of units) {
        const fits = (text) => used + 2 + byteLength(text) + reserve <= budget;
        let text = unit.render(DIFF_BYTES);
        if (!fits(text))
            text = unit.render(0); // without its diff, if that is what is too long
        if (!fits(text))
            break;
        blocks.push(text);
        used += 2 + byteLength(text);
        kept++;
    }
    const note = cutNote(units.slice(kept), options.reportUrl);
    if (used + 2 + byteLength(note) <= budget)
        return joinBlocks([...blocks, note]);
    // A budget too small for the head itself: keep the head's lines that fit, and the note if it
    // fits too. Whole lines only: a line cut in the middle can open emphasis or split an escape.
    const room = budget - byteLength(note) - 3;
    if (room <= 0)
        return wholeLines(head, budget);
    const cutHead = wholeLines(head, room);
    return cutHead === '' ? note : joinBlocks([cutHead, note]);
}
/**
 * The leading lines of `text` that fit in `maxBytes`, without a fold whose end was cut off (an
 * open `<details>` would swallow whatever GitHub shows after it).
 */
function wholeLines(text, maxBytes) {
    const kept = [];
    let used = 0;
    for (const line of text.split('\n')) {
        used += byteLength(line) + (kept.length > 0 ? 1 : 0);
        if (used > maxBytes)
            break;
        kept.push(line);
    }
    const whole = kept.join('\n');
    const open = whole.lastIndexOf('<details>');
    return (open > whole.lastIndexOf('</details>') ? whole.slice(0, open) : whole).trimEnd();
}

const HISTORY_SCHEMA = 'diverge.history/v1';
/** What started the run: a push, a schedule, or a person (workflow_dispatch, or a local run). */
const HISTORY_EVENTS = ['push', 'schedule', 'manual'];
/**
 * A kernel's status of a test in a run: the status of its runs when they agree, `varies` when
 * they do not, `missing` when it has none.
 */
const HISTORY_STATUSES = [...TEST_STATUSES, 'varies'];
/**
 * A test's name across runs: its id, prefixed with its variant unless that is `default`, so the
 * variants of one run are told apart.
 */
const testKey = (variant, id) => variant === 'default' ? id : `${variant}/${id}`;

/**
 * The shell of diverge's HTML pages (report.html, gradebook.html): one self-contained file whose
 * Content-Security-Policy loads nothing and runs only the page's own script and style (allowed
 * by their hashes), with the data as JSON inside a non-executed script element. Everything
 * untrusted travels in that JSON and reaches the DOM through textContent only.
 */
/** The pages' colour of each severity of the class table. */
const SEVERITY_COLOURS = {
    error: '#cf222e',
    warning: '#bf8700',
    notice: '#0969da',
    none: '#8c959f',
};
/**
 * A class's colour, from its severity in the class table; `same` is green. A class the table
 * does not know (a tampered report's) is as loud as an error.
 */
function classColour(cls) {
    if (cls === 'same')
        return '#2da44e';
    const rule = Object.hasOwn(CLASSES, cls) ? CLASSES[cls] : undefined;
    return SEVERITY_COLOURS[rule?.severity ?? 'error'];
}
const hash = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
/**
 * JSON that cannot leave its script element: `<`, `>` and `&` escaped (no `</script>` or
 * `<!--`), and U+2028/U+2029 too, which some parsers take for line ends.
 */
function scriptJson(value) {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const HTML_ENTITIES = {
    '&': '&amp;',
    '<': '&lt;',
    '>': '&gt;',
    '"': '&quot;',
    "'": '&#39;',
};
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
/** The policy: nothing may load; only this script and this style run; no base, no forms. */
function contentSecurityPolicy(script, css) {
    return [
        "default-src 'none'",
        `script-src ${hash(script)}`,
        `style-src ${hash(css)}`,
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ].join('; ');
}
function htmlPage(parts) {
    return [
        '<!doctype html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="utf-8">',
        `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(parts.script, parts.css)}">`,
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${escapeHtml(singleLine(parts.title))}</title>`,
        `<style>${parts.css}</style>`,
        '</head>',
        '<body>',
        parts.body,
        `<script type="application/json" id="data">${scriptJson(parts.data)}</script>`,
        `<script>${parts.script}</script>`,
        '</body>',
        '</html>',
        '',
    ].join('\n');
}

// Generated by scripts/build-clients.mjs from src/render/client/ (npm run build): do not edit.
// The pages' scripts as text, for html-page.ts to inline and allow by their hash.
/** report.html's script (src/render/client/report.ts). */
const REPORT_SCRIPT = "(function () {\n'use strict';\n\nconst CONTROL = /[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g;\nfunction show(text) {\n    const s = String(text);\n    const frag = document.createDocumentFragment();\n    let last = 0;\n    for (const m of s.matchAll(CONTROL)) {\n        if (m.index > last)\n            frag.append(s.slice(last, m.index));\n        const c = document.createElement('span');\n        c.className = 'ctl';\n        c.textContent =\n            '\\u27e8U+' + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + '\\u27e9';\n        frag.append(c);\n        last = m.index + m[0].length;\n    }\n    if (last < s.length)\n        frag.append(s.slice(last));\n    return frag;\n}\nfunction el(tag, cls, text) {\n    const e = document.createElement(tag);\n    if (cls)\n        e.className = cls;\n    if (text !== undefined && text !== null)\n        e.append(show(text));\n    return e;\n}\nfunction $(id) {\n    const e = document.getElementById(id);\n    if (!e)\n        throw new Error(`the page has no #${id}`);\n    return e;\n}\nconst pageData = () => JSON.parse($('data').textContent ?? 'null');\nfunction closest(event, selector) {\n    return event.target instanceof Element ? event.target.closest(selector) : null;\n}\n\nconst data = pageData();\nconst ROW = 24;\nconst ID_CHARS = 200;\nconst LINE = 17;\nconst cols = data.tests;\nconst tests = cols.id.map((id, i) => Object.assign({\n    id,\n    class: cols.class[i],\n    severity: cols.severity[i],\n    blame: cols.blame[i],\n    failing: cols.failing[i],\n    cells: cols.cells[i],\n    reason: cols.reason[i],\n    counts: cols.counts[i],\n    agreeing: cols.agreeing[i],\n    confidence: cols.confidence[i],\n}, data.extras[i]));\nconst test = (i) => tests[i];\nconst bootAt = (b) => data.boots[b];\nconst candidate = data.kernels[0];\nconst classInfo = new Map(data.classes.map((c) => [c.name, c]));\nconst colour = (cls) => (classInfo.get(cls) ?? { color: '#cf222e' }).color;\nconst enabled = new Set(data.classes.filter((c) => c.count > 0).map((c) => c.name));\nlet shown = tests.map((_, i) => i);\nlet selected = -1;\nlet lowered;\nlet marksByTest;\nlet logBoot = -1;\nlet logMark;\nlet logView;\nconst isDivergence = (t) => {\n    const c = classInfo.get(t.class);\n    return (!c || c.divergent) && t.severity !== 'none';\n};\nconst statusOf = (cell) => {\n    const w = cell.split(' ')[0] ?? '';\n    return cell === '\\u2014' ? 'none' : /^\\d/.test(w) ? 'mixed' : w;\n};\nfunction triples(marks) {\n    const list = [];\n    for (let j = 0; j + 2 < marks.length; j += 3)\n        list.push([marks[j], marks[j + 1], marks[j + 2]]);\n    return list;\n}\nfunction badge(cls) {\n    const b = el('span', 'cls', cls);\n    b.style.background = colour(cls);\n    return b;\n}\nfunction fact(dl, term, value) {\n    dl.append(el('dt', '', term));\n    const dd = el('dd');\n    if (value instanceof Node)\n        dd.append(value);\n    else\n        dd.append(show(value));\n    dl.append(dd);\n    return dd;\n}\nfunction renderHead() {\n    const h = data.head;\n    const head = $('head');\n    const h1 = el('h1', '', 'diverge report');\n    if (h.variant !== 'default')\n        h1.append(' \\u2014 ', show(h.variant));\n    const known = ['success', 'failure', 'neutral'].includes(h.conclusion);\n    const c = el('span', 'badge conclusion-' + (known ? h.conclusion : 'failure'), h.conclusion);\n    c.id = 'conclusion';\n    h1.append(' ', c);\n    const dl = el('dl', 'facts');\n    fact(dl, 'candidate', h.candidate.name + '  ' + h.candidate.digest.slice(0, 19));\n    const refs = el('span');\n    h.references.forEach((r, i) => {\n        if (i)\n            refs.append(', ');\n        refs.append(show(r.name));\n        if (r.broken)\n            refs.append(el('span', 'bad', ' (broken: ' + r.broken + ')'));\n    });\n    if (!h.references.length)\n        refs.append('none');\n    fact(dl, 'references', refs);\n    fact(dl, 'machine', h.machine);\n    fact(dl, 'accelerator', h.accel + ' (QEMU ' + h.qemu + ')');\n    fact(dl, 'harness', h.harness);\n    fact(dl, 'run', h.startedAt + ', ' + (h.durationMs / 1000).toFixed(1) + ' s, ' + h.tool);\n    const note = h.note ? ': ' + h.note : '';\n    fact(dl, 'summary', h.tests + ' tests, ' + h.divergences + ' divergences (' + h.failing + ' failing)' + note);\n    head.append(h1, dl);\n}\nfunction renderChips() {\n    const chips = $('chips');\n    for (const c of data.classes) {\n        if (!c.count)\n            continue;\n        const label = el('label');\n        label.title = c.meaning;\n        const box = el('input');\n        box.type = 'checkbox';\n        box.checked = true;\n        box.dataset.class = c.name;\n        label.append(box, ' ', badge(c.name), ' ' + c.count);\n        chips.append(label);\n    }\n    chips.addEventListener('change', (e) => {\n        const box = closest(e, 'input');\n        const cls = box?.dataset.class;\n        if (!box || cls === undefined)\n            return;\n        if (box.checked)\n            enabled.add(cls);\n        else\n            enabled.delete(cls);\n        applyFilter();\n    });\n}\nfunction applyFilter() {\n    const q = $('search').value.toLowerCase();\n    if (q && !lowered)\n        lowered = tests.map((t) => t.id.toLowerCase());\n    shown = [];\n    tests.forEach((t, i) => {\n        if (enabled.has(t.class) && (!q || lowered?.[i]?.includes(q)))\n            shown.push(i);\n    });\n    $('shown').textContent = shown.length + ' of ' + tests.length + ' tests';\n    $('grid-space').style.height = shown.length * ROW + 'px';\n    renderRows();\n}\nconst columns = () => '8.5em minmax(10em, 1fr) repeat(' + data.kernels.length + ', minmax(5.5em, 7em))';\nfunction renderGridHeader() {\n    const h = $('grid-header');\n    h.style.gridTemplateColumns = columns();\n    h.append(el('span', '', 'class'), el('span', '', 'test'));\n    for (const k of data.kernels) {\n        const s = el('span', 'cell', k);\n        s.title = k;\n        h.append(s);\n    }\n}\nfunction rowFor(i) {\n    const t = test(i);\n    const r = el('div', 'row' + (i === selected ? ' selected' : ''));\n    r.style.gridTemplateColumns = columns();\n    r.dataset.test = String(i);\n    const id = el('span', 'id', t.id.length > ID_CHARS ? t.id.slice(0, ID_CHARS) + '\\u2026' : t.id);\n    id.title = t.id.slice(0, 1000);\n    r.append(badge(t.class), id);\n    t.cells.forEach((cell, k) => {\n        const s = el('span', 'cell st-' + statusOf(cell), cell);\n        s.dataset.kernel = String(k);\n        if (k === 0 && isDivergence(t)) {\n            s.classList.add('diverges');\n            s.style.setProperty('--cls', colour(t.class));\n        }\n        r.append(s);\n    });\n    return r;\n}\nfunction renderRows() {\n    const g = $('grid');\n    const top = g.scrollTop;\n    const first = Math.max(0, Math.floor(top / ROW) - 10);\n    const last = Math.min(shown.length, Math.ceil((top + (g.clientHeight || 600)) / ROW) + 10);\n    const rows = $('grid-rows');\n    rows.style.transform = 'translateY(' + first * ROW + 'px)';\n    const frag = document.createDocumentFragment();\n    for (const i of shown.slice(first, last))\n        frag.append(rowFor(i));\n    rows.replaceChildren(frag);\n}\nfunction marksOf(i) {\n    if (!marksByTest) {\n        const byTest = new Map();\n        data.boots.forEach((b, bi) => {\n            for (const [t, from, to] of triples(b.log.marks)) {\n                const list = byTest.get(t) ?? [];\n                list.push({ boot: bi, from, to, tail: t < 0 });\n                byTest.set(t, list);\n            }\n        });\n        const first = (m) => (bootAt(m.boot).kernel === candidate ? 0 : 1);\n        for (const list of byTest.values())\n            list.sort((a, b) => first(a) - first(b) || a.boot - b.boot);\n        marksByTest = byTest;\n    }\n    const own = marksByTest.get(i) ?? [];\n    const t = test(i);\n    if (t.cells[0] === '\\u2014' && (t.class === 'crash' || t.class === 'hang'))\n        return own.concat((marksByTest.get(-1) ?? []).filter((m) => bootAt(m.boot).kernel === candidate));\n    return own;\n}\nfunction select(i, kernel) {\n    selected = i;\n    const p = shown.indexOf(i);\n    const g = $('grid');\n    if (p >= 0 && (p * ROW < g.scrollTop || (p + 1) * ROW > g.scrollTop + g.clientHeight))\n        g.scrollTop = Math.max(0, p * ROW - g.clientHeight / 3);\n    renderRows();\n    renderDetail(i);\n    const marks = marksOf(i);\n    const name = data.kernels[kernel === undefined ? 0 : kernel];\n    const mark = marks.find((m) => bootAt(m.boot).kernel === name) ?? marks[0];\n    if (mark)\n        showLog(mark.boot, mark);\n    else if (kernel !== undefined) {\n        const b = data.boots.findIndex((x) => x.kernel === name);\n        if (b >= 0)\n            showLog(b);\n    }\n    else if (logBoot >= 0)\n        showLog(logBoot);\n}\nfunction sideBySide(diff) {\n    const lines = diff.replace(/\\n$/, '').split('\\n');\n    let left = 'consensus';\n    let right = 'candidate';\n    let start = 0;\n    const minusHeader = lines[0];\n    if (minusHeader !== undefined && minusHeader.startsWith('--- ')) {\n        left = minusHeader.slice(4);\n        start = 1;\n    }\n    const plusHeader = lines[start];\n    if (plusHeader !== undefined && plusHeader.startsWith('+++ ')) {\n        right = plusHeader.slice(4);\n        start++;\n    }\n    const table = el('table', 'diff');\n    const head = el('tr');\n    head.append(el('th', '', left), el('th', '', right));\n    table.append(head);\n    let minus = [];\n    let plus = [];\n    const row = (a, b, ca, cb) => {\n        const tr = el('tr');\n        const ta = el('td', a === undefined ? 'gap' : ca, a === undefined ? '' : a);\n        const tb = el('td', b === undefined ? 'gap' : cb, b === undefined ? '' : b);\n        tr.append(ta, tb);\n        table.append(tr);\n    };\n    const flush = () => {\n        for (let j = 0; j < Math.max(minus.length, plus.length); j++)\n            row(minus[j], plus[j], 'del', 'ins');\n        minus = [];\n        plus = [];\n    };\n    for (const line of lines.slice(start)) {\n        if (line.startsWith('@@')) {\n            flush();\n            const tr = el('tr');\n            const td = el('td', 'hunk', line);\n            td.colSpan = 2;\n            tr.append(td);\n            table.append(tr);\n        }\n        else if (line.startsWith('-'))\n            minus.push(line.slice(1));\n        else if (line.startsWith('+'))\n            plus.push(line.slice(1));\n        else if (line.startsWith('\\\\'))\n            continue;\n        else {\n            flush();\n            const text = line.startsWith(' ') ? line.slice(1) : line;\n            row(text, text, 'ctx', 'ctx');\n        }\n    }\n    flush();\n    return table;\n}\nfunction renderDetail(i) {\n    const t = test(i);\n    const d = $('detail');\n    d.replaceChildren();\n    const h = el('h2', 'id', t.id);\n    h.id = 'detail-id';\n    d.append(h);\n    const line = el('div');\n    line.append(badge(t.class));\n    if (t.failing)\n        line.append(el('span', 'flag', 'fails the run'));\n    if (t.blame !== 'kernel')\n        line.append(el('span', 'flag', 'blamed on ' + t.blame));\n    d.append(line);\n    const dl = el('dl', 'facts');\n    fact(dl, 'reason', t.reason).id = 'detail-reason';\n    fact(dl, 'severity', t.severity);\n    fact(dl, 'confidence', Math.round(t.confidence * 100) + '%');\n    fact(dl, 'agreeing', t.agreeing.length ? t.agreeing.join(', ') : 'none').id = 'detail-agreeing';\n    fact(dl, 'fail:runs', el('span', 'mono', t.counts));\n    if (t.expected) {\n        const e = el('span');\n        e.append(badge(t.expected.class), ' ', show(t.expected.reason));\n        if (t.expected.link)\n            e.append(' ', el('span', 'muted', t.expected.link));\n        fact(dl, 'expectation', e).id = 'detail-expected';\n    }\n    if (t.cluster !== undefined) {\n        const c = data.clusters.find((x) => x.id === t.cluster);\n        fact(dl, 'cluster', c ? c.signature + ' (' + c.tests.length + ' tests)' : t.cluster);\n    }\n    const links = el('div', 'loglinks');\n    const groups = new Map();\n    for (const m of marksOf(i)) {\n        const b = bootAt(m.boot);\n        const key = JSON.stringify([b.kernel, m.from, m.to, m.tail]);\n        let group = groups.get(key);\n        if (!group) {\n            group = { kernel: b.kernel, m, runs: [] };\n            groups.set(key, group);\n        }\n        group.runs.push(m);\n    }\n    for (const g of groups.values()) {\n        const where = (g.m.tail ? ', after its last result' : '') + ', lines ';\n        const div = el('div', '', g.kernel + where + g.m.from + '\\u2013' + g.m.to + ': ');\n        for (const m of g.runs) {\n            const btn = el('button', 'link', '#' + bootAt(m.boot).attempt);\n            btn.dataset.boot = String(m.boot);\n            btn.addEventListener('click', () => showLog(m.boot, m));\n            div.append(btn);\n        }\n        links.append(div);\n    }\n    fact(dl, 'serial log', links);\n    d.append(dl);\n    if (t.diff) {\n        d.append(el('h3', '', 'Output against the consensus'));\n        const table = sideBySide(t.diff);\n        table.id = 'detail-diff';\n        d.append(table);\n    }\n}\nfunction lineNumber(log, j) {\n    if (!log.cut)\n        return j + 1;\n    const [head, tailFrom] = log.cut;\n    return j < head ? j + 1 : j === head ? 0 : tailFrom + (j - head - 1);\n}\nfunction lineIndex(log, n) {\n    if (!log.cut)\n        return n - 1;\n    const [head, tailFrom] = log.cut;\n    return n <= head ? n - 1 : n >= tailFrom ? head + 1 + (n - tailFrom) : head;\n}\nfunction renderLog() {\n    if (logBoot < 0 || !logView)\n        return;\n    const view = logView;\n    const boot = bootAt(logBoot);\n    const box = $('log');\n    const first = Math.max(0, Math.floor(box.scrollTop / LINE) - 20);\n    const bottom = Math.ceil((box.scrollTop + (box.clientHeight || 500)) / LINE) + 20;\n    const last = Math.min(boot.log.lines.length, bottom);\n    const rows = $('log-rows');\n    rows.style.top = first * LINE + 'px';\n    const frag = document.createDocumentFragment();\n    for (let j = first; j < last; j++) {\n        const n = lineNumber(boot.log, j);\n        const marked = !!logMark && n >= logMark.from && n <= logMark.to;\n        const classes = 'll' +\n            (n === 0 ? ' note' : '') +\n            (view.splats.has(n) ? ' splat' : '') +\n            (view.band[j] ? ' band' : '') +\n            (marked ? ' mark' : '');\n        const line = el('div', classes);\n        line.dataset.no = String(n);\n        line.append(el('span', 'no', n ? n : '\\u2026'), el('span', 'tx', boot.log.lines[j]));\n        const tagged = view.tags.get(j);\n        if (tagged !== undefined) {\n            const tag = el('button', 'link tag', test(tagged).id.slice(0, 200));\n            tag.dataset.test = String(tagged);\n            line.append(tag);\n        }\n        frag.append(line);\n    }\n    rows.replaceChildren(frag);\n}\nfunction showLog(b, mark) {\n    const boot = bootAt(b);\n    const box = $('log');\n    if (logBoot !== b) {\n        logBoot = b;\n        $('log-boot').value = String(b);\n        const band = new Uint8Array(boot.log.lines.length);\n        const tags = new Map();\n        triples(boot.log.marks).forEach(([t, from, to], k) => {\n            if (t >= 0)\n                tags.set(lineIndex(boot.log, to), t);\n            if (k % 2)\n                for (let n = from; n <= to; n++)\n                    band[lineIndex(boot.log, n)] = 1;\n        });\n        logView = { band, tags, splats: new Set(boot.splats.map((s) => s.line)) };\n        $('log-space').style.height = boot.log.lines.length * LINE + 'px';\n        const notes = [boot.file];\n        if (boot.log.note)\n            notes.push(boot.log.note);\n        $('log-note').textContent = notes.join(' \\u2014 ');\n    }\n    logMark = mark;\n    const fits = Math.floor((box.clientHeight || 500) / LINE) - 3;\n    if (mark)\n        box.scrollTop =\n            Math.max(0, lineIndex(boot.log, mark.from) - 2, lineIndex(boot.log, mark.to) - fits) * LINE;\n    renderLog();\n}\nfunction renderBootChoice() {\n    const s = $('log-boot');\n    data.boots.forEach((b, i) => {\n        const o = el('option');\n        o.value = String(i);\n        o.textContent = b.kernel + ' #' + b.attempt + ' (' + b.outcome + ')';\n        s.append(o);\n    });\n    s.addEventListener('change', () => showLog(Number(s.value)));\n    $('log').addEventListener('scroll', renderLog, { passive: true });\n    $('log').addEventListener('click', (e) => {\n        const tag = closest(e, '.tag');\n        if (tag)\n            select(Number(tag.dataset.test), data.kernels.indexOf(bootAt(logBoot).kernel));\n    });\n}\nfunction renderClusters() {\n    const box = $('clusters');\n    if (!data.clusters.length)\n        box.append(el('p', 'muted', 'No clusters: no divergences share a signature.'));\n    for (const c of data.clusters) {\n        const div = el('div', 'cluster');\n        const title = el('div');\n        const count = el('span', 'muted', '  ' + c.tests.length + ' tests');\n        title.append(badge(c.class), ' ', el('code', '', c.signature), count);\n        const list = el('div', 'tests');\n        for (const i of c.tests) {\n            const b = el('button', 'link mono', test(i).id);\n            b.dataset.test = String(i);\n            list.append(b);\n        }\n        div.append(title, list);\n        box.append(div);\n    }\n    box.addEventListener('click', (e) => {\n        const b = closest(e, 'button');\n        if (b)\n            select(Number(b.dataset.test));\n    });\n}\nfunction renderBoots() {\n    const t = $('boots');\n    const h = el('tr');\n    const titles = ['kernel', 'attempt', 'outcome', 'stage', 'duration', 'splats', 'message', 'log'];\n    for (const title of titles)\n        h.append(el('th', '', title));\n    t.append(h);\n    data.boots.forEach((b, i) => {\n        const tr = el('tr');\n        const duration = (b.durationMs / 1000).toFixed(2) + ' s' + (b.cached ? ' (cached)' : '');\n        tr.append(el('td', '', b.kernel), el('td', '', b.attempt), el('td', b.outcome === 'completed' ? '' : 'bad', b.outcome), el('td', '', b.stage), el('td', '', duration));\n        const splats = el('td');\n        for (const s of b.splats) {\n            const btn = el('button', 'link', s.kind + ': ' + s.message + ' (line ' + s.line + ')');\n            btn.addEventListener('click', () => showLog(i, { from: s.line, to: s.line }));\n            splats.append(btn, el('br'));\n        }\n        const open = el('button', 'link', b.file);\n        open.addEventListener('click', () => showLog(i));\n        const logCell = el('td');\n        logCell.append(open);\n        tr.append(splats, el('td', '', b.message ?? ''), logCell);\n        t.append(tr);\n    });\n}\nfunction step(direction) {\n    let p = shown.indexOf(selected);\n    if (p < 0)\n        p = direction > 0 ? -1 : shown.length;\n    for (let q = p + direction; q >= 0 && q < shown.length; q += direction) {\n        const i = shown[q];\n        if (isDivergence(test(i))) {\n            select(i);\n            return;\n        }\n    }\n}\nrenderHead();\nrenderChips();\nrenderGridHeader();\nrenderBootChoice();\nrenderClusters();\nrenderBoots();\n$('search').addEventListener('input', applyFilter);\n$('grid').addEventListener('scroll', renderRows, { passive: true });\n$('grid-rows').addEventListener('click', (e) => {\n    const row = closest(e, '.row');\n    if (!row)\n        return;\n    const cell = closest(e, '.cell');\n    select(Number(row.dataset.test), cell ? Number(cell.dataset.kernel) : undefined);\n});\ndocument.addEventListener('keydown', (e) => {\n    const target = e.target;\n    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) {\n        if (e.key === 'Escape')\n            target.blur();\n        return;\n    }\n    if (e.ctrlKey || e.metaKey || e.altKey)\n        return;\n    if (e.key === 'j')\n        step(1);\n    else if (e.key === 'k')\n        step(-1);\n    else if (e.key === '/') {\n        e.preventDefault();\n        $('search').focus();\n    }\n});\napplyFilter();\nif (data.boots.length)\n    showLog(0);\ndocument.body.dataset.ready = 'true';\n\n})();\n";
/** gradebook.html's script (src/render/client/gradebook.ts). */
const GRADEBOOK_SCRIPT = "(function () {\n'use strict';\n\nconst CONTROL = /[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g;\nfunction show(text) {\n    const s = String(text);\n    const frag = document.createDocumentFragment();\n    let last = 0;\n    for (const m of s.matchAll(CONTROL)) {\n        if (m.index > last)\n            frag.append(s.slice(last, m.index));\n        const c = document.createElement('span');\n        c.className = 'ctl';\n        c.textContent =\n            '\\u27e8U+' + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + '\\u27e9';\n        frag.append(c);\n        last = m.index + m[0].length;\n    }\n    if (last < s.length)\n        frag.append(s.slice(last));\n    return frag;\n}\nfunction el(tag, cls, text) {\n    const e = document.createElement(tag);\n    if (cls)\n        e.className = cls;\n    if (text !== undefined && text !== null)\n        e.append(show(text));\n    return e;\n}\nfunction $(id) {\n    const e = document.getElementById(id);\n    if (!e)\n        throw new Error(`the page has no #${id}`);\n    return e;\n}\nconst pageData = () => JSON.parse($('data').textContent ?? 'null');\nfunction closest(event, selector) {\n    return event.target instanceof Element ? event.target.closest(selector) : null;\n}\nfunction setHref(a, href) {\n    if (href !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(href))\n        a.href = href;\n}\n\nconst data = pageData();\nconst students = data.students;\nconst student = (i) => students[i];\nconst colours = new Map(data.classes.map((c) => [c.name, c.color]));\nconst rank = new Map(data.classes.map((c, i) => [c.name, i]));\nconst share = (s) => (s.score !== null && s.max > 0 ? s.score / s.max : 0);\nconst graded = students.filter((s) => s.score !== null);\nconst order = students.map((_, i) => i);\nlet sortKey = 'score';\nlet descending = true;\nfunction renderHead() {\n    const head = $('head');\n    head.append(el('h1', '', data.title));\n    const mean = graded.length ? graded.reduce((a, s) => a + share(s), 0) / graded.length : 0;\n    const ungraded = students.length - graded.length;\n    const failing = students.filter((s) => s.conclusion !== 'success').length;\n    const counts = students.length + ' ' + data.noun + 's, ' + data.tests.length + ' tests';\n    const summary = '; mean score ' +\n        Math.round(mean * 100) +\n        '%; ' +\n        failing +\n        ' not successful' +\n        (ungraded ? ', ' + ungraded + ' not graded (infrastructure)' : '');\n    head.append(el('p', 'muted', counts + summary));\n}\nfunction renderDistribution() {\n    const bins = new Array(10).fill(0);\n    for (const s of graded) {\n        const bin = Math.min(9, Math.floor(share(s) * 10));\n        bins[bin] = (bins[bin] ?? 0) + 1;\n    }\n    const top = Math.max(1, ...bins);\n    const box = $('distribution');\n    const labels = el('div', 'bins');\n    bins.forEach((n, i) => {\n        const bin = el('div', 'bin');\n        bin.dataset.count = String(n);\n        const bar = el('div', 'bar');\n        bar.style.height = (n / top) * 100 + '%';\n        bin.append(el('span', '', n ? n : ''), bar);\n        box.append(bin);\n        labels.append(el('span', '', i * 10 + '\\u2013' + (i + 1) * 10 + '%'));\n    });\n    box.after(labels);\n}\nfunction renderLegend() {\n    for (const c of data.classes) {\n        const b = el('span', 'cls', c.name);\n        b.style.background = c.color;\n        $('legend').append(b);\n    }\n}\nfunction header() {\n    const tr = el('tr');\n    const sortable = (label, key, cls) => {\n        const th = el('th', cls);\n        const b = el('button', '', label);\n        b.dataset.sort = key;\n        th.append(b);\n        if (key === sortKey)\n            th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');\n        return th;\n    };\n    tr.append(el('th', '', data.noun), sortable('score', 'score', ''), el('th', '', 'conclusion'), el('th', '', 'build'), el('th', '', 'boot'));\n    data.tests.forEach((id, j) => {\n        const th = sortable(id, String(j), 'test');\n        th.title = id;\n        tr.append(th);\n    });\n    $('book-head').replaceChildren(tr);\n}\nfunction statusCell(status) {\n    const td = el('td', status.ok ? 'status' : 'status bad');\n    td.append(el('span', 'why', status.text));\n    if (status.message !== undefined)\n        td.title = status.message;\n    if (status.log !== undefined) {\n        const a = el('a', 'log', 'log');\n        setHref(a, status.log);\n        td.append(' ', a);\n    }\n    return td;\n}\nfunction renderRows() {\n    const body = document.createDocumentFragment();\n    for (const i of order) {\n        const s = student(i);\n        const tr = el('tr');\n        tr.dataset.student = String(i);\n        const name = el('td', 'name');\n        const a = el('a', 'who', s.name);\n        a.title = s.name;\n        setHref(a, s.href);\n        name.append(a);\n        const conclusion = el('td', s.conclusion === 'success' ? '' : 'bad', s.conclusion);\n        if (s.reason !== undefined)\n            conclusion.title = s.reason;\n        tr.append(name, el('td', 'score', s.score === null ? 'not graded' : s.score + ' / ' + s.max), conclusion, statusCell(s.build), statusCell(s.boot));\n        s.cells.forEach((cls, j) => {\n            const td = el('td', 'heat');\n            td.dataset.class = cls;\n            td.title = data.tests[j] + ': ' + (cls || (s.score === null ? 'not graded' : 'not reported'));\n            if (cls)\n                td.style.background = colours.get(cls) ?? '#cf222e';\n            tr.append(td);\n        });\n        body.append(tr);\n    }\n    $('book-body').replaceChildren(body);\n}\nfunction sortBy(key) {\n    descending = key === sortKey ? !descending : true;\n    sortKey = key;\n    const name = (i) => student(i).name;\n    const byName = (a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);\n    const sign = descending ? 1 : -1;\n    if (key === 'score')\n        order.sort((a, b) => sign * (share(student(b)) - share(student(a))) || byName(a, b));\n    else {\n        const j = Number(key);\n        const r = (i) => {\n            const c = student(i).cells[j];\n            return c ? (rank.get(c) ?? -1) : 1e9;\n        };\n        order.sort((a, b) => sign * (r(a) - r(b)) || byName(a, b));\n    }\n    header();\n    renderRows();\n}\nrenderHead();\nrenderDistribution();\nrenderLegend();\n$('book-head').addEventListener('click', (e) => {\n    const b = closest(e, 'button');\n    if (b)\n        sortBy(b.dataset.sort ?? '');\n});\nsortKey = '';\nsortBy('score');\ndocument.body.dataset.ready = 'true';\n\n})();\n";
/** the history dashboard's script (src/render/client/history.ts). */
const HISTORY_SCRIPT = "(function () {\n'use strict';\n\nconst CONTROL = /[\\u0000-\\u0008\\u000a-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g;\nfunction show(text) {\n    const s = String(text);\n    const frag = document.createDocumentFragment();\n    let last = 0;\n    for (const m of s.matchAll(CONTROL)) {\n        if (m.index > last)\n            frag.append(s.slice(last, m.index));\n        const c = document.createElement('span');\n        c.className = 'ctl';\n        c.textContent =\n            '\\u27e8U+' + m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0') + '\\u27e9';\n        frag.append(c);\n        last = m.index + m[0].length;\n    }\n    if (last < s.length)\n        frag.append(s.slice(last));\n    return frag;\n}\nfunction el(tag, cls, text) {\n    const e = document.createElement(tag);\n    if (cls)\n        e.className = cls;\n    if (text !== undefined && text !== null)\n        e.append(show(text));\n    return e;\n}\nfunction $(id) {\n    const e = document.getElementById(id);\n    if (!e)\n        throw new Error(`the page has no #${id}`);\n    return e;\n}\nconst pageData = () => JSON.parse($('data').textContent ?? 'null');\n\nconst data = pageData();\nconst ID_CHARS = 200;\nconst STATES = ['broken', 'flaky', 'good', 'absent'];\nfunction link(text, href, cls = '') {\n    if (href === undefined || (/^[a-z][a-z0-9+.-]*:/i.test(href) && !/^https?:\\/\\//i.test(href)))\n        return el('span', cls, text);\n    const a = el('a', cls, text);\n    a.href = href;\n    return a;\n}\nconst clip = (id) => (id.length > ID_CHARS ? id.slice(0, ID_CHARS) + '\\u2026' : id);\nfunction decode(codes, code) {\n    const cls = codes.classes[(code & 15) - 1];\n    return {\n        cls: cls?.name ?? '',\n        color: cls?.color ?? '#cf222e',\n        fails: (code & 16) !== 0,\n        status: codes.statuses[code >> 5] ?? '',\n    };\n}\nconst runWords = (run) => run.commit.slice(0, 12) + ' ' + run.time + ' ' + run.event;\nfunction legend(codes) {\n    const box = $('legend');\n    for (const c of codes.classes) {\n        const b = el('span', 'cls', c.name);\n        b.style.background = c.color;\n        box.append(b);\n    }\n    box.append(el('span', 'muted', 'a dark frame: the test failed the run; grey: not in the run'));\n}\nfunction gridPage(d) {\n    const head = $('head');\n    head.append(el('h1', '', d.title), el('p', 'muted', d.summary));\n    if (d.home)\n        head.append(link('\\u2190 the latest runs', d.home));\n    else {\n        const more = el('p', 'muted');\n        more.append(link('Atom feed of state changes', 'feed.xml'), ' \\u00b7 ', link('badge.json', 'badge.json'));\n        head.append(more);\n    }\n    const lists = $('lists');\n    const section = (title, items, id) => {\n        const s = el('section');\n        s.id = id;\n        s.append(el('h2', '', title + ' (' + items.length + ')'));\n        const ul = el('ul');\n        for (const item of items) {\n            const li = el('li');\n            li.append(link(clip(item.id), item.href, 'mono'), el('span', 'muted', ' ' + item.note));\n            ul.append(li);\n        }\n        if (!items.length)\n            ul.append(el('li', 'muted', 'none'));\n        s.append(ul);\n        lists.append(s);\n    };\n    if (!d.home) {\n        section('Broken', d.lists.broken, 'broken');\n        section('Flaky', d.lists.flaky, 'flaky');\n        section('Fixed', d.lists.fixed, 'fixed');\n    }\n    const months = $('months');\n    if (d.months.length)\n        months.append(el('span', 'muted', 'runs by month: '));\n    for (const m of d.months)\n        months.append(link(m.name, m.href));\n    const enabled = new Set(STATES);\n    const states = $('states');\n    for (const state of STATES) {\n        const label = el('label', 'state state-' + state);\n        const box = el('input');\n        box.type = 'checkbox';\n        box.checked = true;\n        box.dataset.state = state;\n        label.append(box, ' ' + state + ' ' + d.rows.filter((r) => r.state === state).length);\n        states.append(label);\n    }\n    const tr = el('tr');\n    tr.append(el('th', '', 'test'), el('th', '', 'state'));\n    for (const run of d.runs) {\n        const th = el('th', 'run');\n        th.append(link(run.commit.slice(0, 7), run.link));\n        th.title = runWords(run);\n        tr.append(th);\n    }\n    $('grid-head').append(tr);\n    const body = $('grid-body');\n    const rows = d.rows.map((row) => {\n        const r = el('tr');\n        const id = el('td', 'id');\n        id.append(link(clip(row.id), row.href));\n        id.title = row.id.slice(0, 1000);\n        r.append(id, el('td', 'state state-' + row.state, row.state));\n        for (let i = 0; i < d.runs.length; i++) {\n            const code = parseInt(row.cells.slice(2 * i, 2 * i + 2), 16) || 0;\n            const run = d.runs[i];\n            if (code === 0) {\n                const td = el('td', 'c absent');\n                td.title = runWords(run) + ': not in this run';\n                r.append(td);\n                continue;\n            }\n            const c = decode(d, code);\n            const td = el('td', 'c' + (c.fails ? ' fails' : ''));\n            td.style.background = c.color;\n            td.dataset.class = c.cls;\n            td.title =\n                runWords(run) +\n                    ': ' +\n                    c.cls +\n                    ', candidate ' +\n                    c.status +\n                    (c.fails ? ', fails the run' : '');\n            r.append(td);\n        }\n        body.append(r);\n        return r;\n    });\n    const lowered = d.rows.map((row) => row.id.toLowerCase());\n    const filter = () => {\n        const q = $('search').value.toLowerCase();\n        let shown = 0;\n        rows.forEach((r, i) => {\n            const visible = enabled.has(d.rows[i]?.state ?? '') && (!q || (lowered[i] ?? '').includes(q));\n            r.hidden = !visible;\n            if (visible)\n                shown++;\n        });\n        $('shown').textContent = shown + ' of ' + rows.length + ' tests';\n    };\n    $('search').addEventListener('input', filter);\n    states.addEventListener('change', (e) => {\n        const box = e.target;\n        if (!(box instanceof HTMLInputElement) || !box.dataset.state)\n            return;\n        if (box.checked)\n            enabled.add(box.dataset.state);\n        else\n            enabled.delete(box.dataset.state);\n        filter();\n    });\n    filter();\n}\nfunction testPage(d) {\n    const head = $('head');\n    head.append(link('\\u2190 dashboard', d.home), el('h1', 'id', d.id));\n    const facts = $('facts');\n    for (const f of d.facts) {\n        facts.append(el('dt', '', f.term));\n        const dd = el('dd');\n        dd.append(link(f.value, f.link));\n        facts.append(dd);\n    }\n    if (d.older)\n        $('older').textContent = d.older + ' older changes are not shown.';\n    const body = $('timeline-body');\n    for (const s of d.streaks) {\n        const c = decode(d, s.code);\n        const tr = el('tr');\n        const state = c.fails ? 'broken' : c.cls === 'flaky' ? 'flaky' : 'good';\n        const cls = el('td');\n        const badge = el('span', 'cls', c.cls);\n        badge.style.background = c.color;\n        cls.append(badge);\n        const from = el('td', 'mono');\n        from.append(link(runWords(s.from), s.from.link));\n        const to = el('td', 'mono');\n        to.append(link(runWords(s.to), s.to.link));\n        tr.append(el('td', 'state state-' + state, state), cls, el('td', '', c.status), el('td', '', s.runs), from, to);\n        body.append(tr);\n    }\n}\nlegend(data);\nif (data.kind === 'grid')\n    gridPage(data);\nelse\n    testPage(data);\ndocument.body.dataset.ready = 'true';\n\n})();\n";

/**
 * The history dashboard's pages (history/site.ts writes them): the grid pages (index.html with
 * the latest runs, a page per month) and a page per test. Same shell as report.html: one file
 * each, a CSP that loads nothing, the data as JSON, every test id and commit through
 * textContent. Their script is client/history.ts.
 */
/** How the pages read a cell's code: the class and status tables, in their order. */
const HISTORY_CODES = {
    classes: DIVERGENCE_CLASSES.map((name) => ({ name, color: classColour(name) })),
    statuses: [...HISTORY_STATUSES],
};
const GRID_BODY = `<header id="head"></header>
<section id="lists"></section>
<nav id="months"></nav>
<section id="controls"><input id="search" type="search" placeholder="filter tests" aria-label="filter tests">
<span id="states"></span> <span id="shown" class="muted"></span></section>
<section id="legend"></section>
<div id="grid-box"><table id="grid"><thead id="grid-head"></thead><tbody id="grid-body"></tbody></table></div>`;
const TEST_BODY = `<header id="head"></header>
<dl id="facts" class="facts"></dl>
<section id="legend"></section>
<h2>Timeline</h2>
<p id="older" class="muted"></p>
<div id="timeline-box"><table id="timeline"><thead><tr><th>state</th><th>class</th><th>candidate</th><th>runs</th><th>from</th><th>to</th></tr></thead><tbody id="timeline-body"></tbody></table></div>`;
const CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 12px 0 4px; } h2 { font-size: 16px; margin: 14px 0 6px; }
a { color: #0969da; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.muted { color: #57606a; font-size: 12px; }
.mono { font-family: ui-monospace, Menlo, Consolas, monospace; }
#lists { display: flex; flex-wrap: wrap; gap: 8px 24px; }
#lists section { flex: 1 1 300px; min-width: 0; }
#lists ul { margin: 0; padding-left: 18px; max-height: 14em; overflow: auto; }
#lists li { overflow-wrap: anywhere; }
#months a { margin-right: 8px; }
#controls { margin: 10px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
#search { width: 20em; max-width: 100%; }
.cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; margin: 0 6px 4px 0; }
#grid-box, #timeline-box { max-width: 100%; overflow-x: auto; }
table#grid { border-collapse: collapse; font-size: 12px; }
#grid th, #grid td { border: 1px solid #eaeef2; padding: 0; }
#grid th.run { writing-mode: vertical-rl; transform: rotate(180deg); font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 400; font-size: 10px; height: 6em; }
#grid td.id { padding: 1px 6px; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
#grid td.c { width: 14px; min-width: 14px; height: 18px; }
#grid td.c.fails { box-shadow: inset 0 0 0 2px #1f2328; }
#grid td.c.absent { background: #f6f8fa; }
.state { font-size: 11px; padding: 0 6px; white-space: nowrap; }
.state-broken { color: #cf222e; font-weight: 600; } .state-flaky { color: #bf8700; } .state-good { color: #1a7f37; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; }
dl.facts dt { color: #57606a; } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
#timeline { border-collapse: collapse; font-size: 12.5px; }
#timeline th, #timeline td { border: 1px solid #eaeef2; padding: 2px 6px; text-align: left; }
h1.id { overflow-wrap: anywhere; font-family: ui-monospace, Menlo, Consolas, monospace; }
`;
const renderHistoryGridPage = (data) => htmlPage({ title: data.title, css: CSS, script: HISTORY_SCRIPT, body: GRID_BODY, data });
const renderHistoryTestPage = (data) => htmlPage({
    title: `diverge history: ${data.id.slice(0, 200)}`,
    css: CSS,
    script: HISTORY_SCRIPT,
    body: TEST_BODY,
    data,
});

/**
 * The store's records folded into columns: the runs, the tests, and per run one byte per test
 * that says its class, whether it failed the run and the candidate's status. 10,000 runs of
 * 1,000 tests take 10 MB this way, where the records as objects would not fit in memory.
 */
const CLASS_BITS = 0x0f;
const FAILING = 0x10;
const STATUS_SHIFT = 5;
const CLASS_INDEX = new Map(DIVERGENCE_CLASSES.map((c, i) => [c, i]));
const STATUS_INDEX = new Map(HISTORY_STATUSES.map((s, i) => [s, i]));
/** One byte: 1 + the class's index, the failing bit, the candidate's status index. */
function encode(cls, failing, status) {
    const c = CLASS_INDEX.get(cls) ?? 0;
    const s = STATUS_INDEX.get(status) ?? 0;
    return (1 + c) | (failing ? FAILING : 0) | (s << STATUS_SHIFT);
}
const classOfCode = (code) => code === 0 ? undefined : DIVERGENCE_CLASSES[(code & CLASS_BITS) - 1];
const statusOfCode = (code) => code === 0 ? undefined : HISTORY_STATUSES[code >> STATUS_SHIFT];
const failingCode = (code) => (code & FAILING) !== 0;
/** A test's state in one run: broken when it failed the run, flaky when its runs disagreed. */
function stateOfCode(code) {
    if (code === 0)
        return 'absent';
    if (failingCode(code))
        return 'broken';
    return classOfCode(code) === 'flaky' ? 'flaky' : 'good';
}
const emptyTimeline = () => ({ runs: [], tests: [], codes: [] });
/**
 * Adds a record (the next run in time) to the timeline. Plain loops over the record's objects:
 * this runs for every test of every run, 10 million times at 10,000 runs × 1,000 tests.
 */
function addRun(timeline, record, index) {
    const keys = [];
    for (const report of record.reports) {
        const ts = [];
        for (const id in report.tests) {
            const key = testKey(report.variant, id);
            let t = index.get(key);
            if (t === undefined) {
                t = timeline.tests.length;
                index.set(key, t);
                timeline.tests.push(key);
            }
            ts.push(t);
        }
        keys.push(ts);
    }
    const codes = new Uint8Array(timeline.tests.length);
    record.reports.forEach((report, r) => {
        const failed = new Set(report.failing);
        const ts = keys[r] ?? [];
        let i = 0;
        for (const id in report.tests) {
            const entry = report.tests[id];
            codes[ts[i++] ?? 0] = encode(entry[0], failed.has(id), entry[1][0] ?? 'missing');
        }
    });
    const first = record.reports[0];
    timeline.codes.push(codes);
    timeline.runs.push({
        commit: record.commit,
        time: record.time,
        ...(first?.link ? { link: first.link } : {}),
        ref: record.ref,
        event: record.event,
        toolchain: JSON.stringify([
            record.toolchain,
            record.reports.map((r) => [r.variant, r.harness, r.candidate]),
        ]),
        references: JSON.stringify(record.reports.map((r) => r.references)),
    });
}
/** The timeline of records given oldest first. */
function timelineOf(records) {
    const timeline = emptyTimeline();
    const index = new Map();
    for (const record of records)
        addRun(timeline, record, index);
    return timeline;
}
/** The code of test `t` in run `r`. */
const codeAt = (timeline, r, t) => timeline.codes[r]?.[t] ?? 0;

/** The flake rate is over this many of the test's latest runs unless told otherwise. */
const FLAKE_WINDOW = 20;
const refOf = (run) => ({
    commit: run.commit,
    time: run.time,
    ...(run.link ? { link: run.link } : {}),
});
/** What changed from `before` to `at`: the commit first, then the references, then the toolchain. */
function causeOf(before, at) {
    if (!before)
        return 'unknown';
    if (before.commit !== at.commit)
        return 'commit';
    if (before.references !== at.references)
        return 'references';
    if (before.toolchain !== at.toolchain)
        return 'toolchain';
    return 'nothing';
}
/**
 * The first run of the streak of `state` that ends with the latest run in which the test is
 * present (runs without the test neither end nor extend it), and the run before the streak.
 */
function streakStart(timeline, t, state) {
    let first = -1;
    for (let r = timeline.runs.length - 1; r >= 0; r--) {
        const here = stateOfCode(codeAt(timeline, r, t));
        if (here === 'absent')
            continue;
        if (here !== state)
            return { first, before: r };
        first = r;
    }
    return { first, before: -1 };
}
function testFacts$1(timeline, t, window = FLAKE_WINDOW) {
    const { runs } = timeline;
    const run = (r) => runs[r];
    const last = runs.length - 1;
    const state = last < 0 ? 'absent' : stateOfCode(codeAt(timeline, last, t));
    let lastGood = null;
    let present = 0;
    let flaky = 0;
    for (let r = last; r >= 0 && (lastGood === null || present < window); r--) {
        const code = codeAt(timeline, r, t);
        if (code === 0)
            continue;
        if (present < window) {
            present++;
            if (classOfCode(code) === 'flaky')
                flaky++;
        }
        if (lastGood === null && stateOfCode(code) === 'good')
            lastGood = refOf(run(r));
    }
    let brokenSince = null;
    let cause = null;
    let fixedAt = null;
    if (state === 'broken') {
        const { first, before } = streakStart(timeline, t, 'broken');
        brokenSince = refOf(run(first));
        cause = causeOf(runs[before], run(first));
    }
    else if (state === 'good') {
        const { first, before } = streakStart(timeline, t, 'good');
        if (before >= 0 && stateOfCode(codeAt(timeline, before, t)) === 'broken')
            fixedAt = refOf(run(first));
    }
    return {
        id: timeline.tests[t],
        state,
        brokenSince,
        lastGood,
        flakeRate: present === 0 ? 0 : flaky / present,
        cause,
        fixedAt,
    };
}
/** Every test's facts, in the order tests were first seen. */
const allFacts = (timeline, window = FLAKE_WINDOW) => timeline.tests.map((_, t) => testFacts$1(timeline, t, window));
/** A test is flaky when its latest state is, or when it was flaky in some of its latest runs. */
const isFlaky = (facts) => facts.state === 'flaky' || facts.flakeRate > 0;
/** Whether a test broke with no commit: the run that broke it had the same commit as the one before. */
const brokeWithNoCommit = (facts) => facts.cause !== null && facts.cause !== 'commit' && facts.cause !== 'unknown';

/** A test id (kernel output) as one line of at most this many characters. */
const ID_CHARS = 200;
function shownId(id) {
    const line = [...singleLine(id)];
    return line.length > ID_CHARS ? `${line.slice(0, ID_CHARS - 1).join('')}…` : line.join('');
}
const shortRun = (run) => `${singleLine(run.commit).slice(0, 12)} (${run.time})`;
const CAUSE_WORDS = {
    commit: 'with a commit',
    references: 'with no commit: the references changed',
    toolchain: 'with no commit: the toolchain changed (diverge, QEMU, build image or harness)',
    nothing: 'with no commit and nothing else changed',
    unknown: 'in the first run that had it',
};
/** The tests people look at first: broken (newest break first), then flaky, then fixed. */
function sections(facts) {
    return {
        // The newest break first: it is the one people have not heard of yet.
        broken: facts
            .filter((f) => f.state === 'broken' && f.brokenSince !== null)
            .sort((a, b) => Date.parse(b.brokenSince.time) - Date.parse(a.brokenSince.time)),
        flaky: facts.filter((f) => f.state !== 'broken' && isFlaky(f)),
        fixed: facts.filter((f) => f.fixedAt !== null),
    };
}
function historyText(timeline, facts) {
    const { runs } = timeline;
    const latest = runs.at(-1);
    if (!latest)
        return 'No runs recorded yet.\n';
    const { broken, flaky, fixed } = sections(facts);
    const lines = [
        `${runs.length} runs, ${facts.length} tests; latest ${shortRun(latest)}, ${singleLine(latest.ref)}`,
        broken.length === 0 ? 'Nothing is broken.' : `${broken.length} broken:`,
    ];
    for (const f of broken) {
        lines.push(`  ${shownId(f.id)}`);
        lines.push(`    broken since ${shortRun(f.brokenSince)}, ${CAUSE_WORDS[f.cause ?? 'unknown']}`);
        lines.push(`    last good ${f.lastGood ? shortRun(f.lastGood) : 'never'}`);
    }
    if (flaky.length > 0)
        lines.push(`${flaky.length} flaky:`);
    for (const f of flaky)
        lines.push(`  ${shownId(f.id)}  ${Math.round(f.flakeRate * 100)}% of its latest runs`);
    if (fixed.length > 0)
        lines.push(`${fixed.length} fixed:`);
    for (const f of fixed)
        lines.push(`  ${shownId(f.id)}  good again since ${shortRun(f.fixedAt)}`);
    const noCommit = broken.filter(brokeWithNoCommit).length;
    if (noCommit > 0)
        lines.push(`${noCommit} broke with no commit: the toolchain or the references moved under them.`);
    return `${lines.join('\n')}\n`;
}
/** `--json`: every test's facts, commits as given to `add`. */
const historySummary = (facts) => ({
    tests: facts.map((f) => ({
        id: f.id,
        state: f.state,
        brokenSince: f.brokenSince,
        lastGood: f.lastGood,
        flakeRate: f.flakeRate,
        cause: f.cause,
        fixedAt: f.fixedAt,
    })),
});

var $schema$2 = "http://json-schema.org/draft-07/schema#";
var $id$3 = "https://diverge.dev/schema/history.v1.json";
var title$2 = "diverge history record (diverge.history/v1)";
var description$2 = "One run on the default branch, a line of a history store's month file (docs/history.md).";
var type$3 = "object";
var additionalProperties$3 = false;
var required$3 = [
	"schema",
	"commit",
	"ref",
	"time",
	"event",
	"toolchain",
	"reports"
];
var definitions$2 = {
	digest: {
		type: "string",
		minLength: 1
	},
	"class": {
		"enum": [
			"same",
			"regression",
			"fix",
			"output",
			"crash",
			"hang",
			"missing",
			"new",
			"flaky",
			"ambiguous",
			"expected"
		]
	},
	status: {
		"enum": [
			"pass",
			"fail",
			"skip",
			"error",
			"missing",
			"varies"
		]
	},
	report: {
		type: "object",
		additionalProperties: false,
		required: [
			"variant",
			"candidate",
			"references",
			"harness",
			"conclusion",
			"tests",
			"failing"
		],
		properties: {
			variant: {
				type: "string",
				minLength: 1
			},
			candidate: {
				$ref: "#/definitions/digest"
			},
			references: {
				type: "array",
				items: {
					type: "object",
					additionalProperties: false,
					required: [
						"name",
						"digest"
					],
					properties: {
						name: {
							type: "string",
							minLength: 1
						},
						digest: {
							$ref: "#/definitions/digest"
						}
					}
				}
			},
			harness: {
				$ref: "#/definitions/digest"
			},
			conclusion: {
				"enum": [
					"success",
					"failure",
					"neutral"
				]
			},
			link: {
				type: "string",
				minLength: 1
			},
			tests: {
				type: "object",
				description: "Per test id: its class, and the status per kernel (the candidate, then the references in order).",
				additionalProperties: {
					type: "array",
					minItems: 2,
					maxItems: 2,
					items: [
						{
							$ref: "#/definitions/class"
						},
						{
							type: "array",
							minItems: 1,
							items: {
								$ref: "#/definitions/status"
							}
						}
					]
				}
			},
			failing: {
				type: "array",
				items: {
					type: "string"
				}
			}
		}
	}
};
var properties$4 = {
	schema: {
		"const": "diverge.history/v1"
	},
	commit: {
		type: "string",
		minLength: 1
	},
	ref: {
		type: "string",
		minLength: 1
	},
	time: {
		type: "string",
		format: "date-time"
	},
	event: {
		"enum": [
			"push",
			"schedule",
			"manual"
		]
	},
	toolchain: {
		type: "object",
		additionalProperties: false,
		required: [
			"diverge",
			"qemu"
		],
		properties: {
			diverge: {
				type: "string"
			},
			qemu: {
				type: "string"
			},
			image: {
				type: "string",
				minLength: 1
			}
		}
	},
	reports: {
		type: "array",
		minItems: 1,
		items: {
			$ref: "#/definitions/report"
		}
	},
	checksum: {
		description: "In the store: the SHA-256 (hex) of the line's JSON without this key, which is its last. A record whose line does not match it was edited and is skipped.",
		type: "string",
		pattern: "^[0-9a-f]{64}$"
	}
};
var schema$1 = {
	$schema: $schema$2,
	$id: $id$3,
	title: title$2,
	description: description$2,
	type: type$3,
	additionalProperties: additionalProperties$3,
	required: required$3,
	definitions: definitions$2,
	properties: properties$4
};

var ajv$1 = {exports: {}};

var core$1 = {};

var validate = {};

var boolSchema = {};

var errors = {};

var codegen = {};

var code$1 = {};

var hasRequiredCode$1;

function requireCode$1 () {
	if (hasRequiredCode$1) return code$1;
	hasRequiredCode$1 = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.regexpCode = exports.getEsmExportName = exports.getProperty = exports.safeStringify = exports.stringify = exports.strConcat = exports.addCodeArg = exports.str = exports._ = exports.nil = exports._Code = exports.Name = exports.IDENTIFIER = exports._CodeOrName = void 0;
		// eslint-disable-next-line @typescript-eslint/no-extraneous-class
		class _CodeOrName {
		}
		exports._CodeOrName = _CodeOrName;
		exports.IDENTIFIER = /^[a-z$_][a-z$_0-9]*$/i;
		class Name extends _CodeOrName {
		    constructor(s) {
		        super();
		        if (!exports.IDENTIFIER.test(s))
		            throw new Error("CodeGen: name must be a valid identifier");
		        this.str = s;
		    }
		    toString() {
		        return this.str;
		    }
		    emptyStr() {
		        return false;
		    }
		    get names() {
		        return { [this.str]: 1 };
		    }
		}
		exports.Name = Name;
		class _Code extends _CodeOrName {
		    constructor(code) {
		        super();
		        this._items = typeof code === "string" ? [code] : code;
		    }
		    toString() {
		        return this.str;
		    }
		    emptyStr() {
		        if (this._items.length > 1)
		            return false;
		        const item = this._items[0];
		        return item === "" || item === '""';
		    }
		    get str() {
		        var _a;
		        return ((_a = this._str) !== null && _a !== void 0 ? _a : (this._str = this._items.reduce((s, c) => `${s}${c}`, "")));
		    }
		    get names() {
		        var _a;
		        return ((_a = this._names) !== null && _a !== void 0 ? _a : (this._names = this._items.reduce((names, c) => {
		            if (c instanceof Name)
		                names[c.str] = (names[c.str] || 0) + 1;
		            return names;
		        }, {})));
		    }
		}
		exports._Code = _Code;
		exports.nil = new _Code("");
		function _(strs, ...args) {
		    const code = [strs[0]];
		    let i = 0;
		    while (i < args.length) {
		        addCodeArg(code, args[i]);
		        code.push(strs[++i]);
		    }
		    return new _Code(code);
		}
		exports._ = _;
		const plus = new _Code("+");
		function str(strs, ...args) {
		    const expr = [safeStringify(strs[0])];
		    let i = 0;
		    while (i < args.length) {
		        expr.push(plus);
		        addCodeArg(expr, args[i]);
		        expr.push(plus, safeStringify(strs[++i]));
		    }
		    optimize(expr);
		    return new _Code(expr);
		}
		exports.str = str;
		function addCodeArg(code, arg) {
		    if (arg instanceof _Code)
		        code.push(...arg._items);
		    else if (arg instanceof Name)
		        code.push(arg);
		    else
		        code.push(interpolate(arg));
		}
		exports.addCodeArg = addCodeArg;
		function optimize(expr) {
		    let i = 1;
		    while (i < expr.length - 1) {
		        if (expr[i] === plus) {
		            const res = mergeExprItems(expr[i - 1], expr[i + 1]);
		            if (res !== undefined) {
		                expr.splice(i - 1, 3, res);
		                continue;
		            }
		            expr[i++] = "+";
		        }
		        i++;
		    }
		}
		function mergeExprItems(a, b) {
		    if (b === '""')
		        return a;
		    if (a === '""')
		        return b;
		    if (typeof a == "string") {
		        if (b instanceof Name || a[a.length - 1] !== '"')
		            return;
		        if (typeof b != "string")
		            return `${a.slice(0, -1)}${b}"`;
		        if (b[0] === '"')
		            return a.slice(0, -1) + b.slice(1);
		        return;
		    }
		    if (typeof b == "string" && b[0] === '"' && !(a instanceof Name))
		        return `"${a}${b.slice(1)}`;
		    return;
		}
		function strConcat(c1, c2) {
		    return c2.emptyStr() ? c1 : c1.emptyStr() ? c2 : str `${c1}${c2}`;
		}
		exports.strConcat = strConcat;
		// TODO do not allow arrays here
		function interpolate(x) {
		    return typeof x == "number" || typeof x == "boolean" || x === null
		        ? x
		        : safeStringify(Array.isArray(x) ? x.join(",") : x);
		}
		function stringify(x) {
		    return new _Code(safeStringify(x));
		}
		exports.stringify = stringify;
		function safeStringify(x) {
		    return JSON.stringify(x)
		        .replace(/\u2028/g, "\\u2028")
		        .replace(/\u2029/g, "\\u2029");
		}
		exports.safeStringify = safeStringify;
		function getProperty(key) {
		    return typeof key == "string" && exports.IDENTIFIER.test(key) ? new _Code(`.${key}`) : _ `[${key}]`;
		}
		exports.getProperty = getProperty;
		//Does best effort to format the name properly
		function getEsmExportName(key) {
		    if (typeof key == "string" && exports.IDENTIFIER.test(key)) {
		        return new _Code(`${key}`);
		    }
		    throw new Error(`CodeGen: invalid export name: ${key}, use explicit $id name mapping`);
		}
		exports.getEsmExportName = getEsmExportName;
		function regexpCode(rx) {
		    return new _Code(rx.toString());
		}
		exports.regexpCode = regexpCode;
		
	} (code$1));
	return code$1;
}

var scope = {};

var hasRequiredScope;

function requireScope () {
	if (hasRequiredScope) return scope;
	hasRequiredScope = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.ValueScope = exports.ValueScopeName = exports.Scope = exports.varKinds = exports.UsedValueState = void 0;
		const code_1 = /*@__PURE__*/ requireCode$1();
		class ValueError extends Error {
		    constructor(name) {
		        super(`CodeGen: "code" for ${name} not defined`);
		        this.value = name.value;
		    }
		}
		var UsedValueState;
		(function (UsedValueState) {
		    UsedValueState[UsedValueState["Started"] = 0] = "Started";
		    UsedValueState[UsedValueState["Completed"] = 1] = "Completed";
		})(UsedValueState || (exports.UsedValueState = UsedValueState = {}));
		exports.varKinds = {
		    const: new code_1.Name("const"),
		    let: new code_1.Name("let"),
		    var: new code_1.Name("var"),
		};
		class Scope {
		    constructor({ prefixes, parent } = {}) {
		        this._names = {};
		        this._prefixes = prefixes;
		        this._parent = parent;
		    }
		    toName(nameOrPrefix) {
		        return nameOrPrefix instanceof code_1.Name ? nameOrPrefix : this.name(nameOrPrefix);
		    }
		    name(prefix) {
		        return new code_1.Name(this._newName(prefix));
		    }
		    _newName(prefix) {
		        const ng = this._names[prefix] || this._nameGroup(prefix);
		        return `${prefix}${ng.index++}`;
		    }
		    _nameGroup(prefix) {
		        var _a, _b;
		        if (((_b = (_a = this._parent) === null || _a === void 0 ? void 0 : _a._prefixes) === null || _b === void 0 ? void 0 : _b.has(prefix)) || (this._prefixes && !this._prefixes.has(prefix))) {
		            throw new Error(`CodeGen: prefix "${prefix}" is not allowed in this scope`);
		        }
		        return (this._names[prefix] = { prefix, index: 0 });
		    }
		}
		exports.Scope = Scope;
		class ValueScopeName extends code_1.Name {
		    constructor(prefix, nameStr) {
		        super(nameStr);
		        this.prefix = prefix;
		    }
		    setValue(value, { property, itemIndex }) {
		        this.value = value;
		        this.scopePath = (0, code_1._) `.${new code_1.Name(property)}[${itemIndex}]`;
		    }
		}
		exports.ValueScopeName = ValueScopeName;
		const line = (0, code_1._) `\n`;
		class ValueScope extends Scope {
		    constructor(opts) {
		        super(opts);
		        this._values = {};
		        this._scope = opts.scope;
		        this.opts = { ...opts, _n: opts.lines ? line : code_1.nil };
		    }
		    get() {
		        return this._scope;
		    }
		    name(prefix) {
		        return new ValueScopeName(prefix, this._newName(prefix));
		    }
		    value(nameOrPrefix, value) {
		        var _a;
		        if (value.ref === undefined)
		            throw new Error("CodeGen: ref must be passed in value");
		        const name = this.toName(nameOrPrefix);
		        const { prefix } = name;
		        const valueKey = (_a = value.key) !== null && _a !== void 0 ? _a : value.ref;
		        let vs = this._values[prefix];
		        if (vs) {
		            const _name = vs.get(valueKey);
		            if (_name)
		                return _name;
		        }
		        else {
		            vs = this._values[prefix] = new Map();
		        }
		        vs.set(valueKey, name);
		        const s = this._scope[prefix] || (this._scope[prefix] = []);
		        const itemIndex = s.length;
		        s[itemIndex] = value.ref;
		        name.setValue(value, { property: prefix, itemIndex });
		        return name;
		    }
		    getValue(prefix, keyOrRef) {
		        const vs = this._values[prefix];
		        if (!vs)
		            return;
		        return vs.get(keyOrRef);
		    }
		    scopeRefs(scopeName, values = this._values) {
		        return this._reduceValues(values, (name) => {
		            if (name.scopePath === undefined)
		                throw new Error(`CodeGen: name "${name}" has no value`);
		            return (0, code_1._) `${scopeName}${name.scopePath}`;
		        });
		    }
		    scopeCode(values = this._values, usedValues, getCode) {
		        return this._reduceValues(values, (name) => {
		            if (name.value === undefined)
		                throw new Error(`CodeGen: name "${name}" has no value`);
		            return name.value.code;
		        }, usedValues, getCode);
		    }
		    _reduceValues(values, valueCode, usedValues = {}, getCode) {
		        let code = code_1.nil;
		        for (const prefix in values) {
		            const vs = values[prefix];
		            if (!vs)
		                continue;
		            const nameSet = (usedValues[prefix] = usedValues[prefix] || new Map());
		            vs.forEach((name) => {
		                if (nameSet.has(name))
		                    return;
		                nameSet.set(name, UsedValueState.Started);
		                let c = valueCode(name);
		                if (c) {
		                    const def = this.opts.es5 ? exports.varKinds.var : exports.varKinds.const;
		                    code = (0, code_1._) `${code}${def} ${name} = ${c};${this.opts._n}`;
		                }
		                else if ((c = getCode === null || getCode === void 0 ? void 0 : getCode(name))) {
		                    code = (0, code_1._) `${code}${c}${this.opts._n}`;
		                }
		                else {
		                    throw new ValueError(name);
		                }
		                nameSet.set(name, UsedValueState.Completed);
		            });
		        }
		        return code;
		    }
		}
		exports.ValueScope = ValueScope;
		
	} (scope));
	return scope;
}

var hasRequiredCodegen;

function requireCodegen () {
	if (hasRequiredCodegen) return codegen;
	hasRequiredCodegen = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.or = exports.and = exports.not = exports.CodeGen = exports.operators = exports.varKinds = exports.ValueScopeName = exports.ValueScope = exports.Scope = exports.Name = exports.regexpCode = exports.stringify = exports.getProperty = exports.nil = exports.strConcat = exports.str = exports._ = void 0;
		const code_1 = /*@__PURE__*/ requireCode$1();
		const scope_1 = /*@__PURE__*/ requireScope();
		var code_2 = /*@__PURE__*/ requireCode$1();
		Object.defineProperty(exports, "_", { enumerable: true, get: function () { return code_2._; } });
		Object.defineProperty(exports, "str", { enumerable: true, get: function () { return code_2.str; } });
		Object.defineProperty(exports, "strConcat", { enumerable: true, get: function () { return code_2.strConcat; } });
		Object.defineProperty(exports, "nil", { enumerable: true, get: function () { return code_2.nil; } });
		Object.defineProperty(exports, "getProperty", { enumerable: true, get: function () { return code_2.getProperty; } });
		Object.defineProperty(exports, "stringify", { enumerable: true, get: function () { return code_2.stringify; } });
		Object.defineProperty(exports, "regexpCode", { enumerable: true, get: function () { return code_2.regexpCode; } });
		Object.defineProperty(exports, "Name", { enumerable: true, get: function () { return code_2.Name; } });
		var scope_2 = /*@__PURE__*/ requireScope();
		Object.defineProperty(exports, "Scope", { enumerable: true, get: function () { return scope_2.Scope; } });
		Object.defineProperty(exports, "ValueScope", { enumerable: true, get: function () { return scope_2.ValueScope; } });
		Object.defineProperty(exports, "ValueScopeName", { enumerable: true, get: function () { return scope_2.ValueScopeName; } });
		Object.defineProperty(exports, "varKinds", { enumerable: true, get: function () { return scope_2.varKinds; } });
		exports.operators = {
		    GT: new code_1._Code(">"),
		    GTE: new code_1._Code(">="),
		    LT: new code_1._Code("<"),
		    LTE: new code_1._Code("<="),
		    EQ: new code_1._Code("==="),
		    NEQ: new code_1._Code("!=="),
		    NOT: new code_1._Code("!"),
		    OR: new code_1._Code("||"),
		    AND: new code_1._Code("&&"),
		    ADD: new code_1._Code("+"),
		};
		class Node {
		    optimizeNodes() {
		        return this;
		    }
		    optimizeNames(_names, _constants) {
		        return this;
		    }
		}
		class Def extends Node {
		    constructor(varKind, name, rhs) {
		        super();
		        this.varKind = varKind;
		        this.name = name;
		        this.rhs = rhs;
		    }
		    render({ es5, _n }) {
		        const varKind = es5 ? scope_1.varKinds.var : this.varKind;
		        const rhs = this.rhs === undefined ? "" : ` = ${this.rhs}`;
		        return `${varKind} ${this.name}${rhs};` + _n;
		    }
		    optimizeNames(names, constants) {
		        if (!names[this.name.str])
		            return;
		        if (this.rhs)
		            this.rhs = optimizeExpr(this.rhs, names, constants);
		        return this;
		    }
		    get names() {
		        return this.rhs instanceof code_1._CodeOrName ? this.rhs.names : {};
		    }
		}
		class Assign extends Node {
		    constructor(lhs, rhs, sideEffects) {
		        super();
		        this.lhs = lhs;
		        this.rhs = rhs;
		        this.sideEffects = sideEffects;
		    }
		    render({ _n }) {
		        return `${this.lhs} = ${this.rhs};` + _n;
		    }
		    optimizeNames(names, constants) {
		        if (this.lhs instanceof code_1.Name && !names[this.lhs.str] && !this.sideEffects)
		            return;
		        this.rhs = optimizeExpr(this.rhs, names, constants);
		        return this;
		    }
		    get names() {
		        const names = this.lhs instanceof code_1.Name ? {} : { ...this.lhs.names };
		        return addExprNames(names, this.rhs);
		    }
		}
		class AssignOp extends Assign {
		    constructor(lhs, op, rhs, sideEffects) {
		        super(lhs, rhs, sideEffects);
		        this.op = op;
		    }
		    render({ _n }) {
		        return `${this.lhs} ${this.op}= ${this.rhs};` + _n;
		    }
		}
		class Label extends Node {
		    constructor(label) {
		        super();
		        this.label = label;
		        this.names = {};
		    }
		    render({ _n }) {
		        return `${this.label}:` + _n;
		    }
		}
		class Break extends Node {
		    constructor(label) {
		        super();
		        this.label = label;
		        this.names = {};
		    }
		    render({ _n }) {
		        const label = this.label ? ` ${this.label}` : "";
		        return `break${label};` + _n;
		    }
		}
		class Throw extends Node {
		    constructor(error) {
		        super();
		        this.error = error;
		    }
		    render({ _n }) {
		        return `throw ${this.error};` + _n;
		    }
		    get names() {
		        return this.error.names;
		    }
		}
		class AnyCode extends Node {
		    constructor(code) {
		        super();
		        this.code = code;
		    }
		    render({ _n }) {
		        return `${this.code};` + _n;
		    }
		    optimizeNodes() {
		        return `${this.code}` ? this : undefined;
		    }
		    optimizeNames(names, constants) {
		        this.code = optimizeExpr(this.code, names, constants);
		        return this;
		    }
		    get names() {
		        return this.code instanceof code_1._CodeOrName ? this.code.names : {};
		    }
		}
		class ParentNode extends Node {
		    constructor(nodes = []) {
		        super();
		        this.nodes = nodes;
		    }
		    render(opts) {
		        return this.nodes.reduce((code, n) => code + n.render(opts), "");
		    }
		    optimizeNodes() {
		        const { nodes } = this;
		        let i = nodes.length;
		        while (i--) {
		            const n = nodes[i].optimizeNodes();
		            if (Array.isArray(n))
		                nodes.splice(i, 1, ...n);
		            else if (n)
		                nodes[i] = n;
		            else
		                nodes.splice(i, 1);
		        }
		        return nodes.length > 0 ? this : undefined;
		    }
		    optimizeNames(names, constants) {
		        const { nodes } = this;
		        let i = nodes.length;
		        while (i--) {
		            // iterating backwards improves 1-pass optimization
		            const n = nodes[i];
		            if (n.optimizeNames(names, constants))
		                continue;
		            subtractNames(names, n.names);
		            nodes.splice(i, 1);
		        }
		        return nodes.length > 0 ? this : undefined;
		    }
		    get names() {
		        return this.nodes.reduce((names, n) => addNames(names, n.names), {});
		    }
		}
		class BlockNode extends ParentNode {
		    render(opts) {
		        return "{" + opts._n + super.render(opts) + "}" + opts._n;
		    }
		}
		class Root extends ParentNode {
		}
		class Else extends BlockNode {
		}
		Else.kind = "else";
		class If extends BlockNode {
		    constructor(condition, nodes) {
		        super(nodes);
		        this.condition = condition;
		    }
		    render(opts) {
		        let code = `if(${this.condition})` + super.render(opts);
		        if (this.else)
		            code += "else " + this.else.render(opts);
		        return code;
		    }
		    optimizeNodes() {
		        super.optimizeNodes();
		        const cond = this.condition;
		        if (cond === true)
		            return this.nodes; // else is ignored here
		        let e = this.else;
		        if (e) {
		            const ns = e.optimizeNodes();
		            e = this.else = Array.isArray(ns) ? new Else(ns) : ns;
		        }
		        if (e) {
		            if (cond === false)
		                return e instanceof If ? e : e.nodes;
		            if (this.nodes.length)
		                return this;
		            return new If(not(cond), e instanceof If ? [e] : e.nodes);
		        }
		        if (cond === false || !this.nodes.length)
		            return undefined;
		        return this;
		    }
		    optimizeNames(names, constants) {
		        var _a;
		        this.else = (_a = this.else) === null || _a === void 0 ? void 0 : _a.optimizeNames(names, constants);
		        if (!(super.optimizeNames(names, constants) || this.else))
		            return;
		        this.condition = optimizeExpr(this.condition, names, constants);
		        return this;
		    }
		    get names() {
		        const names = super.names;
		        addExprNames(names, this.condition);
		        if (this.else)
		            addNames(names, this.else.names);
		        return names;
		    }
		}
		If.kind = "if";
		class For extends BlockNode {
		}
		For.kind = "for";
		class ForLoop extends For {
		    constructor(iteration) {
		        super();
		        this.iteration = iteration;
		    }
		    render(opts) {
		        return `for(${this.iteration})` + super.render(opts);
		    }
		    optimizeNames(names, constants) {
		        if (!super.optimizeNames(names, constants))
		            return;
		        this.iteration = optimizeExpr(this.iteration, names, constants);
		        return this;
		    }
		    get names() {
		        return addNames(super.names, this.iteration.names);
		    }
		}
		class ForRange extends For {
		    constructor(varKind, name, from, to) {
		        super();
		        this.varKind = varKind;
		        this.name = name;
		        this.from = from;
		        this.to = to;
		    }
		    render(opts) {
		        const varKind = opts.es5 ? scope_1.varKinds.var : this.varKind;
		        const { name, from, to } = this;
		        return `for(${varKind} ${name}=${from}; ${name}<${to}; ${name}++)` + super.render(opts);
		    }
		    get names() {
		        const names = addExprNames(super.names, this.from);
		        return addExprNames(names, this.to);
		    }
		}
		class ForIter extends For {
		    constructor(loop, varKind, name, iterable) {
		        super();
		        this.loop = loop;
		        this.varKind = varKind;
		        this.name = name;
		        this.iterable = iterable;
		    }
		    render(opts) {
		        return `for(${this.varKind} ${this.name} ${this.loop} ${this.iterable})` + super.render(opts);
		    }
		    optimizeNames(names, constants) {
		        if (!super.optimizeNames(names, constants))
		            return;
		        this.iterable = optimizeExpr(this.iterable, names, constants);
		        return this;
		    }
		    get names() {
		        return addNames(super.names, this.iterable.names);
		    }
		}
		class Func extends BlockNode {
		    constructor(name, args, async) {
		        super();
		        this.name = name;
		        this.args = args;
		        this.async = async;
		    }
		    render(opts) {
		        const _async = this.async ? "async " : "";
		        return `${_async}function ${this.name}(${this.args})` + super.render(opts);
		    }
		}
		Func.kind = "func";
		class Return extends ParentNode {
		    render(opts) {
		        return "return " + super.render(opts);
		    }
		}
		Return.kind = "return";
		class Try extends BlockNode {
		    render(opts) {
		        let code = "try" + super.render(opts);
		        if (this.catch)
		            code += this.catch.render(opts);
		        if (this.finally)
		            code += this.finally.render(opts);
		        return code;
		    }
		    optimizeNodes() {
		        var _a, _b;
		        super.optimizeNodes();
		        (_a = this.catch) === null || _a === void 0 ? void 0 : _a.optimizeNodes();
		        (_b = this.finally) === null || _b === void 0 ? void 0 : _b.optimizeNodes();
		        return this;
		    }
		    optimizeNames(names, constants) {
		        var _a, _b;
		        super.optimizeNames(names, constants);
		        (_a = this.catch) === null || _a === void 0 ? void 0 : _a.optimizeNames(names, constants);
		        (_b = this.finally) === null || _b === void 0 ? void 0 : _b.optimizeNames(names, constants);
		        return this;
		    }
		    get names() {
		        const names = super.names;
		        if (this.catch)
		            addNames(names, this.catch.names);
		        if (this.finally)
		            addNames(names, this.finally.names);
		        return names;
		    }
		}
		class Catch extends BlockNode {
		    constructor(error) {
		        super();
		        this.error = error;
		    }
		    render(opts) {
		        return `catch(${this.error})` + super.render(opts);
		    }
		}
		Catch.kind = "catch";
		class Finally extends BlockNode {
		    render(opts) {
		        return "finally" + super.render(opts);
		    }
		}
		Finally.kind = "finally";
		class CodeGen {
		    constructor(extScope, opts = {}) {
		        this._values = {};
		        this._blockStarts = [];
		        this._constants = {};
		        this.opts = { ...opts, _n: opts.lines ? "\n" : "" };
		        this._extScope = extScope;
		        this._scope = new scope_1.Scope({ parent: extScope });
		        this._nodes = [new Root()];
		    }
		    toString() {
		        return this._root.render(this.opts);
		    }
		    // returns unique name in the internal scope
		    name(prefix) {
		        return this._scope.name(prefix);
		    }
		    // reserves unique name in the external scope
		    scopeName(prefix) {
		        return this._extScope.name(prefix);
		    }
		    // reserves unique name in the external scope and assigns value to it
		    scopeValue(prefixOrName, value) {
		        const name = this._extScope.value(prefixOrName, value);
		        const vs = this._values[name.prefix] || (this._values[name.prefix] = new Set());
		        vs.add(name);
		        return name;
		    }
		    getScopeValue(prefix, keyOrRef) {
		        return this._extScope.getValue(prefix, keyOrRef);
		    }
		    // return code that assigns values in the external scope to the names that are used internally
		    // (same names that were returned by gen.scopeName or gen.scopeValue)
		    scopeRefs(scopeName) {
		        return this._extScope.scopeRefs(scopeName, this._values);
		    }
		    scopeCode() {
		        return this._extScope.scopeCode(this._values);
		    }
		    _def(varKind, nameOrPrefix, rhs, constant) {
		        const name = this._scope.toName(nameOrPrefix);
		        if (rhs !== undefined && constant)
		            this._constants[name.str] = rhs;
		        this._leafNode(new Def(varKind, name, rhs));
		        return name;
		    }
		    // `const` declaration (`var` in es5 mode)
		    const(nameOrPrefix, rhs, _constant) {
		        return this._def(scope_1.varKinds.const, nameOrPrefix, rhs, _constant);
		    }
		    // `let` declaration with optional assignment (`var` in es5 mode)
		    let(nameOrPrefix, rhs, _constant) {
		        return this._def(scope_1.varKinds.let, nameOrPrefix, rhs, _constant);
		    }
		    // `var` declaration with optional assignment
		    var(nameOrPrefix, rhs, _constant) {
		        return this._def(scope_1.varKinds.var, nameOrPrefix, rhs, _constant);
		    }
		    // assignment code
		    assign(lhs, rhs, sideEffects) {
		        return this._leafNode(new Assign(lhs, rhs, sideEffects));
		    }
		    // `+=` code
		    add(lhs, rhs) {
		        return this._leafNode(new AssignOp(lhs, exports.operators.ADD, rhs));
		    }
		    // appends passed SafeExpr to code or executes Block
		    code(c) {
		        if (typeof c == "function")
		            c();
		        else if (c !== code_1.nil)
		            this._leafNode(new AnyCode(c));
		        return this;
		    }
		    // returns code for object literal for the passed argument list of key-value pairs
		    object(...keyValues) {
		        const code = ["{"];
		        for (const [key, value] of keyValues) {
		            if (code.length > 1)
		                code.push(",");
		            code.push(key);
		            if (key !== value || this.opts.es5) {
		                code.push(":");
		                (0, code_1.addCodeArg)(code, value);
		            }
		        }
		        code.push("}");
		        return new code_1._Code(code);
		    }
		    // `if` clause (or statement if `thenBody` and, optionally, `elseBody` are passed)
		    if(condition, thenBody, elseBody) {
		        this._blockNode(new If(condition));
		        if (thenBody && elseBody) {
		            this.code(thenBody).else().code(elseBody).endIf();
		        }
		        else if (thenBody) {
		            this.code(thenBody).endIf();
		        }
		        else if (elseBody) {
		            throw new Error('CodeGen: "else" body without "then" body');
		        }
		        return this;
		    }
		    // `else if` clause - invalid without `if` or after `else` clauses
		    elseIf(condition) {
		        return this._elseNode(new If(condition));
		    }
		    // `else` clause - only valid after `if` or `else if` clauses
		    else() {
		        return this._elseNode(new Else());
		    }
		    // end `if` statement (needed if gen.if was used only with condition)
		    endIf() {
		        return this._endBlockNode(If, Else);
		    }
		    _for(node, forBody) {
		        this._blockNode(node);
		        if (forBody)
		            this.code(forBody).endFor();
		        return this;
		    }
		    // a generic `for` clause (or statement if `forBody` is passed)
		    for(iteration, forBody) {
		        return this._for(new ForLoop(iteration), forBody);
		    }
		    // `for` statement for a range of values
		    forRange(nameOrPrefix, from, to, forBody, varKind = this.opts.es5 ? scope_1.varKinds.var : scope_1.varKinds.let) {
		        const name = this._scope.toName(nameOrPrefix);
		        return this._for(new ForRange(varKind, name, from, to), () => forBody(name));
		    }
		    // `for-of` statement (in es5 mode replace with a normal for loop)
		    forOf(nameOrPrefix, iterable, forBody, varKind = scope_1.varKinds.const) {
		        const name = this._scope.toName(nameOrPrefix);
		        if (this.opts.es5) {
		            const arr = iterable instanceof code_1.Name ? iterable : this.var("_arr", iterable);
		            return this.forRange("_i", 0, (0, code_1._) `${arr}.length`, (i) => {
		                this.var(name, (0, code_1._) `${arr}[${i}]`);
		                forBody(name);
		            });
		        }
		        return this._for(new ForIter("of", varKind, name, iterable), () => forBody(name));
		    }
		    // `for-in` statement.
		    // With option `ownProperties` replaced with a `for-of` loop for object keys
		    forIn(nameOrPrefix, obj, forBody, varKind = this.opts.es5 ? scope_1.varKinds.var : scope_1.varKinds.const) {
		        if (this.opts.ownProperties) {
		            return this.forOf(nameOrPrefix, (0, code_1._) `Object.keys(${obj})`, forBody);
		        }
		        const name = this._scope.toName(nameOrPrefix);
		        return this._for(new ForIter("in", varKind, name, obj), () => forBody(name));
		    }
		    // end `for` loop
		    endFor() {
		        return this._endBlockNode(For);
		    }
		    // `label` statement
		    label(label) {
		        return this._leafNode(new Label(label));
		    }
		    // `break` statement
		    break(label) {
		        return this._leafNode(new Break(label));
		    }
		    // `return` statement
		    return(value) {
		        const node = new Return();
		        this._blockNode(node);
		        this.code(value);
		        if (node.nodes.length !== 1)
		            throw new Error('CodeGen: "return" should have one node');
		        return this._endBlockNode(Return);
		    }
		    // `try` statement
		    try(tryBody, catchCode, finallyCode) {
		        if (!catchCode && !finallyCode)
		            throw new Error('CodeGen: "try" without "catch" and "finally"');
		        const node = new Try();
		        this._blockNode(node);
		        this.code(tryBody);
		        if (catchCode) {
		            const error = this.name("e");
		            this._currNode = node.catch = new Catch(error);
		            catchCode(error);
		        }
		        if (finallyCode) {
		            this._currNode = node.finally = new Finally();
		            this.code(finallyCode);
		        }
		        return this._endBlockNode(Catch, Finally);
		    }
		    // `throw` statement
		    throw(error) {
		        return this._leafNode(new Throw(error));
		    }
		    // start self-balancing block
		    block(body, nodeCount) {
		        this._blockStarts.push(this._nodes.length);
		        if (body)
		            this.code(body).endBlock(nodeCount);
		        return this;
		    }
		    // end the current self-balancing block
		    endBlock(nodeCount) {
		        const len = this._blockStarts.pop();
		        if (len === undefined)
		            throw new Error("CodeGen: not in self-balancing block");
		        const toClose = this._nodes.length - len;
		        if (toClose < 0 || (nodeCount !== undefined && toClose !== nodeCount)) {
		            throw new Error(`CodeGen: wrong number of nodes: ${toClose} vs ${nodeCount} expected`);
		        }
		        this._nodes.length = len;
		        return this;
		    }
		    // `function` heading (or definition if funcBody is passed)
		    func(name, args = code_1.nil, async, funcBody) {
		        this._blockNode(new Func(name, args, async));
		        if (funcBody)
		            this.code(funcBody).endFunc();
		        return this;
		    }
		    // end function definition
		    endFunc() {
		        return this._endBlockNode(Func);
		    }
		    optimize(n = 1) {
		        while (n-- > 0) {
		            this._root.optimizeNodes();
		            this._root.optimizeNames(this._root.names, this._constants);
		        }
		    }
		    _leafNode(node) {
		        this._currNode.nodes.push(node);
		        return this;
		    }
		    _blockNode(node) {
		        this._currNode.nodes.push(node);
		        this._nodes.push(node);
		    }
		    _endBlockNode(N1, N2) {
		        const n = this._currNode;
		        if (n instanceof N1 || (N2 && n instanceof N2)) {
		            this._nodes.pop();
		            return this;
		        }
		        throw new Error(`CodeGen: not in block "${N2 ? `${N1.kind}/${N2.kind}` : N1.kind}"`);
		    }
		    _elseNode(node) {
		        const n = this._currNode;
		        if (!(n instanceof If)) {
		            throw new Error('CodeGen: "else" without "if"');
		        }
		        this._currNode = n.else = node;
		        return this;
		    }
		    get _root() {
		        return this._nodes[0];
		    }
		    get _currNode() {
		        const ns = this._nodes;
		        return ns[ns.length - 1];
		    }
		    set _currNode(node) {
		        const ns = this._nodes;
		        ns[ns.length - 1] = node;
		    }
		}
		exports.CodeGen = CodeGen;
		function addNames(names, from) {
		    for (const n in from)
		        names[n] = (names[n] || 0) + (from[n] || 0);
		    return names;
		}
		function addExprNames(names, from) {
		    return from instanceof code_1._CodeOrName ? addNames(names, from.names) : names;
		}
		function optimizeExpr(expr, names, constants) {
		    if (expr instanceof code_1.Name)
		        return replaceName(expr);
		    if (!canOptimize(expr))
		        return expr;
		    return new code_1._Code(expr._items.reduce((items, c) => {
		        if (c instanceof code_1.Name)
		            c = replaceName(c);
		        if (c instanceof code_1._Code)
		            items.push(...c._items);
		        else
		            items.push(c);
		        return items;
		    }, []));
		    function replaceName(n) {
		        const c = constants[n.str];
		        if (c === undefined || names[n.str] !== 1)
		            return n;
		        delete names[n.str];
		        return c;
		    }
		    function canOptimize(e) {
		        return (e instanceof code_1._Code &&
		            e._items.some((c) => c instanceof code_1.Name && names[c.str] === 1 && constants[c.str] !== undefined));
		    }
		}
		function subtractNames(names, from) {
		    for (const n in from)
		        names[n] = (names[n] || 0) - (from[n] || 0);
		}
		function not(x) {
		    return typeof x == "boolean" || typeof x == "number" || x === null ? !x : (0, code_1._) `!${par(x)}`;
		}
		exports.not = not;
		const andCode = mappend(exports.operators.AND);
		// boolean AND (&&) expression with the passed arguments
		function and(...args) {
		    return args.reduce(andCode);
		}
		exports.and = and;
		const orCode = mappend(exports.operators.OR);
		// boolean OR (||) expression with the passed arguments
		function or(...args) {
		    return args.reduce(orCode);
		}
		exports.or = or;
		function mappend(op) {
		    return (x, y) => (x === code_1.nil ? y : y === code_1.nil ? x : (0, code_1._) `${par(x)} ${op} ${par(y)}`);
		}
		function par(x) {
		    return x instanceof code_1.Name ? x : (0, code_1._) `(${x})`;
		}
		
	} (codegen));
	return codegen;
}

var util = {};

var hasRequiredUtil;

function requireUtil () {
	if (hasRequiredUtil) return util;
	hasRequiredUtil = 1;
	Object.defineProperty(util, "__esModule", { value: true });
	util.checkStrictMode = util.getErrorPath = util.Type = util.useFunc = util.setEvaluated = util.evaluatedPropsToName = util.mergeEvaluated = util.eachItem = util.unescapeJsonPointer = util.escapeJsonPointer = util.escapeFragment = util.unescapeFragment = util.schemaRefOrVal = util.schemaHasRulesButRef = util.schemaHasRules = util.checkUnknownRules = util.alwaysValidSchema = util.toHash = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const code_1 = /*@__PURE__*/ requireCode$1();
	// TODO refactor to use Set
	function toHash(arr) {
	    const hash = {};
	    for (const item of arr)
	        hash[item] = true;
	    return hash;
	}
	util.toHash = toHash;
	function alwaysValidSchema(it, schema) {
	    if (typeof schema == "boolean")
	        return schema;
	    if (Object.keys(schema).length === 0)
	        return true;
	    checkUnknownRules(it, schema);
	    return !schemaHasRules(schema, it.self.RULES.all);
	}
	util.alwaysValidSchema = alwaysValidSchema;
	function checkUnknownRules(it, schema = it.schema) {
	    const { opts, self } = it;
	    if (!opts.strictSchema)
	        return;
	    if (typeof schema === "boolean")
	        return;
	    const rules = self.RULES.keywords;
	    for (const key in schema) {
	        if (!rules[key])
	            checkStrictMode(it, `unknown keyword: "${key}"`);
	    }
	}
	util.checkUnknownRules = checkUnknownRules;
	function schemaHasRules(schema, rules) {
	    if (typeof schema == "boolean")
	        return !schema;
	    for (const key in schema)
	        if (rules[key])
	            return true;
	    return false;
	}
	util.schemaHasRules = schemaHasRules;
	function schemaHasRulesButRef(schema, RULES) {
	    if (typeof schema == "boolean")
	        return !schema;
	    for (const key in schema)
	        if (key !== "$ref" && RULES.all[key])
	            return true;
	    return false;
	}
	util.schemaHasRulesButRef = schemaHasRulesButRef;
	function schemaRefOrVal({ topSchemaRef, schemaPath }, schema, keyword, $data) {
	    if (!$data) {
	        if (typeof schema == "number" || typeof schema == "boolean")
	            return schema;
	        if (typeof schema == "string")
	            return (0, codegen_1._) `${schema}`;
	    }
	    return (0, codegen_1._) `${topSchemaRef}${schemaPath}${(0, codegen_1.getProperty)(keyword)}`;
	}
	util.schemaRefOrVal = schemaRefOrVal;
	function unescapeFragment(str) {
	    return unescapeJsonPointer(decodeURIComponent(str));
	}
	util.unescapeFragment = unescapeFragment;
	function escapeFragment(str) {
	    return encodeURIComponent(escapeJsonPointer(str));
	}
	util.escapeFragment = escapeFragment;
	function escapeJsonPointer(str) {
	    if (typeof str == "number")
	        return `${str}`;
	    return str.replace(/~/g, "~0").replace(/\//g, "~1");
	}
	util.escapeJsonPointer = escapeJsonPointer;
	function unescapeJsonPointer(str) {
	    return str.replace(/~1/g, "/").replace(/~0/g, "~");
	}
	util.unescapeJsonPointer = unescapeJsonPointer;
	function eachItem(xs, f) {
	    if (Array.isArray(xs)) {
	        for (const x of xs)
	            f(x);
	    }
	    else {
	        f(xs);
	    }
	}
	util.eachItem = eachItem;
	function makeMergeEvaluated({ mergeNames, mergeToName, mergeValues, resultToName, }) {
	    return (gen, from, to, toName) => {
	        const res = to === undefined
	            ? from
	            : to instanceof codegen_1.Name
	                ? (from instanceof codegen_1.Name ? mergeNames(gen, from, to) : mergeToName(gen, from, to), to)
	                : from instanceof codegen_1.Name
	                    ? (mergeToName(gen, to, from), from)
	                    : mergeValues(from, to);
	        return toName === codegen_1.Name && !(res instanceof codegen_1.Name) ? resultToName(gen, res) : res;
	    };
	}
	util.mergeEvaluated = {
	    props: makeMergeEvaluated({
	        mergeNames: (gen, from, to) => gen.if((0, codegen_1._) `${to} !== true && ${from} !== undefined`, () => {
	            gen.if((0, codegen_1._) `${from} === true`, () => gen.assign(to, true), () => gen.assign(to, (0, codegen_1._) `${to} || {}`).code((0, codegen_1._) `Object.assign(${to}, ${from})`));
	        }),
	        mergeToName: (gen, from, to) => gen.if((0, codegen_1._) `${to} !== true`, () => {
	            if (from === true) {
	                gen.assign(to, true);
	            }
	            else {
	                gen.assign(to, (0, codegen_1._) `${to} || {}`);
	                setEvaluated(gen, to, from);
	            }
	        }),
	        mergeValues: (from, to) => (from === true ? true : { ...from, ...to }),
	        resultToName: evaluatedPropsToName,
	    }),
	    items: makeMergeEvaluated({
	        mergeNames: (gen, from, to) => gen.if((0, codegen_1._) `${to} !== true && ${from} !== undefined`, () => gen.assign(to, (0, codegen_1._) `${from} === true ? true : ${to} > ${from} ? ${to} : ${from}`)),
	        mergeToName: (gen, from, to) => gen.if((0, codegen_1._) `${to} !== true`, () => gen.assign(to, from === true ? true : (0, codegen_1._) `${to} > ${from} ? ${to} : ${from}`)),
	        mergeValues: (from, to) => (from === true ? true : Math.max(from, to)),
	        resultToName: (gen, items) => gen.var("items", items),
	    }),
	};
	function evaluatedPropsToName(gen, ps) {
	    if (ps === true)
	        return gen.var("props", true);
	    const props = gen.var("props", (0, codegen_1._) `{}`);
	    if (ps !== undefined)
	        setEvaluated(gen, props, ps);
	    return props;
	}
	util.evaluatedPropsToName = evaluatedPropsToName;
	function setEvaluated(gen, props, ps) {
	    Object.keys(ps).forEach((p) => gen.assign((0, codegen_1._) `${props}${(0, codegen_1.getProperty)(p)}`, true));
	}
	util.setEvaluated = setEvaluated;
	const snippets = {};
	function useFunc(gen, f) {
	    return gen.scopeValue("func", {
	        ref: f,
	        code: snippets[f.code] || (snippets[f.code] = new code_1._Code(f.code)),
	    });
	}
	util.useFunc = useFunc;
	var Type;
	(function (Type) {
	    Type[Type["Num"] = 0] = "Num";
	    Type[Type["Str"] = 1] = "Str";
	})(Type || (util.Type = Type = {}));
	function getErrorPath(dataProp, dataPropType, jsPropertySyntax) {
	    // let path
	    if (dataProp instanceof codegen_1.Name) {
	        const isNumber = dataPropType === Type.Num;
	        return jsPropertySyntax
	            ? isNumber
	                ? (0, codegen_1._) `"[" + ${dataProp} + "]"`
	                : (0, codegen_1._) `"['" + ${dataProp} + "']"`
	            : isNumber
	                ? (0, codegen_1._) `"/" + ${dataProp}`
	                : (0, codegen_1._) `"/" + ${dataProp}.replace(/~/g, "~0").replace(/\\//g, "~1")`; // TODO maybe use global escapePointer
	    }
	    return jsPropertySyntax ? (0, codegen_1.getProperty)(dataProp).toString() : "/" + escapeJsonPointer(dataProp);
	}
	util.getErrorPath = getErrorPath;
	function checkStrictMode(it, msg, mode = it.opts.strictSchema) {
	    if (!mode)
	        return;
	    msg = `strict mode: ${msg}`;
	    if (mode === true)
	        throw new Error(msg);
	    it.self.logger.warn(msg);
	}
	util.checkStrictMode = checkStrictMode;
	
	return util;
}

var names = {};

var hasRequiredNames;

function requireNames () {
	if (hasRequiredNames) return names;
	hasRequiredNames = 1;
	Object.defineProperty(names, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names$1 = {
	    // validation function arguments
	    data: new codegen_1.Name("data"), // data passed to validation function
	    // args passed from referencing schema
	    valCxt: new codegen_1.Name("valCxt"), // validation/data context - should not be used directly, it is destructured to the names below
	    instancePath: new codegen_1.Name("instancePath"),
	    parentData: new codegen_1.Name("parentData"),
	    parentDataProperty: new codegen_1.Name("parentDataProperty"),
	    rootData: new codegen_1.Name("rootData"), // root data - same as the data passed to the first/top validation function
	    dynamicAnchors: new codegen_1.Name("dynamicAnchors"), // used to support recursiveRef and dynamicRef
	    // function scoped variables
	    vErrors: new codegen_1.Name("vErrors"), // null or array of validation errors
	    errors: new codegen_1.Name("errors"), // counter of validation errors
	    this: new codegen_1.Name("this"),
	    // "globals"
	    self: new codegen_1.Name("self"),
	    scope: new codegen_1.Name("scope"),
	    // JTD serialize/parse name for JSON string and position
	    json: new codegen_1.Name("json"),
	    jsonPos: new codegen_1.Name("jsonPos"),
	    jsonLen: new codegen_1.Name("jsonLen"),
	    jsonPart: new codegen_1.Name("jsonPart"),
	};
	names.default = names$1;
	
	return names;
}

var hasRequiredErrors;

function requireErrors () {
	if (hasRequiredErrors) return errors;
	hasRequiredErrors = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.extendErrors = exports.resetErrorsCount = exports.reportExtraError = exports.reportError = exports.keyword$DataError = exports.keywordError = void 0;
		const codegen_1 = /*@__PURE__*/ requireCodegen();
		const util_1 = /*@__PURE__*/ requireUtil();
		const names_1 = /*@__PURE__*/ requireNames();
		exports.keywordError = {
		    message: ({ keyword }) => (0, codegen_1.str) `must pass "${keyword}" keyword validation`,
		};
		exports.keyword$DataError = {
		    message: ({ keyword, schemaType }) => schemaType
		        ? (0, codegen_1.str) `"${keyword}" keyword must be ${schemaType} ($data)`
		        : (0, codegen_1.str) `"${keyword}" keyword is invalid ($data)`,
		};
		function reportError(cxt, error = exports.keywordError, errorPaths, overrideAllErrors) {
		    const { it } = cxt;
		    const { gen, compositeRule, allErrors } = it;
		    const errObj = errorObjectCode(cxt, error, errorPaths);
		    if (overrideAllErrors !== null && overrideAllErrors !== void 0 ? overrideAllErrors : (compositeRule || allErrors)) {
		        addError(gen, errObj);
		    }
		    else {
		        returnErrors(it, (0, codegen_1._) `[${errObj}]`);
		    }
		}
		exports.reportError = reportError;
		function reportExtraError(cxt, error = exports.keywordError, errorPaths) {
		    const { it } = cxt;
		    const { gen, compositeRule, allErrors } = it;
		    const errObj = errorObjectCode(cxt, error, errorPaths);
		    addError(gen, errObj);
		    if (!(compositeRule || allErrors)) {
		        returnErrors(it, names_1.default.vErrors);
		    }
		}
		exports.reportExtraError = reportExtraError;
		function resetErrorsCount(gen, errsCount) {
		    gen.assign(names_1.default.errors, errsCount);
		    gen.if((0, codegen_1._) `${names_1.default.vErrors} !== null`, () => gen.if(errsCount, () => gen.assign((0, codegen_1._) `${names_1.default.vErrors}.length`, errsCount), () => gen.assign(names_1.default.vErrors, null)));
		}
		exports.resetErrorsCount = resetErrorsCount;
		function extendErrors({ gen, keyword, schemaValue, data, errsCount, it, }) {
		    /* istanbul ignore if */
		    if (errsCount === undefined)
		        throw new Error("ajv implementation error");
		    const err = gen.name("err");
		    gen.forRange("i", errsCount, names_1.default.errors, (i) => {
		        gen.const(err, (0, codegen_1._) `${names_1.default.vErrors}[${i}]`);
		        gen.if((0, codegen_1._) `${err}.instancePath === undefined`, () => gen.assign((0, codegen_1._) `${err}.instancePath`, (0, codegen_1.strConcat)(names_1.default.instancePath, it.errorPath)));
		        gen.assign((0, codegen_1._) `${err}.schemaPath`, (0, codegen_1.str) `${it.errSchemaPath}/${keyword}`);
		        if (it.opts.verbose) {
		            gen.assign((0, codegen_1._) `${err}.schema`, schemaValue);
		            gen.assign((0, codegen_1._) `${err}.data`, data);
		        }
		    });
		}
		exports.extendErrors = extendErrors;
		function addError(gen, errObj) {
		    const err = gen.const("err", errObj);
		    gen.if((0, codegen_1._) `${names_1.default.vErrors} === null`, () => gen.assign(names_1.default.vErrors, (0, codegen_1._) `[${err}]`), (0, codegen_1._) `${names_1.default.vErrors}.push(${err})`);
		    gen.code((0, codegen_1._) `${names_1.default.errors}++`);
		}
		function returnErrors(it, errs) {
		    const { gen, validateName, schemaEnv } = it;
		    if (schemaEnv.$async) {
		        gen.throw((0, codegen_1._) `new ${it.ValidationError}(${errs})`);
		    }
		    else {
		        gen.assign((0, codegen_1._) `${validateName}.errors`, errs);
		        gen.return(false);
		    }
		}
		const E = {
		    keyword: new codegen_1.Name("keyword"),
		    schemaPath: new codegen_1.Name("schemaPath"), // also used in JTD errors
		    params: new codegen_1.Name("params"),
		    propertyName: new codegen_1.Name("propertyName"),
		    message: new codegen_1.Name("message"),
		    schema: new codegen_1.Name("schema"),
		    parentSchema: new codegen_1.Name("parentSchema"),
		};
		function errorObjectCode(cxt, error, errorPaths) {
		    const { createErrors } = cxt.it;
		    if (createErrors === false)
		        return (0, codegen_1._) `{}`;
		    return errorObject(cxt, error, errorPaths);
		}
		function errorObject(cxt, error, errorPaths = {}) {
		    const { gen, it } = cxt;
		    const keyValues = [
		        errorInstancePath(it, errorPaths),
		        errorSchemaPath(cxt, errorPaths),
		    ];
		    extraErrorProps(cxt, error, keyValues);
		    return gen.object(...keyValues);
		}
		function errorInstancePath({ errorPath }, { instancePath }) {
		    const instPath = instancePath
		        ? (0, codegen_1.str) `${errorPath}${(0, util_1.getErrorPath)(instancePath, util_1.Type.Str)}`
		        : errorPath;
		    return [names_1.default.instancePath, (0, codegen_1.strConcat)(names_1.default.instancePath, instPath)];
		}
		function errorSchemaPath({ keyword, it: { errSchemaPath } }, { schemaPath, parentSchema }) {
		    let schPath = parentSchema ? errSchemaPath : (0, codegen_1.str) `${errSchemaPath}/${keyword}`;
		    if (schemaPath) {
		        schPath = (0, codegen_1.str) `${schPath}${(0, util_1.getErrorPath)(schemaPath, util_1.Type.Str)}`;
		    }
		    return [E.schemaPath, schPath];
		}
		function extraErrorProps(cxt, { params, message }, keyValues) {
		    const { keyword, data, schemaValue, it } = cxt;
		    const { opts, propertyName, topSchemaRef, schemaPath } = it;
		    keyValues.push([E.keyword, keyword], [E.params, typeof params == "function" ? params(cxt) : params || (0, codegen_1._) `{}`]);
		    if (opts.messages) {
		        keyValues.push([E.message, typeof message == "function" ? message(cxt) : message]);
		    }
		    if (opts.verbose) {
		        keyValues.push([E.schema, schemaValue], [E.parentSchema, (0, codegen_1._) `${topSchemaRef}${schemaPath}`], [names_1.default.data, data]);
		    }
		    if (propertyName)
		        keyValues.push([E.propertyName, propertyName]);
		}
		
	} (errors));
	return errors;
}

var hasRequiredBoolSchema;

function requireBoolSchema () {
	if (hasRequiredBoolSchema) return boolSchema;
	hasRequiredBoolSchema = 1;
	Object.defineProperty(boolSchema, "__esModule", { value: true });
	boolSchema.boolOrEmptySchema = boolSchema.topBoolOrEmptySchema = void 0;
	const errors_1 = /*@__PURE__*/ requireErrors();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names_1 = /*@__PURE__*/ requireNames();
	const boolError = {
	    message: "boolean schema is false",
	};
	function topBoolOrEmptySchema(it) {
	    const { gen, schema, validateName } = it;
	    if (schema === false) {
	        falseSchemaError(it, false);
	    }
	    else if (typeof schema == "object" && schema.$async === true) {
	        gen.return(names_1.default.data);
	    }
	    else {
	        gen.assign((0, codegen_1._) `${validateName}.errors`, null);
	        gen.return(true);
	    }
	}
	boolSchema.topBoolOrEmptySchema = topBoolOrEmptySchema;
	function boolOrEmptySchema(it, valid) {
	    const { gen, schema } = it;
	    if (schema === false) {
	        gen.var(valid, false); // TODO var
	        falseSchemaError(it);
	    }
	    else {
	        gen.var(valid, true); // TODO var
	    }
	}
	boolSchema.boolOrEmptySchema = boolOrEmptySchema;
	function falseSchemaError(it, overrideAllErrors) {
	    const { gen, data } = it;
	    // TODO maybe some other interface should be used for non-keyword validation errors...
	    const cxt = {
	        gen,
	        keyword: "false schema",
	        data,
	        schema: false,
	        schemaCode: false,
	        schemaValue: false,
	        params: {},
	        it,
	    };
	    (0, errors_1.reportError)(cxt, boolError, undefined, overrideAllErrors);
	}
	
	return boolSchema;
}

var dataType = {};

var rules = {};

var hasRequiredRules;

function requireRules () {
	if (hasRequiredRules) return rules;
	hasRequiredRules = 1;
	Object.defineProperty(rules, "__esModule", { value: true });
	rules.getRules = rules.isJSONType = void 0;
	const _jsonTypes = ["string", "number", "integer", "boolean", "null", "object", "array"];
	const jsonTypes = new Set(_jsonTypes);
	function isJSONType(x) {
	    return typeof x == "string" && jsonTypes.has(x);
	}
	rules.isJSONType = isJSONType;
	function getRules() {
	    const groups = {
	        number: { type: "number", rules: [] },
	        string: { type: "string", rules: [] },
	        array: { type: "array", rules: [] },
	        object: { type: "object", rules: [] },
	    };
	    return {
	        types: { ...groups, integer: true, boolean: true, null: true },
	        rules: [{ rules: [] }, groups.number, groups.string, groups.array, groups.object],
	        post: { rules: [] },
	        all: {},
	        keywords: {},
	    };
	}
	rules.getRules = getRules;
	
	return rules;
}

var applicability = {};

var hasRequiredApplicability;

function requireApplicability () {
	if (hasRequiredApplicability) return applicability;
	hasRequiredApplicability = 1;
	Object.defineProperty(applicability, "__esModule", { value: true });
	applicability.shouldUseRule = applicability.shouldUseGroup = applicability.schemaHasRulesForType = void 0;
	function schemaHasRulesForType({ schema, self }, type) {
	    const group = self.RULES.types[type];
	    return group && group !== true && shouldUseGroup(schema, group);
	}
	applicability.schemaHasRulesForType = schemaHasRulesForType;
	function shouldUseGroup(schema, group) {
	    return group.rules.some((rule) => shouldUseRule(schema, rule));
	}
	applicability.shouldUseGroup = shouldUseGroup;
	function shouldUseRule(schema, rule) {
	    var _a;
	    return (schema[rule.keyword] !== undefined ||
	        ((_a = rule.definition.implements) === null || _a === void 0 ? void 0 : _a.some((kwd) => schema[kwd] !== undefined)));
	}
	applicability.shouldUseRule = shouldUseRule;
	
	return applicability;
}

var hasRequiredDataType;

function requireDataType () {
	if (hasRequiredDataType) return dataType;
	hasRequiredDataType = 1;
	Object.defineProperty(dataType, "__esModule", { value: true });
	dataType.reportTypeError = dataType.checkDataTypes = dataType.checkDataType = dataType.coerceAndCheckDataType = dataType.getJSONTypes = dataType.getSchemaTypes = dataType.DataType = void 0;
	const rules_1 = /*@__PURE__*/ requireRules();
	const applicability_1 = /*@__PURE__*/ requireApplicability();
	const errors_1 = /*@__PURE__*/ requireErrors();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	var DataType;
	(function (DataType) {
	    DataType[DataType["Correct"] = 0] = "Correct";
	    DataType[DataType["Wrong"] = 1] = "Wrong";
	})(DataType || (dataType.DataType = DataType = {}));
	function getSchemaTypes(schema) {
	    const types = getJSONTypes(schema.type);
	    const hasNull = types.includes("null");
	    if (hasNull) {
	        if (schema.nullable === false)
	            throw new Error("type: null contradicts nullable: false");
	    }
	    else {
	        if (!types.length && schema.nullable !== undefined) {
	            throw new Error('"nullable" cannot be used without "type"');
	        }
	        if (schema.nullable === true)
	            types.push("null");
	    }
	    return types;
	}
	dataType.getSchemaTypes = getSchemaTypes;
	// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
	function getJSONTypes(ts) {
	    const types = Array.isArray(ts) ? ts : ts ? [ts] : [];
	    if (types.every(rules_1.isJSONType))
	        return types;
	    throw new Error("type must be JSONType or JSONType[]: " + types.join(","));
	}
	dataType.getJSONTypes = getJSONTypes;
	function coerceAndCheckDataType(it, types) {
	    const { gen, data, opts } = it;
	    const coerceTo = coerceToTypes(types, opts.coerceTypes);
	    const checkTypes = types.length > 0 &&
	        !(coerceTo.length === 0 && types.length === 1 && (0, applicability_1.schemaHasRulesForType)(it, types[0]));
	    if (checkTypes) {
	        const wrongType = checkDataTypes(types, data, opts.strictNumbers, DataType.Wrong);
	        gen.if(wrongType, () => {
	            if (coerceTo.length)
	                coerceData(it, types, coerceTo);
	            else
	                reportTypeError(it);
	        });
	    }
	    return checkTypes;
	}
	dataType.coerceAndCheckDataType = coerceAndCheckDataType;
	const COERCIBLE = new Set(["string", "number", "integer", "boolean", "null"]);
	function coerceToTypes(types, coerceTypes) {
	    return coerceTypes
	        ? types.filter((t) => COERCIBLE.has(t) || (coerceTypes === "array" && t === "array"))
	        : [];
	}
	function coerceData(it, types, coerceTo) {
	    const { gen, data, opts } = it;
	    const dataType = gen.let("dataType", (0, codegen_1._) `typeof ${data}`);
	    const coerced = gen.let("coerced", (0, codegen_1._) `undefined`);
	    if (opts.coerceTypes === "array") {
	        gen.if((0, codegen_1._) `${dataType} == 'object' && Array.isArray(${data}) && ${data}.length == 1`, () => gen
	            .assign(data, (0, codegen_1._) `${data}[0]`)
	            .assign(dataType, (0, codegen_1._) `typeof ${data}`)
	            .if(checkDataTypes(types, data, opts.strictNumbers), () => gen.assign(coerced, data)));
	    }
	    gen.if((0, codegen_1._) `${coerced} !== undefined`);
	    for (const t of coerceTo) {
	        if (COERCIBLE.has(t) || (t === "array" && opts.coerceTypes === "array")) {
	            coerceSpecificType(t);
	        }
	    }
	    gen.else();
	    reportTypeError(it);
	    gen.endIf();
	    gen.if((0, codegen_1._) `${coerced} !== undefined`, () => {
	        gen.assign(data, coerced);
	        assignParentData(it, coerced);
	    });
	    function coerceSpecificType(t) {
	        switch (t) {
	            case "string":
	                gen
	                    .elseIf((0, codegen_1._) `${dataType} == "number" || ${dataType} == "boolean"`)
	                    .assign(coerced, (0, codegen_1._) `"" + ${data}`)
	                    .elseIf((0, codegen_1._) `${data} === null`)
	                    .assign(coerced, (0, codegen_1._) `""`);
	                return;
	            case "number":
	                gen
	                    .elseIf((0, codegen_1._) `${dataType} == "boolean" || ${data} === null
              || (${dataType} == "string" && ${data} && ${data} == +${data})`)
	                    .assign(coerced, (0, codegen_1._) `+${data}`);
	                return;
	            case "integer":
	                gen
	                    .elseIf((0, codegen_1._) `${dataType} === "boolean" || ${data} === null
              || (${dataType} === "string" && ${data} && ${data} == +${data} && !(${data} % 1))`)
	                    .assign(coerced, (0, codegen_1._) `+${data}`);
	                return;
	            case "boolean":
	                gen
	                    .elseIf((0, codegen_1._) `${data} === "false" || ${data} === 0 || ${data} === null`)
	                    .assign(coerced, false)
	                    .elseIf((0, codegen_1._) `${data} === "true" || ${data} === 1`)
	                    .assign(coerced, true);
	                return;
	            case "null":
	                gen.elseIf((0, codegen_1._) `${data} === "" || ${data} === 0 || ${data} === false`);
	                gen.assign(coerced, null);
	                return;
	            case "array":
	                gen
	                    .elseIf((0, codegen_1._) `${dataType} === "string" || ${dataType} === "number"
              || ${dataType} === "boolean" || ${data} === null`)
	                    .assign(coerced, (0, codegen_1._) `[${data}]`);
	        }
	    }
	}
	function assignParentData({ gen, parentData, parentDataProperty }, expr) {
	    // TODO use gen.property
	    gen.if((0, codegen_1._) `${parentData} !== undefined`, () => gen.assign((0, codegen_1._) `${parentData}[${parentDataProperty}]`, expr));
	}
	function checkDataType(dataType, data, strictNums, correct = DataType.Correct) {
	    const EQ = correct === DataType.Correct ? codegen_1.operators.EQ : codegen_1.operators.NEQ;
	    let cond;
	    switch (dataType) {
	        case "null":
	            return (0, codegen_1._) `${data} ${EQ} null`;
	        case "array":
	            cond = (0, codegen_1._) `Array.isArray(${data})`;
	            break;
	        case "object":
	            cond = (0, codegen_1._) `${data} && typeof ${data} == "object" && !Array.isArray(${data})`;
	            break;
	        case "integer":
	            cond = numCond((0, codegen_1._) `!(${data} % 1) && !isNaN(${data})`);
	            break;
	        case "number":
	            cond = numCond();
	            break;
	        default:
	            return (0, codegen_1._) `typeof ${data} ${EQ} ${dataType}`;
	    }
	    return correct === DataType.Correct ? cond : (0, codegen_1.not)(cond);
	    function numCond(_cond = codegen_1.nil) {
	        return (0, codegen_1.and)((0, codegen_1._) `typeof ${data} == "number"`, _cond, strictNums ? (0, codegen_1._) `isFinite(${data})` : codegen_1.nil);
	    }
	}
	dataType.checkDataType = checkDataType;
	function checkDataTypes(dataTypes, data, strictNums, correct) {
	    if (dataTypes.length === 1) {
	        return checkDataType(dataTypes[0], data, strictNums, correct);
	    }
	    let cond;
	    const types = (0, util_1.toHash)(dataTypes);
	    if (types.array && types.object) {
	        const notObj = (0, codegen_1._) `typeof ${data} != "object"`;
	        cond = types.null ? notObj : (0, codegen_1._) `!${data} || ${notObj}`;
	        delete types.null;
	        delete types.array;
	        delete types.object;
	    }
	    else {
	        cond = codegen_1.nil;
	    }
	    if (types.number)
	        delete types.integer;
	    for (const t in types)
	        cond = (0, codegen_1.and)(cond, checkDataType(t, data, strictNums, correct));
	    return cond;
	}
	dataType.checkDataTypes = checkDataTypes;
	const typeError = {
	    message: ({ schema }) => `must be ${schema}`,
	    params: ({ schema, schemaValue }) => typeof schema == "string" ? (0, codegen_1._) `{type: ${schema}}` : (0, codegen_1._) `{type: ${schemaValue}}`,
	};
	function reportTypeError(it) {
	    const cxt = getTypeErrorContext(it);
	    (0, errors_1.reportError)(cxt, typeError);
	}
	dataType.reportTypeError = reportTypeError;
	function getTypeErrorContext(it) {
	    const { gen, data, schema } = it;
	    const schemaCode = (0, util_1.schemaRefOrVal)(it, schema, "type");
	    return {
	        gen,
	        keyword: "type",
	        data,
	        schema: schema.type,
	        schemaCode,
	        schemaValue: schemaCode,
	        parentSchema: schema,
	        params: {},
	        it,
	    };
	}
	
	return dataType;
}

var defaults = {};

var hasRequiredDefaults;

function requireDefaults () {
	if (hasRequiredDefaults) return defaults;
	hasRequiredDefaults = 1;
	Object.defineProperty(defaults, "__esModule", { value: true });
	defaults.assignDefaults = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	function assignDefaults(it, ty) {
	    const { properties, items } = it.schema;
	    if (ty === "object" && properties) {
	        for (const key in properties) {
	            assignDefault(it, key, properties[key].default);
	        }
	    }
	    else if (ty === "array" && Array.isArray(items)) {
	        items.forEach((sch, i) => assignDefault(it, i, sch.default));
	    }
	}
	defaults.assignDefaults = assignDefaults;
	function assignDefault(it, prop, defaultValue) {
	    const { gen, compositeRule, data, opts } = it;
	    if (defaultValue === undefined)
	        return;
	    const childData = (0, codegen_1._) `${data}${(0, codegen_1.getProperty)(prop)}`;
	    if (compositeRule) {
	        (0, util_1.checkStrictMode)(it, `default is ignored for: ${childData}`);
	        return;
	    }
	    let condition = (0, codegen_1._) `${childData} === undefined`;
	    if (opts.useDefaults === "empty") {
	        condition = (0, codegen_1._) `${condition} || ${childData} === null || ${childData} === ""`;
	    }
	    // `${childData} === undefined` +
	    // (opts.useDefaults === "empty" ? ` || ${childData} === null || ${childData} === ""` : "")
	    gen.if(condition, (0, codegen_1._) `${childData} = ${(0, codegen_1.stringify)(defaultValue)}`);
	}
	
	return defaults;
}

var keyword = {};

var code = {};

var hasRequiredCode;

function requireCode () {
	if (hasRequiredCode) return code;
	hasRequiredCode = 1;
	Object.defineProperty(code, "__esModule", { value: true });
	code.validateUnion = code.validateArray = code.usePattern = code.callValidateCode = code.schemaProperties = code.allSchemaProperties = code.noPropertyInData = code.propertyInData = code.isOwnProperty = code.hasPropFunc = code.reportMissingProp = code.checkMissingProp = code.checkReportMissingProp = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const names_1 = /*@__PURE__*/ requireNames();
	const util_2 = /*@__PURE__*/ requireUtil();
	function checkReportMissingProp(cxt, prop) {
	    const { gen, data, it } = cxt;
	    gen.if(noPropertyInData(gen, data, prop, it.opts.ownProperties), () => {
	        cxt.setParams({ missingProperty: (0, codegen_1._) `${prop}` }, true);
	        cxt.error();
	    });
	}
	code.checkReportMissingProp = checkReportMissingProp;
	function checkMissingProp({ gen, data, it: { opts } }, properties, missing) {
	    return (0, codegen_1.or)(...properties.map((prop) => (0, codegen_1.and)(noPropertyInData(gen, data, prop, opts.ownProperties), (0, codegen_1._) `${missing} = ${prop}`)));
	}
	code.checkMissingProp = checkMissingProp;
	function reportMissingProp(cxt, missing) {
	    cxt.setParams({ missingProperty: missing }, true);
	    cxt.error();
	}
	code.reportMissingProp = reportMissingProp;
	function hasPropFunc(gen) {
	    return gen.scopeValue("func", {
	        // eslint-disable-next-line @typescript-eslint/unbound-method
	        ref: Object.prototype.hasOwnProperty,
	        code: (0, codegen_1._) `Object.prototype.hasOwnProperty`,
	    });
	}
	code.hasPropFunc = hasPropFunc;
	function isOwnProperty(gen, data, property) {
	    return (0, codegen_1._) `${hasPropFunc(gen)}.call(${data}, ${property})`;
	}
	code.isOwnProperty = isOwnProperty;
	function propertyInData(gen, data, property, ownProperties) {
	    const cond = (0, codegen_1._) `${data}${(0, codegen_1.getProperty)(property)} !== undefined`;
	    return ownProperties ? (0, codegen_1._) `${cond} && ${isOwnProperty(gen, data, property)}` : cond;
	}
	code.propertyInData = propertyInData;
	function noPropertyInData(gen, data, property, ownProperties) {
	    const cond = (0, codegen_1._) `${data}${(0, codegen_1.getProperty)(property)} === undefined`;
	    return ownProperties ? (0, codegen_1.or)(cond, (0, codegen_1.not)(isOwnProperty(gen, data, property))) : cond;
	}
	code.noPropertyInData = noPropertyInData;
	function allSchemaProperties(schemaMap) {
	    return schemaMap ? Object.keys(schemaMap).filter((p) => p !== "__proto__") : [];
	}
	code.allSchemaProperties = allSchemaProperties;
	function schemaProperties(it, schemaMap) {
	    return allSchemaProperties(schemaMap).filter((p) => !(0, util_1.alwaysValidSchema)(it, schemaMap[p]));
	}
	code.schemaProperties = schemaProperties;
	function callValidateCode({ schemaCode, data, it: { gen, topSchemaRef, schemaPath, errorPath }, it }, func, context, passSchema) {
	    const dataAndSchema = passSchema ? (0, codegen_1._) `${schemaCode}, ${data}, ${topSchemaRef}${schemaPath}` : data;
	    const valCxt = [
	        [names_1.default.instancePath, (0, codegen_1.strConcat)(names_1.default.instancePath, errorPath)],
	        [names_1.default.parentData, it.parentData],
	        [names_1.default.parentDataProperty, it.parentDataProperty],
	        [names_1.default.rootData, names_1.default.rootData],
	    ];
	    if (it.opts.dynamicRef)
	        valCxt.push([names_1.default.dynamicAnchors, names_1.default.dynamicAnchors]);
	    const args = (0, codegen_1._) `${dataAndSchema}, ${gen.object(...valCxt)}`;
	    return context !== codegen_1.nil ? (0, codegen_1._) `${func}.call(${context}, ${args})` : (0, codegen_1._) `${func}(${args})`;
	}
	code.callValidateCode = callValidateCode;
	const newRegExp = (0, codegen_1._) `new RegExp`;
	function usePattern({ gen, it: { opts } }, pattern) {
	    const u = opts.unicodeRegExp ? "u" : "";
	    const { regExp } = opts.code;
	    const rx = regExp(pattern, u);
	    return gen.scopeValue("pattern", {
	        key: rx.toString(),
	        ref: rx,
	        code: (0, codegen_1._) `${regExp.code === "new RegExp" ? newRegExp : (0, util_2.useFunc)(gen, regExp)}(${pattern}, ${u})`,
	    });
	}
	code.usePattern = usePattern;
	function validateArray(cxt) {
	    const { gen, data, keyword, it } = cxt;
	    const valid = gen.name("valid");
	    if (it.allErrors) {
	        const validArr = gen.let("valid", true);
	        validateItems(() => gen.assign(validArr, false));
	        return validArr;
	    }
	    gen.var(valid, true);
	    validateItems(() => gen.break());
	    return valid;
	    function validateItems(notValid) {
	        const len = gen.const("len", (0, codegen_1._) `${data}.length`);
	        gen.forRange("i", 0, len, (i) => {
	            cxt.subschema({
	                keyword,
	                dataProp: i,
	                dataPropType: util_1.Type.Num,
	            }, valid);
	            gen.if((0, codegen_1.not)(valid), notValid);
	        });
	    }
	}
	code.validateArray = validateArray;
	function validateUnion(cxt) {
	    const { gen, schema, keyword, it } = cxt;
	    /* istanbul ignore if */
	    if (!Array.isArray(schema))
	        throw new Error("ajv implementation error");
	    const alwaysValid = schema.some((sch) => (0, util_1.alwaysValidSchema)(it, sch));
	    if (alwaysValid && !it.opts.unevaluated)
	        return;
	    const valid = gen.let("valid", false);
	    const schValid = gen.name("_valid");
	    gen.block(() => schema.forEach((_sch, i) => {
	        const schCxt = cxt.subschema({
	            keyword,
	            schemaProp: i,
	            compositeRule: true,
	        }, schValid);
	        gen.assign(valid, (0, codegen_1._) `${valid} || ${schValid}`);
	        const merged = cxt.mergeValidEvaluated(schCxt, schValid);
	        // can short-circuit if `unevaluatedProperties/Items` not supported (opts.unevaluated !== true)
	        // or if all properties and items were evaluated (it.props === true && it.items === true)
	        if (!merged)
	            gen.if((0, codegen_1.not)(valid));
	    }));
	    cxt.result(valid, () => cxt.reset(), () => cxt.error(true));
	}
	code.validateUnion = validateUnion;
	
	return code;
}

var hasRequiredKeyword;

function requireKeyword () {
	if (hasRequiredKeyword) return keyword;
	hasRequiredKeyword = 1;
	Object.defineProperty(keyword, "__esModule", { value: true });
	keyword.validateKeywordUsage = keyword.validSchemaType = keyword.funcKeywordCode = keyword.macroKeywordCode = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names_1 = /*@__PURE__*/ requireNames();
	const code_1 = /*@__PURE__*/ requireCode();
	const errors_1 = /*@__PURE__*/ requireErrors();
	function macroKeywordCode(cxt, def) {
	    const { gen, keyword, schema, parentSchema, it } = cxt;
	    const macroSchema = def.macro.call(it.self, schema, parentSchema, it);
	    const schemaRef = useKeyword(gen, keyword, macroSchema);
	    if (it.opts.validateSchema !== false)
	        it.self.validateSchema(macroSchema, true);
	    const valid = gen.name("valid");
	    cxt.subschema({
	        schema: macroSchema,
	        schemaPath: codegen_1.nil,
	        errSchemaPath: `${it.errSchemaPath}/${keyword}`,
	        topSchemaRef: schemaRef,
	        compositeRule: true,
	    }, valid);
	    cxt.pass(valid, () => cxt.error(true));
	}
	keyword.macroKeywordCode = macroKeywordCode;
	function funcKeywordCode(cxt, def) {
	    var _a;
	    const { gen, keyword, schema, parentSchema, $data, it } = cxt;
	    checkAsyncKeyword(it, def);
	    const validate = !$data && def.compile ? def.compile.call(it.self, schema, parentSchema, it) : def.validate;
	    const validateRef = useKeyword(gen, keyword, validate);
	    const valid = gen.let("valid");
	    cxt.block$data(valid, validateKeyword);
	    cxt.ok((_a = def.valid) !== null && _a !== void 0 ? _a : valid);
	    function validateKeyword() {
	        if (def.errors === false) {
	            assignValid();
	            if (def.modifying)
	                modifyData(cxt);
	            reportErrs(() => cxt.error());
	        }
	        else {
	            const ruleErrs = def.async ? validateAsync() : validateSync();
	            if (def.modifying)
	                modifyData(cxt);
	            reportErrs(() => addErrs(cxt, ruleErrs));
	        }
	    }
	    function validateAsync() {
	        const ruleErrs = gen.let("ruleErrs", null);
	        gen.try(() => assignValid((0, codegen_1._) `await `), (e) => gen.assign(valid, false).if((0, codegen_1._) `${e} instanceof ${it.ValidationError}`, () => gen.assign(ruleErrs, (0, codegen_1._) `${e}.errors`), () => gen.throw(e)));
	        return ruleErrs;
	    }
	    function validateSync() {
	        const validateErrs = (0, codegen_1._) `${validateRef}.errors`;
	        gen.assign(validateErrs, null);
	        assignValid(codegen_1.nil);
	        return validateErrs;
	    }
	    function assignValid(_await = def.async ? (0, codegen_1._) `await ` : codegen_1.nil) {
	        const passCxt = it.opts.passContext ? names_1.default.this : names_1.default.self;
	        const passSchema = !(("compile" in def && !$data) || def.schema === false);
	        gen.assign(valid, (0, codegen_1._) `${_await}${(0, code_1.callValidateCode)(cxt, validateRef, passCxt, passSchema)}`, def.modifying);
	    }
	    function reportErrs(errors) {
	        var _a;
	        gen.if((0, codegen_1.not)((_a = def.valid) !== null && _a !== void 0 ? _a : valid), errors);
	    }
	}
	keyword.funcKeywordCode = funcKeywordCode;
	function modifyData(cxt) {
	    const { gen, data, it } = cxt;
	    gen.if(it.parentData, () => gen.assign(data, (0, codegen_1._) `${it.parentData}[${it.parentDataProperty}]`));
	}
	function addErrs(cxt, errs) {
	    const { gen } = cxt;
	    gen.if((0, codegen_1._) `Array.isArray(${errs})`, () => {
	        gen
	            .assign(names_1.default.vErrors, (0, codegen_1._) `${names_1.default.vErrors} === null ? ${errs} : ${names_1.default.vErrors}.concat(${errs})`)
	            .assign(names_1.default.errors, (0, codegen_1._) `${names_1.default.vErrors}.length`);
	        (0, errors_1.extendErrors)(cxt);
	    }, () => cxt.error());
	}
	function checkAsyncKeyword({ schemaEnv }, def) {
	    if (def.async && !schemaEnv.$async)
	        throw new Error("async keyword in sync schema");
	}
	function useKeyword(gen, keyword, result) {
	    if (result === undefined)
	        throw new Error(`keyword "${keyword}" failed to compile`);
	    return gen.scopeValue("keyword", typeof result == "function" ? { ref: result } : { ref: result, code: (0, codegen_1.stringify)(result) });
	}
	function validSchemaType(schema, schemaType, allowUndefined = false) {
	    // TODO add tests
	    return (!schemaType.length ||
	        schemaType.some((st) => st === "array"
	            ? Array.isArray(schema)
	            : st === "object"
	                ? schema && typeof schema == "object" && !Array.isArray(schema)
	                : typeof schema == st || (allowUndefined && typeof schema == "undefined")));
	}
	keyword.validSchemaType = validSchemaType;
	function validateKeywordUsage({ schema, opts, self, errSchemaPath }, def, keyword) {
	    /* istanbul ignore if */
	    if (Array.isArray(def.keyword) ? !def.keyword.includes(keyword) : def.keyword !== keyword) {
	        throw new Error("ajv implementation error");
	    }
	    const deps = def.dependencies;
	    if (deps === null || deps === void 0 ? void 0 : deps.some((kwd) => !Object.prototype.hasOwnProperty.call(schema, kwd))) {
	        throw new Error(`parent schema must have dependencies of ${keyword}: ${deps.join(",")}`);
	    }
	    if (def.validateSchema) {
	        const valid = def.validateSchema(schema[keyword]);
	        if (!valid) {
	            const msg = `keyword "${keyword}" value is invalid at path "${errSchemaPath}": ` +
	                self.errorsText(def.validateSchema.errors);
	            if (opts.validateSchema === "log")
	                self.logger.error(msg);
	            else
	                throw new Error(msg);
	        }
	    }
	}
	keyword.validateKeywordUsage = validateKeywordUsage;
	
	return keyword;
}

var subschema = {};

var hasRequiredSubschema;

function requireSubschema () {
	if (hasRequiredSubschema) return subschema;
	hasRequiredSubschema = 1;
	Object.defineProperty(subschema, "__esModule", { value: true });
	subschema.extendSubschemaMode = subschema.extendSubschemaData = subschema.getSubschema = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	function getSubschema(it, { keyword, schemaProp, schema, schemaPath, errSchemaPath, topSchemaRef }) {
	    if (keyword !== undefined && schema !== undefined) {
	        throw new Error('both "keyword" and "schema" passed, only one allowed');
	    }
	    if (keyword !== undefined) {
	        const sch = it.schema[keyword];
	        return schemaProp === undefined
	            ? {
	                schema: sch,
	                schemaPath: (0, codegen_1._) `${it.schemaPath}${(0, codegen_1.getProperty)(keyword)}`,
	                errSchemaPath: `${it.errSchemaPath}/${keyword}`,
	            }
	            : {
	                schema: sch[schemaProp],
	                schemaPath: (0, codegen_1._) `${it.schemaPath}${(0, codegen_1.getProperty)(keyword)}${(0, codegen_1.getProperty)(schemaProp)}`,
	                errSchemaPath: `${it.errSchemaPath}/${keyword}/${(0, util_1.escapeFragment)(schemaProp)}`,
	            };
	    }
	    if (schema !== undefined) {
	        if (schemaPath === undefined || errSchemaPath === undefined || topSchemaRef === undefined) {
	            throw new Error('"schemaPath", "errSchemaPath" and "topSchemaRef" are required with "schema"');
	        }
	        return {
	            schema,
	            schemaPath,
	            topSchemaRef,
	            errSchemaPath,
	        };
	    }
	    throw new Error('either "keyword" or "schema" must be passed');
	}
	subschema.getSubschema = getSubschema;
	function extendSubschemaData(subschema, it, { dataProp, dataPropType: dpType, data, dataTypes, propertyName }) {
	    if (data !== undefined && dataProp !== undefined) {
	        throw new Error('both "data" and "dataProp" passed, only one allowed');
	    }
	    const { gen } = it;
	    if (dataProp !== undefined) {
	        const { errorPath, dataPathArr, opts } = it;
	        const nextData = gen.let("data", (0, codegen_1._) `${it.data}${(0, codegen_1.getProperty)(dataProp)}`, true);
	        dataContextProps(nextData);
	        subschema.errorPath = (0, codegen_1.str) `${errorPath}${(0, util_1.getErrorPath)(dataProp, dpType, opts.jsPropertySyntax)}`;
	        subschema.parentDataProperty = (0, codegen_1._) `${dataProp}`;
	        subschema.dataPathArr = [...dataPathArr, subschema.parentDataProperty];
	    }
	    if (data !== undefined) {
	        const nextData = data instanceof codegen_1.Name ? data : gen.let("data", data, true); // replaceable if used once?
	        dataContextProps(nextData);
	        if (propertyName !== undefined)
	            subschema.propertyName = propertyName;
	        // TODO something is possibly wrong here with not changing parentDataProperty and not appending dataPathArr
	    }
	    if (dataTypes)
	        subschema.dataTypes = dataTypes;
	    function dataContextProps(_nextData) {
	        subschema.data = _nextData;
	        subschema.dataLevel = it.dataLevel + 1;
	        subschema.dataTypes = [];
	        it.definedProperties = new Set();
	        subschema.parentData = it.data;
	        subschema.dataNames = [...it.dataNames, _nextData];
	    }
	}
	subschema.extendSubschemaData = extendSubschemaData;
	function extendSubschemaMode(subschema, { jtdDiscriminator, jtdMetadata, compositeRule, createErrors, allErrors }) {
	    if (compositeRule !== undefined)
	        subschema.compositeRule = compositeRule;
	    if (createErrors !== undefined)
	        subschema.createErrors = createErrors;
	    if (allErrors !== undefined)
	        subschema.allErrors = allErrors;
	    subschema.jtdDiscriminator = jtdDiscriminator; // not inherited
	    subschema.jtdMetadata = jtdMetadata; // not inherited
	}
	subschema.extendSubschemaMode = extendSubschemaMode;
	
	return subschema;
}

var resolve = {};

var fastDeepEqual;
var hasRequiredFastDeepEqual;

function requireFastDeepEqual () {
	if (hasRequiredFastDeepEqual) return fastDeepEqual;
	hasRequiredFastDeepEqual = 1;

	// do not edit .js files directly - edit src/index.jst



	fastDeepEqual = function equal(a, b) {
	  if (a === b) return true;

	  if (a && b && typeof a == 'object' && typeof b == 'object') {
	    if (a.constructor !== b.constructor) return false;

	    var length, i, keys;
	    if (Array.isArray(a)) {
	      length = a.length;
	      if (length != b.length) return false;
	      for (i = length; i-- !== 0;)
	        if (!equal(a[i], b[i])) return false;
	      return true;
	    }



	    if (a.constructor === RegExp) return a.source === b.source && a.flags === b.flags;
	    if (a.valueOf !== Object.prototype.valueOf) return a.valueOf() === b.valueOf();
	    if (a.toString !== Object.prototype.toString) return a.toString() === b.toString();

	    keys = Object.keys(a);
	    length = keys.length;
	    if (length !== Object.keys(b).length) return false;

	    for (i = length; i-- !== 0;)
	      if (!Object.prototype.hasOwnProperty.call(b, keys[i])) return false;

	    for (i = length; i-- !== 0;) {
	      var key = keys[i];

	      if (!equal(a[key], b[key])) return false;
	    }

	    return true;
	  }

	  // true if both NaN, false otherwise
	  return a!==a && b!==b;
	};
	return fastDeepEqual;
}

var jsonSchemaTraverse = {exports: {}};

var hasRequiredJsonSchemaTraverse;

function requireJsonSchemaTraverse () {
	if (hasRequiredJsonSchemaTraverse) return jsonSchemaTraverse.exports;
	hasRequiredJsonSchemaTraverse = 1;

	var traverse = jsonSchemaTraverse.exports = function (schema, opts, cb) {
	  // Legacy support for v0.3.1 and earlier.
	  if (typeof opts == 'function') {
	    cb = opts;
	    opts = {};
	  }

	  cb = opts.cb || cb;
	  var pre = (typeof cb == 'function') ? cb : cb.pre || function() {};
	  var post = cb.post || function() {};

	  _traverse(opts, pre, post, schema, '', schema);
	};


	traverse.keywords = {
	  additionalItems: true,
	  items: true,
	  contains: true,
	  additionalProperties: true,
	  propertyNames: true,
	  not: true,
	  if: true,
	  then: true,
	  else: true
	};

	traverse.arrayKeywords = {
	  items: true,
	  allOf: true,
	  anyOf: true,
	  oneOf: true
	};

	traverse.propsKeywords = {
	  $defs: true,
	  definitions: true,
	  properties: true,
	  patternProperties: true,
	  dependencies: true
	};

	traverse.skipKeywords = {
	  default: true,
	  enum: true,
	  const: true,
	  required: true,
	  maximum: true,
	  minimum: true,
	  exclusiveMaximum: true,
	  exclusiveMinimum: true,
	  multipleOf: true,
	  maxLength: true,
	  minLength: true,
	  pattern: true,
	  format: true,
	  maxItems: true,
	  minItems: true,
	  uniqueItems: true,
	  maxProperties: true,
	  minProperties: true
	};


	function _traverse(opts, pre, post, schema, jsonPtr, rootSchema, parentJsonPtr, parentKeyword, parentSchema, keyIndex) {
	  if (schema && typeof schema == 'object' && !Array.isArray(schema)) {
	    pre(schema, jsonPtr, rootSchema, parentJsonPtr, parentKeyword, parentSchema, keyIndex);
	    for (var key in schema) {
	      var sch = schema[key];
	      if (Array.isArray(sch)) {
	        if (key in traverse.arrayKeywords) {
	          for (var i=0; i<sch.length; i++)
	            _traverse(opts, pre, post, sch[i], jsonPtr + '/' + key + '/' + i, rootSchema, jsonPtr, key, schema, i);
	        }
	      } else if (key in traverse.propsKeywords) {
	        if (sch && typeof sch == 'object') {
	          for (var prop in sch)
	            _traverse(opts, pre, post, sch[prop], jsonPtr + '/' + key + '/' + escapeJsonPtr(prop), rootSchema, jsonPtr, key, schema, prop);
	        }
	      } else if (key in traverse.keywords || (opts.allKeys && !(key in traverse.skipKeywords))) {
	        _traverse(opts, pre, post, sch, jsonPtr + '/' + key, rootSchema, jsonPtr, key, schema);
	      }
	    }
	    post(schema, jsonPtr, rootSchema, parentJsonPtr, parentKeyword, parentSchema, keyIndex);
	  }
	}


	function escapeJsonPtr(str) {
	  return str.replace(/~/g, '~0').replace(/\//g, '~1');
	}
	return jsonSchemaTraverse.exports;
}

var hasRequiredResolve;

function requireResolve () {
	if (hasRequiredResolve) return resolve;
	hasRequiredResolve = 1;
	Object.defineProperty(resolve, "__esModule", { value: true });
	resolve.getSchemaRefs = resolve.resolveUrl = resolve.normalizeId = resolve._getFullPath = resolve.getFullPath = resolve.inlineRef = void 0;
	const util_1 = /*@__PURE__*/ requireUtil();
	const equal = requireFastDeepEqual();
	const traverse = requireJsonSchemaTraverse();
	// TODO refactor to use keyword definitions
	const SIMPLE_INLINED = new Set([
	    "type",
	    "format",
	    "pattern",
	    "maxLength",
	    "minLength",
	    "maxProperties",
	    "minProperties",
	    "maxItems",
	    "minItems",
	    "maximum",
	    "minimum",
	    "uniqueItems",
	    "multipleOf",
	    "required",
	    "enum",
	    "const",
	]);
	function inlineRef(schema, limit = true) {
	    if (typeof schema == "boolean")
	        return true;
	    if (limit === true)
	        return !hasRef(schema);
	    if (!limit)
	        return false;
	    return countKeys(schema) <= limit;
	}
	resolve.inlineRef = inlineRef;
	const REF_KEYWORDS = new Set([
	    "$ref",
	    "$recursiveRef",
	    "$recursiveAnchor",
	    "$dynamicRef",
	    "$dynamicAnchor",
	]);
	function hasRef(schema) {
	    for (const key in schema) {
	        if (REF_KEYWORDS.has(key))
	            return true;
	        const sch = schema[key];
	        if (Array.isArray(sch) && sch.some(hasRef))
	            return true;
	        if (typeof sch == "object" && hasRef(sch))
	            return true;
	    }
	    return false;
	}
	function countKeys(schema) {
	    let count = 0;
	    for (const key in schema) {
	        if (key === "$ref")
	            return Infinity;
	        count++;
	        if (SIMPLE_INLINED.has(key))
	            continue;
	        if (typeof schema[key] == "object") {
	            (0, util_1.eachItem)(schema[key], (sch) => (count += countKeys(sch)));
	        }
	        if (count === Infinity)
	            return Infinity;
	    }
	    return count;
	}
	function getFullPath(resolver, id = "", normalize) {
	    if (normalize !== false)
	        id = normalizeId(id);
	    const p = resolver.parse(id);
	    return _getFullPath(resolver, p);
	}
	resolve.getFullPath = getFullPath;
	function _getFullPath(resolver, p) {
	    const serialized = resolver.serialize(p);
	    return serialized.split("#")[0] + "#";
	}
	resolve._getFullPath = _getFullPath;
	const TRAILING_SLASH_HASH = /#\/?$/;
	function normalizeId(id) {
	    return id ? id.replace(TRAILING_SLASH_HASH, "") : "";
	}
	resolve.normalizeId = normalizeId;
	function resolveUrl(resolver, baseId, id) {
	    id = normalizeId(id);
	    return resolver.resolve(baseId, id);
	}
	resolve.resolveUrl = resolveUrl;
	const ANCHOR = /^[a-z_][-a-z0-9._]*$/i;
	function getSchemaRefs(schema, baseId) {
	    if (typeof schema == "boolean")
	        return {};
	    const { schemaId, uriResolver } = this.opts;
	    const schId = normalizeId(schema[schemaId] || baseId);
	    const baseIds = { "": schId };
	    const pathPrefix = getFullPath(uriResolver, schId, false);
	    const localRefs = {};
	    const schemaRefs = new Set();
	    traverse(schema, { allKeys: true }, (sch, jsonPtr, _, parentJsonPtr) => {
	        if (parentJsonPtr === undefined)
	            return;
	        const fullPath = pathPrefix + jsonPtr;
	        let innerBaseId = baseIds[parentJsonPtr];
	        if (typeof sch[schemaId] == "string")
	            innerBaseId = addRef.call(this, sch[schemaId]);
	        addAnchor.call(this, sch.$anchor);
	        addAnchor.call(this, sch.$dynamicAnchor);
	        baseIds[jsonPtr] = innerBaseId;
	        function addRef(ref) {
	            // eslint-disable-next-line @typescript-eslint/unbound-method
	            const _resolve = this.opts.uriResolver.resolve;
	            ref = normalizeId(innerBaseId ? _resolve(innerBaseId, ref) : ref);
	            if (schemaRefs.has(ref))
	                throw ambiguos(ref);
	            schemaRefs.add(ref);
	            let schOrRef = this.refs[ref];
	            if (typeof schOrRef == "string")
	                schOrRef = this.refs[schOrRef];
	            if (typeof schOrRef == "object") {
	                checkAmbiguosRef(sch, schOrRef.schema, ref);
	            }
	            else if (ref !== normalizeId(fullPath)) {
	                if (ref[0] === "#") {
	                    checkAmbiguosRef(sch, localRefs[ref], ref);
	                    localRefs[ref] = sch;
	                }
	                else {
	                    this.refs[ref] = fullPath;
	                }
	            }
	            return ref;
	        }
	        function addAnchor(anchor) {
	            if (typeof anchor == "string") {
	                if (!ANCHOR.test(anchor))
	                    throw new Error(`invalid anchor "${anchor}"`);
	                addRef.call(this, `#${anchor}`);
	            }
	        }
	    });
	    return localRefs;
	    function checkAmbiguosRef(sch1, sch2, ref) {
	        if (sch2 !== undefined && !equal(sch1, sch2))
	            throw ambiguos(ref);
	    }
	    function ambiguos(ref) {
	        return new Error(`reference "${ref}" resolves to more than one schema`);
	    }
	}
	resolve.getSchemaRefs = getSchemaRefs;
	
	return resolve;
}

var hasRequiredValidate;

function requireValidate () {
	if (hasRequiredValidate) return validate;
	hasRequiredValidate = 1;
	Object.defineProperty(validate, "__esModule", { value: true });
	validate.getData = validate.KeywordCxt = validate.validateFunctionCode = void 0;
	const boolSchema_1 = /*@__PURE__*/ requireBoolSchema();
	const dataType_1 = /*@__PURE__*/ requireDataType();
	const applicability_1 = /*@__PURE__*/ requireApplicability();
	const dataType_2 = /*@__PURE__*/ requireDataType();
	const defaults_1 = /*@__PURE__*/ requireDefaults();
	const keyword_1 = /*@__PURE__*/ requireKeyword();
	const subschema_1 = /*@__PURE__*/ requireSubschema();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names_1 = /*@__PURE__*/ requireNames();
	const resolve_1 = /*@__PURE__*/ requireResolve();
	const util_1 = /*@__PURE__*/ requireUtil();
	const errors_1 = /*@__PURE__*/ requireErrors();
	// schema compilation - generates validation function, subschemaCode (below) is used for subschemas
	function validateFunctionCode(it) {
	    if (isSchemaObj(it)) {
	        checkKeywords(it);
	        if (schemaCxtHasRules(it)) {
	            topSchemaObjCode(it);
	            return;
	        }
	    }
	    validateFunction(it, () => (0, boolSchema_1.topBoolOrEmptySchema)(it));
	}
	validate.validateFunctionCode = validateFunctionCode;
	function validateFunction({ gen, validateName, schema, schemaEnv, opts }, body) {
	    if (opts.code.es5) {
	        gen.func(validateName, (0, codegen_1._) `${names_1.default.data}, ${names_1.default.valCxt}`, schemaEnv.$async, () => {
	            gen.code((0, codegen_1._) `"use strict"; ${funcSourceUrl(schema, opts)}`);
	            destructureValCxtES5(gen, opts);
	            gen.code(body);
	        });
	    }
	    else {
	        gen.func(validateName, (0, codegen_1._) `${names_1.default.data}, ${destructureValCxt(opts)}`, schemaEnv.$async, () => gen.code(funcSourceUrl(schema, opts)).code(body));
	    }
	}
	function destructureValCxt(opts) {
	    return (0, codegen_1._) `{${names_1.default.instancePath}="", ${names_1.default.parentData}, ${names_1.default.parentDataProperty}, ${names_1.default.rootData}=${names_1.default.data}${opts.dynamicRef ? (0, codegen_1._) `, ${names_1.default.dynamicAnchors}={}` : codegen_1.nil}}={}`;
	}
	function destructureValCxtES5(gen, opts) {
	    gen.if(names_1.default.valCxt, () => {
	        gen.var(names_1.default.instancePath, (0, codegen_1._) `${names_1.default.valCxt}.${names_1.default.instancePath}`);
	        gen.var(names_1.default.parentData, (0, codegen_1._) `${names_1.default.valCxt}.${names_1.default.parentData}`);
	        gen.var(names_1.default.parentDataProperty, (0, codegen_1._) `${names_1.default.valCxt}.${names_1.default.parentDataProperty}`);
	        gen.var(names_1.default.rootData, (0, codegen_1._) `${names_1.default.valCxt}.${names_1.default.rootData}`);
	        if (opts.dynamicRef)
	            gen.var(names_1.default.dynamicAnchors, (0, codegen_1._) `${names_1.default.valCxt}.${names_1.default.dynamicAnchors}`);
	    }, () => {
	        gen.var(names_1.default.instancePath, (0, codegen_1._) `""`);
	        gen.var(names_1.default.parentData, (0, codegen_1._) `undefined`);
	        gen.var(names_1.default.parentDataProperty, (0, codegen_1._) `undefined`);
	        gen.var(names_1.default.rootData, names_1.default.data);
	        if (opts.dynamicRef)
	            gen.var(names_1.default.dynamicAnchors, (0, codegen_1._) `{}`);
	    });
	}
	function topSchemaObjCode(it) {
	    const { schema, opts, gen } = it;
	    validateFunction(it, () => {
	        if (opts.$comment && schema.$comment)
	            commentKeyword(it);
	        checkNoDefault(it);
	        gen.let(names_1.default.vErrors, null);
	        gen.let(names_1.default.errors, 0);
	        if (opts.unevaluated)
	            resetEvaluated(it);
	        typeAndKeywords(it);
	        returnResults(it);
	    });
	    return;
	}
	function resetEvaluated(it) {
	    // TODO maybe some hook to execute it in the end to check whether props/items are Name, as in assignEvaluated
	    const { gen, validateName } = it;
	    it.evaluated = gen.const("evaluated", (0, codegen_1._) `${validateName}.evaluated`);
	    gen.if((0, codegen_1._) `${it.evaluated}.dynamicProps`, () => gen.assign((0, codegen_1._) `${it.evaluated}.props`, (0, codegen_1._) `undefined`));
	    gen.if((0, codegen_1._) `${it.evaluated}.dynamicItems`, () => gen.assign((0, codegen_1._) `${it.evaluated}.items`, (0, codegen_1._) `undefined`));
	}
	function funcSourceUrl(schema, opts) {
	    const schId = typeof schema == "object" && schema[opts.schemaId];
	    return schId && (opts.code.source || opts.code.process) ? (0, codegen_1._) `/*# sourceURL=${schId} */` : codegen_1.nil;
	}
	// schema compilation - this function is used recursively to generate code for sub-schemas
	function subschemaCode(it, valid) {
	    if (isSchemaObj(it)) {
	        checkKeywords(it);
	        if (schemaCxtHasRules(it)) {
	            subSchemaObjCode(it, valid);
	            return;
	        }
	    }
	    (0, boolSchema_1.boolOrEmptySchema)(it, valid);
	}
	function schemaCxtHasRules({ schema, self }) {
	    if (typeof schema == "boolean")
	        return !schema;
	    for (const key in schema)
	        if (self.RULES.all[key])
	            return true;
	    return false;
	}
	function isSchemaObj(it) {
	    return typeof it.schema != "boolean";
	}
	function subSchemaObjCode(it, valid) {
	    const { schema, gen, opts } = it;
	    if (opts.$comment && schema.$comment)
	        commentKeyword(it);
	    updateContext(it);
	    checkAsyncSchema(it);
	    const errsCount = gen.const("_errs", names_1.default.errors);
	    typeAndKeywords(it, errsCount);
	    // TODO var
	    gen.var(valid, (0, codegen_1._) `${errsCount} === ${names_1.default.errors}`);
	}
	function checkKeywords(it) {
	    (0, util_1.checkUnknownRules)(it);
	    checkRefsAndKeywords(it);
	}
	function typeAndKeywords(it, errsCount) {
	    if (it.opts.jtd)
	        return schemaKeywords(it, [], false, errsCount);
	    const types = (0, dataType_1.getSchemaTypes)(it.schema);
	    const checkedTypes = (0, dataType_1.coerceAndCheckDataType)(it, types);
	    schemaKeywords(it, types, !checkedTypes, errsCount);
	}
	function checkRefsAndKeywords(it) {
	    const { schema, errSchemaPath, opts, self } = it;
	    if (schema.$ref && opts.ignoreKeywordsWithRef && (0, util_1.schemaHasRulesButRef)(schema, self.RULES)) {
	        self.logger.warn(`$ref: keywords ignored in schema at path "${errSchemaPath}"`);
	    }
	}
	function checkNoDefault(it) {
	    const { schema, opts } = it;
	    if (schema.default !== undefined && opts.useDefaults && opts.strictSchema) {
	        (0, util_1.checkStrictMode)(it, "default is ignored in the schema root");
	    }
	}
	function updateContext(it) {
	    const schId = it.schema[it.opts.schemaId];
	    if (schId)
	        it.baseId = (0, resolve_1.resolveUrl)(it.opts.uriResolver, it.baseId, schId);
	}
	function checkAsyncSchema(it) {
	    if (it.schema.$async && !it.schemaEnv.$async)
	        throw new Error("async schema in sync schema");
	}
	function commentKeyword({ gen, schemaEnv, schema, errSchemaPath, opts }) {
	    const msg = schema.$comment;
	    if (opts.$comment === true) {
	        gen.code((0, codegen_1._) `${names_1.default.self}.logger.log(${msg})`);
	    }
	    else if (typeof opts.$comment == "function") {
	        const schemaPath = (0, codegen_1.str) `${errSchemaPath}/$comment`;
	        const rootName = gen.scopeValue("root", { ref: schemaEnv.root });
	        gen.code((0, codegen_1._) `${names_1.default.self}.opts.$comment(${msg}, ${schemaPath}, ${rootName}.schema)`);
	    }
	}
	function returnResults(it) {
	    const { gen, schemaEnv, validateName, ValidationError, opts } = it;
	    if (schemaEnv.$async) {
	        // TODO assign unevaluated
	        gen.if((0, codegen_1._) `${names_1.default.errors} === 0`, () => gen.return(names_1.default.data), () => gen.throw((0, codegen_1._) `new ${ValidationError}(${names_1.default.vErrors})`));
	    }
	    else {
	        gen.assign((0, codegen_1._) `${validateName}.errors`, names_1.default.vErrors);
	        if (opts.unevaluated)
	            assignEvaluated(it);
	        gen.return((0, codegen_1._) `${names_1.default.errors} === 0`);
	    }
	}
	function assignEvaluated({ gen, evaluated, props, items }) {
	    if (props instanceof codegen_1.Name)
	        gen.assign((0, codegen_1._) `${evaluated}.props`, props);
	    if (items instanceof codegen_1.Name)
	        gen.assign((0, codegen_1._) `${evaluated}.items`, items);
	}
	function schemaKeywords(it, types, typeErrors, errsCount) {
	    const { gen, schema, data, allErrors, opts, self } = it;
	    const { RULES } = self;
	    if (schema.$ref && (opts.ignoreKeywordsWithRef || !(0, util_1.schemaHasRulesButRef)(schema, RULES))) {
	        gen.block(() => keywordCode(it, "$ref", RULES.all.$ref.definition)); // TODO typecast
	        return;
	    }
	    if (!opts.jtd)
	        checkStrictTypes(it, types);
	    gen.block(() => {
	        for (const group of RULES.rules)
	            groupKeywords(group);
	        groupKeywords(RULES.post);
	    });
	    function groupKeywords(group) {
	        if (!(0, applicability_1.shouldUseGroup)(schema, group))
	            return;
	        if (group.type) {
	            gen.if((0, dataType_2.checkDataType)(group.type, data, opts.strictNumbers));
	            iterateKeywords(it, group);
	            if (types.length === 1 && types[0] === group.type && typeErrors) {
	                gen.else();
	                (0, dataType_2.reportTypeError)(it);
	            }
	            gen.endIf();
	        }
	        else {
	            iterateKeywords(it, group);
	        }
	        // TODO make it "ok" call?
	        if (!allErrors)
	            gen.if((0, codegen_1._) `${names_1.default.errors} === ${errsCount || 0}`);
	    }
	}
	function iterateKeywords(it, group) {
	    const { gen, schema, opts: { useDefaults }, } = it;
	    if (useDefaults)
	        (0, defaults_1.assignDefaults)(it, group.type);
	    gen.block(() => {
	        for (const rule of group.rules) {
	            if ((0, applicability_1.shouldUseRule)(schema, rule)) {
	                keywordCode(it, rule.keyword, rule.definition, group.type);
	            }
	        }
	    });
	}
	function checkStrictTypes(it, types) {
	    if (it.schemaEnv.meta || !it.opts.strictTypes)
	        return;
	    checkContextTypes(it, types);
	    if (!it.opts.allowUnionTypes)
	        checkMultipleTypes(it, types);
	    checkKeywordTypes(it, it.dataTypes);
	}
	function checkContextTypes(it, types) {
	    if (!types.length)
	        return;
	    if (!it.dataTypes.length) {
	        it.dataTypes = types;
	        return;
	    }
	    types.forEach((t) => {
	        if (!includesType(it.dataTypes, t)) {
	            strictTypesError(it, `type "${t}" not allowed by context "${it.dataTypes.join(",")}"`);
	        }
	    });
	    narrowSchemaTypes(it, types);
	}
	function checkMultipleTypes(it, ts) {
	    if (ts.length > 1 && !(ts.length === 2 && ts.includes("null"))) {
	        strictTypesError(it, "use allowUnionTypes to allow union type keyword");
	    }
	}
	function checkKeywordTypes(it, ts) {
	    const rules = it.self.RULES.all;
	    for (const keyword in rules) {
	        const rule = rules[keyword];
	        if (typeof rule == "object" && (0, applicability_1.shouldUseRule)(it.schema, rule)) {
	            const { type } = rule.definition;
	            if (type.length && !type.some((t) => hasApplicableType(ts, t))) {
	                strictTypesError(it, `missing type "${type.join(",")}" for keyword "${keyword}"`);
	            }
	        }
	    }
	}
	function hasApplicableType(schTs, kwdT) {
	    return schTs.includes(kwdT) || (kwdT === "number" && schTs.includes("integer"));
	}
	function includesType(ts, t) {
	    return ts.includes(t) || (t === "integer" && ts.includes("number"));
	}
	function narrowSchemaTypes(it, withTypes) {
	    const ts = [];
	    for (const t of it.dataTypes) {
	        if (includesType(withTypes, t))
	            ts.push(t);
	        else if (withTypes.includes("integer") && t === "number")
	            ts.push("integer");
	    }
	    it.dataTypes = ts;
	}
	function strictTypesError(it, msg) {
	    const schemaPath = it.schemaEnv.baseId + it.errSchemaPath;
	    msg += ` at "${schemaPath}" (strictTypes)`;
	    (0, util_1.checkStrictMode)(it, msg, it.opts.strictTypes);
	}
	class KeywordCxt {
	    constructor(it, def, keyword) {
	        (0, keyword_1.validateKeywordUsage)(it, def, keyword);
	        this.gen = it.gen;
	        this.allErrors = it.allErrors;
	        this.keyword = keyword;
	        this.data = it.data;
	        this.schema = it.schema[keyword];
	        this.$data = def.$data && it.opts.$data && this.schema && this.schema.$data;
	        this.schemaValue = (0, util_1.schemaRefOrVal)(it, this.schema, keyword, this.$data);
	        this.schemaType = def.schemaType;
	        this.parentSchema = it.schema;
	        this.params = {};
	        this.it = it;
	        this.def = def;
	        if (this.$data) {
	            this.schemaCode = it.gen.const("vSchema", getData(this.$data, it));
	        }
	        else {
	            this.schemaCode = this.schemaValue;
	            if (!(0, keyword_1.validSchemaType)(this.schema, def.schemaType, def.allowUndefined)) {
	                throw new Error(`${keyword} value must be ${JSON.stringify(def.schemaType)}`);
	            }
	        }
	        if ("code" in def ? def.trackErrors : def.errors !== false) {
	            this.errsCount = it.gen.const("_errs", names_1.default.errors);
	        }
	    }
	    result(condition, successAction, failAction) {
	        this.failResult((0, codegen_1.not)(condition), successAction, failAction);
	    }
	    failResult(condition, successAction, failAction) {
	        this.gen.if(condition);
	        if (failAction)
	            failAction();
	        else
	            this.error();
	        if (successAction) {
	            this.gen.else();
	            successAction();
	            if (this.allErrors)
	                this.gen.endIf();
	        }
	        else {
	            if (this.allErrors)
	                this.gen.endIf();
	            else
	                this.gen.else();
	        }
	    }
	    pass(condition, failAction) {
	        this.failResult((0, codegen_1.not)(condition), undefined, failAction);
	    }
	    fail(condition) {
	        if (condition === undefined) {
	            this.error();
	            if (!this.allErrors)
	                this.gen.if(false); // this branch will be removed by gen.optimize
	            return;
	        }
	        this.gen.if(condition);
	        this.error();
	        if (this.allErrors)
	            this.gen.endIf();
	        else
	            this.gen.else();
	    }
	    fail$data(condition) {
	        if (!this.$data)
	            return this.fail(condition);
	        const { schemaCode } = this;
	        this.fail((0, codegen_1._) `${schemaCode} !== undefined && (${(0, codegen_1.or)(this.invalid$data(), condition)})`);
	    }
	    error(append, errorParams, errorPaths) {
	        if (errorParams) {
	            this.setParams(errorParams);
	            this._error(append, errorPaths);
	            this.setParams({});
	            return;
	        }
	        this._error(append, errorPaths);
	    }
	    _error(append, errorPaths) {
	        (append ? errors_1.reportExtraError : errors_1.reportError)(this, this.def.error, errorPaths);
	    }
	    $dataError() {
	        (0, errors_1.reportError)(this, this.def.$dataError || errors_1.keyword$DataError);
	    }
	    reset() {
	        if (this.errsCount === undefined)
	            throw new Error('add "trackErrors" to keyword definition');
	        (0, errors_1.resetErrorsCount)(this.gen, this.errsCount);
	    }
	    ok(cond) {
	        if (!this.allErrors)
	            this.gen.if(cond);
	    }
	    setParams(obj, assign) {
	        if (assign)
	            Object.assign(this.params, obj);
	        else
	            this.params = obj;
	    }
	    block$data(valid, codeBlock, $dataValid = codegen_1.nil) {
	        this.gen.block(() => {
	            this.check$data(valid, $dataValid);
	            codeBlock();
	        });
	    }
	    check$data(valid = codegen_1.nil, $dataValid = codegen_1.nil) {
	        if (!this.$data)
	            return;
	        const { gen, schemaCode, schemaType, def } = this;
	        gen.if((0, codegen_1.or)((0, codegen_1._) `${schemaCode} === undefined`, $dataValid));
	        if (valid !== codegen_1.nil)
	            gen.assign(valid, true);
	        if (schemaType.length || def.validateSchema) {
	            gen.elseIf(this.invalid$data());
	            this.$dataError();
	            if (valid !== codegen_1.nil)
	                gen.assign(valid, false);
	        }
	        gen.else();
	    }
	    invalid$data() {
	        const { gen, schemaCode, schemaType, def, it } = this;
	        return (0, codegen_1.or)(wrong$DataType(), invalid$DataSchema());
	        function wrong$DataType() {
	            if (schemaType.length) {
	                /* istanbul ignore if */
	                if (!(schemaCode instanceof codegen_1.Name))
	                    throw new Error("ajv implementation error");
	                const st = Array.isArray(schemaType) ? schemaType : [schemaType];
	                return (0, codegen_1._) `${(0, dataType_2.checkDataTypes)(st, schemaCode, it.opts.strictNumbers, dataType_2.DataType.Wrong)}`;
	            }
	            return codegen_1.nil;
	        }
	        function invalid$DataSchema() {
	            if (def.validateSchema) {
	                const validateSchemaRef = gen.scopeValue("validate$data", { ref: def.validateSchema }); // TODO value.code for standalone
	                return (0, codegen_1._) `!${validateSchemaRef}(${schemaCode})`;
	            }
	            return codegen_1.nil;
	        }
	    }
	    subschema(appl, valid) {
	        const subschema = (0, subschema_1.getSubschema)(this.it, appl);
	        (0, subschema_1.extendSubschemaData)(subschema, this.it, appl);
	        (0, subschema_1.extendSubschemaMode)(subschema, appl);
	        const nextContext = { ...this.it, ...subschema, items: undefined, props: undefined };
	        subschemaCode(nextContext, valid);
	        return nextContext;
	    }
	    mergeEvaluated(schemaCxt, toName) {
	        const { it, gen } = this;
	        if (!it.opts.unevaluated)
	            return;
	        if (it.props !== true && schemaCxt.props !== undefined) {
	            it.props = util_1.mergeEvaluated.props(gen, schemaCxt.props, it.props, toName);
	        }
	        if (it.items !== true && schemaCxt.items !== undefined) {
	            it.items = util_1.mergeEvaluated.items(gen, schemaCxt.items, it.items, toName);
	        }
	    }
	    mergeValidEvaluated(schemaCxt, valid) {
	        const { it, gen } = this;
	        if (it.opts.unevaluated && (it.props !== true || it.items !== true)) {
	            gen.if(valid, () => this.mergeEvaluated(schemaCxt, codegen_1.Name));
	            return true;
	        }
	    }
	}
	validate.KeywordCxt = KeywordCxt;
	function keywordCode(it, keyword, def, ruleType) {
	    const cxt = new KeywordCxt(it, def, keyword);
	    if ("code" in def) {
	        def.code(cxt, ruleType);
	    }
	    else if (cxt.$data && def.validate) {
	        (0, keyword_1.funcKeywordCode)(cxt, def);
	    }
	    else if ("macro" in def) {
	        (0, keyword_1.macroKeywordCode)(cxt, def);
	    }
	    else if (def.compile || def.validate) {
	        (0, keyword_1.funcKeywordCode)(cxt, def);
	    }
	}
	const JSON_POINTER = /^\/(?:[^~]|~0|~1)*$/;
	const RELATIVE_JSON_POINTER = /^([0-9]+)(#|\/(?:[^~]|~0|~1)*)?$/;
	function getData($data, { dataLevel, dataNames, dataPathArr }) {
	    let jsonPointer;
	    let data;
	    if ($data === "")
	        return names_1.default.rootData;
	    if ($data[0] === "/") {
	        if (!JSON_POINTER.test($data))
	            throw new Error(`Invalid JSON-pointer: ${$data}`);
	        jsonPointer = $data;
	        data = names_1.default.rootData;
	    }
	    else {
	        const matches = RELATIVE_JSON_POINTER.exec($data);
	        if (!matches)
	            throw new Error(`Invalid JSON-pointer: ${$data}`);
	        const up = +matches[1];
	        jsonPointer = matches[2];
	        if (jsonPointer === "#") {
	            if (up >= dataLevel)
	                throw new Error(errorMsg("property/index", up));
	            return dataPathArr[dataLevel - up];
	        }
	        if (up > dataLevel)
	            throw new Error(errorMsg("data", up));
	        data = dataNames[dataLevel - up];
	        if (!jsonPointer)
	            return data;
	    }
	    let expr = data;
	    const segments = jsonPointer.split("/");
	    for (const segment of segments) {
	        if (segment) {
	            data = (0, codegen_1._) `${data}${(0, codegen_1.getProperty)((0, util_1.unescapeJsonPointer)(segment))}`;
	            expr = (0, codegen_1._) `${expr} && ${data}`;
	        }
	    }
	    return expr;
	    function errorMsg(pointerType, up) {
	        return `Cannot access ${pointerType} ${up} levels up, current level is ${dataLevel}`;
	    }
	}
	validate.getData = getData;
	
	return validate;
}

var validation_error = {};

var hasRequiredValidation_error;

function requireValidation_error () {
	if (hasRequiredValidation_error) return validation_error;
	hasRequiredValidation_error = 1;
	Object.defineProperty(validation_error, "__esModule", { value: true });
	class ValidationError extends Error {
	    constructor(errors) {
	        super("validation failed");
	        this.errors = errors;
	        this.ajv = this.validation = true;
	    }
	}
	validation_error.default = ValidationError;
	
	return validation_error;
}

var ref_error = {};

var hasRequiredRef_error;

function requireRef_error () {
	if (hasRequiredRef_error) return ref_error;
	hasRequiredRef_error = 1;
	Object.defineProperty(ref_error, "__esModule", { value: true });
	const resolve_1 = /*@__PURE__*/ requireResolve();
	class MissingRefError extends Error {
	    constructor(resolver, baseId, ref, msg) {
	        super(msg || `can't resolve reference ${ref} from id ${baseId}`);
	        this.missingRef = (0, resolve_1.resolveUrl)(resolver, baseId, ref);
	        this.missingSchema = (0, resolve_1.normalizeId)((0, resolve_1.getFullPath)(resolver, this.missingRef));
	    }
	}
	ref_error.default = MissingRefError;
	
	return ref_error;
}

var compile = {};

var hasRequiredCompile;

function requireCompile () {
	if (hasRequiredCompile) return compile;
	hasRequiredCompile = 1;
	Object.defineProperty(compile, "__esModule", { value: true });
	compile.resolveSchema = compile.getCompilingSchema = compile.resolveRef = compile.compileSchema = compile.SchemaEnv = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const validation_error_1 = /*@__PURE__*/ requireValidation_error();
	const names_1 = /*@__PURE__*/ requireNames();
	const resolve_1 = /*@__PURE__*/ requireResolve();
	const util_1 = /*@__PURE__*/ requireUtil();
	const validate_1 = /*@__PURE__*/ requireValidate();
	class SchemaEnv {
	    constructor(env) {
	        var _a;
	        this.refs = {};
	        this.dynamicAnchors = {};
	        let schema;
	        if (typeof env.schema == "object")
	            schema = env.schema;
	        this.schema = env.schema;
	        this.schemaId = env.schemaId;
	        this.root = env.root || this;
	        this.baseId = (_a = env.baseId) !== null && _a !== void 0 ? _a : (0, resolve_1.normalizeId)(schema === null || schema === void 0 ? void 0 : schema[env.schemaId || "$id"]);
	        this.schemaPath = env.schemaPath;
	        this.localRefs = env.localRefs;
	        this.meta = env.meta;
	        this.$async = schema === null || schema === void 0 ? void 0 : schema.$async;
	        this.refs = {};
	    }
	}
	compile.SchemaEnv = SchemaEnv;
	// let codeSize = 0
	// let nodeCount = 0
	// Compiles schema in SchemaEnv
	function compileSchema(sch) {
	    // TODO refactor - remove compilations
	    const _sch = getCompilingSchema.call(this, sch);
	    if (_sch)
	        return _sch;
	    const rootId = (0, resolve_1.getFullPath)(this.opts.uriResolver, sch.root.baseId); // TODO if getFullPath removed 1 tests fails
	    const { es5, lines } = this.opts.code;
	    const { ownProperties } = this.opts;
	    const gen = new codegen_1.CodeGen(this.scope, { es5, lines, ownProperties });
	    let _ValidationError;
	    if (sch.$async) {
	        _ValidationError = gen.scopeValue("Error", {
	            ref: validation_error_1.default,
	            code: (0, codegen_1._) `require("ajv/dist/runtime/validation_error").default`,
	        });
	    }
	    const validateName = gen.scopeName("validate");
	    sch.validateName = validateName;
	    const schemaCxt = {
	        gen,
	        allErrors: this.opts.allErrors,
	        data: names_1.default.data,
	        parentData: names_1.default.parentData,
	        parentDataProperty: names_1.default.parentDataProperty,
	        dataNames: [names_1.default.data],
	        dataPathArr: [codegen_1.nil], // TODO can its length be used as dataLevel if nil is removed?
	        dataLevel: 0,
	        dataTypes: [],
	        definedProperties: new Set(),
	        topSchemaRef: gen.scopeValue("schema", this.opts.code.source === true
	            ? { ref: sch.schema, code: (0, codegen_1.stringify)(sch.schema) }
	            : { ref: sch.schema }),
	        validateName,
	        ValidationError: _ValidationError,
	        schema: sch.schema,
	        schemaEnv: sch,
	        rootId,
	        baseId: sch.baseId || rootId,
	        schemaPath: codegen_1.nil,
	        errSchemaPath: sch.schemaPath || (this.opts.jtd ? "" : "#"),
	        errorPath: (0, codegen_1._) `""`,
	        opts: this.opts,
	        self: this,
	    };
	    let sourceCode;
	    try {
	        this._compilations.add(sch);
	        (0, validate_1.validateFunctionCode)(schemaCxt);
	        gen.optimize(this.opts.code.optimize);
	        // gen.optimize(1)
	        const validateCode = gen.toString();
	        sourceCode = `${gen.scopeRefs(names_1.default.scope)}return ${validateCode}`;
	        // console.log((codeSize += sourceCode.length), (nodeCount += gen.nodeCount))
	        if (this.opts.code.process)
	            sourceCode = this.opts.code.process(sourceCode, sch);
	        // console.log("\n\n\n *** \n", sourceCode)
	        const makeValidate = new Function(`${names_1.default.self}`, `${names_1.default.scope}`, sourceCode);
	        const validate = makeValidate(this, this.scope.get());
	        this.scope.value(validateName, { ref: validate });
	        validate.errors = null;
	        validate.schema = sch.schema;
	        validate.schemaEnv = sch;
	        if (sch.$async)
	            validate.$async = true;
	        if (this.opts.code.source === true) {
	            validate.source = { validateName, validateCode, scopeValues: gen._values };
	        }
	        if (this.opts.unevaluated) {
	            const { props, items } = schemaCxt;
	            validate.evaluated = {
	                props: props instanceof codegen_1.Name ? undefined : props,
	                items: items instanceof codegen_1.Name ? undefined : items,
	                dynamicProps: props instanceof codegen_1.Name,
	                dynamicItems: items instanceof codegen_1.Name,
	            };
	            if (validate.source)
	                validate.source.evaluated = (0, codegen_1.stringify)(validate.evaluated);
	        }
	        sch.validate = validate;
	        return sch;
	    }
	    catch (e) {
	        delete sch.validate;
	        delete sch.validateName;
	        if (sourceCode)
	            this.logger.error("Error compiling schema, function code:", sourceCode);
	        // console.log("\n\n\n *** \n", sourceCode, this.opts)
	        throw e;
	    }
	    finally {
	        this._compilations.delete(sch);
	    }
	}
	compile.compileSchema = compileSchema;
	function resolveRef(root, baseId, ref) {
	    var _a;
	    ref = (0, resolve_1.resolveUrl)(this.opts.uriResolver, baseId, ref);
	    const schOrFunc = root.refs[ref];
	    if (schOrFunc)
	        return schOrFunc;
	    let _sch = resolve.call(this, root, ref);
	    if (_sch === undefined) {
	        const schema = (_a = root.localRefs) === null || _a === void 0 ? void 0 : _a[ref]; // TODO maybe localRefs should hold SchemaEnv
	        const { schemaId } = this.opts;
	        if (schema)
	            _sch = new SchemaEnv({ schema, schemaId, root, baseId });
	    }
	    if (_sch === undefined)
	        return;
	    return (root.refs[ref] = inlineOrCompile.call(this, _sch));
	}
	compile.resolveRef = resolveRef;
	function inlineOrCompile(sch) {
	    if ((0, resolve_1.inlineRef)(sch.schema, this.opts.inlineRefs))
	        return sch.schema;
	    return sch.validate ? sch : compileSchema.call(this, sch);
	}
	// Index of schema compilation in the currently compiled list
	function getCompilingSchema(schEnv) {
	    for (const sch of this._compilations) {
	        if (sameSchemaEnv(sch, schEnv))
	            return sch;
	    }
	}
	compile.getCompilingSchema = getCompilingSchema;
	function sameSchemaEnv(s1, s2) {
	    return s1.schema === s2.schema && s1.root === s2.root && s1.baseId === s2.baseId;
	}
	// resolve and compile the references ($ref)
	// TODO returns AnySchemaObject (if the schema can be inlined) or validation function
	function resolve(root, // information about the root schema for the current schema
	ref // reference to resolve
	) {
	    let sch;
	    while (typeof (sch = this.refs[ref]) == "string")
	        ref = sch;
	    return sch || this.schemas[ref] || resolveSchema.call(this, root, ref);
	}
	// Resolve schema, its root and baseId
	function resolveSchema(root, // root object with properties schema, refs TODO below SchemaEnv is assigned to it
	ref // reference to resolve
	) {
	    const p = this.opts.uriResolver.parse(ref);
	    const refPath = (0, resolve_1._getFullPath)(this.opts.uriResolver, p);
	    let baseId = (0, resolve_1.getFullPath)(this.opts.uriResolver, root.baseId, undefined);
	    // TODO `Object.keys(root.schema).length > 0` should not be needed - but removing breaks 2 tests
	    if (Object.keys(root.schema).length > 0 && refPath === baseId) {
	        return getJsonPointer.call(this, p, root);
	    }
	    const id = (0, resolve_1.normalizeId)(refPath);
	    const schOrRef = this.refs[id] || this.schemas[id];
	    if (typeof schOrRef == "string") {
	        const sch = resolveSchema.call(this, root, schOrRef);
	        if (typeof (sch === null || sch === void 0 ? void 0 : sch.schema) !== "object")
	            return;
	        return getJsonPointer.call(this, p, sch);
	    }
	    if (typeof (schOrRef === null || schOrRef === void 0 ? void 0 : schOrRef.schema) !== "object")
	        return;
	    if (!schOrRef.validate)
	        compileSchema.call(this, schOrRef);
	    if (id === (0, resolve_1.normalizeId)(ref)) {
	        const { schema } = schOrRef;
	        const { schemaId } = this.opts;
	        const schId = schema[schemaId];
	        if (schId)
	            baseId = (0, resolve_1.resolveUrl)(this.opts.uriResolver, baseId, schId);
	        return new SchemaEnv({ schema, schemaId, root, baseId });
	    }
	    return getJsonPointer.call(this, p, schOrRef);
	}
	compile.resolveSchema = resolveSchema;
	const PREVENT_SCOPE_CHANGE = new Set([
	    "properties",
	    "patternProperties",
	    "enum",
	    "dependencies",
	    "definitions",
	]);
	function getJsonPointer(parsedRef, { baseId, schema, root }) {
	    var _a;
	    if (((_a = parsedRef.fragment) === null || _a === void 0 ? void 0 : _a[0]) !== "/")
	        return;
	    for (const part of parsedRef.fragment.slice(1).split("/")) {
	        if (typeof schema === "boolean")
	            return;
	        const partSchema = schema[(0, util_1.unescapeFragment)(part)];
	        if (partSchema === undefined)
	            return;
	        schema = partSchema;
	        // TODO PREVENT_SCOPE_CHANGE could be defined in keyword def?
	        const schId = typeof schema === "object" && schema[this.opts.schemaId];
	        if (!PREVENT_SCOPE_CHANGE.has(part) && schId) {
	            baseId = (0, resolve_1.resolveUrl)(this.opts.uriResolver, baseId, schId);
	        }
	    }
	    let env;
	    if (typeof schema != "boolean" && schema.$ref && !(0, util_1.schemaHasRulesButRef)(schema, this.RULES)) {
	        const $ref = (0, resolve_1.resolveUrl)(this.opts.uriResolver, baseId, schema.$ref);
	        env = resolveSchema.call(this, root, $ref);
	    }
	    // even though resolution failed we need to return SchemaEnv to throw exception
	    // so that compileAsync loads missing schema.
	    const { schemaId } = this.opts;
	    env = env || new SchemaEnv({ schema, schemaId, root, baseId });
	    if (env.schema !== env.root.schema)
	        return env;
	    return undefined;
	}
	
	return compile;
}

var $id$2 = "https://raw.githubusercontent.com/ajv-validator/ajv/master/lib/refs/data.json#";
var description$1 = "Meta-schema for $data reference (JSON AnySchema extension proposal)";
var type$2 = "object";
var required$2 = [
	"$data"
];
var properties$3 = {
	$data: {
		type: "string",
		anyOf: [
			{
				format: "relative-json-pointer"
			},
			{
				format: "json-pointer"
			}
		]
	}
};
var additionalProperties$2 = false;
var require$$9 = {
	$id: $id$2,
	description: description$1,
	type: type$2,
	required: required$2,
	properties: properties$3,
	additionalProperties: additionalProperties$2
};

var uri = {};

var fastUri = {exports: {}};

var utils;
var hasRequiredUtils;

function requireUtils () {
	if (hasRequiredUtils) return utils;
	hasRequiredUtils = 1;

	/** @type {(value: string) => boolean} */
	const isUUID = RegExp.prototype.test.bind(/^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/iu);

	/** @type {(value: string) => boolean} */
	const isIPv4 = RegExp.prototype.test.bind(/^(?:(?:25[0-5]|2[0-4]\d|1\d{2}|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d{2}|[1-9]\d|\d)$/u);

	/** @type {(value: string) => boolean} */
	const isPort = RegExp.prototype.test.bind(/^\d*$/u);

	/** @type {(value: string) => boolean} */
	const isHexPair = RegExp.prototype.test.bind(/^[\da-f]{2}$/iu);

	/** @type {(value: string) => boolean} */
	const isUnreserved = RegExp.prototype.test.bind(/^[\da-z\-._~]$/iu);

	/** @type {(value: string) => boolean} */
	const isPathCharacter = RegExp.prototype.test.bind(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/u);

	/** @type {(value: string) => boolean} */
	const isQueryFragmentCharacter = RegExp.prototype.test.bind(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]$/u);

	/** @type {(value: string) => boolean} */
	const isUserinfoCharacter = RegExp.prototype.test.bind(/^[A-Za-z0-9\-._~!$&'()*+,;=:]$/u);

	const BYTE_HEX = new Array(256);
	{
	  const HEX_DIGITS = '0123456789ABCDEF';
	  for (let i = 0; i < 256; i++) {
	    BYTE_HEX[i] = '%' + HEX_DIGITS[i >> 4] + HEX_DIGITS[i & 0xF];
	  }
	}
	function percentEncodeNonAscii (cp) {
	  if (cp < 0x800) {
	    return BYTE_HEX[0xC0 | (cp >> 6)] +
	           BYTE_HEX[0x80 | (cp & 0x3F)]
	  }
	  if (cp < 0x10000) {
	    return BYTE_HEX[0xE0 | (cp >> 12)] +
	           BYTE_HEX[0x80 | ((cp >> 6) & 0x3F)] +
	           BYTE_HEX[0x80 | (cp & 0x3F)]
	  }
	  return BYTE_HEX[0xF0 | (cp >> 18)] +
	         BYTE_HEX[0x80 | ((cp >> 12) & 0x3F)] +
	         BYTE_HEX[0x80 | ((cp >> 6) & 0x3F)] +
	         BYTE_HEX[0x80 | (cp & 0x3F)]
	}

	/**
	 * @param {Array<string>} input
	 * @returns {string}
	 */
	function stringArrayToHexStripped (input) {
	  let acc = '';
	  let code = 0;
	  let i = 0;

	  for (i = 0; i < input.length; i++) {
	    code = input[i].charCodeAt(0);
	    if (code === 48) {
	      continue
	    }
	    if (!((code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102))) {
	      return ''
	    }
	    acc += input[i];
	    break
	  }

	  for (i += 1; i < input.length; i++) {
	    code = input[i].charCodeAt(0);
	    if (!((code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102))) {
	      return ''
	    }
	    acc += input[i];
	  }
	  return acc
	}

	/** @type {(value: string) => boolean} */
	const isHextet = RegExp.prototype.test.bind(/^[\dA-Fa-f]{1,4}$/);

	/** @type {(value: string) => boolean} */
	const isIPvFuture = RegExp.prototype.test.bind(/^[vV][\dA-Fa-f]+\.[A-Za-z\d\-._~!$&'()*+,;=:]+$/);

	/** @type {(value: string) => boolean} */
	const isZoneCharacter = RegExp.prototype.test.bind(/^[A-Za-z\d\-._~]$/);

	/**
	 * @param {string} value
	 * @returns {boolean}
	 */
	const nonSimpleDomain = RegExp.prototype.test.bind(/[^!"$&'()*+,\-.;=_`a-z{}~]/u);

	/**
	 * @param {string} zone
	 * @returns {boolean}
	 */
	function isZoneIdentifier (zone) {
	  if (zone.length === 0) return false

	  for (let i = 0; i < zone.length; i++) {
	    if (isZoneCharacter(zone[i])) continue
	    if (zone[i] === '%' && i + 2 < zone.length && isHexPair(zone.slice(i + 1, i + 3))) {
	      i += 2;
	      continue
	    }
	    return false
	  }

	  return true
	}

	/**
	 * Compresses the longest run of zero hextets to "::" per RFC 5952. A run of a
	 * single zero hextet is left uncompressed. On ties the leftmost run wins.
	 *
	 * @param {string[]} hextets
	 * @returns {string}
	 */
	function compressIPv6ZeroRun (hextets) {
	  let bestStart = -1;
	  let bestLength = 0;
	  let runStart = -1;
	  let runLength = 0;
	  for (let i = 0; i < hextets.length; i++) {
	    if (hextets[i] === '0') {
	      if (runStart === -1) runStart = i;
	      runLength++;
	      if (runLength > bestLength) {
	        bestLength = runLength;
	        bestStart = runStart;
	      }
	    } else {
	      runStart = -1;
	      runLength = 0;
	    }
	  }

	  if (bestLength < 2) return hextets.join(':')

	  const head = hextets.slice(0, bestStart).join(':');
	  const tail = hextets.slice(bestStart + bestLength).join(':');
	  return head + '::' + tail
	}

	/**
	 * Validates an IPv6 address against the alternatives in RFC 3986 section
	 * 3.2.2 and returns the same address with leading hextet zeroes removed.
	 * An embedded IPv4 address counts as two hextets and is only valid at the end.
	 *
	 * @param {string} input
	 * @returns {string|undefined}
	 */
	function normalizeIPv6Address (input) {
	  const compression = input.indexOf('::');
	  if (compression !== -1 && input.indexOf('::', compression + 1) !== -1) return undefined

	  const left = compression === -1 ? input.split(':') : input.slice(0, compression).split(':');
	  const right = compression === -1 ? [] : input.slice(compression + 2).split(':');
	  if (compression !== -1) {
	    if (left.length === 1 && left[0] === '') left.length = 0;
	    if (right.length === 1 && right[0] === '') right.length = 0;
	  }

	  const parts = left.concat(right);
	  let hextetCount = 0;
	  for (let i = 0; i < parts.length; i++) {
	    const part = parts[i];
	    if (part === '') return undefined

	    if (part.indexOf('.') !== -1) {
	      if (i !== parts.length - 1 || (compression !== -1 && right.length === 0) || !isIPv4(part)) return undefined
	      hextetCount += 2;
	      continue
	    }

	    if (!isHextet(part)) return undefined
	    parts[i] = parseInt(part, 16).toString(16);
	    hextetCount++;
	  }

	  if (compression === -1) {
	    if (hextetCount !== 8) return undefined
	    return compressIPv6ZeroRun(parts)
	  }
	  if (hextetCount >= 8) return undefined

	  // expand "::" then re-compress the longest run for a canonical result
	  const expanded = parts.slice(0, left.length);
	  for (let i = hextetCount; i < 8; i++) expanded.push('0');
	  for (let i = left.length; i < parts.length; i++) expanded.push(parts[i]);
	  return compressIPv6ZeroRun(expanded)
	}

	/**
	 * @typedef {Object} NormalizeIPv6Result
	 * @property {string} host - The normalized host.
	 * @property {string} [escapedHost] - The escaped host.
	 * @property {boolean} isIPV6 - Indicates if the host is an IPv6 address.
	 * @property {boolean} [isIPVFuture] - Indicates if the host is an IPvFuture literal.
	 * @property {boolean} [error] - Indicates if a bracketed IP literal is malformed.
	 */

	/**
	 * Validates and normalizes a bracketed IP literal. Raw zone separators remain
	 * accepted for backwards compatibility, while encoded separators and zone
	 * contents follow RFC 6874.
	 *
	 * @param {string} host
	 * @returns {NormalizeIPv6Result}
	 */
	function normalizeIPv6 (host) {
	  const bracketed = host[0] === '[' && host[host.length - 1] === ']';
	  const hasBracket = host[0] === '[' || host[host.length - 1] === ']';
	  if (hasBracket && !bracketed) return { host, isIPV6: false, error: true }

	  let input = bracketed ? host.slice(1, -1) : host;
	  if (bracketed && isIPvFuture(input)) {
	    input = input.toLowerCase();
	    return { host: `[${input}]`, escapedHost: input, isIPV6: false, isIPVFuture: true }
	  }

	  if (findToken(input, ':') < 2) {
	    return { host, isIPV6: false, error: bracketed }
	  }

	  let zoneIdentifier = '';
	  const zoneSeparator = input.indexOf('%');
	  if (zoneSeparator !== -1) {
	    const separatorLength = input.slice(zoneSeparator, zoneSeparator + 3).toLowerCase() === '%25' ? 3 : 1;
	    zoneIdentifier = input.slice(zoneSeparator + separatorLength);
	    if (!isZoneIdentifier(zoneIdentifier)) return { host, isIPV6: false, error: true }
	    input = input.slice(0, zoneSeparator);
	  }

	  const address = normalizeIPv6Address(input);
	  if (address === undefined) return { host, isIPV6: false, error: true }

	  return {
	    host: address + (zoneIdentifier ? '%' + zoneIdentifier : ''),
	    escapedHost: address + (zoneIdentifier ? '%25' + zoneIdentifier : ''),
	    isIPV6: true
	  }
	}

	/**
	 * @param {string} str
	 * @param {string} token
	 * @returns {number}
	 */
	function findToken (str, token) {
	  let ind = 0;
	  for (let i = 0; i < str.length; i++) {
	    if (str[i] === token) ind++;
	  }
	  return ind
	}

	/**
	 * @param {string} path
	 * @returns {string}
	 *
	 * @see https://datatracker.ietf.org/doc/html/rfc3986#section-5.2.4
	 */
	function removeDotSegments (path) {
	  let input = path;
	  const output = [];
	  let nextSlash = -1;
	  let len = 0;

	  // eslint-disable-next-line no-cond-assign
	  while (len = input.length) {
	    if (len === 1) {
	      if (input === '.') {
	        break
	      } else if (input === '/') {
	        output.push('/');
	        break
	      } else {
	        output.push(input);
	        break
	      }
	    } else if (len === 2) {
	      if (input[0] === '.') {
	        if (input[1] === '.') {
	          break
	        } else if (input[1] === '/') {
	          input = input.slice(2);
	          continue
	        }
	      } else if (input[0] === '/') {
	        if (input[1] === '.' || input[1] === '/') {
	          output.push('/');
	          break
	        }
	      }
	    } else if (len === 3) {
	      if (input === '/..') {
	        if (output.length !== 0) {
	          output.pop();
	        }
	        output.push('/');
	        break
	      }
	    }
	    if (input[0] === '.') {
	      if (input[1] === '.') {
	        if (input[2] === '/') {
	          input = input.slice(3);
	          continue
	        }
	      } else if (input[1] === '/') {
	        input = input.slice(2);
	        continue
	      }
	    } else if (input[0] === '/') {
	      if (input[1] === '.') {
	        if (input[2] === '/') {
	          input = input.slice(2);
	          continue
	        } else if (input[2] === '.') {
	          if (input[3] === '/') {
	            input = input.slice(3);
	            if (output.length !== 0) {
	              output.pop();
	            }
	            continue
	          }
	        }
	      }
	    }

	    // Rule 2E: Move normal path segment to output
	    if ((nextSlash = input.indexOf('/', 1)) === -1) {
	      output.push(input);
	      break
	    } else {
	      output.push(input.slice(0, nextSlash));
	      input = input.slice(nextSlash);
	    }
	  }

	  return output.join('')
	}

	/**
	 * Removes dot segments from the path of a relative reference (a path that does
	 * not start with "/") without changing what it resolves to against any base.
	 * Unlike `removeDotSegments`, leading ".." segments that cannot be collapsed
	 * are kept, the result never becomes root-relative, and a result that would be
	 * empty or start with an empty segment is prefixed with "." (an empty path
	 * means "same document" and a leading "//" would introduce an authority).
	 *
	 * @param {string} path
	 * @returns {string}
	 */
	function removeDotSegmentsRelative (path) {
	  if (path === '' || path[0] === '/') {
	    return removeDotSegments(path)
	  }

	  const segments = path.split('/');
	  const last = segments.length - 1;
	  /** @type {string[]} */
	  const output = [];
	  let trailingDirectory = false;

	  for (let i = 0; i <= last; i++) {
	    const segment = segments[i];
	    if (segment === '.' || segment === '..') {
	      if (segment === '..') {
	        if (output.length !== 0 && output[output.length - 1] !== '..') {
	          output.pop();
	        } else {
	          output.push('..');
	        }
	      }
	      trailingDirectory = i === last;
	    } else {
	      output.push(segment);
	    }
	  }

	  if (trailingDirectory && output[output.length - 1] !== '..') {
	    output.push('');
	  }
	  if (output.length === 0 || output[0] === '' || output[0].includes(':')) {
	    // An empty path, a leading empty segment ("//"), or a first segment
	    // containing ":" (which would be mistaken for a scheme, RFC 3986 section
	    // 4.2) must stay behind a "." segment so the reference keeps its meaning.
	    output.unshift('.');
	  }

	  return output.join('/')
	}

	/**
	 * Re-escape RFC 3986 gen-delims that must not appear literally in the host.
	 * After the URI regex parses, these characters cannot be literal in the host
	 * field, so any that appear after decoding came from percent-encoding and
	 * must be restored to prevent authority structure changes.
	 *
	 * @param {string} host
	 * @param {boolean} isIP - true for IPv4/IPv6 hosts (skip colon re-escaping)
	 * @returns {string}
	 */
	const HOST_DELIMS = { '@': '%40', '/': '%2F', '?': '%3F', '#': '%23', ':': '%3A' };
	const HOST_DELIM_RE = /[@/?#:]/g;
	const HOST_DELIM_NO_COLON_RE = /[@/?#]/g;

	function reescapeHostDelimiters (host, isIP) {
	  const re = isIP ? HOST_DELIM_NO_COLON_RE : HOST_DELIM_RE;
	  re.lastIndex = 0;
	  return host.replace(re, (ch) => HOST_DELIMS[ch])
	}

	/**
	 * Normalizes percent escapes and optionally decodes only unreserved ASCII bytes.
	 * Reserved delimiters such as `%2F` stay escaped; `%2E` is unreserved.
	 *
	 * @param {string} input
	 * @param {boolean} [decodeUnreserved=false]
	 * @returns {string}
	 */
	function normalizePercentEncoding (input, decodeUnreserved = false) {
	  if (input.indexOf('%') === -1) {
	    return input
	  }

	  let output = '';

	  for (let i = 0; i < input.length; i++) {
	    if (input[i] === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        const normalizedHex = hex.toUpperCase();
	        const decoded = String.fromCharCode(parseInt(normalizedHex, 16));

	        if (decodeUnreserved && isUnreserved(decoded)) {
	          output += decoded;
	        } else {
	          output += '%' + normalizedHex;
	        }

	        i += 2;
	        continue
	      }
	    }

	    output += input[i];
	  }

	  return output
	}

	/**
	 * Normalizes path data without turning reserved escapes into live path syntax.
	 * Valid escapes are uppercased, raw unsafe characters are escaped, and only
	 * unreserved bytes that are not `.` are decoded.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function normalizePathEncoding (input) {
	  let output = '';

	  for (let i = 0; i < input.length; i++) {
	    const ch = input[i];
	    if (ch === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        const normalizedHex = hex.toUpperCase();
	        const decoded = String.fromCharCode(parseInt(normalizedHex, 16));

	        if (decoded !== '.' && isUnreserved(decoded)) {
	          output += decoded;
	        } else {
	          output += '%' + normalizedHex;
	        }

	        i += 2;
	        continue
	      }
	    }

	    if (isPathCharacter(ch)) {
	      output += ch;
	    } else {
	      const code = input.charCodeAt(i);
	      if (code < 0x80) {
	        output += isEscapeSafe(code) ? ch : BYTE_HEX[code];
	      } else if (code < 0xD800 || code > 0xDFFF) {
	        output += percentEncodeNonAscii(code);
	      } else if (code <= 0xDBFF && i + 1 < input.length) {
	        const low = input.charCodeAt(i + 1);
	        if (low >= 0xDC00 && low <= 0xDFFF) {
	          output += percentEncodeNonAscii(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
	          i++;
	        } else {
	          output += percentEncodeNonAscii(0xFFFD);
	        }
	      } else {
	        output += percentEncodeNonAscii(0xFFFD);
	      }
	    }
	  }

	  return output
	}

	/**
	 * Serializes a path without rewriting reserved data. Raw RFC 3986 path
	 * characters remain literal, valid escapes are preserved and uppercased, and
	 * everything else is UTF-8 percent-encoded. In a path-noscheme, a colon in the
	 * first segment must be escaped so the result cannot be parsed as a scheme.
	 *
	 * @param {string} input
	 * @param {boolean} [pathNoScheme=false]
	 * @returns {string}
	 */
	function serializePathEncoding (input, pathNoScheme = false) {
	  let output = '';
	  let firstSegment = pathNoScheme && input[0] !== '/';

	  for (let i = 0; i < input.length; i++) {
	    const ch = input[i];
	    if (ch === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        output += '%' + hex.toUpperCase();
	        i += 2;
	        continue
	      }
	    }

	    if (ch === '/') {
	      firstSegment = false;
	    }

	    if (isPathCharacter(ch) && (ch !== ':' || !firstSegment)) {
	      output += ch;
	    } else {
	      const code = input.charCodeAt(i);
	      if (code < 0x80) {
	        output += BYTE_HEX[code];
	      } else if (code < 0xD800 || code > 0xDFFF) {
	        output += percentEncodeNonAscii(code);
	      } else if (code <= 0xDBFF && i + 1 < input.length) {
	        const low = input.charCodeAt(i + 1);
	        if (low >= 0xDC00 && low <= 0xDFFF) {
	          output += percentEncodeNonAscii(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
	          i++;
	        } else {
	          output += percentEncodeNonAscii(0xFFFD);
	        }
	      } else {
	        output += percentEncodeNonAscii(0xFFFD);
	      }
	    }
	  }

	  return output
	}

	/**
	 * Percent-encodes a URI component using its RFC 3986 literal character set.
	 * Existing valid escapes are preserved and normalized to uppercase hex.
	 *
	 * @param {string} input
	 * @param {(value: string) => boolean} isAllowed
	 * @returns {string}
	 */
	function encodeComponent (input, isAllowed) {
	  let output = '';

	  for (let i = 0; i < input.length; i++) {
	    const ch = input[i];
	    if (ch === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        output += '%' + hex.toUpperCase();
	        i += 2;
	        continue
	      }
	    }

	    if (isAllowed(ch)) {
	      output += ch;
	    } else {
	      const code = input.charCodeAt(i);
	      if (code < 0x80) {
	        output += BYTE_HEX[code];
	      } else if (code < 0xD800 || code > 0xDFFF) {
	        output += percentEncodeNonAscii(code);
	      } else if (code <= 0xDBFF && i + 1 < input.length) {
	        const low = input.charCodeAt(i + 1);
	        if (low >= 0xDC00 && low <= 0xDFFF) {
	          output += percentEncodeNonAscii(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
	          i++;
	        } else {
	          output += percentEncodeNonAscii(0xFFFD);
	        }
	      } else {
	        output += percentEncodeNonAscii(0xFFFD);
	      }
	    }
	  }

	  return output
	}

	/**
	 * Encodes userinfo while preserving its RFC 3986 §3.2.1 literal characters.
	 * In particular, authority delimiters such as `@`, `/`, `?`, and `#` are data.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function encodeUserinfo (input) {
	  return encodeComponent(input, isUserinfoCharacter)
	}

	/**
	 * Encodes query data using the RFC 3986 §3.4 grammar. A literal `#` must be
	 * escaped because it would otherwise begin the fragment component.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function encodeQuery (input) {
	  return encodeComponent(input, isQueryFragmentCharacter)
	}

	/**
	 * Encodes fragment data using the RFC 3986 §3.5 grammar.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function encodeFragment (input) {
	  return encodeComponent(input, isQueryFragmentCharacter)
	}

	function isEscapeSafe (cp) {
	  return (
	    (cp >= 0x30 && cp <= 0x39) ||
	    (cp >= 0x41 && cp <= 0x5A) ||
	    (cp >= 0x61 && cp <= 0x7A) ||
	    cp === 0x2A || cp === 0x2B || cp === 0x2D || cp === 0x2E ||
	    cp === 0x2F || cp === 0x40 || cp === 0x5F
	  )
	}

	/**
	 * Normalizes the percent-encoding of a query or fragment component.
	 *
	 * Like `normalizePathEncoding`, but uses the query/fragment character set
	 * (which additionally allows `?`) and decodes `.` since it has no dot-segment
	 * meaning outside of a path.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function normalizeQueryFragmentEncoding (input) {
	  let output = '';

	  for (let i = 0; i < input.length; i++) {
	    const ch = input[i];
	    if (ch === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        const normalizedHex = hex.toUpperCase();
	        const decoded = String.fromCharCode(parseInt(normalizedHex, 16));

	        if (isUnreserved(decoded)) {
	          output += decoded;
	        } else {
	          output += '%' + normalizedHex;
	        }

	        i += 2;
	        continue
	      }
	    }

	    if (isQueryFragmentCharacter(ch)) {
	      output += ch;
	    } else {
	      const code = input.charCodeAt(i);
	      if (code < 0x80) {
	        output += isEscapeSafe(code) ? ch : BYTE_HEX[code];
	      } else if (code < 0xD800 || code > 0xDFFF) {
	        output += percentEncodeNonAscii(code);
	      } else if (code <= 0xDBFF && i + 1 < input.length) {
	        const low = input.charCodeAt(i + 1);
	        if (low >= 0xDC00 && low <= 0xDFFF) {
	          output += percentEncodeNonAscii(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
	          i++;
	        } else {
	          output += percentEncodeNonAscii(0xFFFD);
	        }
	      } else {
	        output += percentEncodeNonAscii(0xFFFD);
	      }
	    }
	  }

	  return output
	}

	/**
	 * Escapes a component while preserving existing valid percent escapes.
	 *
	 * @param {string} input
	 * @returns {string}
	 */
	function escapePreservingEscapes (input) {
	  let output = '';

	  for (let i = 0; i < input.length; i++) {
	    if (input[i] === '%' && i + 2 < input.length) {
	      const hex = input.slice(i + 1, i + 3);
	      if (isHexPair(hex)) {
	        output += '%' + hex.toUpperCase();
	        i += 2;
	        continue
	      }
	    }

	    output += escape(input[i]);
	  }

	  return output
	}

	/**
	 * @param {import('../types/index').URIComponent} component
	 * @returns {string|undefined}
	 */
	function recomposeAuthority (component) {
	  const uriTokens = [];

	  if (component.userinfo !== undefined) {
	    uriTokens.push(encodeUserinfo(component.userinfo));
	    uriTokens.push('@');
	  }

	  if (component.host !== undefined) {
	    let host = component.host;
	    if (!isIPv4(host)) {
	      let ipV6res = normalizeIPv6(host);
	      if (ipV6res.isIPV6 !== true && ipV6res.isIPVFuture !== true) {
	        // Decode only unreserved bytes, once. In particular, keep %25 encoded
	        // so it cannot introduce a second escape during recomposition.
	        host = normalizePercentEncoding(host, true);
	        ipV6res = normalizeIPv6(host);
	      }
	      if (ipV6res.isIPV6 === true || ipV6res.isIPVFuture === true) {
	        host = `[${ipV6res.escapedHost}]`;
	      } else {
	        host = reescapeHostDelimiters(host, false);
	      }
	    }
	    uriTokens.push(host);
	  }

	  if (typeof component.port === 'number' || typeof component.port === 'string') {
	    const port = String(component.port);
	    if (!isPort(port)) {
	      throw new TypeError('URI port is malformed.')
	    }
	    uriTokens.push(':');
	    uriTokens.push(port);
	  }

	  return uriTokens.length ? uriTokens.join('') : undefined
	}
	utils = {
	  nonSimpleDomain,
	  recomposeAuthority,
	  reescapeHostDelimiters,
	  normalizePercentEncoding,
	  normalizePathEncoding,
	  serializePathEncoding,
	  normalizeQueryFragmentEncoding,
	  encodeUserinfo,
	  encodeQuery,
	  encodeFragment,
	  escapePreservingEscapes,
	  removeDotSegments,
	  removeDotSegmentsRelative,
	  isIPv4,
	  isUUID,
	  normalizeIPv6,
	  stringArrayToHexStripped
	};
	return utils;
}

var schemes;
var hasRequiredSchemes;

function requireSchemes () {
	if (hasRequiredSchemes) return schemes;
	hasRequiredSchemes = 1;

	const { isUUID } = requireUtils();
	const URN_REG = /^([\da-z][\d\-a-z]{0,31}):((?:[\w!$'()*+,\-./:;=@]|%[\da-f]{2})+)$/iu;

	const supportedSchemeNames = /** @type {const} */ (['http', 'https', 'ws',
	  'wss', 'urn', 'urn:uuid']);

	/** @typedef {supportedSchemeNames[number]} SchemeName */

	/**
	 * @param {string} name
	 * @returns {name is SchemeName}
	 */
	function isValidSchemeName (name) {
	  return supportedSchemeNames.indexOf(/** @type {*} */ (name)) !== -1
	}

	/**
	 * @callback SchemeFn
	 * @param {import('../types/index').URIComponent} component
	 * @param {import('../types/index').Options} options
	 * @returns {import('../types/index').URIComponent}
	 */

	/**
	 * @typedef {Object} SchemeHandler
	 * @property {SchemeName} scheme - The scheme name.
	 * @property {boolean} [domainHost] - Indicates if the scheme supports domain hosts.
	 * @property {SchemeFn} parse - Function to parse the URI component for this scheme.
	 * @property {SchemeFn} serialize - Function to serialize the URI component for this scheme.
	 * @property {boolean} [skipNormalize] - Indicates if normalization should be skipped for this scheme.
	 * @property {boolean} [absolutePath] - Indicates if the scheme uses absolute paths.
	 * @property {boolean} [unicodeSupport] - Indicates if the scheme supports Unicode.
	 */

	/**
	 * @param {import('../types/index').URIComponent} wsComponent
	 * @returns {boolean}
	 */
	function wsIsSecure (wsComponent) {
	  if (wsComponent.secure === true) {
	    return true
	  } else if (wsComponent.secure === false) {
	    return false
	  } else if (wsComponent.scheme) {
	    return (
	      wsComponent.scheme.length === 3 &&
	      (wsComponent.scheme[0] === 'w' || wsComponent.scheme[0] === 'W') &&
	      (wsComponent.scheme[1] === 's' || wsComponent.scheme[1] === 'S') &&
	      (wsComponent.scheme[2] === 's' || wsComponent.scheme[2] === 'S')
	    )
	  } else {
	    return false
	  }
	}

	/** @type {SchemeFn} */
	function httpParse (component) {
	  if (!component.host) {
	    component.error = component.error || 'HTTP URIs must have a host.';
	  }

	  return component
	}

	/** @type {SchemeFn} */
	function httpSerialize (component) {
	  const secure = String(component.scheme).toLowerCase() === 'https';

	  // normalize the default port
	  if (component.port === (secure ? 443 : 80) || component.port === '') {
	    component.port = undefined;
	  }

	  // normalize the empty path
	  if (!component.path) {
	    component.path = '/';
	  }

	  // NOTE: We do not parse query strings for HTTP URIs
	  // as WWW Form Url Encoded query strings are part of the HTML4+ spec,
	  // and not the HTTP spec.

	  return component
	}

	/** @type {SchemeFn} */
	function wsParse (wsComponent) {
	// indicate if the secure flag is set
	  wsComponent.secure = wsIsSecure(wsComponent);

	  // construct resouce name
	  wsComponent.resourceName = (wsComponent.path || '/') + (wsComponent.query ? '?' + wsComponent.query : '');
	  wsComponent.path = undefined;
	  wsComponent.query = undefined;

	  return wsComponent
	}

	/** @type {SchemeFn} */
	function wsSerialize (wsComponent) {
	// normalize the default port
	  if (wsComponent.port === (wsIsSecure(wsComponent) ? 443 : 80) || wsComponent.port === '') {
	    wsComponent.port = undefined;
	  }

	  // ensure scheme matches secure flag
	  if (typeof wsComponent.secure === 'boolean') {
	    wsComponent.scheme = (wsComponent.secure ? 'wss' : 'ws');
	    wsComponent.secure = undefined;
	  }

	  // reconstruct path from resource name
	  if (wsComponent.resourceName) {
	    const queryIndex = wsComponent.resourceName.indexOf('?');
	    const path = queryIndex === -1
	      ? wsComponent.resourceName
	      : wsComponent.resourceName.slice(0, queryIndex);
	    wsComponent.path = (path && path !== '/' ? path : undefined);
	    wsComponent.query = queryIndex === -1
	      ? undefined
	      : wsComponent.resourceName.slice(queryIndex + 1);
	    wsComponent.resourceName = undefined;
	  }

	  // forbid fragment component
	  wsComponent.fragment = undefined;

	  return wsComponent
	}

	/** @type {SchemeFn} */
	function urnParse (urnComponent, options) {
	  if (!urnComponent.path) {
	    urnComponent.error = 'URN can not be parsed';
	    return urnComponent
	  }
	  const matches = urnComponent.path.match(URN_REG);
	  if (matches && matches[0] === urnComponent.path) {
	    const scheme = options.scheme || urnComponent.scheme || 'urn';
	    urnComponent.nid = matches[1].toLowerCase();
	    urnComponent.nss = matches[2];
	    const urnScheme = `${scheme}:${options.nid || urnComponent.nid}`;
	    const schemeHandler = getSchemeHandler(urnScheme);
	    urnComponent.path = undefined;

	    if (schemeHandler) {
	      urnComponent = schemeHandler.parse(urnComponent, options);
	    }
	  } else {
	    urnComponent.error = urnComponent.error || 'URN can not be parsed.';
	  }

	  return urnComponent
	}

	/** @type {SchemeFn} */
	function urnSerialize (urnComponent, options) {
	  if (urnComponent.nid === undefined) {
	    throw new Error('URN without nid cannot be serialized')
	  }
	  const scheme = options.scheme || urnComponent.scheme || 'urn';
	  const nid = urnComponent.nid.toLowerCase();
	  const urnScheme = `${scheme}:${options.nid || nid}`;
	  const schemeHandler = getSchemeHandler(urnScheme);

	  if (schemeHandler) {
	    urnComponent = schemeHandler.serialize(urnComponent, options);
	  }

	  const uriComponent = urnComponent;
	  const nss = urnComponent.nss;
	  uriComponent.path = `${nid || options.nid}:${nss}`;

	  options.skipEscape = true;
	  return uriComponent
	}

	/** @type {SchemeFn} */
	function urnuuidParse (urnComponent, options) {
	  const uuidComponent = urnComponent;
	  uuidComponent.uuid = uuidComponent.nss;
	  uuidComponent.nss = undefined;

	  if (!options.tolerant && (!uuidComponent.uuid || !isUUID(uuidComponent.uuid))) {
	    uuidComponent.error = uuidComponent.error || 'UUID is not valid.';
	  }

	  return uuidComponent
	}

	/** @type {SchemeFn} */
	function urnuuidSerialize (uuidComponent) {
	  const urnComponent = uuidComponent;
	  // normalize UUID
	  urnComponent.nss = (uuidComponent.uuid || '').toLowerCase();
	  return urnComponent
	}

	const http = /** @type {SchemeHandler} */ ({
	  scheme: 'http',
	  domainHost: true,
	  parse: httpParse,
	  serialize: httpSerialize
	});

	const https = /** @type {SchemeHandler} */ ({
	  scheme: 'https',
	  domainHost: http.domainHost,
	  parse: httpParse,
	  serialize: httpSerialize
	});

	const ws = /** @type {SchemeHandler} */ ({
	  scheme: 'ws',
	  domainHost: true,
	  parse: wsParse,
	  serialize: wsSerialize
	});

	const wss = /** @type {SchemeHandler} */ ({
	  scheme: 'wss',
	  domainHost: ws.domainHost,
	  parse: ws.parse,
	  serialize: ws.serialize
	});

	const urn = /** @type {SchemeHandler} */ ({
	  scheme: 'urn',
	  parse: urnParse,
	  serialize: urnSerialize,
	  skipNormalize: true
	});

	const urnuuid = /** @type {SchemeHandler} */ ({
	  scheme: 'urn:uuid',
	  parse: urnuuidParse,
	  serialize: urnuuidSerialize,
	  skipNormalize: true
	});

	const SCHEMES = /** @type {Record<SchemeName, SchemeHandler>} */ ({
	  http,
	  https,
	  ws,
	  wss,
	  urn,
	  'urn:uuid': urnuuid
	});

	Object.setPrototypeOf(SCHEMES, null);

	/**
	 * @param {string|undefined} scheme
	 * @returns {SchemeHandler|undefined}
	 */
	function getSchemeHandler (scheme) {
	  return (
	    scheme && (
	      SCHEMES[/** @type {SchemeName} */ (scheme)] ||
	      SCHEMES[/** @type {SchemeName} */(scheme.toLowerCase())])
	  ) ||
	    undefined
	}

	schemes = {
	  wsIsSecure,
	  SCHEMES,
	  isValidSchemeName,
	  getSchemeHandler,
	};
	return schemes;
}

var hasRequiredFastUri;

function requireFastUri () {
	if (hasRequiredFastUri) return fastUri.exports;
	hasRequiredFastUri = 1;

	const { normalizeIPv6, removeDotSegments, removeDotSegmentsRelative, recomposeAuthority, normalizePercentEncoding, normalizePathEncoding, serializePathEncoding, normalizeQueryFragmentEncoding, encodeQuery, encodeFragment, reescapeHostDelimiters, isIPv4, nonSimpleDomain } = requireUtils();
	const { SCHEMES, getSchemeHandler } = requireSchemes();

	const VALID_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/u;
	const MALFORMED_SCHEME_ERROR = 'URI scheme is malformed.';
	const MALFORMED_HOST_ERROR = 'URI host is malformed.';
	// ASCII characters outside the RFC 3986 reg-name set (unreserved, sub-delims
	// and "%" for pct-encoded): C0 controls, space, DEL, and "#/:<>?@[\]^`{|}.
	const FORBIDDEN_DOMAIN_HOST_CHARACTER = /[\0-\x20"#/:<>?@[\\\]^`{|}\x7F]/u;

	/**
	 * RFC 3986 section 3.1 does not allow percent-encoding in a scheme, so the
	 * scheme is validated as-is and never decoded. Decoding would let inert input
	 * such as `%6Aavascript:` become a live `javascript:` scheme.
	 *
	 * @param {string} scheme
	 * @returns {string}
	 */
	function validateScheme (scheme) {
	  const stringScheme = String(scheme);
	  if (!VALID_SCHEME.test(stringScheme)) {
	    throw new TypeError(MALFORMED_SCHEME_ERROR)
	  }
	  return stringScheme
	}

	/**
	 * @template {import('./types/index').URIComponent|string} T
	 * @param {T} uri
	 * @param {import('./types/index').Options} [options]
	 * @returns {T}
	 */
	function normalize (uri, options) {
	  if (typeof uri === 'string') {
	    uri = /** @type {T} */ (normalizeString(uri, options));
	  } else if (typeof uri === 'object') {
	    uri = /** @type {T} */ (parse(serialize(uri, options), options));
	  }
	  return uri
	}

	/**
	 * @param {string} baseURI
	 * @param {string} relativeURI
	 * @param {import('./types/index').Options} [options]
	 * @returns {string}
	 */
	function resolve (baseURI, relativeURI, options) {
	  const schemelessOptions = options ? Object.assign({ scheme: 'null' }, options) : { scheme: 'null' };
	  const {
	    parsed: baseParsed,
	    malformedAuthorityOrPort: baseMalformed,
	    malformedPercentEncoding: baseMalformedPercentEncoding,
	    malformedSchemeSpecific: baseMalformedSchemeSpecific,
	    malformedHost: baseMalformedHost,
	    malformedScheme: baseMalformedScheme
	  } = parseWithStatus(baseURI, schemelessOptions);
	  const {
	    parsed: relativeParsed,
	    malformedAuthorityOrPort: relativeMalformed,
	    malformedPercentEncoding: relativeMalformedPercentEncoding,
	    malformedSchemeSpecific: relativeMalformedSchemeSpecific,
	    malformedHost: relativeMalformedHost,
	    malformedScheme: relativeMalformedScheme
	  } = parseWithStatus(relativeURI, schemelessOptions);
	  if (
	    baseMalformed ||
	    relativeMalformed ||
	    baseMalformedPercentEncoding ||
	    relativeMalformedPercentEncoding ||
	    baseMalformedSchemeSpecific ||
	    relativeMalformedSchemeSpecific ||
	    baseMalformedHost ||
	    relativeMalformedHost ||
	    baseMalformedScheme ||
	    relativeMalformedScheme
	  ) {
	    throw new Error(baseParsed.error || relativeParsed.error || 'URI is malformed.')
	  }
	  const resolved = resolveComponent(baseParsed, relativeParsed, schemelessOptions, true);
	  const resolvedSchemeHandler = getSchemeHandler((options && options.scheme) || resolved.scheme);
	  const resolvedHost = resolved.host;
	  const resolvedHostIsIP = resolvedHost !== undefined && resolvedHost !== '' &&
	    (isIPv4(resolvedHost) || normalizeIPv6(resolvedHost).isIPV6);
	  // Inputs are parsed scheme-neutrally, so delimiters and controls in a domain
	  // host are only detected here, once the final scheme is known. They always
	  // fail closed, including in percent-encoded hosts.
	  if (hasForbiddenDomainHost(resolved, options || {}, resolvedSchemeHandler, resolvedHostIsIP)) {
	    throw new Error(MALFORMED_HOST_ERROR)
	  }
	  canonicalizeHost(resolved, options || {}, resolvedSchemeHandler, resolvedHostIsIP);
	  // Percent escapes in an ASCII reg-name are encoded data. The WHATWG hostname
	  // parser can reject them even though fast-uri preserves them safely as RFC
	  // 3986 data. A raw non-ASCII host must still fail closed if conversion fails.
	  const encodedASCIIHost = resolvedHost && resolvedHost.indexOf('%') !== -1 &&
	    !/\P{ASCII}/u.test(resolvedHost);
	  if (resolved.error && !encodedASCIIHost) {
	    throw new Error(resolved.error)
	  }
	  schemelessOptions.skipEscape = true;
	  return serialize(resolved, schemelessOptions)
	}

	/**
	 * @param {import ('./types/index').URIComponent} base
	 * @param {import ('./types/index').URIComponent} relative
	 * @param {import('./types/index').Options} [options]
	 * @param {boolean} [skipNormalization=false]
	 * @returns {import ('./types/index').URIComponent}
	 */
	function resolveComponent (base, relative, options, skipNormalization) {
	  /** @type {import('./types/index').URIComponent} */
	  const target = {};
	  if (!skipNormalization) {
	    base = parse(serialize(base, options), options); // normalize base component
	    relative = parse(serialize(relative, options), options); // normalize relative component
	  }
	  options = options || {};

	  if (!options.tolerant && relative.scheme) {
	    target.scheme = relative.scheme;
	    // target.authority = relative.authority;
	    target.userinfo = relative.userinfo;
	    target.host = relative.host;
	    target.port = relative.port;
	    target.path = removeDotSegments(relative.path || '');
	    target.query = relative.query;
	  } else {
	    if (relative.userinfo !== undefined || relative.host !== undefined || relative.port !== undefined) {
	      // target.authority = relative.authority;
	      target.userinfo = relative.userinfo;
	      target.host = relative.host;
	      target.port = relative.port;
	      target.path = removeDotSegments(relative.path || '');
	      target.query = relative.query;
	    } else {
	      if (!relative.path) {
	        target.path = base.path;
	        if (relative.query !== undefined) {
	          target.query = relative.query;
	        } else {
	          target.query = base.query;
	        }
	      } else {
	        if (relative.path[0] === '/') {
	          target.path = removeDotSegments(relative.path);
	        } else {
	          const baseHasAuthority = base.userinfo !== undefined || base.host !== undefined || base.port !== undefined;
	          if (baseHasAuthority && !base.path) {
	            target.path = '/' + relative.path;
	          } else if (!base.path) {
	            target.path = relative.path;
	          } else {
	            target.path = base.path.slice(0, base.path.lastIndexOf('/') + 1) + relative.path;
	          }
	          target.path = base.scheme === undefined && !baseHasAuthority && target.path[0] !== '/'
	            ? removeDotSegmentsRelative(target.path)
	            : removeDotSegments(target.path);
	        }
	        target.query = relative.query;
	      }
	      // target.authority = base.authority;
	      target.userinfo = base.userinfo;
	      target.host = base.host;
	      target.port = base.port;
	    }
	    target.scheme = base.scheme;
	  }

	  target.fragment = relative.fragment;

	  return target
	}

	/**
	 * @param {import ('./types/index').URIComponent|string} uriA
	 * @param {import ('./types/index').URIComponent|string} uriB
	 * @param {import ('./types/index').Options} options
	 * @returns {boolean}
	 */
	function equal (uriA, uriB, options) {
	  const normalizedA = normalizeComparableURI(uriA, options);
	  const normalizedB = normalizeComparableURI(uriB, options);

	  return normalizedA !== undefined && normalizedB !== undefined && normalizedA === normalizedB
	}

	/**
	 * @param {Readonly<import('./types/index').URIComponent>} cmpts
	 * @param {import('./types/index').Options} [opts]
	 * @returns {string}
	 */
	function serialize (cmpts, opts) {
	  const component = {
	    host: cmpts.host,
	    scheme: cmpts.scheme,
	    userinfo: cmpts.userinfo,
	    port: cmpts.port,
	    path: cmpts.path,
	    query: cmpts.query,
	    nid: cmpts.nid,
	    nss: cmpts.nss,
	    uuid: cmpts.uuid,
	    fragment: cmpts.fragment,
	    reference: cmpts.reference,
	    resourceName: cmpts.resourceName,
	    secure: cmpts.secure,
	    error: ''
	  };
	  const options = Object.assign({}, opts);
	  const uriTokens = [];

	  if (component.scheme) {
	    component.scheme = validateScheme(component.scheme);
	  }

	  // find scheme handler
	  const schemeHandler = getSchemeHandler(options.scheme || component.scheme);

	  // perform scheme specific serialization
	  if (schemeHandler && schemeHandler.serialize) schemeHandler.serialize(component, options);

	  const hasAuthority = component.userinfo !== undefined || component.host !== undefined || component.port !== undefined;
	  // A reference with no emitted scheme is path-noscheme: a bare ':' in its
	  // first path segment would reparse as a scheme (RFC 3986 3.3/4.2). Enforced
	  // under skipEscape too (resolve()), so the reapply below gates on this flag.
	  const schemelessReference = (component.scheme === undefined || options.reference === 'suffix') && !hasAuthority;
	  const pathNoScheme = !options.skipEscape && schemelessReference;

	  if (component.path !== undefined) {
	    if (!options.skipEscape) {
	      component.path = serializePathEncoding(component.path, pathNoScheme);
	    } else {
	      component.path = normalizePercentEncoding(component.path);
	    }
	  }

	  if (options.reference !== 'suffix' && component.scheme) {
	    // Scheme handlers may replace the scheme during serialization.
	    component.scheme = validateScheme(component.scheme);
	    uriTokens.push(component.scheme, ':');
	  }

	  const authority = recomposeAuthority(component);
	  if (authority !== undefined) {
	    if (options.reference !== 'suffix') {
	      uriTokens.push('//');
	    }

	    uriTokens.push(authority);

	    if (component.path && component.path[0] !== '/') {
	      uriTokens.push('/');
	    }
	  }
	  if (component.path !== undefined) {
	    let s = component.path;

	    if (!options.absolutePath && (!schemeHandler || !schemeHandler.absolutePath)) {
	      // A relative-path reference keeps its unresolvable leading ".." segments
	      // and must never become root-relative (RFC 3986 section 5.2.4 applies to
	      // merged target paths, not to the reference itself).
	      s = schemelessReference && s[0] !== '/'
	        ? removeDotSegmentsRelative(s)
	        : removeDotSegments(s);
	    }

	    // Dot-segment removal can expose a colon that was not originally in the
	    // first segment (for example, "./a:b"). Reapply path-noscheme encoding so
	    // the serialized relative reference cannot be reparsed as a URI scheme.
	    if (schemelessReference) {
	      s = serializePathEncoding(s, true);
	    }

	    if (
	      authority === undefined &&
	      s[0] === '/' &&
	      s[1] === '/'
	    ) {
	      // don't allow the path to start with "//"
	      s = '/%2F' + s.slice(2);
	    }

	    uriTokens.push(s);
	  }

	  if (component.query !== undefined) {
	    uriTokens.push('?', encodeQuery(component.query));
	  }

	  if (component.fragment !== undefined) {
	    uriTokens.push('#', encodeFragment(component.fragment));
	  }
	  return uriTokens.join('')
	}

	const URI_PARSE = /^(?:([^#/:?]+):)?(?:\/\/((?:([^#/?@]*)@)?(\[[^#/?\]]+\]|[^#/:?]*)(?::(\d*))?))?([^#?]*)(?:\?([^#]*))?(?:#((?:.|[\n\r])*))?/u;

	// Captures the authority component (between "//" and the next "/", "?" or "#"),
	// with or without a scheme prefix, for the literal-backslash rejection below.
	const AUTHORITY_PREFIX = /^(?:[^#/:?]+:)?\/\/([^/?#]*)/;

	// Captures the leading authority-introducer region after an optional scheme: a
	// run of forward slashes, backslashes, and the characters the WHATWG URL parser
	// removes before parsing (TAB U+0009, LF U+000A, CR U+000D). A valid introducer
	// is exactly "//". Node treats "\" as "/" on special schemes and strips those
	// characters first, so forms like "\\", "/\", "\/", "/<TAB>/", or a leading
	// "<TAB>//" reach an authority in Node while fast-uri's URI_PARSE folds them into
	// the path group (host confusion / SSRF / redirect bypass).
	const AUTHORITY_INTRODUCER_REGION = /^(?:[^#/:?]+:)?([/\\\t\n\r]*)/;

	/**
	 * @param {import('./types/index').URIComponent} parsed
	 * @param {RegExpMatchArray} matches
	 * @returns {string|undefined}
	 */
	function getParseError (parsed, matches) {
	  if (matches[2] !== undefined && parsed.path && parsed.path[0] !== '/') {
	    return 'URI path must start with "/" when authority is present.'
	  }

	  if (typeof parsed.port === 'number' && (parsed.port < 0 || parsed.port > 65535)) {
	    return 'URI port is malformed.'
	  }

	  return undefined
	}

	/**
	 * Checks percent syntax without decoding the represented octets. RFC 3986
	 * percent-encoding is byte-oriented, so sequences such as `%FF` are valid even
	 * though they are not independently valid UTF-8.
	 *
	 * @param {string|undefined} component
	 * @returns {boolean}
	 */
	function hasMalformedPercentEncoding (component) {
	  if (component === undefined) return false

	  let percent = component.indexOf('%');
	  while (percent !== -1) {
	    if (percent + 2 >= component.length || !/^[\da-f]{2}$/iu.test(component.slice(percent + 1, percent + 3))) {
	      return true
	    }
	    percent = component.indexOf('%', percent + 3);
	  }

	  return false
	}

	/**
	 * Whether the host is a bracketed IP literal (RFC 3986 `IP-literal`).
	 * An unterminated `[` is not a literal, so it must still be validated as a
	 * reg-name instead of being waved through as an IP.
	 *
	 * @param {string} host
	 * @returns {boolean}
	 */
	function isIPLiteral (host) {
	  return host[0] === '[' && host[host.length - 1] === ']'
	}

	/**
	 * @param {RegExpMatchArray} matches
	 * @returns {boolean}
	 */
	function hasMalformedComponentPercentEncoding (matches) {
	  // Bracketed IP literals use a raw "%" as the zone separator for historical
	  // compatibility. Their parsing is intentionally left to normalizeIPv6.
	  const host = matches[4];
	  return hasMalformedPercentEncoding(matches[3]) ||
	    (host !== undefined && !isIPLiteral(host) && hasMalformedPercentEncoding(host)) ||
	    hasMalformedPercentEncoding(matches[6]) ||
	    hasMalformedPercentEncoding(matches[7]) ||
	    hasMalformedPercentEncoding(matches[8])
	}

	/**
	 * @param {import('./types/index').URIComponent} parsed
	 * @param {import('./types/index').Options} options
	 * @param {{ domainHost?: boolean, unicodeSupport?: boolean }|undefined} schemeHandler
	 * @param {boolean} isIP
	 * @returns {boolean} whether host conversion failed
	 */
	function canonicalizeHost (parsed, options, schemeHandler, isIP) {
	  if (hasForbiddenDomainHost(parsed, options, schemeHandler, isIP)) {
	    parsed.error = parsed.error || MALFORMED_HOST_ERROR;
	    return true
	  }

	  if (
	    !options.unicodeSupport &&
	    (!schemeHandler || !schemeHandler.unicodeSupport) &&
	    parsed.host &&
	    !isIPLiteral(parsed.host) &&
	    (options.domainHost || (schemeHandler && schemeHandler.domainHost)) &&
	    isIP === false &&
	    nonSimpleDomain(parsed.host)
	  ) {
	    let url;
	    try {
	      url = new URL('http://' + parsed.host);
	    } catch (e) {
	      parsed.error = parsed.error || "Host's domain name can not be converted to ASCII: " + e;
	      return true
	    }
	    // The WHATWG parser must have read the whole input as a host. Anything
	    // else means it found a delimiter fast-uri did not, so its hostname would
	    // describe a different authority.
	    if (!isHostOnlyURL(url)) {
	      parsed.error = parsed.error || MALFORMED_HOST_ERROR;
	      return true
	    }
	    parsed.host = url.hostname;
	  }
	  return false
	}

	/**
	 * Whether a domain host contains an ASCII character that RFC 3986 does not
	 * allow in a reg-name (unreserved, sub-delims, or pct-encoded). Such a host is
	 * rejected instead of being handed to the WHATWG URL parser, which would treat
	 * "@" as a userinfo delimiter (silently dropping the data before it) and strip
	 * TAB, LF, and CR. Non-ASCII characters remain allowed for IDNs.
	 *
	 * @param {import('./types/index').URIComponent} parsed
	 * @param {import('./types/index').Options} options
	 * @param {{ domainHost?: boolean }|undefined} schemeHandler
	 * @param {boolean} isIP
	 * @returns {boolean}
	 */
	function hasForbiddenDomainHost (parsed, options, schemeHandler, isIP) {
	  return Boolean(
	    parsed.host &&
	    isIP === false &&
	    !isIPLiteral(parsed.host) &&
	    (options.domainHost || (schemeHandler && schemeHandler.domainHost)) &&
	    FORBIDDEN_DOMAIN_HOST_CHARACTER.test(parsed.host)
	  )
	}

	/**
	 * @param {URL} url
	 * @returns {boolean}
	 */
	function isHostOnlyURL (url) {
	  return url.username === '' &&
	    url.password === '' &&
	    url.port === '' &&
	    url.pathname === '/' &&
	    url.search === '' &&
	    url.hash === '' &&
	    url.hostname !== ''
	}

	/**
	 * @param {string} uri
	 * @param {import('./types/index').Options} [opts]
	 * @returns {{ parsed: import('./types/index').URIComponent, malformedAuthorityOrPort: boolean, malformedPercentEncoding: boolean, malformedSchemeSpecific: boolean, malformedHost: boolean, malformedScheme: boolean }}
	 */
	function parseWithStatus (uri, opts) {
	  const options = Object.assign({}, opts);
	  /** @type {import('./types/index').URIComponent} */
	  const parsed = {
	    scheme: undefined,
	    userinfo: undefined,
	    host: '',
	    port: undefined,
	    path: '',
	    query: undefined,
	    fragment: undefined
	  };

	  let malformedAuthorityOrPort = false;
	  let malformedPercentEncoding = false;
	  let malformedSchemeSpecific = false;
	  let malformedHost = false;
	  let malformedIPLiteral = false;
	  let malformedScheme = false;

	  let isIP = false;
	  if (options.reference === 'suffix') {
	    if (options.scheme) {
	      uri = options.scheme + ':' + uri;
	    } else {
	      uri = '//' + uri;
	    }
	  }

	  // A literal backslash (U+005C) is not a valid RFC 3986 URI character and is
	  // not an authority delimiter. Reject it in the authority rather than
	  // rewriting it: normalizing "\" -> "/" (WHATWG error recovery) could silently
	  // change the resource identified by an otherwise-invalid input, and lets "\"
	  // act as a host delimiter here while Node's native URL parses a different
	  // host (SSRF / redirect / origin-allowlist bypass). Percent-encoded %5C is
	  // untouched and remains valid encoded data.
	  const authorityMatch = uri.match(AUTHORITY_PREFIX);
	  if (authorityMatch !== null && authorityMatch[1].indexOf('\\') !== -1) {
	    parsed.error = 'URI authority must not contain a literal backslash.';
	    malformedAuthorityOrPort = true;
	  }

	  // Reject a malformed or whitespace-smuggled authority introducer. fast-uri
	  // only recognizes a literal "//"; anything else in the leading separator run
	  // (a backslash, or a "//" that appears only after removing the TAB/LF/CR that
	  // Node strips) means the authority fast-uri parses differs from the one Node's
	  // URL resolves. Reject rather than rewrite, mirroring the literal-backslash
	  // guard above. Percent-encoded forms (%5C, %09) are untouched, valid data.
	  const introducerMatch = uri.match(AUTHORITY_INTRODUCER_REGION);
	  if (introducerMatch !== null) {
	    const region = introducerMatch[1];
	    const normalizedRegion = region.replace(/[\t\n\r]/g, '');
	    // Two or more leading separators introduce an authority.
	    if (normalizedRegion.length >= 2) {
	      if (normalizedRegion.slice(0, 2) !== '//') {
	        parsed.error = parsed.error || 'URI authority must not contain a literal backslash.';
	        malformedAuthorityOrPort = true;
	      } else if (region.length !== normalizedRegion.length) {
	        parsed.error = parsed.error || 'URI authority introducer must not contain whitespace.';
	        malformedAuthorityOrPort = true;
	      }
	    }
	  }

	  const matches = uri.match(URI_PARSE);

	  if (matches) {
	    // store each component
	    parsed.scheme = matches[1];
	    parsed.userinfo = matches[3];
	    parsed.host = matches[4];
	    parsed.port = parseInt(matches[5], 10);
	    parsed.path = matches[6] || '';
	    parsed.query = matches[7];
	    parsed.fragment = matches[8];

	    if (parsed.scheme !== undefined) {
	      if (VALID_SCHEME.test(parsed.scheme)) {
	        parsed.scheme = parsed.scheme.toLowerCase();
	      } else {
	        parsed.error = parsed.error || MALFORMED_SCHEME_ERROR;
	        malformedScheme = true;
	      }
	    }

	    malformedPercentEncoding = hasMalformedComponentPercentEncoding(matches);
	    if (malformedPercentEncoding) {
	      parsed.error = parsed.error || 'URI contains malformed percent-encoding.';
	    }

	    // fix port number
	    if (isNaN(parsed.port)) {
	      parsed.port = matches[5];
	    }

	    const parseError = getParseError(parsed, matches);
	    if (parseError !== undefined) {
	      parsed.error = parsed.error || parseError;
	      malformedAuthorityOrPort = true;
	    }

	    if (parsed.host) {
	      const ipv4result = isIPv4(parsed.host);
	      if (ipv4result === false) {
	        const bracketedIPLiteral = isIPLiteral(parsed.host);
	        const hasIPLiteralBracket = parsed.host.indexOf('[') !== -1 || parsed.host.indexOf(']') !== -1;
	        const ipv6result = normalizeIPv6(parsed.host);
	        isIP = ipv6result.isIPV6 || ipv6result.isIPVFuture === true;
	        malformedIPLiteral = hasIPLiteralBracket && (!bracketedIPLiteral || ipv6result.error === true);
	        parsed.host = isIP ? ipv6result.host : ipv6result.host.toLowerCase();

	        if (malformedIPLiteral) {
	          parsed.error = parsed.error || MALFORMED_HOST_ERROR;
	          malformedAuthorityOrPort = true;
	        }
	      } else {
	        isIP = true;
	      }
	    }
	    if (parsed.scheme === undefined && parsed.userinfo === undefined && parsed.host === undefined && parsed.port === undefined && parsed.query === undefined && !parsed.path) {
	      parsed.reference = 'same-document';
	    } else if (parsed.scheme === undefined) {
	      parsed.reference = 'relative';
	    } else if (parsed.fragment === undefined) {
	      parsed.reference = 'absolute';
	    } else {
	      parsed.reference = 'uri';
	    }

	    // check for reference errors
	    if (options.reference && options.reference !== 'suffix' && options.reference !== parsed.reference) {
	      parsed.error = parsed.error || 'URI is not a ' + options.reference + ' reference.';
	    }

	    // find scheme handler
	    const schemeHandler = getSchemeHandler(options.scheme || parsed.scheme);

	    // convert Unicode IDN -> ASCII IDN when the effective scheme uses domain hosts
	    if (!malformedIPLiteral) {
	      malformedHost = canonicalizeHost(parsed, options, schemeHandler, isIP);
	    }

	    if (uri.indexOf('%') !== -1 && parsed.host !== undefined && !malformedIPLiteral) {
	      let host = isIP ? parsed.host : normalizePercentEncoding(parsed.host, true);
	      if (!isIP) {
	        // Fold reg-name case after decoding unreserved octets. The second
	        // pass only restores uppercase hex in escapes that remain encoded.
	        host = normalizePercentEncoding(host.toLowerCase());
	      }
	      // Resolution parses both inputs with the internal `null` scheme before
	      // the effective scheme is known. Keep raw host delimiters for that step
	      // so resolve() can reject them for domain-host schemes; the resolved
	      // authority is encoded when it is serialized.
	      parsed.host = isIP || options.scheme !== 'null' ? reescapeHostDelimiters(host, isIP) : host;
	    }

	    if (!schemeHandler || (schemeHandler && !schemeHandler.skipNormalize)) {
	      if (parsed.path) {
	        parsed.path = normalizePathEncoding(parsed.path);
	      }
	      if (parsed.query) {
	        parsed.query = normalizeQueryFragmentEncoding(parsed.query);
	      }
	      if (parsed.fragment) {
	        parsed.fragment = normalizeQueryFragmentEncoding(parsed.fragment);
	      }
	    }

	    // perform scheme specific parsing
	    if (schemeHandler && schemeHandler.parse) {
	      schemeHandler.parse(parsed, options);
	      if (schemeHandler === SCHEMES.urn && parsed.nid === undefined) {
	        malformedSchemeSpecific = true;
	      }
	    }
	  } else {
	    parsed.error = parsed.error || 'URI can not be parsed.';
	  }
	  return { parsed, malformedAuthorityOrPort, malformedPercentEncoding, malformedSchemeSpecific, malformedHost, malformedScheme }
	}

	/**
	 * @param {string} uri
	 * @param {import('./types/index').Options} [opts]
	 * @returns
	 */
	function parse (uri, opts) {
	  return parseWithStatus(uri, opts).parsed
	}

	/**
	 * @param {string} uri
	 * @param {import('./types/index').Options} [opts]
	 * @returns {string}
	 */
	function normalizeString (uri, opts) {
	  return normalizeStringWithStatus(uri, opts).normalized
	}

	/**
	 * @param {string} uri
	 * @param {import('./types/index').Options} [opts]
	 * @returns {{ normalized: string, malformedAuthorityOrPort: boolean, malformedPercentEncoding: boolean, malformedSchemeSpecific: boolean, malformedHost: boolean, malformedScheme: boolean }}
	 */
	function normalizeStringWithStatus (uri, opts) {
	  const { parsed, malformedAuthorityOrPort, malformedPercentEncoding, malformedSchemeSpecific, malformedHost, malformedScheme } = parseWithStatus(uri, opts);
	  return {
	    normalized: malformedAuthorityOrPort || malformedPercentEncoding || malformedSchemeSpecific || malformedHost || malformedScheme ? uri : serialize(parsed, opts),
	    malformedAuthorityOrPort,
	    malformedPercentEncoding,
	    malformedSchemeSpecific,
	    malformedHost,
	    malformedScheme
	  }
	}

	/**
	 * @param {import ('./types/index').URIComponent|string} uri
	 * @param {import('./types/index').Options} [opts]
	 * @returns {string|undefined}
	 */
	function normalizeComparableURI (uri, opts) {
	  if (typeof uri !== 'string' && typeof uri !== 'object') {
	    return undefined
	  }

	  let value;
	  try {
	    value = typeof uri === 'string' ? uri : serialize(uri, opts);
	  } catch {
	    return undefined
	  }
	  const { normalized, malformedAuthorityOrPort, malformedPercentEncoding, malformedSchemeSpecific, malformedHost, malformedScheme } = normalizeStringWithStatus(value, opts);
	  return malformedAuthorityOrPort || malformedPercentEncoding || malformedSchemeSpecific || malformedHost || malformedScheme ? undefined : normalized
	}

	const fastUri$1 = {
	  SCHEMES,
	  normalize,
	  resolve,
	  resolveComponent,
	  equal,
	  serialize,
	  parse
	};

	fastUri.exports = fastUri$1;
	fastUri.exports.default = fastUri$1;
	fastUri.exports.fastUri = fastUri$1;
	return fastUri.exports;
}

var hasRequiredUri;

function requireUri () {
	if (hasRequiredUri) return uri;
	hasRequiredUri = 1;
	Object.defineProperty(uri, "__esModule", { value: true });
	const uri$1 = requireFastUri();
	uri$1.code = 'require("ajv/dist/runtime/uri").default';
	uri.default = uri$1;
	
	return uri;
}

var hasRequiredCore$1;

function requireCore$1 () {
	if (hasRequiredCore$1) return core$1;
	hasRequiredCore$1 = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.CodeGen = exports.Name = exports.nil = exports.stringify = exports.str = exports._ = exports.KeywordCxt = void 0;
		var validate_1 = /*@__PURE__*/ requireValidate();
		Object.defineProperty(exports, "KeywordCxt", { enumerable: true, get: function () { return validate_1.KeywordCxt; } });
		var codegen_1 = /*@__PURE__*/ requireCodegen();
		Object.defineProperty(exports, "_", { enumerable: true, get: function () { return codegen_1._; } });
		Object.defineProperty(exports, "str", { enumerable: true, get: function () { return codegen_1.str; } });
		Object.defineProperty(exports, "stringify", { enumerable: true, get: function () { return codegen_1.stringify; } });
		Object.defineProperty(exports, "nil", { enumerable: true, get: function () { return codegen_1.nil; } });
		Object.defineProperty(exports, "Name", { enumerable: true, get: function () { return codegen_1.Name; } });
		Object.defineProperty(exports, "CodeGen", { enumerable: true, get: function () { return codegen_1.CodeGen; } });
		const validation_error_1 = /*@__PURE__*/ requireValidation_error();
		const ref_error_1 = /*@__PURE__*/ requireRef_error();
		const rules_1 = /*@__PURE__*/ requireRules();
		const compile_1 = /*@__PURE__*/ requireCompile();
		const codegen_2 = /*@__PURE__*/ requireCodegen();
		const resolve_1 = /*@__PURE__*/ requireResolve();
		const dataType_1 = /*@__PURE__*/ requireDataType();
		const util_1 = /*@__PURE__*/ requireUtil();
		const $dataRefSchema = require$$9;
		const uri_1 = /*@__PURE__*/ requireUri();
		const defaultRegExp = (str, flags) => new RegExp(str, flags);
		defaultRegExp.code = "new RegExp";
		const META_IGNORE_OPTIONS = ["removeAdditional", "useDefaults", "coerceTypes"];
		const EXT_SCOPE_NAMES = new Set([
		    "validate",
		    "serialize",
		    "parse",
		    "wrapper",
		    "root",
		    "schema",
		    "keyword",
		    "pattern",
		    "formats",
		    "validate$data",
		    "func",
		    "obj",
		    "Error",
		]);
		const removedOptions = {
		    errorDataPath: "",
		    format: "`validateFormats: false` can be used instead.",
		    nullable: '"nullable" keyword is supported by default.',
		    jsonPointers: "Deprecated jsPropertySyntax can be used instead.",
		    extendRefs: "Deprecated ignoreKeywordsWithRef can be used instead.",
		    missingRefs: "Pass empty schema with $id that should be ignored to ajv.addSchema.",
		    processCode: "Use option `code: {process: (code, schemaEnv: object) => string}`",
		    sourceCode: "Use option `code: {source: true}`",
		    strictDefaults: "It is default now, see option `strict`.",
		    strictKeywords: "It is default now, see option `strict`.",
		    uniqueItems: '"uniqueItems" keyword is always validated.',
		    unknownFormats: "Disable strict mode or pass `true` to `ajv.addFormat` (or `formats` option).",
		    cache: "Map is used as cache, schema object as key.",
		    serialize: "Map is used as cache, schema object as key.",
		    ajvErrors: "It is default now.",
		};
		const deprecatedOptions = {
		    ignoreKeywordsWithRef: "",
		    jsPropertySyntax: "",
		    unicode: '"minLength"/"maxLength" account for unicode characters by default.',
		};
		const MAX_EXPRESSION = 200;
		// eslint-disable-next-line complexity
		function requiredOptions(o) {
		    var _a, _b, _c, _d, _e, _f, _g, _h, _j, _k, _l, _m, _o, _p, _q, _r, _s, _t, _u, _v, _w, _x, _y, _z, _0;
		    const s = o.strict;
		    const _optz = (_a = o.code) === null || _a === void 0 ? void 0 : _a.optimize;
		    const optimize = _optz === true || _optz === undefined ? 1 : _optz || 0;
		    const regExp = (_c = (_b = o.code) === null || _b === void 0 ? void 0 : _b.regExp) !== null && _c !== void 0 ? _c : defaultRegExp;
		    const uriResolver = (_d = o.uriResolver) !== null && _d !== void 0 ? _d : uri_1.default;
		    return {
		        strictSchema: (_f = (_e = o.strictSchema) !== null && _e !== void 0 ? _e : s) !== null && _f !== void 0 ? _f : true,
		        strictNumbers: (_h = (_g = o.strictNumbers) !== null && _g !== void 0 ? _g : s) !== null && _h !== void 0 ? _h : true,
		        strictTypes: (_k = (_j = o.strictTypes) !== null && _j !== void 0 ? _j : s) !== null && _k !== void 0 ? _k : "log",
		        strictTuples: (_m = (_l = o.strictTuples) !== null && _l !== void 0 ? _l : s) !== null && _m !== void 0 ? _m : "log",
		        strictRequired: (_p = (_o = o.strictRequired) !== null && _o !== void 0 ? _o : s) !== null && _p !== void 0 ? _p : false,
		        code: o.code ? { ...o.code, optimize, regExp } : { optimize, regExp },
		        loopRequired: (_q = o.loopRequired) !== null && _q !== void 0 ? _q : MAX_EXPRESSION,
		        loopEnum: (_r = o.loopEnum) !== null && _r !== void 0 ? _r : MAX_EXPRESSION,
		        meta: (_s = o.meta) !== null && _s !== void 0 ? _s : true,
		        messages: (_t = o.messages) !== null && _t !== void 0 ? _t : true,
		        inlineRefs: (_u = o.inlineRefs) !== null && _u !== void 0 ? _u : true,
		        schemaId: (_v = o.schemaId) !== null && _v !== void 0 ? _v : "$id",
		        addUsedSchema: (_w = o.addUsedSchema) !== null && _w !== void 0 ? _w : true,
		        validateSchema: (_x = o.validateSchema) !== null && _x !== void 0 ? _x : true,
		        validateFormats: (_y = o.validateFormats) !== null && _y !== void 0 ? _y : true,
		        unicodeRegExp: (_z = o.unicodeRegExp) !== null && _z !== void 0 ? _z : true,
		        int32range: (_0 = o.int32range) !== null && _0 !== void 0 ? _0 : true,
		        uriResolver: uriResolver,
		    };
		}
		class Ajv {
		    constructor(opts = {}) {
		        this.schemas = {};
		        this.refs = {};
		        this.formats = Object.create(null);
		        this._compilations = new Set();
		        this._loading = {};
		        this._cache = new Map();
		        opts = this.opts = { ...opts, ...requiredOptions(opts) };
		        const { es5, lines } = this.opts.code;
		        this.scope = new codegen_2.ValueScope({ scope: {}, prefixes: EXT_SCOPE_NAMES, es5, lines });
		        this.logger = getLogger(opts.logger);
		        const formatOpt = opts.validateFormats;
		        opts.validateFormats = false;
		        this.RULES = (0, rules_1.getRules)();
		        checkOptions.call(this, removedOptions, opts, "NOT SUPPORTED");
		        checkOptions.call(this, deprecatedOptions, opts, "DEPRECATED", "warn");
		        this._metaOpts = getMetaSchemaOptions.call(this);
		        if (opts.formats)
		            addInitialFormats.call(this);
		        this._addVocabularies();
		        this._addDefaultMetaSchema();
		        if (opts.keywords)
		            addInitialKeywords.call(this, opts.keywords);
		        if (typeof opts.meta == "object")
		            this.addMetaSchema(opts.meta);
		        addInitialSchemas.call(this);
		        opts.validateFormats = formatOpt;
		    }
		    _addVocabularies() {
		        this.addKeyword("$async");
		    }
		    _addDefaultMetaSchema() {
		        const { $data, meta, schemaId } = this.opts;
		        let _dataRefSchema = $dataRefSchema;
		        if (schemaId === "id") {
		            _dataRefSchema = { ...$dataRefSchema };
		            _dataRefSchema.id = _dataRefSchema.$id;
		            delete _dataRefSchema.$id;
		        }
		        if (meta && $data)
		            this.addMetaSchema(_dataRefSchema, _dataRefSchema[schemaId], false);
		    }
		    defaultMeta() {
		        const { meta, schemaId } = this.opts;
		        return (this.opts.defaultMeta = typeof meta == "object" ? meta[schemaId] || meta : undefined);
		    }
		    validate(schemaKeyRef, // key, ref or schema object
		    // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
		    data // to be validated
		    ) {
		        let v;
		        if (typeof schemaKeyRef == "string") {
		            v = this.getSchema(schemaKeyRef);
		            if (!v)
		                throw new Error(`no schema with key or ref "${schemaKeyRef}"`);
		        }
		        else {
		            v = this.compile(schemaKeyRef);
		        }
		        const valid = v(data);
		        if (!("$async" in v))
		            this.errors = v.errors;
		        return valid;
		    }
		    compile(schema, _meta) {
		        const sch = this._addSchema(schema, _meta);
		        return (sch.validate || this._compileSchemaEnv(sch));
		    }
		    compileAsync(schema, meta) {
		        if (typeof this.opts.loadSchema != "function") {
		            throw new Error("options.loadSchema should be a function");
		        }
		        const { loadSchema } = this.opts;
		        return runCompileAsync.call(this, schema, meta);
		        async function runCompileAsync(_schema, _meta) {
		            await loadMetaSchema.call(this, _schema.$schema);
		            const sch = this._addSchema(_schema, _meta);
		            return sch.validate || _compileAsync.call(this, sch);
		        }
		        async function loadMetaSchema($ref) {
		            if ($ref && !this.getSchema($ref)) {
		                await runCompileAsync.call(this, { $ref }, true);
		            }
		        }
		        async function _compileAsync(sch) {
		            try {
		                return this._compileSchemaEnv(sch);
		            }
		            catch (e) {
		                if (!(e instanceof ref_error_1.default))
		                    throw e;
		                checkLoaded.call(this, e);
		                await loadMissingSchema.call(this, e.missingSchema);
		                return _compileAsync.call(this, sch);
		            }
		        }
		        function checkLoaded({ missingSchema: ref, missingRef }) {
		            if (this.refs[ref]) {
		                throw new Error(`AnySchema ${ref} is loaded but ${missingRef} cannot be resolved`);
		            }
		        }
		        async function loadMissingSchema(ref) {
		            const _schema = await _loadSchema.call(this, ref);
		            if (!this.refs[ref])
		                await loadMetaSchema.call(this, _schema.$schema);
		            if (!this.refs[ref])
		                this.addSchema(_schema, ref, meta);
		        }
		        async function _loadSchema(ref) {
		            const p = this._loading[ref];
		            if (p)
		                return p;
		            try {
		                return await (this._loading[ref] = loadSchema(ref));
		            }
		            finally {
		                delete this._loading[ref];
		            }
		        }
		    }
		    // Adds schema to the instance
		    addSchema(schema, // If array is passed, `key` will be ignored
		    key, // Optional schema key. Can be passed to `validate` method instead of schema object or id/ref. One schema per instance can have empty `id` and `key`.
		    _meta, // true if schema is a meta-schema. Used internally, addMetaSchema should be used instead.
		    _validateSchema = this.opts.validateSchema // false to skip schema validation. Used internally, option validateSchema should be used instead.
		    ) {
		        if (Array.isArray(schema)) {
		            for (const sch of schema)
		                this.addSchema(sch, undefined, _meta, _validateSchema);
		            return this;
		        }
		        let id;
		        if (typeof schema === "object") {
		            const { schemaId } = this.opts;
		            id = schema[schemaId];
		            if (id !== undefined && typeof id != "string") {
		                throw new Error(`schema ${schemaId} must be string`);
		            }
		        }
		        key = (0, resolve_1.normalizeId)(key || id);
		        this._checkUnique(key);
		        this.schemas[key] = this._addSchema(schema, _meta, key, _validateSchema, true);
		        return this;
		    }
		    // Add schema that will be used to validate other schemas
		    // options in META_IGNORE_OPTIONS are alway set to false
		    addMetaSchema(schema, key, // schema key
		    _validateSchema = this.opts.validateSchema // false to skip schema validation, can be used to override validateSchema option for meta-schema
		    ) {
		        this.addSchema(schema, key, true, _validateSchema);
		        return this;
		    }
		    //  Validate schema against its meta-schema
		    validateSchema(schema, throwOrLogError) {
		        if (typeof schema == "boolean")
		            return true;
		        let $schema;
		        $schema = schema.$schema;
		        if ($schema !== undefined && typeof $schema != "string") {
		            throw new Error("$schema must be a string");
		        }
		        $schema = $schema || this.opts.defaultMeta || this.defaultMeta();
		        if (!$schema) {
		            this.logger.warn("meta-schema not available");
		            this.errors = null;
		            return true;
		        }
		        const valid = this.validate($schema, schema);
		        if (!valid && throwOrLogError) {
		            const message = "schema is invalid: " + this.errorsText();
		            if (this.opts.validateSchema === "log")
		                this.logger.error(message);
		            else
		                throw new Error(message);
		        }
		        return valid;
		    }
		    // Get compiled schema by `key` or `ref`.
		    // (`key` that was passed to `addSchema` or full schema reference - `schema.$id` or resolved id)
		    getSchema(keyRef) {
		        let sch;
		        while (typeof (sch = getSchEnv.call(this, keyRef)) == "string")
		            keyRef = sch;
		        if (sch === undefined) {
		            const { schemaId } = this.opts;
		            const root = new compile_1.SchemaEnv({ schema: {}, schemaId });
		            sch = compile_1.resolveSchema.call(this, root, keyRef);
		            if (!sch)
		                return;
		            this.refs[keyRef] = sch;
		        }
		        return (sch.validate || this._compileSchemaEnv(sch));
		    }
		    // Remove cached schema(s).
		    // If no parameter is passed all schemas but meta-schemas are removed.
		    // If RegExp is passed all schemas with key/id matching pattern but meta-schemas are removed.
		    // Even if schema is referenced by other schemas it still can be removed as other schemas have local references.
		    removeSchema(schemaKeyRef) {
		        if (schemaKeyRef instanceof RegExp) {
		            this._removeAllSchemas(this.schemas, schemaKeyRef);
		            this._removeAllSchemas(this.refs, schemaKeyRef);
		            return this;
		        }
		        switch (typeof schemaKeyRef) {
		            case "undefined":
		                this._removeAllSchemas(this.schemas);
		                this._removeAllSchemas(this.refs);
		                this._cache.clear();
		                return this;
		            case "string": {
		                const sch = getSchEnv.call(this, schemaKeyRef);
		                if (typeof sch == "object")
		                    this._cache.delete(sch.schema);
		                delete this.schemas[schemaKeyRef];
		                delete this.refs[schemaKeyRef];
		                return this;
		            }
		            case "object": {
		                const cacheKey = schemaKeyRef;
		                this._cache.delete(cacheKey);
		                let id = schemaKeyRef[this.opts.schemaId];
		                if (id) {
		                    id = (0, resolve_1.normalizeId)(id);
		                    delete this.schemas[id];
		                    delete this.refs[id];
		                }
		                return this;
		            }
		            default:
		                throw new Error("ajv.removeSchema: invalid parameter");
		        }
		    }
		    // add "vocabulary" - a collection of keywords
		    addVocabulary(definitions) {
		        for (const def of definitions)
		            this.addKeyword(def);
		        return this;
		    }
		    addKeyword(kwdOrDef, def // deprecated
		    ) {
		        let keyword;
		        if (typeof kwdOrDef == "string") {
		            keyword = kwdOrDef;
		            if (typeof def == "object") {
		                this.logger.warn("these parameters are deprecated, see docs for addKeyword");
		                def.keyword = keyword;
		            }
		        }
		        else if (typeof kwdOrDef == "object" && def === undefined) {
		            def = kwdOrDef;
		            keyword = def.keyword;
		            if (Array.isArray(keyword) && !keyword.length) {
		                throw new Error("addKeywords: keyword must be string or non-empty array");
		            }
		        }
		        else {
		            throw new Error("invalid addKeywords parameters");
		        }
		        checkKeyword.call(this, keyword, def);
		        if (!def) {
		            (0, util_1.eachItem)(keyword, (kwd) => addRule.call(this, kwd));
		            return this;
		        }
		        keywordMetaschema.call(this, def);
		        const definition = {
		            ...def,
		            type: (0, dataType_1.getJSONTypes)(def.type),
		            schemaType: (0, dataType_1.getJSONTypes)(def.schemaType),
		        };
		        (0, util_1.eachItem)(keyword, definition.type.length === 0
		            ? (k) => addRule.call(this, k, definition)
		            : (k) => definition.type.forEach((t) => addRule.call(this, k, definition, t)));
		        return this;
		    }
		    getKeyword(keyword) {
		        const rule = this.RULES.all[keyword];
		        return typeof rule == "object" ? rule.definition : !!rule;
		    }
		    // Remove keyword
		    removeKeyword(keyword) {
		        // TODO return type should be Ajv
		        const { RULES } = this;
		        delete RULES.keywords[keyword];
		        delete RULES.all[keyword];
		        for (const group of RULES.rules) {
		            const i = group.rules.findIndex((rule) => rule.keyword === keyword);
		            if (i >= 0)
		                group.rules.splice(i, 1);
		        }
		        return this;
		    }
		    // Add format
		    addFormat(name, format) {
		        if (typeof format == "string")
		            format = new RegExp(format);
		        this.formats[name] = format;
		        return this;
		    }
		    errorsText(errors = this.errors, // optional array of validation errors
		    { separator = ", ", dataVar = "data" } = {} // optional options with properties `separator` and `dataVar`
		    ) {
		        if (!errors || errors.length === 0)
		            return "No errors";
		        return errors
		            .map((e) => `${dataVar}${e.instancePath} ${e.message}`)
		            .reduce((text, msg) => text + separator + msg);
		    }
		    $dataMetaSchema(metaSchema, keywordsJsonPointers) {
		        const rules = this.RULES.all;
		        metaSchema = JSON.parse(JSON.stringify(metaSchema));
		        for (const jsonPointer of keywordsJsonPointers) {
		            const segments = jsonPointer.split("/").slice(1); // first segment is an empty string
		            let keywords = metaSchema;
		            for (const seg of segments)
		                keywords = keywords[seg];
		            for (const key in rules) {
		                const rule = rules[key];
		                if (typeof rule != "object")
		                    continue;
		                const { $data } = rule.definition;
		                const schema = keywords[key];
		                if ($data && schema)
		                    keywords[key] = schemaOrData(schema);
		            }
		        }
		        return metaSchema;
		    }
		    _removeAllSchemas(schemas, regex) {
		        for (const keyRef in schemas) {
		            const sch = schemas[keyRef];
		            if (!regex || regex.test(keyRef)) {
		                if (typeof sch == "string") {
		                    delete schemas[keyRef];
		                }
		                else if (sch && !sch.meta) {
		                    this._cache.delete(sch.schema);
		                    delete schemas[keyRef];
		                }
		            }
		        }
		    }
		    _addSchema(schema, meta, baseId, validateSchema = this.opts.validateSchema, addSchema = this.opts.addUsedSchema) {
		        let id;
		        const { schemaId } = this.opts;
		        if (typeof schema == "object") {
		            id = schema[schemaId];
		        }
		        else {
		            if (this.opts.jtd)
		                throw new Error("schema must be object");
		            else if (typeof schema != "boolean")
		                throw new Error("schema must be object or boolean");
		        }
		        let sch = this._cache.get(schema);
		        if (sch !== undefined)
		            return sch;
		        baseId = (0, resolve_1.normalizeId)(id || baseId);
		        const localRefs = resolve_1.getSchemaRefs.call(this, schema, baseId);
		        sch = new compile_1.SchemaEnv({ schema, schemaId, meta, baseId, localRefs });
		        this._cache.set(sch.schema, sch);
		        if (addSchema && !baseId.startsWith("#")) {
		            // TODO atm it is allowed to overwrite schemas without id (instead of not adding them)
		            if (baseId)
		                this._checkUnique(baseId);
		            this.refs[baseId] = sch;
		        }
		        if (validateSchema)
		            this.validateSchema(schema, true);
		        return sch;
		    }
		    _checkUnique(id) {
		        if (this.schemas[id] || this.refs[id]) {
		            throw new Error(`schema with key or id "${id}" already exists`);
		        }
		    }
		    _compileSchemaEnv(sch) {
		        if (sch.meta)
		            this._compileMetaSchema(sch);
		        else
		            compile_1.compileSchema.call(this, sch);
		        /* istanbul ignore if */
		        if (!sch.validate)
		            throw new Error("ajv implementation error");
		        return sch.validate;
		    }
		    _compileMetaSchema(sch) {
		        const currentOpts = this.opts;
		        this.opts = this._metaOpts;
		        try {
		            compile_1.compileSchema.call(this, sch);
		        }
		        finally {
		            this.opts = currentOpts;
		        }
		    }
		}
		Ajv.ValidationError = validation_error_1.default;
		Ajv.MissingRefError = ref_error_1.default;
		exports.default = Ajv;
		function checkOptions(checkOpts, options, msg, log = "error") {
		    for (const key in checkOpts) {
		        const opt = key;
		        if (opt in options)
		            this.logger[log](`${msg}: option ${key}. ${checkOpts[opt]}`);
		    }
		}
		function getSchEnv(keyRef) {
		    keyRef = (0, resolve_1.normalizeId)(keyRef); // TODO tests fail without this line
		    return this.schemas[keyRef] || this.refs[keyRef];
		}
		function addInitialSchemas() {
		    const optsSchemas = this.opts.schemas;
		    if (!optsSchemas)
		        return;
		    if (Array.isArray(optsSchemas))
		        this.addSchema(optsSchemas);
		    else
		        for (const key in optsSchemas)
		            this.addSchema(optsSchemas[key], key);
		}
		function addInitialFormats() {
		    for (const name in this.opts.formats) {
		        const format = this.opts.formats[name];
		        if (format)
		            this.addFormat(name, format);
		    }
		}
		function addInitialKeywords(defs) {
		    if (Array.isArray(defs)) {
		        this.addVocabulary(defs);
		        return;
		    }
		    this.logger.warn("keywords option as map is deprecated, pass array");
		    for (const keyword in defs) {
		        const def = defs[keyword];
		        if (!def.keyword)
		            def.keyword = keyword;
		        this.addKeyword(def);
		    }
		}
		function getMetaSchemaOptions() {
		    const metaOpts = { ...this.opts };
		    for (const opt of META_IGNORE_OPTIONS)
		        delete metaOpts[opt];
		    return metaOpts;
		}
		const noLogs = { log() { }, warn() { }, error() { } };
		function getLogger(logger) {
		    if (logger === false)
		        return noLogs;
		    if (logger === undefined)
		        return console;
		    if (logger.log && logger.warn && logger.error)
		        return logger;
		    throw new Error("logger must implement log, warn and error methods");
		}
		const KEYWORD_NAME = /^[a-z_$][a-z0-9_$:-]*$/i;
		function checkKeyword(keyword, def) {
		    const { RULES } = this;
		    (0, util_1.eachItem)(keyword, (kwd) => {
		        if (RULES.keywords[kwd])
		            throw new Error(`Keyword ${kwd} is already defined`);
		        if (!KEYWORD_NAME.test(kwd))
		            throw new Error(`Keyword ${kwd} has invalid name`);
		    });
		    if (!def)
		        return;
		    if (def.$data && !("code" in def || "validate" in def)) {
		        throw new Error('$data keyword must have "code" or "validate" function');
		    }
		}
		function addRule(keyword, definition, dataType) {
		    var _a;
		    const post = definition === null || definition === void 0 ? void 0 : definition.post;
		    if (dataType && post)
		        throw new Error('keyword with "post" flag cannot have "type"');
		    const { RULES } = this;
		    let ruleGroup = post ? RULES.post : RULES.rules.find(({ type: t }) => t === dataType);
		    if (!ruleGroup) {
		        ruleGroup = { type: dataType, rules: [] };
		        RULES.rules.push(ruleGroup);
		    }
		    RULES.keywords[keyword] = true;
		    if (!definition)
		        return;
		    const rule = {
		        keyword,
		        definition: {
		            ...definition,
		            type: (0, dataType_1.getJSONTypes)(definition.type),
		            schemaType: (0, dataType_1.getJSONTypes)(definition.schemaType),
		        },
		    };
		    if (definition.before)
		        addBeforeRule.call(this, ruleGroup, rule, definition.before);
		    else
		        ruleGroup.rules.push(rule);
		    RULES.all[keyword] = rule;
		    (_a = definition.implements) === null || _a === void 0 ? void 0 : _a.forEach((kwd) => this.addKeyword(kwd));
		}
		function addBeforeRule(ruleGroup, rule, before) {
		    const i = ruleGroup.rules.findIndex((_rule) => _rule.keyword === before);
		    if (i >= 0) {
		        ruleGroup.rules.splice(i, 0, rule);
		    }
		    else {
		        ruleGroup.rules.push(rule);
		        this.logger.warn(`rule ${before} is not defined`);
		    }
		}
		function keywordMetaschema(def) {
		    let { metaSchema } = def;
		    if (metaSchema === undefined)
		        return;
		    if (def.$data && this.opts.$data)
		        metaSchema = schemaOrData(metaSchema);
		    def.validateSchema = this.compile(metaSchema, true);
		}
		const $dataRef = {
		    $ref: "https://raw.githubusercontent.com/ajv-validator/ajv/master/lib/refs/data.json#",
		};
		function schemaOrData(schema) {
		    return { anyOf: [schema, $dataRef] };
		}
		
	} (core$1));
	return core$1;
}

var draft7 = {};

var core = {};

var id = {};

var hasRequiredId;

function requireId () {
	if (hasRequiredId) return id;
	hasRequiredId = 1;
	Object.defineProperty(id, "__esModule", { value: true });
	const def = {
	    keyword: "id",
	    code() {
	        throw new Error('NOT SUPPORTED: keyword "id", use "$id" for schema ID');
	    },
	};
	id.default = def;
	
	return id;
}

var ref = {};

var hasRequiredRef;

function requireRef () {
	if (hasRequiredRef) return ref;
	hasRequiredRef = 1;
	Object.defineProperty(ref, "__esModule", { value: true });
	ref.callRef = ref.getValidate = void 0;
	const ref_error_1 = /*@__PURE__*/ requireRef_error();
	const code_1 = /*@__PURE__*/ requireCode();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names_1 = /*@__PURE__*/ requireNames();
	const compile_1 = /*@__PURE__*/ requireCompile();
	const util_1 = /*@__PURE__*/ requireUtil();
	const def = {
	    keyword: "$ref",
	    schemaType: "string",
	    code(cxt) {
	        const { gen, schema: $ref, it } = cxt;
	        const { baseId, schemaEnv: env, validateName, opts, self } = it;
	        const { root } = env;
	        if (($ref === "#" || $ref === "#/") && baseId === root.baseId)
	            return callRootRef();
	        const schOrEnv = compile_1.resolveRef.call(self, root, baseId, $ref);
	        if (schOrEnv === undefined)
	            throw new ref_error_1.default(it.opts.uriResolver, baseId, $ref);
	        if (schOrEnv instanceof compile_1.SchemaEnv)
	            return callValidate(schOrEnv);
	        return inlineRefSchema(schOrEnv);
	        function callRootRef() {
	            if (env === root)
	                return callRef(cxt, validateName, env, env.$async);
	            const rootName = gen.scopeValue("root", { ref: root });
	            return callRef(cxt, (0, codegen_1._) `${rootName}.validate`, root, root.$async);
	        }
	        function callValidate(sch) {
	            const v = getValidate(cxt, sch);
	            callRef(cxt, v, sch, sch.$async);
	        }
	        function inlineRefSchema(sch) {
	            const schName = gen.scopeValue("schema", opts.code.source === true ? { ref: sch, code: (0, codegen_1.stringify)(sch) } : { ref: sch });
	            const valid = gen.name("valid");
	            const schCxt = cxt.subschema({
	                schema: sch,
	                dataTypes: [],
	                schemaPath: codegen_1.nil,
	                topSchemaRef: schName,
	                errSchemaPath: $ref,
	            }, valid);
	            cxt.mergeEvaluated(schCxt);
	            cxt.ok(valid);
	        }
	    },
	};
	function getValidate(cxt, sch) {
	    const { gen } = cxt;
	    return sch.validate
	        ? gen.scopeValue("validate", { ref: sch.validate })
	        : (0, codegen_1._) `${gen.scopeValue("wrapper", { ref: sch })}.validate`;
	}
	ref.getValidate = getValidate;
	function callRef(cxt, v, sch, $async) {
	    const { gen, it } = cxt;
	    const { allErrors, schemaEnv: env, opts } = it;
	    const passCxt = opts.passContext ? names_1.default.this : codegen_1.nil;
	    if ($async)
	        callAsyncRef();
	    else
	        callSyncRef();
	    function callAsyncRef() {
	        if (!env.$async)
	            throw new Error("async schema referenced by sync schema");
	        const valid = gen.let("valid");
	        gen.try(() => {
	            gen.code((0, codegen_1._) `await ${(0, code_1.callValidateCode)(cxt, v, passCxt)}`);
	            addEvaluatedFrom(v); // TODO will not work with async, it has to be returned with the result
	            if (!allErrors)
	                gen.assign(valid, true);
	        }, (e) => {
	            gen.if((0, codegen_1._) `!(${e} instanceof ${it.ValidationError})`, () => gen.throw(e));
	            addErrorsFrom(e);
	            if (!allErrors)
	                gen.assign(valid, false);
	        });
	        cxt.ok(valid);
	    }
	    function callSyncRef() {
	        cxt.result((0, code_1.callValidateCode)(cxt, v, passCxt), () => addEvaluatedFrom(v), () => addErrorsFrom(v));
	    }
	    function addErrorsFrom(source) {
	        const errs = (0, codegen_1._) `${source}.errors`;
	        gen.assign(names_1.default.vErrors, (0, codegen_1._) `${names_1.default.vErrors} === null ? ${errs} : ${names_1.default.vErrors}.concat(${errs})`); // TODO tagged
	        gen.assign(names_1.default.errors, (0, codegen_1._) `${names_1.default.vErrors}.length`);
	    }
	    function addEvaluatedFrom(source) {
	        var _a;
	        if (!it.opts.unevaluated)
	            return;
	        const schEvaluated = (_a = sch === null || sch === void 0 ? void 0 : sch.validate) === null || _a === void 0 ? void 0 : _a.evaluated;
	        // TODO refactor
	        if (it.props !== true) {
	            if (schEvaluated && !schEvaluated.dynamicProps) {
	                if (schEvaluated.props !== undefined) {
	                    it.props = util_1.mergeEvaluated.props(gen, schEvaluated.props, it.props);
	                }
	            }
	            else {
	                const props = gen.var("props", (0, codegen_1._) `${source}.evaluated.props`);
	                it.props = util_1.mergeEvaluated.props(gen, props, it.props, codegen_1.Name);
	            }
	        }
	        if (it.items !== true) {
	            if (schEvaluated && !schEvaluated.dynamicItems) {
	                if (schEvaluated.items !== undefined) {
	                    it.items = util_1.mergeEvaluated.items(gen, schEvaluated.items, it.items);
	                }
	            }
	            else {
	                const items = gen.var("items", (0, codegen_1._) `${source}.evaluated.items`);
	                it.items = util_1.mergeEvaluated.items(gen, items, it.items, codegen_1.Name);
	            }
	        }
	    }
	}
	ref.callRef = callRef;
	ref.default = def;
	
	return ref;
}

var hasRequiredCore;

function requireCore () {
	if (hasRequiredCore) return core;
	hasRequiredCore = 1;
	Object.defineProperty(core, "__esModule", { value: true });
	const id_1 = /*@__PURE__*/ requireId();
	const ref_1 = /*@__PURE__*/ requireRef();
	const core$1 = [
	    "$schema",
	    "$id",
	    "$defs",
	    "$vocabulary",
	    { keyword: "$comment" },
	    "definitions",
	    id_1.default,
	    ref_1.default,
	];
	core.default = core$1;
	
	return core;
}

var validation = {};

var limitNumber = {};

var hasRequiredLimitNumber;

function requireLimitNumber () {
	if (hasRequiredLimitNumber) return limitNumber;
	hasRequiredLimitNumber = 1;
	Object.defineProperty(limitNumber, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const ops = codegen_1.operators;
	const KWDs = {
	    maximum: { okStr: "<=", ok: ops.LTE, fail: ops.GT },
	    minimum: { okStr: ">=", ok: ops.GTE, fail: ops.LT },
	    exclusiveMaximum: { okStr: "<", ok: ops.LT, fail: ops.GTE },
	    exclusiveMinimum: { okStr: ">", ok: ops.GT, fail: ops.LTE },
	};
	const error = {
	    message: ({ keyword, schemaCode }) => (0, codegen_1.str) `must be ${KWDs[keyword].okStr} ${schemaCode}`,
	    params: ({ keyword, schemaCode }) => (0, codegen_1._) `{comparison: ${KWDs[keyword].okStr}, limit: ${schemaCode}}`,
	};
	const def = {
	    keyword: Object.keys(KWDs),
	    type: "number",
	    schemaType: "number",
	    $data: true,
	    error,
	    code(cxt) {
	        const { keyword, data, schemaCode } = cxt;
	        cxt.fail$data((0, codegen_1._) `${data} ${KWDs[keyword].fail} ${schemaCode} || isNaN(${data})`);
	    },
	};
	limitNumber.default = def;
	
	return limitNumber;
}

var multipleOf = {};

var hasRequiredMultipleOf;

function requireMultipleOf () {
	if (hasRequiredMultipleOf) return multipleOf;
	hasRequiredMultipleOf = 1;
	Object.defineProperty(multipleOf, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const error = {
	    message: ({ schemaCode }) => (0, codegen_1.str) `must be multiple of ${schemaCode}`,
	    params: ({ schemaCode }) => (0, codegen_1._) `{multipleOf: ${schemaCode}}`,
	};
	const def = {
	    keyword: "multipleOf",
	    type: "number",
	    schemaType: "number",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, data, schemaCode, it } = cxt;
	        // const bdt = bad$DataType(schemaCode, <string>def.schemaType, $data)
	        const prec = it.opts.multipleOfPrecision;
	        const res = gen.let("res");
	        const invalid = prec
	            ? (0, codegen_1._) `Math.abs(Math.round(${res}) - ${res}) > 1e-${prec}`
	            : (0, codegen_1._) `${res} !== parseInt(${res})`;
	        cxt.fail$data((0, codegen_1._) `(${schemaCode} === 0 || (${res} = ${data}/${schemaCode}, ${invalid}))`);
	    },
	};
	multipleOf.default = def;
	
	return multipleOf;
}

var limitLength = {};

var ucs2length = {};

var hasRequiredUcs2length;

function requireUcs2length () {
	if (hasRequiredUcs2length) return ucs2length;
	hasRequiredUcs2length = 1;
	Object.defineProperty(ucs2length, "__esModule", { value: true });
	// https://mathiasbynens.be/notes/javascript-encoding
	// https://github.com/bestiejs/punycode.js - punycode.ucs2.decode
	function ucs2length$1(str) {
	    const len = str.length;
	    let length = 0;
	    let pos = 0;
	    let value;
	    while (pos < len) {
	        length++;
	        value = str.charCodeAt(pos++);
	        if (value >= 0xd800 && value <= 0xdbff && pos < len) {
	            // high surrogate, and there is a next character
	            value = str.charCodeAt(pos);
	            if ((value & 0xfc00) === 0xdc00)
	                pos++; // low surrogate
	        }
	    }
	    return length;
	}
	ucs2length.default = ucs2length$1;
	ucs2length$1.code = 'require("ajv/dist/runtime/ucs2length").default';
	
	return ucs2length;
}

var hasRequiredLimitLength;

function requireLimitLength () {
	if (hasRequiredLimitLength) return limitLength;
	hasRequiredLimitLength = 1;
	Object.defineProperty(limitLength, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const ucs2length_1 = /*@__PURE__*/ requireUcs2length();
	const error = {
	    message({ keyword, schemaCode }) {
	        const comp = keyword === "maxLength" ? "more" : "fewer";
	        return (0, codegen_1.str) `must NOT have ${comp} than ${schemaCode} characters`;
	    },
	    params: ({ schemaCode }) => (0, codegen_1._) `{limit: ${schemaCode}}`,
	};
	const def = {
	    keyword: ["maxLength", "minLength"],
	    type: "string",
	    schemaType: "number",
	    $data: true,
	    error,
	    code(cxt) {
	        const { keyword, data, schemaCode, it } = cxt;
	        const op = keyword === "maxLength" ? codegen_1.operators.GT : codegen_1.operators.LT;
	        const len = it.opts.unicode === false ? (0, codegen_1._) `${data}.length` : (0, codegen_1._) `${(0, util_1.useFunc)(cxt.gen, ucs2length_1.default)}(${data})`;
	        cxt.fail$data((0, codegen_1._) `${len} ${op} ${schemaCode}`);
	    },
	};
	limitLength.default = def;
	
	return limitLength;
}

var pattern = {};

var hasRequiredPattern;

function requirePattern () {
	if (hasRequiredPattern) return pattern;
	hasRequiredPattern = 1;
	Object.defineProperty(pattern, "__esModule", { value: true });
	const code_1 = /*@__PURE__*/ requireCode();
	const util_1 = /*@__PURE__*/ requireUtil();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const error = {
	    message: ({ schemaCode }) => (0, codegen_1.str) `must match pattern "${schemaCode}"`,
	    params: ({ schemaCode }) => (0, codegen_1._) `{pattern: ${schemaCode}}`,
	};
	const def = {
	    keyword: "pattern",
	    type: "string",
	    schemaType: "string",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, data, $data, schema, schemaCode, it } = cxt;
	        const u = it.opts.unicodeRegExp ? "u" : "";
	        if ($data) {
	            const { regExp } = it.opts.code;
	            const regExpCode = regExp.code === "new RegExp" ? (0, codegen_1._) `new RegExp` : (0, util_1.useFunc)(gen, regExp);
	            const valid = gen.let("valid");
	            gen.try(() => gen.assign(valid, (0, codegen_1._) `${regExpCode}(${schemaCode}, ${u}).test(${data})`), () => gen.assign(valid, false));
	            cxt.fail$data((0, codegen_1._) `!${valid}`);
	        }
	        else {
	            const regExp = (0, code_1.usePattern)(cxt, schema);
	            cxt.fail$data((0, codegen_1._) `!${regExp}.test(${data})`);
	        }
	    },
	};
	pattern.default = def;
	
	return pattern;
}

var limitProperties = {};

var hasRequiredLimitProperties;

function requireLimitProperties () {
	if (hasRequiredLimitProperties) return limitProperties;
	hasRequiredLimitProperties = 1;
	Object.defineProperty(limitProperties, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const error = {
	    message({ keyword, schemaCode }) {
	        const comp = keyword === "maxProperties" ? "more" : "fewer";
	        return (0, codegen_1.str) `must NOT have ${comp} than ${schemaCode} properties`;
	    },
	    params: ({ schemaCode }) => (0, codegen_1._) `{limit: ${schemaCode}}`,
	};
	const def = {
	    keyword: ["maxProperties", "minProperties"],
	    type: "object",
	    schemaType: "number",
	    $data: true,
	    error,
	    code(cxt) {
	        const { keyword, data, schemaCode } = cxt;
	        const op = keyword === "maxProperties" ? codegen_1.operators.GT : codegen_1.operators.LT;
	        cxt.fail$data((0, codegen_1._) `Object.keys(${data}).length ${op} ${schemaCode}`);
	    },
	};
	limitProperties.default = def;
	
	return limitProperties;
}

var required$1 = {};

var hasRequiredRequired;

function requireRequired () {
	if (hasRequiredRequired) return required$1;
	hasRequiredRequired = 1;
	Object.defineProperty(required$1, "__esModule", { value: true });
	const code_1 = /*@__PURE__*/ requireCode();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: ({ params: { missingProperty } }) => (0, codegen_1.str) `must have required property '${missingProperty}'`,
	    params: ({ params: { missingProperty } }) => (0, codegen_1._) `{missingProperty: ${missingProperty}}`,
	};
	const def = {
	    keyword: "required",
	    type: "object",
	    schemaType: "array",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, schema, schemaCode, data, $data, it } = cxt;
	        const { opts } = it;
	        if (!$data && schema.length === 0)
	            return;
	        const useLoop = schema.length >= opts.loopRequired;
	        if (it.allErrors)
	            allErrorsMode();
	        else
	            exitOnErrorMode();
	        if (opts.strictRequired) {
	            const props = cxt.parentSchema.properties;
	            const { definedProperties } = cxt.it;
	            for (const requiredKey of schema) {
	                if ((props === null || props === void 0 ? void 0 : props[requiredKey]) === undefined && !definedProperties.has(requiredKey)) {
	                    const schemaPath = it.schemaEnv.baseId + it.errSchemaPath;
	                    const msg = `required property "${requiredKey}" is not defined at "${schemaPath}" (strictRequired)`;
	                    (0, util_1.checkStrictMode)(it, msg, it.opts.strictRequired);
	                }
	            }
	        }
	        function allErrorsMode() {
	            if (useLoop || $data) {
	                cxt.block$data(codegen_1.nil, loopAllRequired);
	            }
	            else {
	                for (const prop of schema) {
	                    (0, code_1.checkReportMissingProp)(cxt, prop);
	                }
	            }
	        }
	        function exitOnErrorMode() {
	            const missing = gen.let("missing");
	            if (useLoop || $data) {
	                const valid = gen.let("valid", true);
	                cxt.block$data(valid, () => loopUntilMissing(missing, valid));
	                cxt.ok(valid);
	            }
	            else {
	                gen.if((0, code_1.checkMissingProp)(cxt, schema, missing));
	                (0, code_1.reportMissingProp)(cxt, missing);
	                gen.else();
	            }
	        }
	        function loopAllRequired() {
	            gen.forOf("prop", schemaCode, (prop) => {
	                cxt.setParams({ missingProperty: prop });
	                gen.if((0, code_1.noPropertyInData)(gen, data, prop, opts.ownProperties), () => cxt.error());
	            });
	        }
	        function loopUntilMissing(missing, valid) {
	            cxt.setParams({ missingProperty: missing });
	            gen.forOf(missing, schemaCode, () => {
	                gen.assign(valid, (0, code_1.propertyInData)(gen, data, missing, opts.ownProperties));
	                gen.if((0, codegen_1.not)(valid), () => {
	                    cxt.error();
	                    gen.break();
	                });
	            }, codegen_1.nil);
	        }
	    },
	};
	required$1.default = def;
	
	return required$1;
}

var limitItems = {};

var hasRequiredLimitItems;

function requireLimitItems () {
	if (hasRequiredLimitItems) return limitItems;
	hasRequiredLimitItems = 1;
	Object.defineProperty(limitItems, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const error = {
	    message({ keyword, schemaCode }) {
	        const comp = keyword === "maxItems" ? "more" : "fewer";
	        return (0, codegen_1.str) `must NOT have ${comp} than ${schemaCode} items`;
	    },
	    params: ({ schemaCode }) => (0, codegen_1._) `{limit: ${schemaCode}}`,
	};
	const def = {
	    keyword: ["maxItems", "minItems"],
	    type: "array",
	    schemaType: "number",
	    $data: true,
	    error,
	    code(cxt) {
	        const { keyword, data, schemaCode } = cxt;
	        const op = keyword === "maxItems" ? codegen_1.operators.GT : codegen_1.operators.LT;
	        cxt.fail$data((0, codegen_1._) `${data}.length ${op} ${schemaCode}`);
	    },
	};
	limitItems.default = def;
	
	return limitItems;
}

var uniqueItems = {};

var equal = {};

var hasRequiredEqual;

function requireEqual () {
	if (hasRequiredEqual) return equal;
	hasRequiredEqual = 1;
	Object.defineProperty(equal, "__esModule", { value: true });
	// https://github.com/ajv-validator/ajv/issues/889
	const equal$1 = requireFastDeepEqual();
	equal$1.code = 'require("ajv/dist/runtime/equal").default';
	equal.default = equal$1;
	
	return equal;
}

var hasRequiredUniqueItems;

function requireUniqueItems () {
	if (hasRequiredUniqueItems) return uniqueItems;
	hasRequiredUniqueItems = 1;
	Object.defineProperty(uniqueItems, "__esModule", { value: true });
	const dataType_1 = /*@__PURE__*/ requireDataType();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const equal_1 = /*@__PURE__*/ requireEqual();
	const error = {
	    message: ({ params: { i, j } }) => (0, codegen_1.str) `must NOT have duplicate items (items ## ${j} and ${i} are identical)`,
	    params: ({ params: { i, j } }) => (0, codegen_1._) `{i: ${i}, j: ${j}}`,
	};
	const def = {
	    keyword: "uniqueItems",
	    type: "array",
	    schemaType: "boolean",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, data, $data, schema, parentSchema, schemaCode, it } = cxt;
	        if (!$data && !schema)
	            return;
	        const valid = gen.let("valid");
	        const itemTypes = parentSchema.items ? (0, dataType_1.getSchemaTypes)(parentSchema.items) : [];
	        cxt.block$data(valid, validateUniqueItems, (0, codegen_1._) `${schemaCode} === false`);
	        cxt.ok(valid);
	        function validateUniqueItems() {
	            const i = gen.let("i", (0, codegen_1._) `${data}.length`);
	            const j = gen.let("j");
	            cxt.setParams({ i, j });
	            gen.assign(valid, true);
	            gen.if((0, codegen_1._) `${i} > 1`, () => (canOptimize() ? loopN : loopN2)(i, j));
	        }
	        function canOptimize() {
	            return itemTypes.length > 0 && !itemTypes.some((t) => t === "object" || t === "array");
	        }
	        function loopN(i, j) {
	            const item = gen.name("item");
	            const wrongType = (0, dataType_1.checkDataTypes)(itemTypes, item, it.opts.strictNumbers, dataType_1.DataType.Wrong);
	            const indices = gen.const("indices", (0, codegen_1._) `{}`);
	            gen.for((0, codegen_1._) `;${i}--;`, () => {
	                gen.let(item, (0, codegen_1._) `${data}[${i}]`);
	                gen.if(wrongType, (0, codegen_1._) `continue`);
	                if (itemTypes.length > 1)
	                    gen.if((0, codegen_1._) `typeof ${item} == "string"`, (0, codegen_1._) `${item} += "_"`);
	                gen
	                    .if((0, codegen_1._) `typeof ${indices}[${item}] == "number"`, () => {
	                    gen.assign(j, (0, codegen_1._) `${indices}[${item}]`);
	                    cxt.error();
	                    gen.assign(valid, false).break();
	                })
	                    .code((0, codegen_1._) `${indices}[${item}] = ${i}`);
	            });
	        }
	        function loopN2(i, j) {
	            const eql = (0, util_1.useFunc)(gen, equal_1.default);
	            const outer = gen.name("outer");
	            gen.label(outer).for((0, codegen_1._) `;${i}--;`, () => gen.for((0, codegen_1._) `${j} = ${i}; ${j}--;`, () => gen.if((0, codegen_1._) `${eql}(${data}[${i}], ${data}[${j}])`, () => {
	                cxt.error();
	                gen.assign(valid, false).break(outer);
	            })));
	        }
	    },
	};
	uniqueItems.default = def;
	
	return uniqueItems;
}

var _const = {};

var hasRequired_const;

function require_const () {
	if (hasRequired_const) return _const;
	hasRequired_const = 1;
	Object.defineProperty(_const, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const equal_1 = /*@__PURE__*/ requireEqual();
	const error = {
	    message: "must be equal to constant",
	    params: ({ schemaCode }) => (0, codegen_1._) `{allowedValue: ${schemaCode}}`,
	};
	const def = {
	    keyword: "const",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, data, $data, schemaCode, schema } = cxt;
	        if ($data || (schema && typeof schema == "object")) {
	            cxt.fail$data((0, codegen_1._) `!${(0, util_1.useFunc)(gen, equal_1.default)}(${data}, ${schemaCode})`);
	        }
	        else {
	            cxt.fail((0, codegen_1._) `${schema} !== ${data}`);
	        }
	    },
	};
	_const.default = def;
	
	return _const;
}

var _enum = {};

var hasRequired_enum;

function require_enum () {
	if (hasRequired_enum) return _enum;
	hasRequired_enum = 1;
	Object.defineProperty(_enum, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const equal_1 = /*@__PURE__*/ requireEqual();
	const error = {
	    message: "must be equal to one of the allowed values",
	    params: ({ schemaCode }) => (0, codegen_1._) `{allowedValues: ${schemaCode}}`,
	};
	const def = {
	    keyword: "enum",
	    schemaType: "array",
	    $data: true,
	    error,
	    code(cxt) {
	        const { gen, data, $data, schema, schemaCode, it } = cxt;
	        if (!$data && schema.length === 0)
	            throw new Error("enum must have non-empty array");
	        const useLoop = schema.length >= it.opts.loopEnum;
	        let eql;
	        const getEql = () => (eql !== null && eql !== void 0 ? eql : (eql = (0, util_1.useFunc)(gen, equal_1.default)));
	        let valid;
	        if (useLoop || $data) {
	            valid = gen.let("valid");
	            cxt.block$data(valid, loopEnum);
	        }
	        else {
	            /* istanbul ignore if */
	            if (!Array.isArray(schema))
	                throw new Error("ajv implementation error");
	            const vSchema = gen.const("vSchema", schemaCode);
	            valid = (0, codegen_1.or)(...schema.map((_x, i) => equalCode(vSchema, i)));
	        }
	        cxt.pass(valid);
	        function loopEnum() {
	            gen.assign(valid, false);
	            gen.forOf("v", schemaCode, (v) => gen.if((0, codegen_1._) `${getEql()}(${data}, ${v})`, () => gen.assign(valid, true).break()));
	        }
	        function equalCode(vSchema, i) {
	            const sch = schema[i];
	            return typeof sch === "object" && sch !== null
	                ? (0, codegen_1._) `${getEql()}(${data}, ${vSchema}[${i}])`
	                : (0, codegen_1._) `${data} === ${sch}`;
	        }
	    },
	};
	_enum.default = def;
	
	return _enum;
}

var hasRequiredValidation;

function requireValidation () {
	if (hasRequiredValidation) return validation;
	hasRequiredValidation = 1;
	Object.defineProperty(validation, "__esModule", { value: true });
	const limitNumber_1 = /*@__PURE__*/ requireLimitNumber();
	const multipleOf_1 = /*@__PURE__*/ requireMultipleOf();
	const limitLength_1 = /*@__PURE__*/ requireLimitLength();
	const pattern_1 = /*@__PURE__*/ requirePattern();
	const limitProperties_1 = /*@__PURE__*/ requireLimitProperties();
	const required_1 = /*@__PURE__*/ requireRequired();
	const limitItems_1 = /*@__PURE__*/ requireLimitItems();
	const uniqueItems_1 = /*@__PURE__*/ requireUniqueItems();
	const const_1 = /*@__PURE__*/ require_const();
	const enum_1 = /*@__PURE__*/ require_enum();
	const validation$1 = [
	    // number
	    limitNumber_1.default,
	    multipleOf_1.default,
	    // string
	    limitLength_1.default,
	    pattern_1.default,
	    // object
	    limitProperties_1.default,
	    required_1.default,
	    // array
	    limitItems_1.default,
	    uniqueItems_1.default,
	    // any
	    { keyword: "type", schemaType: ["string", "array"] },
	    { keyword: "nullable", schemaType: "boolean" },
	    const_1.default,
	    enum_1.default,
	];
	validation.default = validation$1;
	
	return validation;
}

var applicator = {};

var additionalItems = {};

var hasRequiredAdditionalItems;

function requireAdditionalItems () {
	if (hasRequiredAdditionalItems) return additionalItems;
	hasRequiredAdditionalItems = 1;
	Object.defineProperty(additionalItems, "__esModule", { value: true });
	additionalItems.validateAdditionalItems = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: ({ params: { len } }) => (0, codegen_1.str) `must NOT have more than ${len} items`,
	    params: ({ params: { len } }) => (0, codegen_1._) `{limit: ${len}}`,
	};
	const def = {
	    keyword: "additionalItems",
	    type: "array",
	    schemaType: ["boolean", "object"],
	    before: "uniqueItems",
	    error,
	    code(cxt) {
	        const { parentSchema, it } = cxt;
	        const { items } = parentSchema;
	        if (!Array.isArray(items)) {
	            (0, util_1.checkStrictMode)(it, '"additionalItems" is ignored when "items" is not an array of schemas');
	            return;
	        }
	        validateAdditionalItems(cxt, items);
	    },
	};
	function validateAdditionalItems(cxt, items) {
	    const { gen, schema, data, keyword, it } = cxt;
	    it.items = true;
	    const len = gen.const("len", (0, codegen_1._) `${data}.length`);
	    if (schema === false) {
	        cxt.setParams({ len: items.length });
	        cxt.pass((0, codegen_1._) `${len} <= ${items.length}`);
	    }
	    else if (typeof schema == "object" && !(0, util_1.alwaysValidSchema)(it, schema)) {
	        const valid = gen.var("valid", (0, codegen_1._) `${len} <= ${items.length}`); // TODO var
	        gen.if((0, codegen_1.not)(valid), () => validateItems(valid));
	        cxt.ok(valid);
	    }
	    function validateItems(valid) {
	        gen.forRange("i", items.length, len, (i) => {
	            cxt.subschema({ keyword, dataProp: i, dataPropType: util_1.Type.Num }, valid);
	            if (!it.allErrors)
	                gen.if((0, codegen_1.not)(valid), () => gen.break());
	        });
	    }
	}
	additionalItems.validateAdditionalItems = validateAdditionalItems;
	additionalItems.default = def;
	
	return additionalItems;
}

var prefixItems = {};

var items = {};

var hasRequiredItems;

function requireItems () {
	if (hasRequiredItems) return items;
	hasRequiredItems = 1;
	Object.defineProperty(items, "__esModule", { value: true });
	items.validateTuple = void 0;
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const code_1 = /*@__PURE__*/ requireCode();
	const def = {
	    keyword: "items",
	    type: "array",
	    schemaType: ["object", "array", "boolean"],
	    before: "uniqueItems",
	    code(cxt) {
	        const { schema, it } = cxt;
	        if (Array.isArray(schema))
	            return validateTuple(cxt, "additionalItems", schema);
	        it.items = true;
	        if ((0, util_1.alwaysValidSchema)(it, schema))
	            return;
	        cxt.ok((0, code_1.validateArray)(cxt));
	    },
	};
	function validateTuple(cxt, extraItems, schArr = cxt.schema) {
	    const { gen, parentSchema, data, keyword, it } = cxt;
	    checkStrictTuple(parentSchema);
	    if (it.opts.unevaluated && schArr.length && it.items !== true) {
	        it.items = util_1.mergeEvaluated.items(gen, schArr.length, it.items);
	    }
	    const valid = gen.name("valid");
	    const len = gen.const("len", (0, codegen_1._) `${data}.length`);
	    schArr.forEach((sch, i) => {
	        if ((0, util_1.alwaysValidSchema)(it, sch))
	            return;
	        gen.if((0, codegen_1._) `${len} > ${i}`, () => cxt.subschema({
	            keyword,
	            schemaProp: i,
	            dataProp: i,
	        }, valid));
	        cxt.ok(valid);
	    });
	    function checkStrictTuple(sch) {
	        const { opts, errSchemaPath } = it;
	        const l = schArr.length;
	        const fullTuple = l === sch.minItems && (l === sch.maxItems || sch[extraItems] === false);
	        if (opts.strictTuples && !fullTuple) {
	            const msg = `"${keyword}" is ${l}-tuple, but minItems or maxItems/${extraItems} are not specified or different at path "${errSchemaPath}"`;
	            (0, util_1.checkStrictMode)(it, msg, opts.strictTuples);
	        }
	    }
	}
	items.validateTuple = validateTuple;
	items.default = def;
	
	return items;
}

var hasRequiredPrefixItems;

function requirePrefixItems () {
	if (hasRequiredPrefixItems) return prefixItems;
	hasRequiredPrefixItems = 1;
	Object.defineProperty(prefixItems, "__esModule", { value: true });
	const items_1 = /*@__PURE__*/ requireItems();
	const def = {
	    keyword: "prefixItems",
	    type: "array",
	    schemaType: ["array"],
	    before: "uniqueItems",
	    code: (cxt) => (0, items_1.validateTuple)(cxt, "items"),
	};
	prefixItems.default = def;
	
	return prefixItems;
}

var items2020 = {};

var hasRequiredItems2020;

function requireItems2020 () {
	if (hasRequiredItems2020) return items2020;
	hasRequiredItems2020 = 1;
	Object.defineProperty(items2020, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const code_1 = /*@__PURE__*/ requireCode();
	const additionalItems_1 = /*@__PURE__*/ requireAdditionalItems();
	const error = {
	    message: ({ params: { len } }) => (0, codegen_1.str) `must NOT have more than ${len} items`,
	    params: ({ params: { len } }) => (0, codegen_1._) `{limit: ${len}}`,
	};
	const def = {
	    keyword: "items",
	    type: "array",
	    schemaType: ["object", "boolean"],
	    before: "uniqueItems",
	    error,
	    code(cxt) {
	        const { schema, parentSchema, it } = cxt;
	        const { prefixItems } = parentSchema;
	        it.items = true;
	        if ((0, util_1.alwaysValidSchema)(it, schema))
	            return;
	        if (prefixItems)
	            (0, additionalItems_1.validateAdditionalItems)(cxt, prefixItems);
	        else
	            cxt.ok((0, code_1.validateArray)(cxt));
	    },
	};
	items2020.default = def;
	
	return items2020;
}

var contains = {};

var hasRequiredContains;

function requireContains () {
	if (hasRequiredContains) return contains;
	hasRequiredContains = 1;
	Object.defineProperty(contains, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: ({ params: { min, max } }) => max === undefined
	        ? (0, codegen_1.str) `must contain at least ${min} valid item(s)`
	        : (0, codegen_1.str) `must contain at least ${min} and no more than ${max} valid item(s)`,
	    params: ({ params: { min, max } }) => max === undefined ? (0, codegen_1._) `{minContains: ${min}}` : (0, codegen_1._) `{minContains: ${min}, maxContains: ${max}}`,
	};
	const def = {
	    keyword: "contains",
	    type: "array",
	    schemaType: ["object", "boolean"],
	    before: "uniqueItems",
	    trackErrors: true,
	    error,
	    code(cxt) {
	        const { gen, schema, parentSchema, data, it } = cxt;
	        let min;
	        let max;
	        const { minContains, maxContains } = parentSchema;
	        if (it.opts.next) {
	            min = minContains === undefined ? 1 : minContains;
	            max = maxContains;
	        }
	        else {
	            min = 1;
	        }
	        const len = gen.const("len", (0, codegen_1._) `${data}.length`);
	        cxt.setParams({ min, max });
	        if (max === undefined && min === 0) {
	            (0, util_1.checkStrictMode)(it, `"minContains" == 0 without "maxContains": "contains" keyword ignored`);
	            return;
	        }
	        if (max !== undefined && min > max) {
	            (0, util_1.checkStrictMode)(it, `"minContains" > "maxContains" is always invalid`);
	            cxt.fail();
	            return;
	        }
	        if ((0, util_1.alwaysValidSchema)(it, schema)) {
	            let cond = (0, codegen_1._) `${len} >= ${min}`;
	            if (max !== undefined)
	                cond = (0, codegen_1._) `${cond} && ${len} <= ${max}`;
	            cxt.pass(cond);
	            return;
	        }
	        it.items = true;
	        const valid = gen.name("valid");
	        if (max === undefined && min === 1) {
	            validateItems(valid, () => gen.if(valid, () => gen.break()));
	        }
	        else if (min === 0) {
	            gen.let(valid, true);
	            if (max !== undefined)
	                gen.if((0, codegen_1._) `${data}.length > 0`, validateItemsWithCount);
	        }
	        else {
	            gen.let(valid, false);
	            validateItemsWithCount();
	        }
	        cxt.result(valid, () => cxt.reset());
	        function validateItemsWithCount() {
	            const schValid = gen.name("_valid");
	            const count = gen.let("count", 0);
	            validateItems(schValid, () => gen.if(schValid, () => checkLimits(count)));
	        }
	        function validateItems(_valid, block) {
	            gen.forRange("i", 0, len, (i) => {
	                cxt.subschema({
	                    keyword: "contains",
	                    dataProp: i,
	                    dataPropType: util_1.Type.Num,
	                    compositeRule: true,
	                }, _valid);
	                block();
	            });
	        }
	        function checkLimits(count) {
	            gen.code((0, codegen_1._) `${count}++`);
	            if (max === undefined) {
	                gen.if((0, codegen_1._) `${count} >= ${min}`, () => gen.assign(valid, true).break());
	            }
	            else {
	                gen.if((0, codegen_1._) `${count} > ${max}`, () => gen.assign(valid, false).break());
	                if (min === 1)
	                    gen.assign(valid, true);
	                else
	                    gen.if((0, codegen_1._) `${count} >= ${min}`, () => gen.assign(valid, true));
	            }
	        }
	    },
	};
	contains.default = def;
	
	return contains;
}

var dependencies = {};

var hasRequiredDependencies;

function requireDependencies () {
	if (hasRequiredDependencies) return dependencies;
	hasRequiredDependencies = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.validateSchemaDeps = exports.validatePropertyDeps = exports.error = void 0;
		const codegen_1 = /*@__PURE__*/ requireCodegen();
		const util_1 = /*@__PURE__*/ requireUtil();
		const code_1 = /*@__PURE__*/ requireCode();
		exports.error = {
		    message: ({ params: { property, depsCount, deps } }) => {
		        const property_ies = depsCount === 1 ? "property" : "properties";
		        return (0, codegen_1.str) `must have ${property_ies} ${deps} when property ${property} is present`;
		    },
		    params: ({ params: { property, depsCount, deps, missingProperty } }) => (0, codegen_1._) `{property: ${property},
    missingProperty: ${missingProperty},
    depsCount: ${depsCount},
    deps: ${deps}}`, // TODO change to reference
		};
		const def = {
		    keyword: "dependencies",
		    type: "object",
		    schemaType: "object",
		    error: exports.error,
		    code(cxt) {
		        const [propDeps, schDeps] = splitDependencies(cxt);
		        validatePropertyDeps(cxt, propDeps);
		        validateSchemaDeps(cxt, schDeps);
		    },
		};
		function splitDependencies({ schema }) {
		    const propertyDeps = {};
		    const schemaDeps = {};
		    for (const key in schema) {
		        if (key === "__proto__")
		            continue;
		        const deps = Array.isArray(schema[key]) ? propertyDeps : schemaDeps;
		        deps[key] = schema[key];
		    }
		    return [propertyDeps, schemaDeps];
		}
		function validatePropertyDeps(cxt, propertyDeps = cxt.schema) {
		    const { gen, data, it } = cxt;
		    if (Object.keys(propertyDeps).length === 0)
		        return;
		    const missing = gen.let("missing");
		    for (const prop in propertyDeps) {
		        const deps = propertyDeps[prop];
		        if (deps.length === 0)
		            continue;
		        const hasProperty = (0, code_1.propertyInData)(gen, data, prop, it.opts.ownProperties);
		        cxt.setParams({
		            property: prop,
		            depsCount: deps.length,
		            deps: deps.join(", "),
		        });
		        if (it.allErrors) {
		            gen.if(hasProperty, () => {
		                for (const depProp of deps) {
		                    (0, code_1.checkReportMissingProp)(cxt, depProp);
		                }
		            });
		        }
		        else {
		            gen.if((0, codegen_1._) `${hasProperty} && (${(0, code_1.checkMissingProp)(cxt, deps, missing)})`);
		            (0, code_1.reportMissingProp)(cxt, missing);
		            gen.else();
		        }
		    }
		}
		exports.validatePropertyDeps = validatePropertyDeps;
		function validateSchemaDeps(cxt, schemaDeps = cxt.schema) {
		    const { gen, data, keyword, it } = cxt;
		    const valid = gen.name("valid");
		    for (const prop in schemaDeps) {
		        if ((0, util_1.alwaysValidSchema)(it, schemaDeps[prop]))
		            continue;
		        gen.if((0, code_1.propertyInData)(gen, data, prop, it.opts.ownProperties), () => {
		            const schCxt = cxt.subschema({ keyword, schemaProp: prop }, valid);
		            cxt.mergeValidEvaluated(schCxt, valid);
		        }, () => gen.var(valid, true) // TODO var
		        );
		        cxt.ok(valid);
		    }
		}
		exports.validateSchemaDeps = validateSchemaDeps;
		exports.default = def;
		
	} (dependencies));
	return dependencies;
}

var propertyNames = {};

var hasRequiredPropertyNames;

function requirePropertyNames () {
	if (hasRequiredPropertyNames) return propertyNames;
	hasRequiredPropertyNames = 1;
	Object.defineProperty(propertyNames, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: "property name must be valid",
	    params: ({ params }) => (0, codegen_1._) `{propertyName: ${params.propertyName}}`,
	};
	const def = {
	    keyword: "propertyNames",
	    type: "object",
	    schemaType: ["object", "boolean"],
	    error,
	    code(cxt) {
	        const { gen, schema, data, it } = cxt;
	        if ((0, util_1.alwaysValidSchema)(it, schema))
	            return;
	        const valid = gen.name("valid");
	        gen.forIn("key", data, (key) => {
	            cxt.setParams({ propertyName: key });
	            cxt.subschema({
	                keyword: "propertyNames",
	                data: key,
	                dataTypes: ["string"],
	                propertyName: key,
	                compositeRule: true,
	            }, valid);
	            gen.if((0, codegen_1.not)(valid), () => {
	                cxt.error(true);
	                if (!it.allErrors)
	                    gen.break();
	            });
	        });
	        cxt.ok(valid);
	    },
	};
	propertyNames.default = def;
	
	return propertyNames;
}

var additionalProperties$1 = {};

var hasRequiredAdditionalProperties;

function requireAdditionalProperties () {
	if (hasRequiredAdditionalProperties) return additionalProperties$1;
	hasRequiredAdditionalProperties = 1;
	Object.defineProperty(additionalProperties$1, "__esModule", { value: true });
	const code_1 = /*@__PURE__*/ requireCode();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const names_1 = /*@__PURE__*/ requireNames();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: "must NOT have additional properties",
	    params: ({ params }) => (0, codegen_1._) `{additionalProperty: ${params.additionalProperty}}`,
	};
	const def = {
	    keyword: "additionalProperties",
	    type: ["object"],
	    schemaType: ["boolean", "object"],
	    allowUndefined: true,
	    trackErrors: true,
	    error,
	    code(cxt) {
	        const { gen, schema, parentSchema, data, errsCount, it } = cxt;
	        /* istanbul ignore if */
	        if (!errsCount)
	            throw new Error("ajv implementation error");
	        const { allErrors, opts } = it;
	        it.props = true;
	        if (opts.removeAdditional !== "all" && (0, util_1.alwaysValidSchema)(it, schema))
	            return;
	        const props = (0, code_1.allSchemaProperties)(parentSchema.properties);
	        const patProps = (0, code_1.allSchemaProperties)(parentSchema.patternProperties);
	        checkAdditionalProperties();
	        cxt.ok((0, codegen_1._) `${errsCount} === ${names_1.default.errors}`);
	        function checkAdditionalProperties() {
	            gen.forIn("key", data, (key) => {
	                if (!props.length && !patProps.length)
	                    additionalPropertyCode(key);
	                else
	                    gen.if(isAdditional(key), () => additionalPropertyCode(key));
	            });
	        }
	        function isAdditional(key) {
	            let definedProp;
	            if (props.length > 8) {
	                // TODO maybe an option instead of hard-coded 8?
	                const propsSchema = (0, util_1.schemaRefOrVal)(it, parentSchema.properties, "properties");
	                definedProp = (0, code_1.isOwnProperty)(gen, propsSchema, key);
	            }
	            else if (props.length) {
	                definedProp = (0, codegen_1.or)(...props.map((p) => (0, codegen_1._) `${key} === ${p}`));
	            }
	            else {
	                definedProp = codegen_1.nil;
	            }
	            if (patProps.length) {
	                definedProp = (0, codegen_1.or)(definedProp, ...patProps.map((p) => (0, codegen_1._) `${(0, code_1.usePattern)(cxt, p)}.test(${key})`));
	            }
	            return (0, codegen_1.not)(definedProp);
	        }
	        function deleteAdditional(key) {
	            gen.code((0, codegen_1._) `delete ${data}[${key}]`);
	        }
	        function additionalPropertyCode(key) {
	            if (opts.removeAdditional === "all" || (opts.removeAdditional && schema === false)) {
	                deleteAdditional(key);
	                return;
	            }
	            if (schema === false) {
	                cxt.setParams({ additionalProperty: key });
	                cxt.error();
	                if (!allErrors)
	                    gen.break();
	                return;
	            }
	            if (typeof schema == "object" && !(0, util_1.alwaysValidSchema)(it, schema)) {
	                const valid = gen.name("valid");
	                if (opts.removeAdditional === "failing") {
	                    applyAdditionalSchema(key, valid, false);
	                    gen.if((0, codegen_1.not)(valid), () => {
	                        cxt.reset();
	                        deleteAdditional(key);
	                    });
	                }
	                else {
	                    applyAdditionalSchema(key, valid);
	                    if (!allErrors)
	                        gen.if((0, codegen_1.not)(valid), () => gen.break());
	                }
	            }
	        }
	        function applyAdditionalSchema(key, valid, errors) {
	            const subschema = {
	                keyword: "additionalProperties",
	                dataProp: key,
	                dataPropType: util_1.Type.Str,
	            };
	            if (errors === false) {
	                Object.assign(subschema, {
	                    compositeRule: true,
	                    createErrors: false,
	                    allErrors: false,
	                });
	            }
	            cxt.subschema(subschema, valid);
	        }
	    },
	};
	additionalProperties$1.default = def;
	
	return additionalProperties$1;
}

var properties$2 = {};

var hasRequiredProperties;

function requireProperties () {
	if (hasRequiredProperties) return properties$2;
	hasRequiredProperties = 1;
	Object.defineProperty(properties$2, "__esModule", { value: true });
	const validate_1 = /*@__PURE__*/ requireValidate();
	const code_1 = /*@__PURE__*/ requireCode();
	const util_1 = /*@__PURE__*/ requireUtil();
	const additionalProperties_1 = /*@__PURE__*/ requireAdditionalProperties();
	const def = {
	    keyword: "properties",
	    type: "object",
	    schemaType: "object",
	    code(cxt) {
	        const { gen, schema, parentSchema, data, it } = cxt;
	        if (it.opts.removeAdditional === "all" && parentSchema.additionalProperties === undefined) {
	            additionalProperties_1.default.code(new validate_1.KeywordCxt(it, additionalProperties_1.default, "additionalProperties"));
	        }
	        const allProps = (0, code_1.allSchemaProperties)(schema);
	        for (const prop of allProps) {
	            it.definedProperties.add(prop);
	        }
	        if (it.opts.unevaluated && allProps.length && it.props !== true) {
	            it.props = util_1.mergeEvaluated.props(gen, (0, util_1.toHash)(allProps), it.props);
	        }
	        const properties = allProps.filter((p) => !(0, util_1.alwaysValidSchema)(it, schema[p]));
	        if (properties.length === 0)
	            return;
	        const valid = gen.name("valid");
	        for (const prop of properties) {
	            if (hasDefault(prop)) {
	                applyPropertySchema(prop);
	            }
	            else {
	                gen.if((0, code_1.propertyInData)(gen, data, prop, it.opts.ownProperties));
	                applyPropertySchema(prop);
	                if (!it.allErrors)
	                    gen.else().var(valid, true);
	                gen.endIf();
	            }
	            cxt.it.definedProperties.add(prop);
	            cxt.ok(valid);
	        }
	        function hasDefault(prop) {
	            return it.opts.useDefaults && !it.compositeRule && schema[prop].default !== undefined;
	        }
	        function applyPropertySchema(prop) {
	            cxt.subschema({
	                keyword: "properties",
	                schemaProp: prop,
	                dataProp: prop,
	            }, valid);
	        }
	    },
	};
	properties$2.default = def;
	
	return properties$2;
}

var patternProperties = {};

var hasRequiredPatternProperties;

function requirePatternProperties () {
	if (hasRequiredPatternProperties) return patternProperties;
	hasRequiredPatternProperties = 1;
	Object.defineProperty(patternProperties, "__esModule", { value: true });
	const code_1 = /*@__PURE__*/ requireCode();
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const util_2 = /*@__PURE__*/ requireUtil();
	const def = {
	    keyword: "patternProperties",
	    type: "object",
	    schemaType: "object",
	    code(cxt) {
	        const { gen, schema, data, parentSchema, it } = cxt;
	        const { opts } = it;
	        const patterns = (0, code_1.allSchemaProperties)(schema);
	        const alwaysValidPatterns = patterns.filter((p) => (0, util_1.alwaysValidSchema)(it, schema[p]));
	        if (patterns.length === 0 ||
	            (alwaysValidPatterns.length === patterns.length &&
	                (!it.opts.unevaluated || it.props === true))) {
	            return;
	        }
	        const checkProperties = opts.strictSchema && !opts.allowMatchingProperties && parentSchema.properties;
	        const valid = gen.name("valid");
	        if (it.props !== true && !(it.props instanceof codegen_1.Name)) {
	            it.props = (0, util_2.evaluatedPropsToName)(gen, it.props);
	        }
	        const { props } = it;
	        validatePatternProperties();
	        function validatePatternProperties() {
	            for (const pat of patterns) {
	                if (checkProperties)
	                    checkMatchingProperties(pat);
	                if (it.allErrors) {
	                    validateProperties(pat);
	                }
	                else {
	                    gen.var(valid, true); // TODO var
	                    validateProperties(pat);
	                    gen.if(valid);
	                }
	            }
	        }
	        function checkMatchingProperties(pat) {
	            for (const prop in checkProperties) {
	                if (new RegExp(pat).test(prop)) {
	                    (0, util_1.checkStrictMode)(it, `property ${prop} matches pattern ${pat} (use allowMatchingProperties)`);
	                }
	            }
	        }
	        function validateProperties(pat) {
	            gen.forIn("key", data, (key) => {
	                gen.if((0, codegen_1._) `${(0, code_1.usePattern)(cxt, pat)}.test(${key})`, () => {
	                    const alwaysValid = alwaysValidPatterns.includes(pat);
	                    if (!alwaysValid) {
	                        cxt.subschema({
	                            keyword: "patternProperties",
	                            schemaProp: pat,
	                            dataProp: key,
	                            dataPropType: util_2.Type.Str,
	                        }, valid);
	                    }
	                    if (it.opts.unevaluated && props !== true) {
	                        gen.assign((0, codegen_1._) `${props}[${key}]`, true);
	                    }
	                    else if (!alwaysValid && !it.allErrors) {
	                        // can short-circuit if `unevaluatedProperties` is not supported (opts.next === false)
	                        // or if all properties were evaluated (props === true)
	                        gen.if((0, codegen_1.not)(valid), () => gen.break());
	                    }
	                });
	            });
	        }
	    },
	};
	patternProperties.default = def;
	
	return patternProperties;
}

var not = {};

var hasRequiredNot;

function requireNot () {
	if (hasRequiredNot) return not;
	hasRequiredNot = 1;
	Object.defineProperty(not, "__esModule", { value: true });
	const util_1 = /*@__PURE__*/ requireUtil();
	const def = {
	    keyword: "not",
	    schemaType: ["object", "boolean"],
	    trackErrors: true,
	    code(cxt) {
	        const { gen, schema, it } = cxt;
	        if ((0, util_1.alwaysValidSchema)(it, schema)) {
	            cxt.fail();
	            return;
	        }
	        const valid = gen.name("valid");
	        cxt.subschema({
	            keyword: "not",
	            compositeRule: true,
	            createErrors: false,
	            allErrors: false,
	        }, valid);
	        cxt.failResult(valid, () => cxt.reset(), () => cxt.error());
	    },
	    error: { message: "must NOT be valid" },
	};
	not.default = def;
	
	return not;
}

var anyOf = {};

var hasRequiredAnyOf;

function requireAnyOf () {
	if (hasRequiredAnyOf) return anyOf;
	hasRequiredAnyOf = 1;
	Object.defineProperty(anyOf, "__esModule", { value: true });
	const code_1 = /*@__PURE__*/ requireCode();
	const def = {
	    keyword: "anyOf",
	    schemaType: "array",
	    trackErrors: true,
	    code: code_1.validateUnion,
	    error: { message: "must match a schema in anyOf" },
	};
	anyOf.default = def;
	
	return anyOf;
}

var oneOf = {};

var hasRequiredOneOf;

function requireOneOf () {
	if (hasRequiredOneOf) return oneOf;
	hasRequiredOneOf = 1;
	Object.defineProperty(oneOf, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: "must match exactly one schema in oneOf",
	    params: ({ params }) => (0, codegen_1._) `{passingSchemas: ${params.passing}}`,
	};
	const def = {
	    keyword: "oneOf",
	    schemaType: "array",
	    trackErrors: true,
	    error,
	    code(cxt) {
	        const { gen, schema, parentSchema, it } = cxt;
	        /* istanbul ignore if */
	        if (!Array.isArray(schema))
	            throw new Error("ajv implementation error");
	        if (it.opts.discriminator && parentSchema.discriminator)
	            return;
	        const schArr = schema;
	        const valid = gen.let("valid", false);
	        const passing = gen.let("passing", null);
	        const schValid = gen.name("_valid");
	        cxt.setParams({ passing });
	        // TODO possibly fail straight away (with warning or exception) if there are two empty always valid schemas
	        gen.block(validateOneOf);
	        cxt.result(valid, () => cxt.reset(), () => cxt.error(true));
	        function validateOneOf() {
	            schArr.forEach((sch, i) => {
	                let schCxt;
	                if ((0, util_1.alwaysValidSchema)(it, sch)) {
	                    gen.var(schValid, true);
	                }
	                else {
	                    schCxt = cxt.subschema({
	                        keyword: "oneOf",
	                        schemaProp: i,
	                        compositeRule: true,
	                    }, schValid);
	                }
	                if (i > 0) {
	                    gen
	                        .if((0, codegen_1._) `${schValid} && ${valid}`)
	                        .assign(valid, false)
	                        .assign(passing, (0, codegen_1._) `[${passing}, ${i}]`)
	                        .else();
	                }
	                gen.if(schValid, () => {
	                    gen.assign(valid, true);
	                    gen.assign(passing, i);
	                    if (schCxt)
	                        cxt.mergeEvaluated(schCxt, codegen_1.Name);
	                });
	            });
	        }
	    },
	};
	oneOf.default = def;
	
	return oneOf;
}

var allOf = {};

var hasRequiredAllOf;

function requireAllOf () {
	if (hasRequiredAllOf) return allOf;
	hasRequiredAllOf = 1;
	Object.defineProperty(allOf, "__esModule", { value: true });
	const util_1 = /*@__PURE__*/ requireUtil();
	const def = {
	    keyword: "allOf",
	    schemaType: "array",
	    code(cxt) {
	        const { gen, schema, it } = cxt;
	        /* istanbul ignore if */
	        if (!Array.isArray(schema))
	            throw new Error("ajv implementation error");
	        const valid = gen.name("valid");
	        schema.forEach((sch, i) => {
	            if ((0, util_1.alwaysValidSchema)(it, sch))
	                return;
	            const schCxt = cxt.subschema({ keyword: "allOf", schemaProp: i }, valid);
	            cxt.ok(valid);
	            cxt.mergeEvaluated(schCxt);
	        });
	    },
	};
	allOf.default = def;
	
	return allOf;
}

var _if = {};

var hasRequired_if;

function require_if () {
	if (hasRequired_if) return _if;
	hasRequired_if = 1;
	Object.defineProperty(_if, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: ({ params }) => (0, codegen_1.str) `must match "${params.ifClause}" schema`,
	    params: ({ params }) => (0, codegen_1._) `{failingKeyword: ${params.ifClause}}`,
	};
	const def = {
	    keyword: "if",
	    schemaType: ["object", "boolean"],
	    trackErrors: true,
	    error,
	    code(cxt) {
	        const { gen, parentSchema, it } = cxt;
	        if (parentSchema.then === undefined && parentSchema.else === undefined) {
	            (0, util_1.checkStrictMode)(it, '"if" without "then" and "else" is ignored');
	        }
	        const hasThen = hasSchema(it, "then");
	        const hasElse = hasSchema(it, "else");
	        if (!hasThen && !hasElse)
	            return;
	        const valid = gen.let("valid", true);
	        const schValid = gen.name("_valid");
	        validateIf();
	        cxt.reset();
	        if (hasThen && hasElse) {
	            const ifClause = gen.let("ifClause");
	            cxt.setParams({ ifClause });
	            gen.if(schValid, validateClause("then", ifClause), validateClause("else", ifClause));
	        }
	        else if (hasThen) {
	            gen.if(schValid, validateClause("then"));
	        }
	        else {
	            gen.if((0, codegen_1.not)(schValid), validateClause("else"));
	        }
	        cxt.pass(valid, () => cxt.error(true));
	        function validateIf() {
	            const schCxt = cxt.subschema({
	                keyword: "if",
	                compositeRule: true,
	                createErrors: false,
	                allErrors: false,
	            }, schValid);
	            cxt.mergeEvaluated(schCxt);
	        }
	        function validateClause(keyword, ifClause) {
	            return () => {
	                const schCxt = cxt.subschema({ keyword }, schValid);
	                gen.assign(valid, schValid);
	                cxt.mergeValidEvaluated(schCxt, valid);
	                if (ifClause)
	                    gen.assign(ifClause, (0, codegen_1._) `${keyword}`);
	                else
	                    cxt.setParams({ ifClause: keyword });
	            };
	        }
	    },
	};
	function hasSchema(it, keyword) {
	    const schema = it.schema[keyword];
	    return schema !== undefined && !(0, util_1.alwaysValidSchema)(it, schema);
	}
	_if.default = def;
	
	return _if;
}

var thenElse = {};

var hasRequiredThenElse;

function requireThenElse () {
	if (hasRequiredThenElse) return thenElse;
	hasRequiredThenElse = 1;
	Object.defineProperty(thenElse, "__esModule", { value: true });
	const util_1 = /*@__PURE__*/ requireUtil();
	const def = {
	    keyword: ["then", "else"],
	    schemaType: ["object", "boolean"],
	    code({ keyword, parentSchema, it }) {
	        if (parentSchema.if === undefined)
	            (0, util_1.checkStrictMode)(it, `"${keyword}" without "if" is ignored`);
	    },
	};
	thenElse.default = def;
	
	return thenElse;
}

var hasRequiredApplicator;

function requireApplicator () {
	if (hasRequiredApplicator) return applicator;
	hasRequiredApplicator = 1;
	Object.defineProperty(applicator, "__esModule", { value: true });
	const additionalItems_1 = /*@__PURE__*/ requireAdditionalItems();
	const prefixItems_1 = /*@__PURE__*/ requirePrefixItems();
	const items_1 = /*@__PURE__*/ requireItems();
	const items2020_1 = /*@__PURE__*/ requireItems2020();
	const contains_1 = /*@__PURE__*/ requireContains();
	const dependencies_1 = /*@__PURE__*/ requireDependencies();
	const propertyNames_1 = /*@__PURE__*/ requirePropertyNames();
	const additionalProperties_1 = /*@__PURE__*/ requireAdditionalProperties();
	const properties_1 = /*@__PURE__*/ requireProperties();
	const patternProperties_1 = /*@__PURE__*/ requirePatternProperties();
	const not_1 = /*@__PURE__*/ requireNot();
	const anyOf_1 = /*@__PURE__*/ requireAnyOf();
	const oneOf_1 = /*@__PURE__*/ requireOneOf();
	const allOf_1 = /*@__PURE__*/ requireAllOf();
	const if_1 = /*@__PURE__*/ require_if();
	const thenElse_1 = /*@__PURE__*/ requireThenElse();
	function getApplicator(draft2020 = false) {
	    const applicator = [
	        // any
	        not_1.default,
	        anyOf_1.default,
	        oneOf_1.default,
	        allOf_1.default,
	        if_1.default,
	        thenElse_1.default,
	        // object
	        propertyNames_1.default,
	        additionalProperties_1.default,
	        dependencies_1.default,
	        properties_1.default,
	        patternProperties_1.default,
	    ];
	    // array
	    if (draft2020)
	        applicator.push(prefixItems_1.default, items2020_1.default);
	    else
	        applicator.push(additionalItems_1.default, items_1.default);
	    applicator.push(contains_1.default);
	    return applicator;
	}
	applicator.default = getApplicator;
	
	return applicator;
}

var format$1 = {};

var format = {};

var hasRequiredFormat$1;

function requireFormat$1 () {
	if (hasRequiredFormat$1) return format;
	hasRequiredFormat$1 = 1;
	Object.defineProperty(format, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const error = {
	    message: ({ schemaCode }) => (0, codegen_1.str) `must match format "${schemaCode}"`,
	    params: ({ schemaCode }) => (0, codegen_1._) `{format: ${schemaCode}}`,
	};
	const def = {
	    keyword: "format",
	    type: ["number", "string"],
	    schemaType: "string",
	    $data: true,
	    error,
	    code(cxt, ruleType) {
	        const { gen, data, $data, schema, schemaCode, it } = cxt;
	        const { opts, errSchemaPath, schemaEnv, self } = it;
	        if (!opts.validateFormats)
	            return;
	        if ($data)
	            validate$DataFormat();
	        else
	            validateFormat();
	        function validate$DataFormat() {
	            const fmts = gen.scopeValue("formats", {
	                ref: self.formats,
	                code: opts.code.formats,
	            });
	            const fDef = gen.const("fDef", (0, codegen_1._) `${fmts}[${schemaCode}]`);
	            const fType = gen.let("fType");
	            const format = gen.let("format");
	            // TODO simplify
	            gen.if((0, codegen_1._) `typeof ${fDef} == "object" && !(${fDef} instanceof RegExp)`, () => gen.assign(fType, (0, codegen_1._) `${fDef}.type || "string"`).assign(format, (0, codegen_1._) `${fDef}.validate`), () => gen.assign(fType, (0, codegen_1._) `"string"`).assign(format, fDef));
	            cxt.fail$data((0, codegen_1.or)(unknownFmt(), invalidFmt()));
	            function unknownFmt() {
	                if (opts.strictSchema === false)
	                    return codegen_1.nil;
	                return (0, codegen_1._) `${schemaCode} && !${format}`;
	            }
	            function invalidFmt() {
	                const callFormat = schemaEnv.$async
	                    ? (0, codegen_1._) `(${fDef}.async ? await ${format}(${data}) : ${format}(${data}))`
	                    : (0, codegen_1._) `${format}(${data})`;
	                const validData = (0, codegen_1._) `(typeof ${format} == "function" ? ${callFormat} : ${format}.test(${data}))`;
	                return (0, codegen_1._) `${format} && ${format} !== true && ${fType} === ${ruleType} && !${validData}`;
	            }
	        }
	        function validateFormat() {
	            const formatDef = self.formats[schema];
	            if (!formatDef) {
	                unknownFormat();
	                return;
	            }
	            if (formatDef === true)
	                return;
	            const [fmtType, format, fmtRef] = getFormat(formatDef);
	            if (fmtType === ruleType)
	                cxt.pass(validCondition());
	            function unknownFormat() {
	                if (opts.strictSchema === false) {
	                    self.logger.warn(unknownMsg());
	                    return;
	                }
	                throw new Error(unknownMsg());
	                function unknownMsg() {
	                    return `unknown format "${schema}" ignored in schema at path "${errSchemaPath}"`;
	                }
	            }
	            function getFormat(fmtDef) {
	                const code = fmtDef instanceof RegExp
	                    ? (0, codegen_1.regexpCode)(fmtDef)
	                    : opts.code.formats
	                        ? (0, codegen_1._) `${opts.code.formats}${(0, codegen_1.getProperty)(schema)}`
	                        : undefined;
	                const fmt = gen.scopeValue("formats", { key: schema, ref: fmtDef, code });
	                if (typeof fmtDef == "object" && !(fmtDef instanceof RegExp)) {
	                    return [fmtDef.type || "string", fmtDef.validate, (0, codegen_1._) `${fmt}.validate`];
	                }
	                return ["string", fmtDef, fmt];
	            }
	            function validCondition() {
	                if (typeof formatDef == "object" && !(formatDef instanceof RegExp) && formatDef.async) {
	                    if (!schemaEnv.$async)
	                        throw new Error("async format in sync schema");
	                    return (0, codegen_1._) `await ${fmtRef}(${data})`;
	                }
	                return typeof format == "function" ? (0, codegen_1._) `${fmtRef}(${data})` : (0, codegen_1._) `${fmtRef}.test(${data})`;
	            }
	        }
	    },
	};
	format.default = def;
	
	return format;
}

var hasRequiredFormat;

function requireFormat () {
	if (hasRequiredFormat) return format$1;
	hasRequiredFormat = 1;
	Object.defineProperty(format$1, "__esModule", { value: true });
	const format_1 = /*@__PURE__*/ requireFormat$1();
	const format = [format_1.default];
	format$1.default = format;
	
	return format$1;
}

var metadata = {};

var hasRequiredMetadata;

function requireMetadata () {
	if (hasRequiredMetadata) return metadata;
	hasRequiredMetadata = 1;
	Object.defineProperty(metadata, "__esModule", { value: true });
	metadata.contentVocabulary = metadata.metadataVocabulary = void 0;
	metadata.metadataVocabulary = [
	    "title",
	    "description",
	    "default",
	    "deprecated",
	    "readOnly",
	    "writeOnly",
	    "examples",
	];
	metadata.contentVocabulary = [
	    "contentMediaType",
	    "contentEncoding",
	    "contentSchema",
	];
	
	return metadata;
}

var hasRequiredDraft7;

function requireDraft7 () {
	if (hasRequiredDraft7) return draft7;
	hasRequiredDraft7 = 1;
	Object.defineProperty(draft7, "__esModule", { value: true });
	const core_1 = /*@__PURE__*/ requireCore();
	const validation_1 = /*@__PURE__*/ requireValidation();
	const applicator_1 = /*@__PURE__*/ requireApplicator();
	const format_1 = /*@__PURE__*/ requireFormat();
	const metadata_1 = /*@__PURE__*/ requireMetadata();
	const draft7Vocabularies = [
	    core_1.default,
	    validation_1.default,
	    (0, applicator_1.default)(),
	    format_1.default,
	    metadata_1.metadataVocabulary,
	    metadata_1.contentVocabulary,
	];
	draft7.default = draft7Vocabularies;
	
	return draft7;
}

var discriminator = {};

var types = {};

var hasRequiredTypes;

function requireTypes () {
	if (hasRequiredTypes) return types;
	hasRequiredTypes = 1;
	Object.defineProperty(types, "__esModule", { value: true });
	types.DiscrError = void 0;
	var DiscrError;
	(function (DiscrError) {
	    DiscrError["Tag"] = "tag";
	    DiscrError["Mapping"] = "mapping";
	})(DiscrError || (types.DiscrError = DiscrError = {}));
	
	return types;
}

var hasRequiredDiscriminator;

function requireDiscriminator () {
	if (hasRequiredDiscriminator) return discriminator;
	hasRequiredDiscriminator = 1;
	Object.defineProperty(discriminator, "__esModule", { value: true });
	const codegen_1 = /*@__PURE__*/ requireCodegen();
	const types_1 = /*@__PURE__*/ requireTypes();
	const compile_1 = /*@__PURE__*/ requireCompile();
	const ref_error_1 = /*@__PURE__*/ requireRef_error();
	const util_1 = /*@__PURE__*/ requireUtil();
	const error = {
	    message: ({ params: { discrError, tagName } }) => discrError === types_1.DiscrError.Tag
	        ? `tag "${tagName}" must be string`
	        : `value of tag "${tagName}" must be in oneOf`,
	    params: ({ params: { discrError, tag, tagName } }) => (0, codegen_1._) `{error: ${discrError}, tag: ${tagName}, tagValue: ${tag}}`,
	};
	const def = {
	    keyword: "discriminator",
	    type: "object",
	    schemaType: "object",
	    error,
	    code(cxt) {
	        const { gen, data, schema, parentSchema, it } = cxt;
	        const { oneOf } = parentSchema;
	        if (!it.opts.discriminator) {
	            throw new Error("discriminator: requires discriminator option");
	        }
	        const tagName = schema.propertyName;
	        if (typeof tagName != "string")
	            throw new Error("discriminator: requires propertyName");
	        if (schema.mapping)
	            throw new Error("discriminator: mapping is not supported");
	        if (!oneOf)
	            throw new Error("discriminator: requires oneOf keyword");
	        const valid = gen.let("valid", false);
	        const tag = gen.const("tag", (0, codegen_1._) `${data}${(0, codegen_1.getProperty)(tagName)}`);
	        gen.if((0, codegen_1._) `typeof ${tag} == "string"`, () => validateMapping(), () => cxt.error(false, { discrError: types_1.DiscrError.Tag, tag, tagName }));
	        cxt.ok(valid);
	        function validateMapping() {
	            const mapping = getMapping();
	            gen.if(false);
	            for (const tagValue in mapping) {
	                gen.elseIf((0, codegen_1._) `${tag} === ${tagValue}`);
	                gen.assign(valid, applyTagSchema(mapping[tagValue]));
	            }
	            gen.else();
	            cxt.error(false, { discrError: types_1.DiscrError.Mapping, tag, tagName });
	            gen.endIf();
	        }
	        function applyTagSchema(schemaProp) {
	            const _valid = gen.name("valid");
	            const schCxt = cxt.subschema({ keyword: "oneOf", schemaProp }, _valid);
	            cxt.mergeEvaluated(schCxt, codegen_1.Name);
	            return _valid;
	        }
	        function getMapping() {
	            var _a;
	            const oneOfMapping = {};
	            const topRequired = hasRequired(parentSchema);
	            let tagRequired = true;
	            for (let i = 0; i < oneOf.length; i++) {
	                let sch = oneOf[i];
	                if ((sch === null || sch === void 0 ? void 0 : sch.$ref) && !(0, util_1.schemaHasRulesButRef)(sch, it.self.RULES)) {
	                    const ref = sch.$ref;
	                    sch = compile_1.resolveRef.call(it.self, it.schemaEnv.root, it.baseId, ref);
	                    if (sch instanceof compile_1.SchemaEnv)
	                        sch = sch.schema;
	                    if (sch === undefined)
	                        throw new ref_error_1.default(it.opts.uriResolver, it.baseId, ref);
	                }
	                const propSch = (_a = sch === null || sch === void 0 ? void 0 : sch.properties) === null || _a === void 0 ? void 0 : _a[tagName];
	                if (typeof propSch != "object") {
	                    throw new Error(`discriminator: oneOf subschemas (or referenced schemas) must have "properties/${tagName}"`);
	                }
	                tagRequired = tagRequired && (topRequired || hasRequired(sch));
	                addMappings(propSch, i);
	            }
	            if (!tagRequired)
	                throw new Error(`discriminator: "${tagName}" must be required`);
	            return oneOfMapping;
	            function hasRequired({ required }) {
	                return Array.isArray(required) && required.includes(tagName);
	            }
	            function addMappings(sch, i) {
	                if (sch.const) {
	                    addMapping(sch.const, i);
	                }
	                else if (sch.enum) {
	                    for (const tagValue of sch.enum) {
	                        addMapping(tagValue, i);
	                    }
	                }
	                else {
	                    throw new Error(`discriminator: "properties/${tagName}" must have "const" or "enum"`);
	                }
	            }
	            function addMapping(tagValue, i) {
	                if (typeof tagValue != "string" || tagValue in oneOfMapping) {
	                    throw new Error(`discriminator: "${tagName}" values must be unique strings`);
	                }
	                oneOfMapping[tagValue] = i;
	            }
	        }
	    },
	};
	discriminator.default = def;
	
	return discriminator;
}

var $schema$1 = "http://json-schema.org/draft-07/schema#";
var $id$1 = "http://json-schema.org/draft-07/schema#";
var title$1 = "Core schema meta-schema";
var definitions$1 = {
	schemaArray: {
		type: "array",
		minItems: 1,
		items: {
			$ref: "#"
		}
	},
	nonNegativeInteger: {
		type: "integer",
		minimum: 0
	},
	nonNegativeIntegerDefault0: {
		allOf: [
			{
				$ref: "#/definitions/nonNegativeInteger"
			},
			{
				"default": 0
			}
		]
	},
	simpleTypes: {
		"enum": [
			"array",
			"boolean",
			"integer",
			"null",
			"number",
			"object",
			"string"
		]
	},
	stringArray: {
		type: "array",
		items: {
			type: "string"
		},
		uniqueItems: true,
		"default": [
		]
	}
};
var type$1 = [
	"object",
	"boolean"
];
var properties$1 = {
	$id: {
		type: "string",
		format: "uri-reference"
	},
	$schema: {
		type: "string",
		format: "uri"
	},
	$ref: {
		type: "string",
		format: "uri-reference"
	},
	$comment: {
		type: "string"
	},
	title: {
		type: "string"
	},
	description: {
		type: "string"
	},
	"default": true,
	readOnly: {
		type: "boolean",
		"default": false
	},
	examples: {
		type: "array",
		items: true
	},
	multipleOf: {
		type: "number",
		exclusiveMinimum: 0
	},
	maximum: {
		type: "number"
	},
	exclusiveMaximum: {
		type: "number"
	},
	minimum: {
		type: "number"
	},
	exclusiveMinimum: {
		type: "number"
	},
	maxLength: {
		$ref: "#/definitions/nonNegativeInteger"
	},
	minLength: {
		$ref: "#/definitions/nonNegativeIntegerDefault0"
	},
	pattern: {
		type: "string",
		format: "regex"
	},
	additionalItems: {
		$ref: "#"
	},
	items: {
		anyOf: [
			{
				$ref: "#"
			},
			{
				$ref: "#/definitions/schemaArray"
			}
		],
		"default": true
	},
	maxItems: {
		$ref: "#/definitions/nonNegativeInteger"
	},
	minItems: {
		$ref: "#/definitions/nonNegativeIntegerDefault0"
	},
	uniqueItems: {
		type: "boolean",
		"default": false
	},
	contains: {
		$ref: "#"
	},
	maxProperties: {
		$ref: "#/definitions/nonNegativeInteger"
	},
	minProperties: {
		$ref: "#/definitions/nonNegativeIntegerDefault0"
	},
	required: {
		$ref: "#/definitions/stringArray"
	},
	additionalProperties: {
		$ref: "#"
	},
	definitions: {
		type: "object",
		additionalProperties: {
			$ref: "#"
		},
		"default": {
		}
	},
	properties: {
		type: "object",
		additionalProperties: {
			$ref: "#"
		},
		"default": {
		}
	},
	patternProperties: {
		type: "object",
		additionalProperties: {
			$ref: "#"
		},
		propertyNames: {
			format: "regex"
		},
		"default": {
		}
	},
	dependencies: {
		type: "object",
		additionalProperties: {
			anyOf: [
				{
					$ref: "#"
				},
				{
					$ref: "#/definitions/stringArray"
				}
			]
		}
	},
	propertyNames: {
		$ref: "#"
	},
	"const": true,
	"enum": {
		type: "array",
		items: true,
		minItems: 1,
		uniqueItems: true
	},
	type: {
		anyOf: [
			{
				$ref: "#/definitions/simpleTypes"
			},
			{
				type: "array",
				items: {
					$ref: "#/definitions/simpleTypes"
				},
				minItems: 1,
				uniqueItems: true
			}
		]
	},
	format: {
		type: "string"
	},
	contentMediaType: {
		type: "string"
	},
	contentEncoding: {
		type: "string"
	},
	"if": {
		$ref: "#"
	},
	then: {
		$ref: "#"
	},
	"else": {
		$ref: "#"
	},
	allOf: {
		$ref: "#/definitions/schemaArray"
	},
	anyOf: {
		$ref: "#/definitions/schemaArray"
	},
	oneOf: {
		$ref: "#/definitions/schemaArray"
	},
	not: {
		$ref: "#"
	}
};
var require$$3 = {
	$schema: $schema$1,
	$id: $id$1,
	title: title$1,
	definitions: definitions$1,
	type: type$1,
	properties: properties$1,
	"default": true
};

var hasRequiredAjv;

function requireAjv () {
	if (hasRequiredAjv) return ajv$1.exports;
	hasRequiredAjv = 1;
	(function (module, exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.MissingRefError = exports.ValidationError = exports.CodeGen = exports.Name = exports.nil = exports.stringify = exports.str = exports._ = exports.KeywordCxt = exports.Ajv = void 0;
		const core_1 = /*@__PURE__*/ requireCore$1();
		const draft7_1 = /*@__PURE__*/ requireDraft7();
		const discriminator_1 = /*@__PURE__*/ requireDiscriminator();
		const draft7MetaSchema = require$$3;
		const META_SUPPORT_DATA = ["/properties"];
		const META_SCHEMA_ID = "http://json-schema.org/draft-07/schema";
		class Ajv extends core_1.default {
		    _addVocabularies() {
		        super._addVocabularies();
		        draft7_1.default.forEach((v) => this.addVocabulary(v));
		        if (this.opts.discriminator)
		            this.addKeyword(discriminator_1.default);
		    }
		    _addDefaultMetaSchema() {
		        super._addDefaultMetaSchema();
		        if (!this.opts.meta)
		            return;
		        const metaSchema = this.opts.$data
		            ? this.$dataMetaSchema(draft7MetaSchema, META_SUPPORT_DATA)
		            : draft7MetaSchema;
		        this.addMetaSchema(metaSchema, META_SCHEMA_ID, false);
		        this.refs["http://json-schema.org/schema"] = META_SCHEMA_ID;
		    }
		    defaultMeta() {
		        return (this.opts.defaultMeta =
		            super.defaultMeta() || (this.getSchema(META_SCHEMA_ID) ? META_SCHEMA_ID : undefined));
		    }
		}
		exports.Ajv = Ajv;
		module.exports = exports = Ajv;
		module.exports.Ajv = Ajv;
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.default = Ajv;
		var validate_1 = /*@__PURE__*/ requireValidate();
		Object.defineProperty(exports, "KeywordCxt", { enumerable: true, get: function () { return validate_1.KeywordCxt; } });
		var codegen_1 = /*@__PURE__*/ requireCodegen();
		Object.defineProperty(exports, "_", { enumerable: true, get: function () { return codegen_1._; } });
		Object.defineProperty(exports, "str", { enumerable: true, get: function () { return codegen_1.str; } });
		Object.defineProperty(exports, "stringify", { enumerable: true, get: function () { return codegen_1.stringify; } });
		Object.defineProperty(exports, "nil", { enumerable: true, get: function () { return codegen_1.nil; } });
		Object.defineProperty(exports, "Name", { enumerable: true, get: function () { return codegen_1.Name; } });
		Object.defineProperty(exports, "CodeGen", { enumerable: true, get: function () { return codegen_1.CodeGen; } });
		var validation_error_1 = /*@__PURE__*/ requireValidation_error();
		Object.defineProperty(exports, "ValidationError", { enumerable: true, get: function () { return validation_error_1.default; } });
		var ref_error_1 = /*@__PURE__*/ requireRef_error();
		Object.defineProperty(exports, "MissingRefError", { enumerable: true, get: function () { return ref_error_1.default; } });
		
	} (ajv$1, ajv$1.exports));
	return ajv$1.exports;
}

var ajvExports = /*@__PURE__*/ requireAjv();

var dist = {exports: {}};

var formats = {};

var hasRequiredFormats;

function requireFormats () {
	if (hasRequiredFormats) return formats;
	hasRequiredFormats = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.formatNames = exports.fastFormats = exports.fullFormats = void 0;
		function fmtDef(validate, compare) {
		    return { validate, compare };
		}
		exports.fullFormats = {
		    // date: http://tools.ietf.org/html/rfc3339#section-5.6
		    date: fmtDef(date, compareDate),
		    // date-time: http://tools.ietf.org/html/rfc3339#section-5.6
		    time: fmtDef(getTime(true), compareTime),
		    "date-time": fmtDef(getDateTime(true), compareDateTime),
		    "iso-time": fmtDef(getTime(), compareIsoTime),
		    "iso-date-time": fmtDef(getDateTime(), compareIsoDateTime),
		    // duration: https://tools.ietf.org/html/rfc3339#appendix-A
		    duration: /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/,
		    uri,
		    "uri-reference": /^(?:[a-z][a-z0-9+\-.]*:)?(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'"()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'"()*+,;=:@]|%[0-9a-f]{2})*)*)?(?:\?(?:[a-z0-9\-._~!$&'"()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'"()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i,
		    // uri-template: https://tools.ietf.org/html/rfc6570
		    "uri-template": /^(?:(?:[^\x00-\x20"'<>%\\^`{|}]|%[0-9a-f]{2})|\{[+#./;?&=,!@|]?(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?(?:,(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?)*\})*$/i,
		    // For the source: https://gist.github.com/dperini/729294
		    // For test cases: https://mathiasbynens.be/demo/url-regex
		    url: /^(?:https?|ftp):\/\/(?:\S+(?::\S*)?@)?(?:(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))|(?:(?:[a-z0-9\u{00a1}-\u{ffff}]+-)*[a-z0-9\u{00a1}-\u{ffff}]+)(?:\.(?:[a-z0-9\u{00a1}-\u{ffff}]+-)*[a-z0-9\u{00a1}-\u{ffff}]+)*(?:\.(?:[a-z\u{00a1}-\u{ffff}]{2,})))(?::\d{2,5})?(?:\/[^\s]*)?$/iu,
		    email: /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i,
		    hostname: /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-0-9a-z]{0,61}[0-9a-z])?)*\.?$/i,
		    // optimized https://www.safaribooksonline.com/library/view/regular-expressions-cookbook/9780596802837/ch07s16.html
		    ipv4: /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
		    ipv6: /^((([0-9a-f]{1,4}:){7}([0-9a-f]{1,4}|:))|(([0-9a-f]{1,4}:){6}(:[0-9a-f]{1,4}|((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9a-f]{1,4}:){5}(((:[0-9a-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9a-f]{1,4}:){4}(((:[0-9a-f]{1,4}){1,3})|((:[0-9a-f]{1,4})?:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){3}(((:[0-9a-f]{1,4}){1,4})|((:[0-9a-f]{1,4}){0,2}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){2}(((:[0-9a-f]{1,4}){1,5})|((:[0-9a-f]{1,4}){0,3}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9a-f]{1,4}:){1}(((:[0-9a-f]{1,4}){1,6})|((:[0-9a-f]{1,4}){0,4}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(:(((:[0-9a-f]{1,4}){1,7})|((:[0-9a-f]{1,4}){0,5}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))$/i,
		    regex,
		    // uuid: http://tools.ietf.org/html/rfc4122
		    uuid: /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i,
		    // JSON-pointer: https://tools.ietf.org/html/rfc6901
		    // uri fragment: https://tools.ietf.org/html/rfc3986#appendix-A
		    "json-pointer": /^(?:\/(?:[^~/]|~0|~1)*)*$/,
		    "json-pointer-uri-fragment": /^#(?:\/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*$/i,
		    // relative JSON-pointer: http://tools.ietf.org/html/draft-luff-relative-json-pointer-00
		    "relative-json-pointer": /^(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)$/,
		    // the following formats are used by the openapi specification: https://spec.openapis.org/oas/v3.0.0#data-types
		    // byte: https://github.com/miguelmota/is-base64
		    byte,
		    // signed 32 bit integer
		    int32: { type: "number", validate: validateInt32 },
		    // signed 64 bit integer
		    int64: { type: "number", validate: validateInt64 },
		    // C-type float
		    float: { type: "number", validate: validateNumber },
		    // C-type double
		    double: { type: "number", validate: validateNumber },
		    // hint to the UI to hide input strings
		    password: true,
		    // unchecked string payload
		    binary: true,
		};
		exports.fastFormats = {
		    ...exports.fullFormats,
		    date: fmtDef(/^\d\d\d\d-[0-1]\d-[0-3]\d$/, compareDate),
		    time: fmtDef(/^(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i, compareTime),
		    "date-time": fmtDef(/^\d\d\d\d-[0-1]\d-[0-3]\dt(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$/i, compareDateTime),
		    "iso-time": fmtDef(/^(?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)?$/i, compareIsoTime),
		    "iso-date-time": fmtDef(/^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)?$/i, compareIsoDateTime),
		    // uri: https://github.com/mafintosh/is-my-json-valid/blob/master/formats.js
		    uri: /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/)?[^\s]*$/i,
		    "uri-reference": /^(?:(?:[a-z][a-z0-9+\-.]*:)?\/?\/)?(?:[^\\\s#][^\s#]*)?(?:#[^\\\s]*)?$/i,
		    // email (sources from jsen validator):
		    // http://stackoverflow.com/questions/201323/using-a-regular-expression-to-validate-an-email-address#answer-8829363
		    // http://www.w3.org/TR/html5/forms.html#valid-e-mail-address (search for 'wilful violation')
		    email: /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
		};
		exports.formatNames = Object.keys(exports.fullFormats);
		function isLeapYear(year) {
		    // https://tools.ietf.org/html/rfc3339#appendix-C
		    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
		}
		const DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
		const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
		function date(str) {
		    // full-date from http://tools.ietf.org/html/rfc3339#section-5.6
		    const matches = DATE.exec(str);
		    if (!matches)
		        return false;
		    const year = +matches[1];
		    const month = +matches[2];
		    const day = +matches[3];
		    return (month >= 1 &&
		        month <= 12 &&
		        day >= 1 &&
		        day <= (month === 2 && isLeapYear(year) ? 29 : DAYS[month]));
		}
		function compareDate(d1, d2) {
		    if (!(d1 && d2))
		        return undefined;
		    if (d1 > d2)
		        return 1;
		    if (d1 < d2)
		        return -1;
		    return 0;
		}
		const TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;
		function getTime(strictTimeZone) {
		    return function time(str) {
		        const matches = TIME.exec(str);
		        if (!matches)
		            return false;
		        const hr = +matches[1];
		        const min = +matches[2];
		        const sec = +matches[3];
		        const tz = matches[4];
		        const tzSign = matches[5] === "-" ? -1 : 1;
		        const tzH = +(matches[6] || 0);
		        const tzM = +(matches[7] || 0);
		        if (tzH > 23 || tzM > 59 || (strictTimeZone && !tz))
		            return false;
		        if (hr <= 23 && min <= 59 && sec < 60)
		            return true;
		        // leap second
		        const utcMin = min - tzM * tzSign;
		        const utcHr = hr - tzH * tzSign - (utcMin < 0 ? 1 : 0);
		        return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
		    };
		}
		function compareTime(s1, s2) {
		    if (!(s1 && s2))
		        return undefined;
		    const t1 = new Date("2020-01-01T" + s1).valueOf();
		    const t2 = new Date("2020-01-01T" + s2).valueOf();
		    if (!(t1 && t2))
		        return undefined;
		    return t1 - t2;
		}
		function compareIsoTime(t1, t2) {
		    if (!(t1 && t2))
		        return undefined;
		    const a1 = TIME.exec(t1);
		    const a2 = TIME.exec(t2);
		    if (!(a1 && a2))
		        return undefined;
		    t1 = a1[1] + a1[2] + a1[3];
		    t2 = a2[1] + a2[2] + a2[3];
		    if (t1 > t2)
		        return 1;
		    if (t1 < t2)
		        return -1;
		    return 0;
		}
		const DATE_TIME_SEPARATOR = /t|\s/i;
		function getDateTime(strictTimeZone) {
		    const time = getTime(strictTimeZone);
		    return function date_time(str) {
		        // http://tools.ietf.org/html/rfc3339#section-5.6
		        const dateTime = str.split(DATE_TIME_SEPARATOR);
		        return dateTime.length === 2 && date(dateTime[0]) && time(dateTime[1]);
		    };
		}
		function compareDateTime(dt1, dt2) {
		    if (!(dt1 && dt2))
		        return undefined;
		    const d1 = new Date(dt1).valueOf();
		    const d2 = new Date(dt2).valueOf();
		    if (!(d1 && d2))
		        return undefined;
		    return d1 - d2;
		}
		function compareIsoDateTime(dt1, dt2) {
		    if (!(dt1 && dt2))
		        return undefined;
		    const [d1, t1] = dt1.split(DATE_TIME_SEPARATOR);
		    const [d2, t2] = dt2.split(DATE_TIME_SEPARATOR);
		    const res = compareDate(d1, d2);
		    if (res === undefined)
		        return undefined;
		    return res || compareTime(t1, t2);
		}
		const NOT_URI_FRAGMENT = /\/|:/;
		const URI = /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;
		function uri(str) {
		    // http://jmrware.com/articles/2009/uri_regexp/URI_regex.html + optional protocol + required "."
		    return NOT_URI_FRAGMENT.test(str) && URI.test(str);
		}
		const BYTE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/gm;
		function byte(str) {
		    BYTE.lastIndex = 0;
		    return BYTE.test(str);
		}
		const MIN_INT32 = -2147483648;
		const MAX_INT32 = 2 ** 31 - 1;
		function validateInt32(value) {
		    return Number.isInteger(value) && value <= MAX_INT32 && value >= MIN_INT32;
		}
		function validateInt64(value) {
		    // JSON and javascript max Int is 2**53, so any int that passes isInteger is valid for Int64
		    return Number.isInteger(value);
		}
		function validateNumber() {
		    return true;
		}
		const Z_ANCHOR = /[^\\]\\Z/;
		function regex(str) {
		    if (Z_ANCHOR.test(str))
		        return false;
		    try {
		        new RegExp(str);
		        return true;
		    }
		    catch (e) {
		        return false;
		    }
		}
		
	} (formats));
	return formats;
}

var limit = {};

var hasRequiredLimit;

function requireLimit () {
	if (hasRequiredLimit) return limit;
	hasRequiredLimit = 1;
	(function (exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.formatLimitDefinition = void 0;
		const ajv_1 = /*@__PURE__*/ requireAjv();
		const codegen_1 = /*@__PURE__*/ requireCodegen();
		const ops = codegen_1.operators;
		const KWDs = {
		    formatMaximum: { okStr: "<=", ok: ops.LTE, fail: ops.GT },
		    formatMinimum: { okStr: ">=", ok: ops.GTE, fail: ops.LT },
		    formatExclusiveMaximum: { okStr: "<", ok: ops.LT, fail: ops.GTE },
		    formatExclusiveMinimum: { okStr: ">", ok: ops.GT, fail: ops.LTE },
		};
		const error = {
		    message: ({ keyword, schemaCode }) => (0, codegen_1.str) `should be ${KWDs[keyword].okStr} ${schemaCode}`,
		    params: ({ keyword, schemaCode }) => (0, codegen_1._) `{comparison: ${KWDs[keyword].okStr}, limit: ${schemaCode}}`,
		};
		exports.formatLimitDefinition = {
		    keyword: Object.keys(KWDs),
		    type: "string",
		    schemaType: "string",
		    $data: true,
		    error,
		    code(cxt) {
		        const { gen, data, schemaCode, keyword, it } = cxt;
		        const { opts, self } = it;
		        if (!opts.validateFormats)
		            return;
		        const fCxt = new ajv_1.KeywordCxt(it, self.RULES.all.format.definition, "format");
		        if (fCxt.$data)
		            validate$DataFormat();
		        else
		            validateFormat();
		        function validate$DataFormat() {
		            const fmts = gen.scopeValue("formats", {
		                ref: self.formats,
		                code: opts.code.formats,
		            });
		            const fmt = gen.const("fmt", (0, codegen_1._) `${fmts}[${fCxt.schemaCode}]`);
		            cxt.fail$data((0, codegen_1.or)((0, codegen_1._) `typeof ${fmt} != "object"`, (0, codegen_1._) `${fmt} instanceof RegExp`, (0, codegen_1._) `typeof ${fmt}.compare != "function"`, compareCode(fmt)));
		        }
		        function validateFormat() {
		            const format = fCxt.schema;
		            const fmtDef = self.formats[format];
		            if (!fmtDef || fmtDef === true)
		                return;
		            if (typeof fmtDef != "object" ||
		                fmtDef instanceof RegExp ||
		                typeof fmtDef.compare != "function") {
		                throw new Error(`"${keyword}": format "${format}" does not define "compare" function`);
		            }
		            const fmt = gen.scopeValue("formats", {
		                key: format,
		                ref: fmtDef,
		                code: opts.code.formats ? (0, codegen_1._) `${opts.code.formats}${(0, codegen_1.getProperty)(format)}` : undefined,
		            });
		            cxt.fail$data(compareCode(fmt));
		        }
		        function compareCode(fmt) {
		            return (0, codegen_1._) `${fmt}.compare(${data}, ${schemaCode}) ${KWDs[keyword].fail} 0`;
		        }
		    },
		    dependencies: ["format"],
		};
		const formatLimitPlugin = (ajv) => {
		    ajv.addKeyword(exports.formatLimitDefinition);
		    return ajv;
		};
		exports.default = formatLimitPlugin;
		
	} (limit));
	return limit;
}

var hasRequiredDist;

function requireDist () {
	if (hasRequiredDist) return dist.exports;
	hasRequiredDist = 1;
	(function (module, exports) {
		Object.defineProperty(exports, "__esModule", { value: true });
		const formats_1 = requireFormats();
		const limit_1 = requireLimit();
		const codegen_1 = /*@__PURE__*/ requireCodegen();
		const fullName = new codegen_1.Name("fullFormats");
		const fastName = new codegen_1.Name("fastFormats");
		const formatsPlugin = (ajv, opts = { keywords: true }) => {
		    if (Array.isArray(opts)) {
		        addFormats(ajv, opts, formats_1.fullFormats, fullName);
		        return ajv;
		    }
		    const [formats, exportName] = opts.mode === "fast" ? [formats_1.fastFormats, fastName] : [formats_1.fullFormats, fullName];
		    const list = opts.formats || formats_1.formatNames;
		    addFormats(ajv, list, formats, exportName);
		    if (opts.keywords)
		        (0, limit_1.default)(ajv);
		    return ajv;
		};
		formatsPlugin.get = (name, mode = "full") => {
		    const formats = mode === "fast" ? formats_1.fastFormats : formats_1.fullFormats;
		    const f = formats[name];
		    if (!f)
		        throw new Error(`Unknown format "${name}"`);
		    return f;
		};
		function addFormats(ajv, list, fs, exportName) {
		    var _a;
		    var _b;
		    (_a = (_b = ajv.opts.code).formats) !== null && _a !== void 0 ? _a : (_b.formats = (0, codegen_1._) `require("ajv-formats/dist/formats").${exportName}`);
		    for (const f of list)
		        ajv.addFormat(f, fs[f]);
		}
		module.exports = exports = formatsPlugin;
		Object.defineProperty(exports, "__esModule", { value: true });
		exports.default = formatsPlugin;
		
	} (dist, dist.exports));
	return dist.exports;
}

var distExports = requireDist();
var addFormats = /*@__PURE__*/getDefaultExportFromCjs(distExports);

/** The one Ajv instance: every schema compiled here is also found by its $id. */
const ajv = new ajvExports.Ajv({ allErrors: true });
addFormats(ajv);
/**
 * A checker of one of the project's JSON Schemas (report, gradebook, bisect): the value as `T`,
 * or an `error` naming the file and the first ten fields at fault.
 */
function schemaCheck(schema, error) {
    const check = ajv.compile(schema);
    return (value, file) => {
        if (check(value))
            return value;
        const problems = (check.errors ?? [])
            .slice(0, 10)
            .map((e) => `${file}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
        throw new error(problems.join('\n'));
    };
}
/**
 * A JSON file's value, for a schema check: a file that cannot be read or is not JSON is an
 * `error` naming the file and `what` it should have been.
 */
async function readJsonFile(file, what, error) {
    const text = await readFile(file, 'utf8').catch((cause) => {
        throw new error(`${file}: cannot read ${what}: ${cause.message}`);
    });
    try {
        return JSON.parse(text);
    }
    catch (cause) {
        throw new error(`${file}: not JSON: ${cause.message}`);
    }
}

/**
 * A run's history record, made from its report.json files (one per variant or shard) and where
 * and when the run was made.
 */
class HistoryError extends Error {
}
/** One kernel's status of a test: its runs' status when they agree. */
function statusOf(observations) {
    const statuses = new Set((observations ?? []).map((o) => o.status));
    if (statuses.size === 0)
        return 'missing';
    const [only] = statuses;
    return statuses.size === 1 && only ? only : 'varies';
}
function historyReport({ report, link }) {
    const kernels = [report.candidate.name, ...report.references.map((r) => r.name)];
    const tests = {};
    for (const test of report.tests)
        tests[test.id] = [test.verdict.class, kernels.map((k) => statusOf(test.observations[k]))];
    return {
        variant: report.variant,
        candidate: report.candidate.digest,
        references: report.references.map((r) => ({ name: r.name, digest: r.digest })),
        harness: report.harness.digest,
        conclusion: report.summary.conclusion,
        ...(link ? { link } : {}),
        tests,
        failing: report.tests.filter((t) => t.verdict.failing).map((t) => t.id),
    };
}
/** The build image of the candidate, when its source names one (`{ image: … }`). */
function imageOf(report) {
    const image = report.candidate.source['image'];
    return typeof image === 'string' && image !== '' ? image : undefined;
}
/**
 * The record of a run. Its reports must come from one diverge and one QEMU (one run), and no
 * two may judge the same variant (a test would be counted twice).
 */
function historyRecord(place, reports) {
    const [first, ...rest] = reports;
    if (!first)
        throw new HistoryError('history add: no report given');
    if (Number.isNaN(Date.parse(place.time)))
        throw new HistoryError(`history add: --time ${place.time} is not an ISO 8601 time`);
    if (!HISTORY_EVENTS.includes(place.event))
        throw new HistoryError(`history add: --event ${place.event} is not one of ${HISTORY_EVENTS.join(', ')}`);
    const variants = new Map([[first.report.variant, first.file]]);
    for (const added of rest) {
        const seen = variants.get(added.report.variant);
        if (seen)
            throw new HistoryError(`${added.file}: variant ${added.report.variant} is also ${seen}'s: one report per variant in a run`);
        variants.set(added.report.variant, added.file);
        for (const field of ['version', 'qemu']) {
            const value = (r) => (field === 'version' ? r.run.tool.version : r.run.host.qemu);
            if (value(added.report) !== value(first.report))
                throw new HistoryError(`${added.file}: run.${field === 'version' ? 'tool.version' : 'host.qemu'} ${value(added.report)} differs from ${first.file}'s ${value(first.report)}: add reports of one run together`);
        }
    }
    const image = imageOf(first.report);
    return {
        schema: HISTORY_SCHEMA,
        commit: place.commit,
        ref: place.ref,
        time: new Date(place.time).toISOString(),
        event: place.event,
        toolchain: {
            diverge: first.report.run.tool.version,
            qemu: first.report.run.host.qemu,
            ...(image ? { image } : {}),
        },
        reports: reports.map(historyReport),
    };
}
/**
 * The event of a GitHub run as history records it; undefined for events that are not the
 * default branch's own runs (pull requests and the like), which history does not record.
 */
function eventOf(githubEvent) {
    if (!githubEvent)
        return 'manual';
    if (githubEvent === 'push' || githubEvent === 'schedule')
        return githubEvent;
    if (githubEvent === 'workflow_dispatch' || githubEvent === 'repository_dispatch')
        return 'manual';
    return undefined;
}

/**
 * The history store: a directory of month files (`2026-12.jsonl`), one record a line, only ever
 * appended to. Writers take the directory's lock file for the append, so two runs finishing at
 * once each add their whole line; a line a killed writer left half-written is ended by the next
 * writer and skipped by readers with a warning.
 */
const check$1 = schemaCheck(schema$1, HistoryError);
/**
 * Reading a store checks each record's head against the schema and its tests by hand: Ajv
 * over a thousand tuples per record is 10 ms, which at 10,000 runs is most of a render. The
 * hand check is the schema's `tests` rule (test/history/store.test.ts holds the two together).
 */
const headSchema = {
    ...schema$1,
    $id: `${schema$1.$id}#head`,
    definitions: {
        ...schema$1.definitions,
        report: {
            ...schema$1.definitions.report,
            properties: { ...schema$1.definitions.report.properties, tests: { type: 'object' } },
        },
    },
};
const checkHead = schemaCheck(headSchema, HistoryError);
const CLASS_NAMES = new Set(DIVERGENCE_CLASSES);
const STATUS_NAMES = new Set(HISTORY_STATUSES);
function isTest(entry) {
    if (!Array.isArray(entry) || entry.length !== 2 || !CLASS_NAMES.has(entry[0]))
        return false;
    const statuses = entry[1];
    if (!Array.isArray(statuses) || statuses.length === 0)
        return false;
    for (const s of statuses)
        if (typeof s !== 'string' || !STATUS_NAMES.has(s))
            return false;
    return true;
}
/** A record read from a store: its head by the schema, its tests by hand. */
function checkStored(value, where) {
    const record = checkHead(value, where);
    record.reports.forEach((report, i) => {
        for (const id in report.tests)
            if (!isTest(report.tests[id]))
                throw new HistoryError(`${where}: /reports/${i}/tests/${JSON.stringify(id).slice(0, 200)} must be [class, [status, …]]`);
    });
    return record;
}
const LOCK_FILE = '.lock';
const MONTH_FILE = /^\d{4}-\d{2}\.jsonl$/;
/** The month file a record belongs to: its time's UTC month. */
const monthOf = (time) => time.slice(0, 7);
const monthFile = (dir, month) => path.join(dir, `${month}.jsonl`);
/** The store's months, oldest first. */
async function storeMonths(dir) {
    const names = await readdir(dir).catch((error) => {
        if (error.code === 'ENOENT')
            throw new HistoryError(`${dir}: no history store here`);
        throw error;
    });
    return names
        .filter((n) => MONTH_FILE.test(n))
        .map((n) => n.slice(0, 7))
        .sort();
}
/** Whether the process that wrote a lock is gone (only decidable on the same host). */
function lockIsStale(content) {
    const [pid, host] = content.split(' ');
    return (host === hostname() && pid !== undefined && /^\d+$/.test(pid) && !alive(Number(pid), undefined));
}
/**
 * Runs `body` holding the store's lock file: made exclusively (O_EXCL), removed after. A lock
 * left by a dead process of this host is taken over; one held by a live writer is waited for,
 * `attempts` times with a growing pause, then the error names it.
 */
async function withLock(dir, body, attempts = 400) {
    const lock = path.join(dir, LOCK_FILE);
    for (let attempt = 1;; attempt++) {
        try {
            const handle = await open$1(lock, 'wx');
            await handle.writeFile(`${process.pid} ${hostname()}`);
            await handle.close();
            break;
        }
        catch (error) {
            if (error.code !== 'EEXIST')
                throw error;
            const holder = await readFile(lock, 'utf8').catch(() => '');
            if (holder !== '' && lockIsStale(holder)) {
                await rm(lock, { force: true });
                continue;
            }
            if (attempt >= attempts)
                throw new HistoryError(`${lock}: held by ${holder || 'another writer'}; remove it if no \`diverge history add\` is running`);
            await setTimeout$1(Math.min(250, 5 * attempt));
        }
    }
    try {
        return await body();
    }
    finally {
        await rm(lock, { force: true });
    }
}
/**
 * Appends `record` to its month file as one line, written by one call and synced. A file that
 * does not end with a line break (a writer killed mid-line) is ended first, so the record
 * starts a line of its own.
 */
async function appendRecord(dir, record, { lockAttempts } = {}) {
    check$1(record, 'the new record');
    await makeDir(dir);
    const file = monthFile(dir, monthOf(record.time));
    await withLock(dir, async () => {
        // Undefined: a new month file; '' (matching no columns): a key that could not be read.
        const before = await columnsKey(file).catch((error) => error.code === 'ENOENT' ? undefined : '');
        let lead = '';
        const handle = await open$1(file, 'a+');
        try {
            const { size } = await handle.stat();
            if (size > 0) {
                const last = Buffer.alloc(1);
                await handle.read(last, 0, 1, size - 1);
                if (last[0] !== 0x0a)
                    lead = '\n';
            }
            await handle.write(`${lead}${sealedLine(record)}\n`);
            await handle.sync();
        }
        finally {
            await handle.close();
        }
        // A torn line's warning is the next read's to say: its columns are rebuilt then.
        if (lead === '')
            await extendColumns(dir, record, before).catch(() => undefined);
    }, lockAttempts);
    return file;
}
/** SHA-256 in hex, without util/digest's `sha256:` prefix: what the store's files hold. */
const hexSha256 = (data) => createHash('sha256').update(data).digest('hex');
/**
 * A record's line: its JSON with a checksum of that JSON as the last key, so that a record edited
 * by hand (a status turned to pass, a test dropped) is told from the one `add` wrote. Like the
 * gradebook's and the observations' checksums it catches edits and damage, not a forger who
 * recomputes it.
 */
function sealedLine(record) {
    const json = JSON.stringify(record);
    return `${json.slice(0, -1)},"checksum":"${hexSha256(json)}"}`;
}
const SEAL = /,"checksum":"([0-9a-f]{64})"\}$/;
/** Why a stored line cannot be trusted (no checksum, or not the JSON it was written as), or undefined. */
function sealProblem(line) {
    const seal = SEAL.exec(line);
    if (!seal)
        return 'has no checksum (not written by `diverge history add`)';
    return hexSha256(`${line.slice(0, seal.index)}}`) === seal[1]
        ? undefined
        : 'does not match its checksum (edited after it was added)';
}
/**
 * The records of one month, in time order (then in the order they were added). A line that is
 * not JSON is a torn write, and one that does not match its checksum an edit: both skipped,
 * said through `warn`, as history never redoes a run. A sealed JSON line that is not a record is
 * an error naming the file, the line and the field.
 */
async function readMonth(dir, month, warn) {
    const file = monthFile(dir, month);
    const lines = (await readFile(file, 'utf8')).split('\n');
    const records = [];
    lines.forEach((line, i) => {
        if (line.trim() === '')
            return;
        let value;
        try {
            value = JSON.parse(line);
        }
        catch {
            warn(`${file}:${i + 1}: not a whole record (a write cut short?); skipped`);
            return;
        }
        const problem = sealProblem(line.trimEnd());
        if (problem) {
            warn(`${file}:${i + 1}: a record that ${problem}; skipped`);
            return;
        }
        delete value.checksum;
        records.push(checkStored(value, `${file}:${i + 1}`));
    });
    // Stable: runs of one instant stay in the order they were added.
    return records.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}
/** The codes' encoding: columns written by a diverge with other classes or statuses are not read. */
const COLUMNS_FORMAT = createHash('sha256')
    .update(JSON.stringify([1, DIVERGENCE_CLASSES, HISTORY_STATUSES]))
    .digest('hex')
    .slice(0, 12);
/** The bytes at a month file's end that its key covers besides its size. */
const KEY_TAIL = 4096;
const storeColumns = (dir, month) => ({
    meta: path.join(dir, `${month}.columns.json`),
    codes: path.join(dir, `${month}.columns.bin`),
});
/**
 * What a month file's columns are checked against: the encoding, the file's size and a digest
 * of its last 4 KB. The store is only appended to, so any record added (or line torn) changes
 * the key; unlike the file's time, the key survives a git checkout.
 */
async function columnsKey(file) {
    const handle = await open$1(file, 'r');
    try {
        const { size } = await handle.stat();
        const tail = Buffer.alloc(Math.min(size, KEY_TAIL));
        await handle.read(tail, 0, tail.length, size - tail.length);
        return `${COLUMNS_FORMAT} ${size} ${hexSha256(tail).slice(0, 32)}`;
    }
    finally {
        await handle.close();
    }
}
const cacheFiles = (cache, dir, month) => {
    const base = path.join(cache.dir, hexSha256(path.resolve(dir)).slice(0, 16), month);
    return { meta: `${base}.json`, codes: `${base}.bin` };
};
/** A month's columns, when they are there, whole, and made from what `key` says. */
async function readColumns(files, key) {
    try {
        const meta = JSON.parse(await readFile(files.meta, 'utf8'));
        if (meta.key !== key)
            return undefined;
        const bytes = await readFile(files.codes);
        if (meta.lengths.reduce((a, b) => a + b, 0) !== bytes.length)
            return undefined;
        let at = 0;
        const codes = meta.lengths.map((n) => {
            const run = new Uint8Array(bytes.buffer, bytes.byteOffset + at, n);
            at += n;
            return run;
        });
        return { meta, timeline: { runs: meta.runs, tests: meta.tests, codes } };
    }
    catch {
        return undefined;
    }
}
/** Writes the columns: codes first, so meta that matches always has its codes. */
async function writeColumns(files, key, timeline, warnings) {
    const meta = {
        key,
        warnings,
        runs: timeline.runs,
        tests: timeline.tests,
        lengths: timeline.codes.map((c) => c.length),
    };
    await writeAtomically(files.codes, Buffer.concat(timeline.codes));
    await writeAtomically(files.meta, JSON.stringify(meta));
}
/**
 * After `record` was appended to a month file whose key was `before` (undefined: the file is
 * new), its columns are brought up to date by adding the one run, when they were up to date and
 * the record is the month's latest; otherwise they are left for the next read to rebuild.
 */
async function extendColumns(dir, record, before) {
    const month = monthOf(record.time);
    const files = storeColumns(dir, month);
    let timeline = emptyTimeline();
    let warnings = [];
    if (before !== undefined) {
        const hit = await readColumns(files, before);
        const last = hit?.timeline.runs.at(-1);
        if (!hit || (last && Date.parse(record.time) < Date.parse(last.time)))
            return;
        ({ timeline } = hit);
        warnings = hit.meta.warnings;
    }
    addRun(timeline, record, new Map(timeline.tests.map((key, t) => [key, t])));
    await writeColumns(files, await columnsKey(monthFile(dir, month)), timeline, warnings);
}
/**
 * One month as a timeline of its own: from the store's columns, else the cache's, else parsed
 * (and the store's columns written; the cache's only when the store cannot be written to).
 */
async function monthTimeline(dir, month, warn, cache) {
    const file = monthFile(dir, month);
    const own = { files: storeColumns(dir, month), key: await columnsKey(file) };
    const { size, mtimeMs } = await stat(file);
    const cached = cache && {
        files: cacheFiles(cache, dir, month),
        key: `${cache.version} ${size} ${mtimeMs}`,
    };
    for (const where of cached ? [own, cached] : [own]) {
        const hit = await readColumns(where.files, where.key);
        if (hit) {
            hit.meta.warnings.forEach((line) => warn(line));
            return hit.timeline;
        }
    }
    const warnings = [];
    const timeline = timelineOf(await readMonth(dir, month, (line) => {
        warnings.push(line);
        warn(line);
    }));
    // Columns that cannot be written cost only time: the next read parses again.
    const kept = await writeColumns(own.files, own.key, timeline, warnings).then(() => true, () => false);
    if (!kept && cached)
        await writeColumns(cached.files, cached.key, timeline, warnings).catch(() => undefined);
    return timeline;
}
/** Months' timelines, oldest first, as one: each month's tests given their place in the whole. */
function joinMonths(months) {
    const whole = emptyTimeline();
    const index = new Map();
    for (const month of months) {
        const place = month.tests.map((key) => {
            let t = index.get(key);
            if (t === undefined) {
                t = whole.tests.length;
                index.set(key, t);
                whole.tests.push(key);
            }
            return t;
        });
        month.runs.forEach((run, r) => {
            const codes = month.codes[r] ?? new Uint8Array();
            const joined = new Uint8Array(whole.tests.length);
            for (let t = 0; t < codes.length; t++)
                joined[place[t] ?? 0] = codes[t] ?? 0;
            whole.runs.push(run);
            whole.codes.push(joined);
        });
    }
    return whole;
}
/** The whole store as a timeline (history/timeline.ts), month by month. */
async function readTimeline(dir, warn, cache) {
    const months = [];
    for (const month of await storeMonths(dir))
        months.push(await monthTimeline(dir, month, warn, cache));
    return joinMonths(months);
}

/**
 * `diverge history render`: the dashboard as a static site. index.html holds the latest runs
 * (and stays small: older runs are on a page per month, loaded when followed), every test has
 * its own page, badge.json is a shields.io endpoint and feed.xml an Atom feed of state changes.
 */
/** Entries of the feed, newest first. */
const FEED_ENTRIES = 100;
/** A test's page, named by a digest of its id: stable across renders, safe whatever the id. */
const testDigest = (id) => createHash('sha256').update(id).digest('hex').slice(0, 16);
const testPage = (id) => `tests/${testDigest(id)}.html`;
const pageRun = (run) => ({
    commit: run.commit,
    time: run.time,
    event: run.event,
    ...(run.link ? { link: run.link } : {}),
});
const hex = (code) => code.toString(16).padStart(2, '0');
const short = (run) => `${run.commit.slice(0, 12)} (${run.time.slice(0, 10)})`;
/** Test ids in page data are kernel output: cut to what a page shows. */
const cut = (id) => [...id].slice(0, ID_CHARS * 5).join('');
const STATE_ORDER = { broken: 0, flaky: 1, good: 2, absent: 3 };
function gridData(timeline, facts, runs, prefix, fields) {
    const rows = facts
        .map((f, t) => ({ f, t }))
        .filter(({ t }) => runs.some((r) => codeAt(timeline, r, t) !== 0))
        .sort((a, b) => STATE_ORDER[a.f.state] - STATE_ORDER[b.f.state] || (a.f.id < b.f.id ? -1 : 1));
    const run = (r) => timeline.runs[r];
    return {
        kind: 'grid',
        ...HISTORY_CODES,
        ...fields,
        runs: runs.map((r) => pageRun(run(r))),
        rows: rows.map(({ f, t }) => ({
            id: cut(f.id),
            state: f.state,
            href: prefix + testPage(f.id),
            cells: runs.map((r) => hex(codeAt(timeline, r, t))).join(''),
        })),
    };
}
/** The streaks of a test's timeline (runs with the same code; runs without the test skipped), newest first. */
function streaks(timeline, t) {
    const all = [];
    let current;
    for (let r = 0; r < timeline.runs.length; r++) {
        const code = codeAt(timeline, r, t);
        if (code === 0)
            continue;
        const run = pageRun(timeline.runs[r]);
        if (current && current.code === code) {
            current.to = run;
            current.runs++;
        }
        else {
            current = { from: run, to: run, runs: 1, code };
            all.push(current);
        }
    }
    const shown = all.slice(-500).reverse();
    return { shown, older: all.length - shown.length };
}
function testFacts(f) {
    const run = (term, ref, extra = '') => ref
        ? [
            {
                term,
                value: `${ref.commit} ${ref.time}${extra}`,
                ...(ref.link ? { link: ref.link } : {}),
            },
        ]
        : [];
    return [
        { term: 'state', value: f.state },
        ...run('broken since', f.brokenSince, f.cause ? `, ${CAUSE_WORDS[f.cause]}` : ''),
        ...run('last good', f.lastGood),
        ...(f.lastGood === null ? [{ term: 'last good', value: 'never' }] : []),
        ...run('good again since', f.fixedAt),
        { term: 'flake rate', value: `${Math.round(f.flakeRate * 100)}% of its latest runs` },
    ];
}
const xml = (text) => stripControls(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
/** The state changes of every test, newest first: a test's first run is not a change. */
function stateChanges(timeline) {
    const changes = [];
    const last = new Array(timeline.tests.length);
    for (let r = 0; r < timeline.runs.length; r++) {
        const codes = timeline.codes[r] ?? new Uint8Array();
        for (const [t, code] of codes.entries()) {
            const state = stateOfCode(code);
            if (state === 'absent')
                continue;
            const before = last[t];
            if (before !== undefined && before !== state)
                changes.push({ t, r, from: before, to: state });
            last[t] = state;
        }
    }
    return changes.reverse();
}
function feed(timeline, options) {
    const base = options.url ? options.url.replace(/\/?$/, '/') : undefined;
    const id = (text) => createHash('sha256').update(text).digest('hex').slice(0, 32);
    const changes = stateChanges(timeline).slice(0, FEED_ENTRIES);
    const updated = timeline.runs.at(-1)?.time ?? new Date(0).toISOString();
    const entries = changes.map(({ t, r, from, to }) => {
        const test = timeline.tests[t];
        const run = timeline.runs[r];
        const title = `${shownId(test)}: ${from} → ${to} at ${run.commit.slice(0, 12)}`;
        const href = base ? `${base}${testPage(test)}` : undefined;
        return [
            '<entry>',
            `<id>urn:diverge:history:${id(`${test}\n${run.time}\n${run.commit}`)}</id>`,
            `<title>${xml(title)}</title>`,
            `<updated>${xml(run.time)}</updated>`,
            href ? `<link href="${xml(href)}"/>` : '',
            `<content type="text">${xml(`${title} (${run.event}, ${run.ref})`)}</content>`,
            '</entry>',
        ].join('');
    });
    return [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        `<id>${base ? xml(base) : 'urn:diverge:history'}</id>`,
        '<title>diverge: state changes</title>',
        `<updated>${xml(updated)}</updated>`,
        '<author><name>diverge</name></author>',
        base ? `<link href="${xml(base)}"/>` : '',
        ...entries,
        '</feed>',
        '',
    ].join('\n');
}
/** badge.json: a shields.io endpoint ("diverge: 3 broken", or "passing"). */
function badge(facts, runs) {
    const broken = facts.filter((f) => f.state === 'broken').length;
    return {
        schemaVersion: 1,
        label: 'diverge',
        message: runs === 0 ? 'no runs' : broken > 0 ? `${broken} broken` : 'passing',
        color: runs === 0 ? 'lightgrey' : broken > 0 ? 'red' : 'brightgreen',
    };
}
async function renderSite(timeline, facts, out, options = {}) {
    // Pages of an earlier render (badge.json marks one) are replaced, not left to go stale.
    if (existsSync(path.join(out, 'badge.json')))
        for (const sub of ['tests', 'months'])
            await rm(path.join(out, sub), { recursive: true, force: true });
    await makeDir(path.join(out, 'tests'));
    await makeDir(path.join(out, 'months'));
    const { runs } = timeline;
    const byMonth = new Map();
    runs.forEach((run, r) => {
        const month = monthOf(run.time);
        const list = byMonth.get(month) ?? [];
        list.push(r);
        byMonth.set(month, list);
    });
    const months = [...byMonth.keys()].sort().reverse();
    const recent = runs.map((_, r) => r).slice(-40);
    const { broken, flaky, fixed } = sections(facts);
    const since = runs[recent[0] ?? 0]?.time ?? '';
    const listed = (f, note) => ({
        id: cut(f.id),
        href: testPage(f.id),
        note,
    });
    const latest = runs.at(-1);
    const summary = latest
        ? `${runs.length} runs, ${facts.length} tests, ${broken.length} broken, ${flaky.length} flaky; latest ${short(latest)} on ${latest.ref}`
        : 'No runs recorded yet.';
    const lists = {
        broken: broken.map((f) => listed(f, `since ${short(f.brokenSince)}, ${CAUSE_WORDS[f.cause ?? 'unknown']}`)),
        flaky: flaky.map((f) => listed(f, `${Math.round(f.flakeRate * 100)}% of its latest runs`)),
        fixed: fixed
            .filter((f) => f.fixedAt.time >= since)
            .map((f) => listed(f, `good again since ${short(f.fixedAt)}`)),
    };
    const monthLinks = (prefix) => months.map((m) => ({ name: m, href: `${prefix}months/${m}.html` }));
    await writeFile(path.join(out, 'index.html'), renderHistoryGridPage(gridData(timeline, facts, recent, '', {
        title: 'diverge: is it broken?',
        summary,
        lists,
        months: monthLinks(''),
    })));
    for (const [month, monthRuns] of byMonth)
        await writeFile(path.join(out, 'months', `${month}.html`), renderHistoryGridPage(gridData(timeline, facts, monthRuns, '../', {
            title: `diverge: the runs of ${month}`,
            summary: `${monthRuns.length} runs`,
            lists: { broken: [], flaky: [], fixed: [] },
            months: monthLinks('../'),
            home: '../index.html',
        })));
    for (const [t, f] of facts.entries()) {
        const { shown, older } = streaks(timeline, t);
        await writeFile(path.join(out, testPage(f.id)), renderHistoryTestPage({
            kind: 'test',
            ...HISTORY_CODES,
            id: cut(f.id),
            home: '../index.html',
            facts: testFacts(f),
            streaks: shown,
            older,
        }));
    }
    await writeFile(path.join(out, 'badge.json'), `${JSON.stringify(badge(facts, runs.length))}\n`);
    await writeFile(path.join(out, 'feed.xml'), feed(timeline, options));
    return { pages: 1 + months.length + facts.length };
}

var $schema = "http://json-schema.org/draft-07/schema#";
var $id = "https://diverge.dev/schema/report.v1.json";
var title = "diverge report (diverge.report/v1)";
var description = "What diverge observed when it booted a candidate kernel and reference kernels with one harness, and how each test of the candidate was judged against the references.";
var type = "object";
var additionalProperties = false;
var required = [
	"schema",
	"run",
	"variant",
	"candidate",
	"references",
	"machine",
	"harness",
	"boots",
	"tests",
	"clusters",
	"normalization",
	"expectations",
	"summary"
];
var definitions = {
	"class": {
		"enum": [
			"same",
			"regression",
			"fix",
			"output",
			"crash",
			"hang",
			"missing",
			"new",
			"flaky",
			"ambiguous",
			"expected"
		]
	},
	status: {
		"enum": [
			"pass",
			"fail",
			"skip",
			"error",
			"missing"
		]
	},
	digest: {
		type: "string",
		pattern: "^sha256:[0-9a-f]{64}$"
	},
	kernel: {
		type: "object",
		additionalProperties: false,
		required: [
			"name",
			"source",
			"digest"
		],
		properties: {
			name: {
				type: "string",
				minLength: 1
			},
			source: {
				type: "object"
			},
			digest: {
				$ref: "#/definitions/digest"
			},
			broken: {
				type: "string",
				description: "Why this reference was left out of every oracle."
			}
		}
	},
	observation: {
		type: "object",
		additionalProperties: false,
		required: [
			"attempt",
			"status",
			"output"
		],
		properties: {
			attempt: {
				type: "integer",
				minimum: 1
			},
			status: {
				$ref: "#/definitions/status"
			},
			output: {
				type: "array",
				items: {
					type: "string"
				}
			}
		}
	}
};
var properties = {
	schema: {
		"const": "diverge.report/v1"
	},
	run: {
		type: "object",
		additionalProperties: false,
		required: [
			"startedAt",
			"durationMs",
			"tool",
			"host"
		],
		properties: {
			startedAt: {
				type: "string",
				format: "date-time"
			},
			durationMs: {
				type: "integer",
				minimum: 0
			},
			tool: {
				type: "object",
				additionalProperties: false,
				required: [
					"name",
					"version"
				],
				properties: {
					name: {
						"const": "diverge"
					},
					version: {
						type: "string"
					}
				}
			},
			host: {
				type: "object",
				additionalProperties: false,
				required: [
					"qemu",
					"accel",
					"cpus"
				],
				properties: {
					qemu: {
						type: "string"
					},
					accel: {
						"enum": [
							"kvm",
							"tcg"
						]
					},
					cpus: {
						type: "integer",
						minimum: 1
					}
				}
			}
		}
	},
	variant: {
		type: "string",
		minLength: 1
	},
	subject: {
		type: "string",
		minLength: 1
	},
	candidate: {
		$ref: "#/definitions/kernel"
	},
	references: {
		type: "array",
		items: {
			$ref: "#/definitions/kernel"
		}
	},
	machine: {
		type: "object",
		additionalProperties: false,
		required: [
			"arch",
			"profile",
			"memory",
			"cpus"
		],
		properties: {
			arch: {
				"enum": [
					"x86_64",
					"i386",
					"aarch64",
					"riscv64"
				]
			},
			profile: {
				type: "string"
			},
			memory: {
				type: "string",
				pattern: "^[0-9]+M$"
			},
			cpus: {
				type: "integer",
				minimum: 1
			}
		}
	},
	harness: {
		type: "object",
		additionalProperties: false,
		required: [
			"digest",
			"format"
		],
		properties: {
			digest: {
				$ref: "#/definitions/digest"
			},
			format: {
				"enum": [
					"ktap",
					"tap",
					"regex",
					"transcript"
				]
			}
		}
	},
	boots: {
		type: "array",
		items: {
			type: "object",
			additionalProperties: false,
			required: [
				"kernel",
				"attempt",
				"outcome",
				"stage",
				"durationMs",
				"log",
				"splats"
			],
			properties: {
				kernel: {
					type: "string"
				},
				attempt: {
					type: "integer",
					minimum: 1
				},
				test: {
					type: "string",
					description: "the one test a per-test boot ran"
				},
				outcome: {
					"enum": [
						"completed",
						"panic",
						"timeout",
						"stalled",
						"no-results",
						"not-from-harness",
						"qemu-error",
						"infrastructure"
					]
				},
				stage: {
					"enum": [
						"firmware",
						"kernel",
						"init",
						"harness",
						"done"
					]
				},
				durationMs: {
					type: "integer",
					minimum: 0
				},
				log: {
					type: "string"
				},
				message: {
					type: "string"
				},
				cached: {
					type: "boolean",
					description: "The boot was taken from the observation cache: an earlier run booted the same kernel with the same harness, machine, QEMU and diverge version."
				},
				restored: {
					type: "boolean",
					description: "The boot started from the VM saved at the harness's ready point (its first console prompt) instead of booting the kernel again."
				},
				splats: {
					type: "array",
					items: {
						type: "object",
						additionalProperties: false,
						required: [
							"kind",
							"message",
							"fingerprint",
							"line"
						],
						properties: {
							kind: {
								type: "string"
							},
							message: {
								type: "string"
							},
							fingerprint: {
								type: "string"
							},
							line: {
								type: "integer",
								minimum: 1
							}
						}
					}
				}
			}
		}
	},
	tests: {
		type: "array",
		items: {
			type: "object",
			additionalProperties: false,
			required: [
				"id",
				"observations",
				"verdict"
			],
			properties: {
				id: {
					type: "string"
				},
				observations: {
					type: "object",
					description: "Per kernel, one entry per run that reported the test, and one with status missing per run that died during the test having printed something: what it printed before its boot ended.",
					additionalProperties: {
						type: "array",
						items: {
							$ref: "#/definitions/observation"
						}
					}
				},
				verdict: {
					type: "object",
					additionalProperties: false,
					required: [
						"class",
						"severity",
						"blame",
						"confidence",
						"agreeing",
						"reason",
						"counts",
						"failing"
					],
					properties: {
						"class": {
							$ref: "#/definitions/class"
						},
						severity: {
							"enum": [
								"error",
								"warning",
								"notice",
								"none"
							]
						},
						blame: {
							"enum": [
								"kernel",
								"harness",
								"infrastructure",
								"reference"
							]
						},
						confidence: {
							type: "number",
							minimum: 0,
							maximum: 1
						},
						agreeing: {
							type: "array",
							items: {
								type: "string"
							}
						},
						reason: {
							type: "string"
						},
						counts: {
							type: "object",
							additionalProperties: {
								type: "string",
								pattern: "^[0-9]+:[0-9]+$"
							}
						},
						varying: {
							type: "array",
							items: {
								type: "string"
							},
							minItems: 1
						},
						diff: {
							type: "string"
						},
						expected: {
							type: "object",
							additionalProperties: false,
							required: [
								"class",
								"reason"
							],
							properties: {
								"class": {
									$ref: "#/definitions/class"
								},
								reason: {
									type: "string"
								},
								link: {
									type: "string"
								}
							}
						},
						cluster: {
							type: "string"
						},
						failing: {
							type: "boolean"
						}
					}
				}
			}
		}
	},
	clusters: {
		type: "array",
		items: {
			type: "object",
			additionalProperties: false,
			required: [
				"id",
				"class",
				"signature",
				"tests"
			],
			properties: {
				id: {
					type: "string"
				},
				"class": {
					$ref: "#/definitions/class"
				},
				signature: {
					type: "string"
				},
				tests: {
					type: "array",
					items: {
						type: "string"
					},
					minItems: 1
				}
			}
		}
	},
	normalization: {
		type: "object",
		additionalProperties: false,
		required: [
			"builtin",
			"rules",
			"learned"
		],
		properties: {
			builtin: {
				type: "array",
				items: {
					"enum": [
						"timestamps",
						"addresses",
						"pids",
						"kernel-release",
						"durations",
						"network"
					]
				}
			},
			rules: {
				type: "integer",
				minimum: 0
			},
			learned: {
				type: "array",
				items: {
					type: "object",
					additionalProperties: false,
					required: [
						"test",
						"template",
						"reference"
					],
					properties: {
						test: {
							type: "string"
						},
						template: {
							type: "string"
						},
						reference: {
							type: "string"
						}
					}
				}
			}
		}
	},
	expectations: {
		type: "object",
		additionalProperties: false,
		required: [
			"matched",
			"stale"
		],
		properties: {
			file: {
				type: "string"
			},
			matched: {
				type: "integer",
				minimum: 0
			},
			stale: {
				type: "array",
				items: {
					type: "object",
					additionalProperties: false,
					required: [
						"test",
						"reason"
					],
					properties: {
						test: {
							type: "string"
						},
						reason: {
							type: "string"
						}
					}
				}
			}
		}
	},
	summary: {
		type: "object",
		additionalProperties: false,
		required: [
			"tests",
			"same",
			"divergences",
			"failing",
			"byClass",
			"conclusion"
		],
		properties: {
			tests: {
				type: "integer",
				minimum: 0
			},
			same: {
				type: "integer",
				minimum: 0
			},
			divergences: {
				type: "integer",
				minimum: 0
			},
			failing: {
				type: "integer",
				minimum: 0
			},
			byClass: {
				type: "object",
				propertyNames: {
					$ref: "#/definitions/class"
				},
				additionalProperties: {
					type: "integer",
					minimum: 1
				}
			},
			conclusion: {
				"enum": [
					"success",
					"failure",
					"neutral"
				]
			},
			note: {
				type: "string"
			}
		}
	}
};
var schema = {
	$schema: $schema,
	$id: $id,
	title: title,
	description: description,
	type: type,
	additionalProperties: additionalProperties,
	required: required,
	definitions: definitions,
	properties: properties
};

class ReportError extends Error {
}
const check = schemaCheck(schema, ReportError);
/** Checks a report against schema/report.v1.json; the error names the file and the fields. */
function validateReport(value, file = 'report.json') {
    return check(value, file);
}

export { isDivergentClass as $, ArchiveError as A, historySummary as B, CLASS_ORDER as C, DEFAULT_ZIP_LIMITS as D, historyText as E, FAIL_ON_CLASSES as F, GRADEBOOK_SCRIPT as G, HistoryError as H, isFileSystemError as I, ownerGone as J, owner as K, untilDone as L, partialName as M, startTime as N, makeDir as O, alive as P, buildxDriver as Q, ReportError as R, cacheFlags as S, runBuildx as T, RESULTS_FORMATS as U, DIVERGENCE_CLASSES as V, DEFAULT_FAIL_ON as W, DownloadError as X, redact as Y, stripControls as Z, truncateUtf8 as _, appendRecord as a, inlineCode as a0, codeBlock as a1, TEST_STATUSES as a2, DIVERGENT_CLASSES as a3, CLASSES as a4, REPORT_SCRIPT as a5, SEVERITIES as a6, divergenceEntries as a7, plural as a8, sameThoughVarying as a9, classCount as aa, num as ab, expandTabs as ac, splitLines as ad, percent as ae, SEVERITY_ORDER as af, testDigest as ag, stateOfCode as ah, codeAt as ai, classOfCode as aj, statusOfCode as ak, parseBuildCache as al, renderSite as b, allFacts as c, renderMarkdown as d, eventOf as e, readJsonFile as f, classColour as g, historyRecord as h, isDivergence as i, htmlPage as j, isShownDivergence as k, download as l, extractZip as m, schemaCheck as n, ajv as o, singleLine as p, inlineText as q, readTimeline as r, safeEntryPath as s, testPage as t, undoAll as u, validateReport as v, link as w, writeAtomically as x, HISTORY_EVENTS as y, FLAKE_WINDOW as z };
