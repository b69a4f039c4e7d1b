/**
 * A local, strict, stateful fake of GitHub for tests: the REST API (every request validated
 * against GitHub's OpenAPI description), the Actions results service that `@actions/artifact`
 * uploads through, and the blob storage both redirect to.
 *
 *   const fake = await startFakeGitHub();
 *   fake.state.addToken('t0k', { permissions: 'write' });
 *   const octokit = new Octokit({ auth: 't0k', baseUrl: fake.url });
 *   ...
 *   expect(fake.violations).toEqual([]);
 *   await fake.close();
 *
 * Two listeners: the API origin (REST under the prefix, `/twirp/` for the results service,
 * `/_fake/` for inspection, web release downloads) and a storage origin for pre-signed URLs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import { queryObject, readBody, send, sendJson } from './http.js';
import { signJwt } from './jwt.js';
import { loadSpec } from './openapi/spec.js';
import { Validator } from './openapi/validate.js';
import { webAssetDownload } from './resources/releases.js';
import { Shapes } from './resources/shapes.js';
import { handleRest } from './rest.js';
import { ResultsService } from './results.js';
import { type Area, FakeState, type FaultRecord, type RequestRecord } from './state.js';
import { BlobStore } from './storage.js';
import { Urls } from './urls.js';

export type { Seed, SeedResult } from './admin.js';
export type * from './state.js';
export { FakeState } from './state.js';

export interface FakeGitHubOptions {
  /** The REST API's path prefix, e.g. `/api/v3` for GitHub Enterprise Server style URLs. */
  prefix?: string;
  /** Port of the API listener; 0 (any free port) by default. */
  port?: number;
  /** Port of the storage listener; 0 by default. */
  storagePort?: number;
  /** How long pre-signed download URLs work; 60 s by default, like GitHub's. */
  blobTtlMs?: number;
  /**
   * The host name in the fake's URLs (storage: `storage.<host>`); 127.0.0.1 by default. A name
   * that does not resolve, such as `github.test`, is reached only through a proxy that maps it
   * to 127.0.0.1 (test/helpers/proxy.ts), so every request the fake sees went through it.
   */
  host?: string;
}

export interface FakeGitHub {
  /** The REST API base URL: Octokit's `baseUrl`, a runner's GITHUB_API_URL. */
  url: string;
  /** `http://127.0.0.1:PORT` (or the `host` option): web pages and the results service (ACTIONS_RESULTS_URL). */
  origin: string;
  /** Base of the `/_fake/` inspection endpoints. */
  admin: string;
  /** Origin of the pre-signed storage URLs. */
  storage: string;
  state: FakeState;
  /** Every request (REST, results, storage, web), in order: method, path, query, status. */
  readonly requests: RequestRecord[];
  /** Every request that broke a rule of GitHub's API, and why. */
  readonly violations: FakeState['violations'];
  /** Answers of the fake that do not match the description: bugs of the fake. */
  readonly responseErrors: string[];
  /**
   * The variables a runner sets for a job of workflow run `runId`, with a runtime token the
   * results service accepts; `token` becomes GITHUB_TOKEN.
   */
  runtimeEnv(repo: string, runId: number, options?: { token?: string }): Record<string, string>;
  /** Forgets all state, logs and faults (the listeners stay up). */
  reset(): void;
  close(): Promise<void>;
}

const WEB_DOWNLOAD = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets of Octokit's and Azure's agents would hold close() open.
    server.closeAllConnections();
  });
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  if (prefix && !prefix.startsWith('/')) throw new Error(`prefix must start with /: ${prefix}`);
  const spec = loadSpec();
  const validator = new Validator();
  const state = new FakeState();
  const secret = randomBytes(32);
  const api = createServer();
  const storageServer = createServer();
  const apiPort = await listen(api, options.port ?? 0);
  const storagePort = await listen(storageServer, options.storagePort ?? 0);
  const host = options.host ?? '127.0.0.1';
  const storageHost = options.host ? `storage.${options.host}` : host;
  const urls = new Urls(
    `http://${host}:${apiPort}`,
    prefix,
    `http://${storageHost}:${storagePort}`,
  );
  const blobs = new BlobStore(state, urls, options.blobTtlMs ?? 60_000);
  const results = new ResultsService(state, blobs, secret);
  const shapes = new Shapes(state, urls);
  const deps = { spec, validator, state, urls, shapes, blobs };

  const reset = () => {
    state.reset();
    blobs.reset();
    results.reset();
  };

  const runtimeEnv: FakeGitHub['runtimeEnv'] = (repo, runId, envOptions = {}) => {
    const run = state.run(runId);
    if (!run || run.repo.toLowerCase() !== repo.toLowerCase())
      throw new Error(`no workflow run ${runId} in ${repo}`);
    const workflow = state.workflows.find((w) => w.id === run.workflowId);
    const job = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      {
        scp: `Actions.GenericRead:${run.backendId} Actions.Results:${run.backendId}:${job} Actions.UploadArtifacts:${run.backendId}:${job}`,
        iss: 'vstoken.actions.githubusercontent.com',
        aud: 'vso:fake-github',
        nbf: now - 60,
        iat: now,
        exp: now + 6 * 3600,
      },
      secret,
    );
    return {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      ACTIONS_RESULTS_URL: `${urls.origin}/`,
      ACTIONS_RUNTIME_TOKEN: token,
      GITHUB_API_URL: urls.api,
      // @actions/artifact refuses GHES by GITHUB_SERVER_URL, as GHES has no results service:
      // github.com style URLs say github.com, prefixed (GHES style) ones the fake's origin.
      GITHUB_SERVER_URL: prefix ? urls.origin : 'https://github.com',
      GITHUB_GRAPHQL_URL: prefix ? `${urls.origin}/api/graphql` : `${urls.api}/graphql`,
      GITHUB_REPOSITORY: run.repo,
      GITHUB_REPOSITORY_OWNER: run.repo.split('/')[0] ?? '',
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.runNumber),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SHA: run.headSha,
      GITHUB_REF: `refs/heads/${run.branch}`,
      GITHUB_REF_NAME: run.branch,
      GITHUB_EVENT_NAME: run.event,
      GITHUB_WORKFLOW: workflow?.name ?? '',
      GITHUB_WORKFLOW_REF: `${run.repo}/.github/workflows/${workflow?.file ?? ''}@refs/heads/${run.branch}`,
      ...(envOptions.token ? { GITHUB_TOKEN: envOptions.token } : {}),
    };
  };

  /** Logs a request; its status is filled in when the answer is sent. */
  const log = (area: Area, method: string, path: string, url: URL, res: ServerResponse) => {
    const record: RequestRecord = {
      seq: state.nextSeq(),
      area,
      method,
      path,
      query: queryObject(url.searchParams),
      status: 0,
    };
    state.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    return record;
  };

  /** Answers with an injected fault; true when one applied. */
  const fault = (
    found: FaultRecord | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    fallback: unknown,
  ): boolean => {
    if (!found) return false;
    if (found.status === 'reset') {
      record.status = 'reset';
      req.socket.destroy();
    } else {
      sendJson(res, found.status, found.body ?? fallback, found.headers);
    }
    return true;
  };

  api.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', urls.origin);
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      const path = url.pathname;
      if (path.startsWith('/_fake/'))
        return handleAdmin({ state, reset, runtimeEnv }, req, res, url, body);
      if (path.startsWith('/twirp/')) {
        const record = log('results', method, path, url, res);
        const injected = state.takeFault(method, path);
        if (fault(injected, req, res, record, { code: 'unavailable', msg: 'injected fault' }))
          return;
        return results.handle(req, res, path, body, record);
      }
      const web = WEB_DOWNLOAD.exec(path);
      const download =
        web && method === 'GET'
          ? webAssetDownload(
              { state, blobs },
              `${decodeURIComponent(web[1] as string)}/${decodeURIComponent(web[2] as string)}`,
              decodeURIComponent(web[3] as string),
              decodeURIComponent(web[4] as string),
            )
          : undefined;
      if (download) {
        log('web', method, path, url, res);
        return send(res, download.status, '', download.headers);
      }
      const inApi = !prefix || path === prefix || path.startsWith(`${prefix}/`);
      const apiPath = inApi ? path.slice(prefix.length) || '/' : path;
      const record = log('rest', method, apiPath, url, res);
      if (!inApi) {
        state.violation({
          area: 'rest',
          method,
          path,
          problems: [`${path} is outside the API prefix ${prefix}`],
        });
        return sendJson(res, 404, { message: 'Not Found' });
      }
      return handleRest(deps, req, res, url, apiPath, body, record);
    })().catch((error: unknown) => {
      state.responseErrors.push(`fake crashed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Server Error (a bug of the fake)' });
    });
  });

  storageServer.on('request', (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', urls.storage);
      const body = await readBody(req);
      const record = log('storage', req.method ?? 'GET', url.pathname, url, res);
      const injected = state.takeFault(record.method, url.pathname);
      const fallback = { code: 'ServerBusy', message: 'injected fault' };
      if (fault(injected, req, res, record, fallback)) return;
      blobs.handle(req, res, url, body, record);
    })().catch((error: unknown) => {
      state.responseErrors.push(`storage crashed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'storage error (a bug of the fake)' });
    });
  });

  return {
    url: urls.api,
    origin: urls.origin,
    admin: `${urls.origin}/_fake`,
    storage: urls.storage,
    state,
    get requests() {
      return state.requests;
    },
    get violations() {
      return state.violations;
    },
    get responseErrors() {
      return state.responseErrors;
    },
    runtimeEnv,
    reset,
    close: async () => {
      await Promise.all([closeServer(api), closeServer(storageServer)]);
    },
  };
}
