/**
 * What a resource handler gets (the validated request, the caller's token, the store) and the
 * helpers every handler shares: GitHub's errors, pagination with a `Link` header, lookups that
 * answer 404 the way GitHub does.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation } from '../openapi/spec.js';
import type { FakeState, RepoRecord, TokenRecord } from '../state.js';
import type { BlobStore } from '../storage.js';
import type { Urls } from '../urls.js';
import type { Shapes } from './shapes.js';

export interface Ctx {
  op: Operation;
  method: string;
  /** The request path without the API prefix, still percent-encoded. */
  path: string;
  /** The query as sent (strings), for building pagination links. */
  rawQuery: URLSearchParams;
  /** Validated and coerced: integers are numbers, defaults (per_page 30, page 1) filled. */
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  headers: IncomingHttpHeaders;
  token: TokenRecord | undefined;
  state: FakeState;
  urls: Urls;
  shapes: Shapes;
  blobs: BlobStore;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: Ctx) => Reply;

/**
 * An answer other than success. `violation` marks it as the product's fault (a request GitHub
 * would reject), so it is recorded; a plain 404 for a resource that is not there is not.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: {
      violation?: string;
      errors?: Record<string, unknown>[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');

/** GitHub's 422 for a semantic rule; recorded as a violation. */
export const unprocessable = (
  why: string,
  error: { resource: string; field: string; code?: string },
): ApiError =>
  new ApiError(422, 'Validation Failed', {
    violation: why,
    errors: [{ ...error, code: error.code ?? 'custom', message: why }],
  });

export const str = (value: unknown): string => String(value);
export const num = (value: unknown): number => Number(value);

export function repoOf(ctx: Ctx): RepoRecord {
  const repo = ctx.state.repo(`${str(ctx.params.owner)}/${str(ctx.params.repo)}`);
  if (!repo) throw notFound();
  return repo;
}

/**
 * One page of `items` and its `Link` header, as GitHub writes it: the request's own URL and
 * query with `page` replaced; `prev`, `next`, `last`, `first` in that order; no header when
 * everything fits on one page.
 */
export function paginate<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = num(ctx.query.per_page ?? 30);
  const page = num(ctx.query.page ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const query = new URLSearchParams(ctx.rawQuery);
    query.set('page', String(n));
    return `<${ctx.urls.api}${ctx.path}?${query.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${link(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}

/** Newest first, GitHub's default order for runs, releases and artifacts of a repository. */
export const newestFirst = <T extends { createdAt: string; id: number }>(a: T, b: T): number =>
  b.createdAt.localeCompare(a.createdAt) || b.id - a.id;
