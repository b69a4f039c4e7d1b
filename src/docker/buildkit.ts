/**
 * The Docker engine's BuildKit, as the Engine API offers it (`POST /build?version=2`, with the
 * session dockerode opens): which builder a build uses, what in a Dockerfile needs BuildKit, and
 * the engine's progress records (`moby.buildkit.trace`, a base64 protobuf `StatusResponse` each)
 * turned into the plain text log `docker build --progress=plain` prints.
 */
import protobuf from 'protobufjs';

export type { BuilderChoice } from '../model/builder.js';
export type Builder = 'buildkit' | 'classic';

/** `# syntax=REF` among the Dockerfile's leading comment lines (parser directives). */
export function syntaxDirective(dockerfile: string): string | undefined {
  for (const line of dockerfile.split(/\r?\n/)) {
    const directive = /^\s*#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(line);
    if (!directive) return undefined;
    if (directive[1]?.toLowerCase() === 'syntax') return directive[2];
  }
  return undefined;
}

/** The Dockerfile with its `# syntax=` directive made a plain comment: the built-in frontend. */
export function withoutSyntaxDirective(dockerfile: string): string {
  const lines = dockerfile.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!/^\s*#\s*[a-z]+\s*=/i.test(line)) break;
    if (/^\s*#\s*syntax\s*=/i.test(line))
      lines[i] =
        `# (diverge: built with the engine's own frontend) ${line.replace(/^\s*#\s*/, '')}`;
  }
  return lines.join('\n');
}

/** What in a Dockerfile the classic builder cannot build; undefined when it can build it all. */
export function buildKitFeature(dockerfile: string): string | undefined {
  if (syntaxDirective(dockerfile)) return 'a `# syntax=` directive';
  for (const raw of dockerfile.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^RUN\s+(?:--\w+=\S+\s+)*--mount[=\s]/i.test(line)) return '`RUN --mount`';
    if (/^RUN\s+--(?:network|security)[=\s]/i.test(line)) return '`RUN --network`/`--security`';
    if (/^(?:RUN|COPY|ADD)\s.*<<-?["']?[A-Za-z_]\w*["']?/i.test(line)) return 'a heredoc (`<<EOF`)';
    if (/^(?:COPY|ADD)\s+(?:--\w+(?:=\S+)?\s+)*--(?:link|parents|exclude|checksum)\b/i.test(line))
      return '`COPY --link`';
  }
  return undefined;
}

const STATUS_PROTO = `
syntax = "proto3";
package moby.buildkit.v1;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Vertex {
  string digest = 1; repeated string inputs = 2; string name = 3; bool cached = 4;
  Timestamp started = 5; Timestamp completed = 6; string error = 7;
}
message VertexStatus {
  string ID = 1; string vertex = 2; string name = 3; int64 current = 4; int64 total = 5;
  Timestamp timestamp = 6; Timestamp started = 7; Timestamp completed = 8;
}
message VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
message VertexWarning { string vertex = 1; int64 level = 2; bytes short = 3; repeated bytes detail = 4; string url = 5; }
message StatusResponse {
  repeated Vertex vertexes = 1; repeated VertexStatus statuses = 2;
  repeated VertexLog logs = 3; repeated VertexWarning warnings = 4;
}
`;

interface Timestamp {
  seconds?: number;
  nanos?: number;
}
interface Vertex {
  digest?: string;
  name?: string;
  cached?: boolean;
  started?: Timestamp;
  completed?: Timestamp;
  error?: string;
}
interface VertexLog {
  vertex?: string;
  stream?: number;
  msg?: Uint8Array;
}
interface VertexWarning {
  vertex?: string;
  short?: Uint8Array;
}
export interface StatusResponse {
  vertexes?: Vertex[];
  logs?: VertexLog[];
  warnings?: VertexWarning[];
}

let statusType: protobuf.Type | undefined;

/** One `moby.buildkit.trace` record's `aux`: a base64 protobuf StatusResponse. */
export function decodeTrace(aux: string): StatusResponse {
  statusType ??= protobuf.parse(STATUS_PROTO).root.lookupType('moby.buildkit.v1.StatusResponse');
  const message = statusType.decode(Buffer.from(aux, 'base64'));
  return statusType.toObject(message, { longs: Number, defaults: false }) as StatusResponse;
}

const seconds = (t: Timestamp | undefined) =>
  t ? Number(t.seconds ?? 0) + Number(t.nanos ?? 0) / 1e9 : undefined;

/**
 * Follows the vertexes (steps) of one BuildKit build and writes them as plain text, numbered as
 * `docker build --progress=plain` numbers them: `#3 [kernel 2/4] RUN make`, its output lines
 * `#3 cc -c …`, then `#3 DONE 0.4s`, `#3 CACHED` or `#3 ERROR: …`.
 */
export class BuildKitProgress {
  private readonly numbers = new Map<string, number>();
  private readonly names = new Map<string, string>();
  private readonly announced = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly partial = new Map<string, string>();
  /** The step (vertex name) that failed, and how, as BuildKit said it. */
  failed: { name: string; error: string } | undefined;

  private number(digest: string): number {
    let n = this.numbers.get(digest);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(digest, n);
    }
    return n;
  }

  /** The text lines (without newline) one status record adds to the log. */
  lines(status: StatusResponse): string[] {
    const out: string[] = [];
    for (const vertex of status.vertexes ?? []) {
      const digest = vertex.digest ?? '';
      const n = this.number(digest);
      if (vertex.name) this.names.set(digest, vertex.name);
      const name = this.names.get(digest) ?? digest;
      if (!this.announced.has(digest) && (vertex.started || vertex.cached || vertex.error)) {
        this.announced.add(digest);
        out.push(`#${n} ${name}`);
      }
      if (this.finished.has(digest)) continue;
      if (vertex.error) {
        this.finished.add(digest);
        out.push(...this.flush(digest), `#${n} ERROR: ${vertex.error}`);
        // The first failure is the cause; later ones are builds cancelled because of it.
        if (!this.failed || /context canceled/.test(this.failed.error))
          this.failed = { name, error: vertex.error };
      } else if (vertex.cached && vertex.completed) {
        this.finished.add(digest);
        out.push(`#${n} CACHED`);
      } else if (vertex.completed) {
        this.finished.add(digest);
        const took = (seconds(vertex.completed) ?? 0) - (seconds(vertex.started) ?? 0);
        out.push(...this.flush(digest), `#${n} DONE ${Math.max(0, took).toFixed(1)}s`);
      }
    }
    for (const log of status.logs ?? []) {
      const digest = log.vertex ?? '';
      const key = `${digest}\0${log.stream ?? 1}`;
      const text = (this.partial.get(key) ?? '') + Buffer.from(log.msg ?? []).toString('utf8');
      const parts = text.split(/\r?\n|\r/);
      this.partial.set(key, parts.pop() ?? '');
      const n = this.number(digest);
      for (const part of parts) out.push(`#${n} ${part}`);
    }
    for (const warning of status.warnings ?? []) {
      const n = this.number(warning.vertex ?? '');
      out.push(`#${n} WARNING: ${Buffer.from(warning.short ?? []).toString('utf8')}`);
    }
    return out;
  }

  /** A vertex's unfinished output lines, at its end. */
  private flush(digest: string): string[] {
    const out: string[] = [];
    const n = this.number(digest);
    for (const [key, rest] of this.partial) {
      if (!key.startsWith(`${digest}\0`) || !rest) continue;
      out.push(`#${n} ${rest}`);
      this.partial.delete(key);
    }
    return out;
  }

  /** What is left at the end of the build. */
  end(): string[] {
    const out: string[] = [];
    for (const digest of this.numbers.keys()) out.push(...this.flush(digest));
    return out;
  }
}

/** A vertex line's step, as `docker build --progress=plain` prints it: `#5 [kernel 2/4] RUN …`. */
export const BUILDKIT_STEP = /^#\d+ (\[[^\]]*\d+\/\d+\] .*)$/;
/** The vertex that resolves a `# syntax=` frontend image. */
export const FRONTEND_VERTEX = /^resolve image config for (\S+)$/;
/** A base image's metadata, which BuildKit resolves before it runs the first step. */
export const BASE_IMAGE_VERTEX = /^\[internal\] load metadata for (\S+)$/;
