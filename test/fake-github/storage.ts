/**
 * The blob store behind GitHub's pre-signed URLs, served on the fake's storage listener.
 *
 * Downloads: the REST API's artifact and release-asset endpoints answer 302 to a URL here that
 * carries its own signature and expiry (like an Azure SAS URL), so it needs no Authorization;
 * a request that carries one anyway leaked the GitHub token to storage and is a violation.
 *
 * Uploads: `@actions/artifact` gets a signed upload URL from the results service and writes
 * the zip with the Azure Blob REST API through `@azure/storage-blob`: Put Block for each chunk,
 * then Put Block List, or one Put Blob. Those three operations are implemented, with Azure's
 * rules (block IDs base64 and all the same length, only staged blocks committed).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { queryObject, send } from './http.js';
import type { FakeState, RequestRecord } from './state.js';
import type { Urls } from './urls.js';

interface Download {
  data: Buffer;
  contentType: string;
  filename: string;
  sig: string;
  expiresAt: number;
}

export interface Upload {
  id: string;
  sig: string;
  expiresAt: number;
  blocks: Map<string, Buffer>;
  /** Set by Put Block List or Put Blob: the blob as committed. */
  committed?: Buffer;
  contentType?: string;
}

const AZURE_VERSION = '2025-01-05';

const sign = (): string => randomBytes(24).toString('base64url');

const sameSecret = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function sasQuery(sig: string, expiresAt: number, permissions: string): string {
  return new URLSearchParams({
    sv: AZURE_VERSION,
    se: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    sr: 'b',
    sp: permissions,
    sig,
  }).toString();
}

function azureError(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  send(res, status, xml, {
    'content-type': 'application/xml',
    'x-ms-error-code': code,
    'x-ms-version': AZURE_VERSION,
  });
}

export class BlobStore {
  private readonly downloads = new Map<string, Download>();
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly state: FakeState,
    private readonly urls: Urls,
    /** How long a signed URL works; GitHub's artifact download URLs last about a minute. */
    private readonly ttlMs: number,
  ) {}

  reset(): void {
    this.downloads.clear();
    this.uploads.clear();
  }

  /** A fresh pre-signed download URL for `data`. */
  signDownload(data: Buffer, contentType: string, filename: string): string {
    const id = randomBytes(12).toString('hex');
    const sig = sign();
    const expiresAt = Date.now() + this.ttlMs;
    this.downloads.set(id, { data, contentType, filename, sig, expiresAt });
    return `${this.urls.storage}/_blobs/${id}?${sasQuery(sig, expiresAt, 'r')}`;
  }

  /** A pre-signed upload URL (Azure's IP-style path: account, container, blob). */
  createUpload(): { url: string; upload: Upload } {
    const id = randomBytes(12).toString('hex');
    // Uploads of large artifacts take a while: the results service signs them for longer.
    const upload: Upload = {
      id,
      sig: sign(),
      expiresAt: Date.now() + 6 * 3_600_000,
      blocks: new Map(),
    };
    this.uploads.set(id, upload);
    const url = `${this.urls.storage}/_uploads/actions-results/${id}.zip?${sasQuery(upload.sig, upload.expiresAt, 'cw')}`;
    return { url, upload };
  }

  upload(id: string): Upload | undefined {
    return this.uploads.get(id);
  }

  /** Handles one request to the storage listener; the caller has logged it. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
    record: RequestRecord,
  ): void {
    const violation = (problem: string) =>
      this.state.violation({
        area: 'storage',
        method: record.method,
        path: record.path,
        problems: [problem],
      });
    if (req.headers.authorization) {
      violation(
        'the request to pre-signed storage carries an Authorization header: a GitHub token must not leave GitHub (follow the redirect without credentials)',
      );
    }
    const download = /^\/_blobs\/([0-9a-f]+)$/.exec(url.pathname);
    if (download && (req.method === 'GET' || req.method === 'HEAD')) {
      const blob = this.downloads.get(download[1] as string);
      if (!blob) return azureError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
      if (!sameSecret(url.searchParams.get('sig') ?? '', blob.sig))
        return azureError(res, 403, 'AuthenticationFailed', 'Signature did not match.');
      if (Date.now() > blob.expiresAt)
        return azureError(res, 403, 'AuthenticationFailed', 'Signed expiry time has passed.');
      const headers = {
        'content-type': blob.contentType,
        'content-length': String(blob.data.length),
        'content-disposition': `attachment; filename="${blob.filename.replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(blob.filename)}`,
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-version': AZURE_VERSION,
        'accept-ranges': 'bytes',
      };
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : blob.data);
      return;
    }
    const upload = /^\/_uploads\/actions-results\/([0-9a-f]+)\.zip$/.exec(url.pathname);
    if (upload && req.method === 'PUT') {
      return this.put(req, res, url, body, this.uploads.get(upload[1] as string), violation);
    }
    violation(`${req.method ?? '?'} ${url.pathname}: not a storage operation the fake serves`);
    azureError(
      res,
      400,
      'UnsupportedHttpVerb',
      "The resource doesn't support specified Http Verb.",
    );
  }

  private put(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
    upload: Upload | undefined,
    violation: (problem: string) => void,
  ): void {
    if (!upload)
      return azureError(res, 404, 'ContainerNotFound', 'The specified container does not exist.');
    if (!sameSecret(url.searchParams.get('sig') ?? '', upload.sig) || Date.now() > upload.expiresAt)
      return azureError(
        res,
        403,
        'AuthenticationFailed',
        'Server failed to authenticate the request.',
      );
    const query = queryObject(url.searchParams);
    const ok = (extra: Record<string, string> = {}) =>
      send(res, 201, '', {
        'x-ms-request-id': randomBytes(16).toString('hex'),
        'x-ms-version': AZURE_VERSION,
        'x-ms-request-server-encrypted': 'true',
        date: new Date().toUTCString(),
        ...extra,
      });
    const committed = (data: Buffer) => {
      upload.committed = data;
      upload.contentType = String(
        req.headers['x-ms-blob-content-type'] ?? req.headers['content-type'] ?? '',
      );
      ok({
        etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
        'last-modified': new Date().toUTCString(),
      });
    };
    if (query.comp === 'block') {
      const blockId = query.blockid ?? '';
      const raw = Buffer.from(blockId, 'base64');
      if (!blockId || raw.toString('base64') !== blockId) {
        violation(`Put Block: blockid ${JSON.stringify(blockId)} is not base64`);
        return azureError(
          res,
          400,
          'InvalidQueryParameterValue',
          'Value for one of the query parameters specified in the request URI is invalid.',
        );
      }
      const lengths = new Set([...upload.blocks.keys()].map((k) => k.length));
      if (lengths.size > 0 && !lengths.has(blockId.length)) {
        violation('Put Block: block IDs of one blob must all have the same length');
        return azureError(
          res,
          400,
          'InvalidBlobOrBlock',
          'The specified blob or block content is invalid.',
        );
      }
      if (Number(req.headers['content-length'] ?? body.length) !== body.length) {
        return azureError(
          res,
          400,
          'InvalidHeaderValue',
          'Content-Length does not match the body.',
        );
      }
      upload.blocks.set(blockId, body);
      return ok();
    }
    if (query.comp === 'blocklist') {
      const ids = [
        ...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g),
      ].map((m) => m[2] as string);
      const missing = ids.filter((id) => !upload.blocks.has(id));
      if (missing.length) {
        violation(`Put Block List: blocks ${missing.join(', ')} were never staged`);
        return azureError(res, 400, 'InvalidBlockList', 'The specified block list is invalid.');
      }
      return committed(Buffer.concat(ids.map((id) => upload.blocks.get(id) as Buffer)));
    }
    if (query.comp === undefined && req.headers['x-ms-blob-type'] === 'BlockBlob') {
      return committed(body);
    }
    violation(
      `PUT with comp=${query.comp ?? '(none)'} and x-ms-blob-type=${String(req.headers['x-ms-blob-type'])}: not Put Block, Put Block List or Put Blob`,
    );
    return azureError(
      res,
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid.',
    );
  }
}
