/** Small HTTP helpers shared by the REST API, the results service, storage and the admin API. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';

/** Bodies larger than this are refused: nothing the product sends GitHub comes near it. */
const MAX_BODY = 256 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function send(
  res: ServerResponse,
  status: number,
  body: Buffer | string | undefined,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, body === undefined ? '' : JSON.stringify(body), {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
  });
}

/** GitHub's request IDs look like `C0DE:1234AB:5678CD:9ABCDE:65F0A1B2`. */
export const requestId = (): string =>
  Array.from({ length: 5 }, () => randomBytes(3).toString('hex').toUpperCase()).join(':');

export const queryObject = (params: URLSearchParams): Record<string, string> =>
  Object.fromEntries(params.entries());
