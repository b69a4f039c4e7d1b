/**
 * The REST API pipeline, in GitHub's order as far as a client can tell:
 *
 *   route (unknown → 404) → headers → JSON body (unparsable → 400) → schema (invalid → 422)
 *   → injected fault → credentials (unknown → 401, read token writing → 403) → rate limit
 *   → the resource handler (none → 501) → response completed and checked against the schema.
 *
 * Every rule a request breaks is collected and recorded as one violation of that request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { complete } from './openapi/complete.js';
import { matchRoute } from './openapi/match.js';
import type { Operation, Spec } from './openapi/spec.js';
import { responseSchema, type Validator } from './openapi/validate.js';
import { requestId, sendJson } from './http.js';
import {
  PRIMARY_LIMIT_MESSAGE,
  SECONDARY_LIMIT_MESSAGE,
  rateHeaders,
  rateWindow,
} from './ratelimit.js';
import { ApiError, type Ctx, type Reply } from './resources/context.js';
import { FREE_OPERATIONS, handlers } from './resources/index.js';
import type { Shapes } from './resources/shapes.js';
import type { FakeState, FaultRecord, RequestRecord, TokenRecord } from './state.js';
import { timestamp } from './state.js';
import type { BlobStore } from './storage.js';
import type { Urls } from './urls.js';

export interface RestDeps {
  spec: Spec;
  validator: Validator;
  state: FakeState;
  urls: Urls;
  shapes: Shapes;
  blobs: BlobStore;
}

/** The versions GitHub's REST API accepts in `X-GitHub-Api-Version`. */
const API_VERSIONS = new Set(['2022-11-28', '2026-03-10']);

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const DOCS = 'https://docs.github.com/rest';

/** Media types a REST client may sensibly accept; anything else is a confused client. */
function sensibleAccept(accept: string): boolean {
  return accept.split(',').some((part) => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase();
    return (
      type === '*/*' ||
      type === 'application/*' ||
      type === 'application/json' ||
      type === 'application/octet-stream' ||
      type.startsWith('application/vnd.github')
    );
  });
}

type Credentials =
  { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed'; header: string };

function credentials(header: string | undefined): Credentials {
  if (!header) return { kind: 'none' };
  const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
  if (match) return { kind: 'token', token: match[2] as string };
  const basic = /^basic\s+(\S+)$/i.exec(header);
  if (basic) {
    const password = Buffer.from(basic[1] as string, 'base64')
      .toString('utf8')
      .split(':')[1];
    if (password) return { kind: 'token', token: password };
  }
  return { kind: 'malformed', header: header.split(/\s+/)[0] ?? '' };
}

/** The body GitHub sends with an injected fault's status, unless the test gave one. */
function faultBody(fault: FaultRecord): unknown {
  if (fault.body !== undefined) return fault.body;
  const status = fault.status as number;
  const primary = fault.headers['x-ratelimit-remaining'] === '0';
  if (status === 429 || (status === 403 && !primary))
    return {
      message: SECONDARY_LIMIT_MESSAGE,
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
    };
  if (status === 403)
    return {
      message: PRIMARY_LIMIT_MESSAGE,
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
    };
  if (status >= 500) return { message: status === 503 ? 'Service Unavailable' : 'Server Error' };
  return { message: STATUS_CODES[status] ?? 'Error', documentation_url: DOCS };
}

export async function handleRest(
  deps: RestDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  apiPath: string,
  rawBody: Buffer,
  record: RequestRecord,
): Promise<void> {
  const { state, validator } = deps;
  const method = record.method;
  const problems: string[] = [];
  const route = matchRoute(deps.spec, method, apiPath);
  const op: Operation | undefined = route.kind === 'operation' ? route.op : undefined;
  let auth: TokenRecord | undefined;

  const headers = (): Record<string, string> => ({
    ...rateHeaders(rateWindow(state, auth)),
    'x-github-request-id': requestId(),
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
  });
  const finish = (reply: Reply) => {
    if (problems.length) {
      state.violation({
        area: 'rest',
        method,
        path: apiPath,
        ...(op ? { operation: op.operationId } : {}),
        problems: [...problems],
      });
    }
    let body = reply.body;
    if (op && body !== undefined) {
      const schema = responseSchema(op, reply.status);
      if (schema) {
        const filled: string[] = [];
        body = complete(schema, body, {
          apiUrl: deps.urls.api,
          now: timestamp(),
          nextId: () => state.nextId(),
          filled,
        });
        if (process.env.FAKE_GITHUB_DEBUG && filled.length)
          console.error(`fake-github: ${op.operationId} filled ${filled.join(', ')}`);
      }
      for (const error of validator.response(op, reply.status, body))
        state.responseErrors.push(error);
    }
    if (body === undefined) {
      res.writeHead(reply.status, { ...headers(), 'content-length': '0', ...reply.headers });
      res.end();
    } else {
      sendJson(res, reply.status, body, { ...headers(), ...reply.headers });
    }
  };
  const error = (status: number, message: string, extra: Record<string, unknown> = {}) =>
    finish({
      status,
      body: { message, documentation_url: op?.docsUrl ?? DOCS, status: String(status), ...extra },
    });

  // Route.
  if (route.kind !== 'operation' || !op) {
    problems.push(
      route.kind === 'method-not-allowed'
        ? `${method} is not an operation of ${apiPath} (the description has ${route.allowed.join(', ')})`
        : `${method} ${apiPath} is not a path of GitHub's REST API description`,
    );
    return finish({
      status: 404,
      body: { message: 'Not Found', documentation_url: DOCS, status: '404' },
    });
  }
  record.operation = op.operationId;

  // Headers.
  const creds = credentials(req.headers.authorization);
  if (creds.kind === 'token') auth = state.tokens.get(creds.token);
  if (creds.kind === 'none')
    problems.push('no Authorization header: the product must always authenticate to GitHub');
  if (creds.kind === 'malformed')
    problems.push(
      `Authorization scheme ${JSON.stringify(creds.header)} is not token, Bearer or Basic`,
    );
  const accept = req.headers.accept;
  if (accept !== undefined && !sensibleAccept(accept))
    problems.push(`Accept ${JSON.stringify(accept)} is no media type GitHub's REST API serves`);
  if (!req.headers['user-agent'])
    problems.push('no User-Agent header: GitHub refuses such requests');
  const version = req.headers['x-github-api-version'];
  if (version !== undefined && !API_VERSIONS.has(String(version))) {
    problems.push(`X-GitHub-Api-Version ${JSON.stringify(version)} is not a version of the API`);
    return error(400, `API version ${String(version)} is not supported.`);
  }
  if (!req.headers['user-agent'])
    return error(
      403,
      'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
    );

  // Body.
  let body: unknown;
  if (rawBody.length > 0 && op.requestBody?.content?.['application/json']) {
    const type = String(req.headers['content-type'] ?? 'application/json');
    if (!/^application\/(json|[\w.+-]+\+json)\b/i.test(type))
      problems.push(`Content-Type ${JSON.stringify(type)} for a JSON body`);
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      problems.push('the body is not valid JSON');
      return error(400, 'Problems parsing JSON');
    }
  }

  // Schema.
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const checked = validator.request(op, route.params, query, body);
  if (checked.problems.length) {
    problems.push(...checked.problems.map((p) => p.text));
    return error(422, `Invalid request.\n\n${checked.problems.map((p) => p.github).join('\n')}`);
  }

  // Fault.
  const fault = state.takeFault(method, apiPath, op.template);
  if (fault) {
    if (fault.status === 'reset') {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    return finish({ status: fault.status, body: faultBody(fault), headers: fault.headers });
  }

  // Credentials.
  if (creds.kind !== 'none' && !auth) return error(401, 'Bad credentials');
  if (!auth && WRITES.has(method)) return error(401, 'Requires authentication');
  if (auth && auth.permissions === 'read' && WRITES.has(method))
    return error(403, 'Resource not accessible by integration');
  if (auth) record.login = auth.login;

  // Rate limit.
  if (!FREE_OPERATIONS.has(op.operationId)) {
    const window = rateWindow(state, auth);
    if (window.used >= window.limit) return error(403, PRIMARY_LIMIT_MESSAGE);
    window.used++;
  }

  // Handler.
  const handler = handlers[op.operationId];
  if (!handler) {
    problems.push(`${op.operationId} (${method} ${op.template}) is not implemented by the fake`);
    return error(501, 'not implemented by the fake');
  }
  const ctx: Ctx = {
    op,
    method,
    path: apiPath,
    rawQuery: url.searchParams,
    params: checked.params,
    query: checked.query,
    body: checked.body,
    headers: req.headers,
    token: auth,
    state,
    urls: deps.urls,
    shapes: deps.shapes,
    blobs: deps.blobs,
  };
  let reply: Reply;
  try {
    reply = handler(ctx);
  } catch (thrown) {
    if (!(thrown instanceof ApiError)) {
      state.responseErrors.push(
        `${op.operationId} crashed: ${(thrown as Error).stack ?? String(thrown)}`,
      );
      return error(500, 'Server Error (a bug of the fake)');
    }
    if (thrown.options.violation) problems.push(thrown.options.violation);
    return finish({
      status: thrown.status,
      body: {
        message: thrown.message,
        documentation_url: op.docsUrl,
        status: String(thrown.status),
        ...(thrown.options.errors ? { errors: thrown.options.errors } : {}),
      },
      ...(thrown.options.headers ? { headers: thrown.options.headers } : {}),
    });
  }
  finish(reply);
}
