/**
 * The Actions results service's artifact API, as `@actions/artifact` v2+ calls it: Twirp with
 * JSON bodies at `<ACTIONS_RESULTS_URL origin>/twirp/github.actions.results.api.v1.ArtifactService/<Method>`,
 * authorised by the runtime token (`Authorization: Bearer <JWT>`).
 *
 * An upload is CreateArtifact (answers a signed storage URL) → the zip to storage → Finalize
 * (size and sha256 checked against what storage received). A finalized artifact is stored in
 * the same state as seeded ones, so the REST API lists and serves it. Bodies are checked
 * strictly: unknown fields, wrong types or IDs other than the token's are violations.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import { resultsScope, verifyJwt } from './jwt.js';
import type { ArtifactRecord, FakeState, RequestRecord, WorkflowRunRecord } from './state.js';
import { sha256, timestamp } from './state.js';
import type { BlobStore, Upload } from './storage.js';

const SERVICE = 'github.actions.results.api.v1.ArtifactService';
/** The cache service `@actions/cache` v4+ calls when ACTIONS_CACHE_SERVICE_V2 is set. */
const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';

/** Twirp error codes and their HTTP statuses. */
const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500,
  unimplemented: 501,
};

class TwirpError extends Error {
  constructor(
    readonly code: keyof typeof TWIRP_STATUS,
    message: string,
    /** True when the request itself is wrong (recorded as a violation). */
    readonly violation = false,
  ) {
    super(message);
  }
}

type Field =
  | 'string'
  | 'strings'
  | 'int64'
  | 'int32'
  | 'timestamp'
  | 'wrapper-string'
  | 'wrapper-int64'
  | 'message';

/** The request messages' fields (proto names, as `useProtoFieldName: true` sends them). */
const REQUESTS: Record<string, Record<string, Field>> = {
  CreateArtifact: {
    workflow_run_backend_id: 'string',
    workflow_job_run_backend_id: 'string',
    name: 'string',
    expires_at: 'timestamp',
    version: 'int32',
    mime_type: 'wrapper-string',
  },
  FinalizeArtifact: {
    workflow_run_backend_id: 'string',
    workflow_job_run_backend_id: 'string',
    name: 'string',
    size: 'int64',
    hash: 'wrapper-string',
  },
  ListArtifacts: {
    workflow_run_backend_id: 'string',
    workflow_job_run_backend_id: 'string',
    name_filter: 'wrapper-string',
    id_filter: 'wrapper-int64',
  },
  GetSignedArtifactURL: {
    workflow_run_backend_id: 'string',
    workflow_job_run_backend_id: 'string',
    name: 'string',
  },
  DeleteArtifact: {
    workflow_run_backend_id: 'string',
    workflow_job_run_backend_id: 'string',
    name: 'string',
  },
  CreateCacheEntry: { metadata: 'message', key: 'string', version: 'string' },
  FinalizeCacheEntryUpload: {
    metadata: 'message',
    key: 'string',
    size_bytes: 'int64',
    version: 'string',
  },
  GetCacheEntryDownloadURL: {
    metadata: 'message',
    key: 'string',
    restore_keys: 'strings',
    version: 'string',
  },
};

const CACHE_METHODS = ['CreateCacheEntry', 'FinalizeCacheEntryUpload', 'GetCacheEntryDownloadURL'];

/** Protobuf JSON: int64 as a decimal string (or a number), wrappers as their bare value. */
function checkFields(method: string, body: Record<string, unknown>): void {
  const fields = REQUESTS[method] ?? {};
  for (const [name, value] of Object.entries(body)) {
    const type = fields[name];
    if (!type) throw new TwirpError('malformed', `unknown field ${name} in ${method}Request`, true);
    const ok =
      type === 'string' || type === 'wrapper-string'
        ? typeof value === 'string'
        : type === 'strings'
          ? Array.isArray(value) && value.every((v) => typeof v === 'string')
          : type === 'message'
            ? typeof value === 'object' && value !== null
            : type === 'timestamp'
              ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
              : type === 'int32'
                ? Number.isInteger(value)
                : (typeof value === 'string' && /^-?\d+$/.test(value)) || Number.isInteger(value);
    if (!ok)
      throw new TwirpError('malformed', `field ${name} of ${method}Request is not a ${type}`, true);
  }
}

interface Pending {
  run: WorkflowRunRecord;
  job: string;
  name: string;
  upload: Upload;
  contentType: string;
  expiresAt?: string;
}

export class ResultsService {
  /** Artifacts created but not finalized, by `<run backend id>/<name>`. */
  private readonly pending = new Map<string, Pending>();
  /** Cache entries reserved but not finalized, by `<repo> <key> <version>`. */
  private readonly pendingCaches = new Map<string, Upload>();

  constructor(
    private readonly state: FakeState,
    private readonly blobs: BlobStore,
    private readonly secret: Buffer,
  ) {}

  reset(): void {
    this.pending.clear();
    this.pendingCaches.clear();
  }

  handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    rawBody: Buffer,
    record: RequestRecord,
  ): void {
    try {
      const reply = this.dispatch(req, path, rawBody);
      sendJson(res, 200, reply);
    } catch (thrown) {
      const error =
        thrown instanceof TwirpError
          ? thrown
          : new TwirpError('internal', (thrown as Error).message);
      if (error.violation)
        this.state.violation({
          area: 'results',
          method: record.method,
          path,
          problems: [error.message],
        });
      if (error.code === 'internal')
        this.state.responseErrors.push(`results service crashed: ${(thrown as Error).stack ?? ''}`);
      sendJson(res, TWIRP_STATUS[error.code] ?? 500, { code: error.code, msg: error.message });
    }
  }

  private dispatch(req: IncomingMessage, path: string, rawBody: Buffer): unknown {
    const match = /^\/twirp\/([\w.]+)\/(\w+)$/.exec(path);
    const method = match?.[2];
    const service =
      match?.[1] === CACHE_SERVICE ? 'cache' : match?.[1] === SERVICE ? 'artifact' : '';
    if (
      !method ||
      !(method in REQUESTS) ||
      CACHE_METHODS.includes(method) !== (service === 'cache') ||
      req.method !== 'POST'
    )
      throw new TwirpError(
        'unimplemented',
        `${req.method ?? '?'} ${path}: no such Twirp method`,
        true,
      );
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = bearer ? verifyJwt(bearer, this.secret) : undefined;
    const scope = claims && resultsScope(claims);
    if (!scope)
      throw new TwirpError('unauthenticated', 'invalid or missing ACTIONS_RUNTIME_TOKEN', true);
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      throw new TwirpError(
        'malformed',
        'the fake speaks Twirp JSON only (Content-Type application/json)',
        true,
      );
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new TwirpError('malformed', 'the body is not JSON', true);
    }
    checkFields(method, body);
    if (service === 'cache') {
      const run = this.state.runs.find((r) => r.backendId === scope.run);
      if (!run) throw new TwirpError('not_found', "the runtime token's workflow run is gone");
      return this.cacheRequest(run, method, body);
    }
    // A job uploads as itself; it may read the artifacts of every job of its run (ListArtifacts
    // answers each artifact's own job ID, which GetSignedArtifactURL then sends back).
    if (body.workflow_run_backend_id !== scope.run)
      throw new TwirpError(
        'permission_denied',
        "workflow_run_backend_id is not the runtime token's run",
        true,
      );
    const writes = method === 'CreateArtifact' || method === 'FinalizeArtifact';
    if (writes && body.workflow_job_run_backend_id !== scope.job)
      throw new TwirpError(
        'permission_denied',
        "workflow_job_run_backend_id is not the runtime token's job",
        true,
      );
    const run = this.state.runs.find((r) => r.backendId === scope.run);
    if (!run) throw new TwirpError('not_found', "the runtime token's workflow run is gone");
    switch (method) {
      case 'CreateArtifact':
        return this.create(run, scope.job, body);
      case 'FinalizeArtifact':
        return this.finalize(run, body);
      case 'ListArtifacts':
        return this.list(run, body);
      case 'GetSignedArtifactURL':
        return this.signedUrl(run, String(body.name ?? ''));
      default:
        return this.delete(run, String(body.name ?? ''));
    }
  }

  private finalized(run: WorkflowRunRecord, name: string): ArtifactRecord | undefined {
    return this.state.artifacts.find((a) => a.runId === run.id && a.name === name);
  }

  private create(run: WorkflowRunRecord, job: string, body: Record<string, unknown>) {
    const name = String(body.name ?? '');
    if (!name) throw new TwirpError('invalid_argument', 'name is required', true);
    if (Number(body.version ?? 0) < 4)
      throw new TwirpError(
        'invalid_argument',
        `artifact version ${String(body.version)} is not supported (4 or later)`,
        true,
      );
    if (this.finalized(run, name) || this.pending.has(`${run.backendId}/${name}`))
      throw new TwirpError(
        'already_exists',
        `an artifact with this name already exists on the workflow run: ${name}`,
      );
    const { url, upload } = this.blobs.createUpload();
    this.pending.set(`${run.backendId}/${name}`, {
      run,
      job,
      name,
      upload,
      contentType: typeof body.mime_type === 'string' ? body.mime_type : 'application/zip',
      ...(typeof body.expires_at === 'string' ? { expiresAt: timestamp(body.expires_at) } : {}),
    });
    return { ok: true, signed_upload_url: url };
  }

  private finalize(run: WorkflowRunRecord, body: Record<string, unknown>) {
    const name = String(body.name ?? '');
    const pending = this.pending.get(`${run.backendId}/${name}`);
    if (!pending)
      throw new TwirpError('not_found', `no artifact ${name} was created on this run`, true);
    const data = pending.upload.committed;
    if (!data)
      throw new TwirpError(
        'failed_precondition',
        `artifact ${name}: nothing was uploaded to storage`,
        true,
      );
    if (String(body.size ?? '0') !== String(data.length))
      throw new TwirpError(
        'invalid_argument',
        `artifact ${name}: size ${String(body.size)} but storage holds ${data.length} bytes`,
        true,
      );
    if (body.hash !== undefined && body.hash !== `sha256:${sha256(data)}`)
      throw new TwirpError(
        'invalid_argument',
        `artifact ${name}: hash ${String(body.hash)} does not match the uploaded bytes`,
        true,
      );
    this.pending.delete(`${run.backendId}/${name}`);
    const artifact = this.state.storeArtifact({
      repo: run.repo,
      runId: run.id,
      name,
      data,
      contentType: pending.contentType,
      expired: false,
      expiresAt: pending.expiresAt,
      source: 'upload',
      jobBackendId: pending.job,
    });
    return { ok: true, artifact_id: String(artifact.id) };
  }

  private list(run: WorkflowRunRecord, body: Record<string, unknown>) {
    const artifacts = this.state
      .artifactsOf(run.repo, run.id)
      .filter((a) => !a.expired)
      .filter((a) => body.name_filter === undefined || a.name === body.name_filter)
      .filter((a) => body.id_filter === undefined || String(a.id) === String(body.id_filter));
    return {
      artifacts: artifacts.map((a) => ({
        workflow_run_backend_id: run.backendId,
        workflow_job_run_backend_id: a.jobBackendId,
        database_id: String(a.id),
        name: a.name,
        size: String(a.data.length),
        created_at: a.createdAt,
        digest: a.digest,
      })),
    };
  }

  private signedUrl(run: WorkflowRunRecord, name: string) {
    const artifact = this.finalized(run, name);
    if (!artifact || artifact.expired)
      throw new TwirpError('not_found', `no artifact ${name} on this run`);
    return {
      signed_url: this.blobs.signDownload(artifact.data, artifact.contentType, `${name}.zip`),
    };
  }

  private delete(run: WorkflowRunRecord, name: string) {
    const artifact = this.finalized(run, name);
    if (!artifact) throw new TwirpError('not_found', `no artifact ${name} on this run`);
    this.state.artifacts.splice(this.state.artifacts.indexOf(artifact), 1);
    return { ok: true, artifact_id: String(artifact.id) };
  }

  /**
   * The cache service: an entry is written once (a second CreateCacheEntry of the same key and
   * version is refused, as GitHub does); a lookup takes the exact key, else the newest entry
   * whose key starts with a restore key, in their order.
   */
  private cacheRequest(run: WorkflowRunRecord, method: string, body: Record<string, unknown>) {
    const key = String(body.key ?? '');
    const version = String(body.version ?? '');
    if (!key || !version)
      throw new TwirpError('invalid_argument', 'key and version are required', true);
    const entries = this.state.caches.filter((c) => c.repo === run.repo && c.version === version);
    const id = `${run.repo} ${key} ${version}`;
    if (method === 'CreateCacheEntry') {
      if (entries.some((c) => c.key === key) || this.pendingCaches.has(id))
        return { ok: false, message: `cache entry ${key} already exists` };
      const { url, upload } = this.blobs.createUpload();
      this.pendingCaches.set(id, upload);
      return { ok: true, signed_upload_url: url };
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const data = this.pendingCaches.get(id)?.committed;
      if (!data)
        throw new TwirpError('failed_precondition', `cache entry ${key}: nothing uploaded`, true);
      if (String(body.size_bytes) !== String(data.length))
        throw new TwirpError('invalid_argument', `cache entry ${key}: size mismatch`, true);
      this.pendingCaches.delete(id);
      this.state.caches.push({ repo: run.repo, key, version, data, createdAt: Date.now() });
      return { ok: true, entry_id: String(this.state.caches.length) };
    }
    const newest = (match: (k: string) => boolean) => entries.findLast((c) => match(c.key));
    const restoreKeys = (body.restore_keys as string[] | undefined) ?? [];
    const hit =
      newest((k) => k === key) ??
      restoreKeys.map((prefix) => newest((k) => k.startsWith(prefix))).find(Boolean);
    if (!hit) return { ok: false, signed_download_url: '', matched_key: '' };
    return {
      ok: true,
      signed_download_url: this.blobs.signDownload(
        hit.data,
        'application/octet-stream',
        'cache.tzst',
      ),
      matched_key: hit.key,
    };
  }
}
