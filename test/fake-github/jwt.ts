/**
 * The runner's ACTIONS_RUNTIME_TOKEN: a JWT whose `scp` claim names the workflow run and job
 * the results service lets it write to (`Actions.Results:<runBackendId>:<jobBackendId>`).
 * `@actions/artifact` only decodes it; the fake also checks its HS256 signature, so a token
 * not issued by this fake is refused like a forged one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, secret: Buffer): string {
  const head = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** The claims of a token this fake signed and that has not expired; undefined otherwise. */
export function verifyJwt(token: string, secret: Buffer): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

/** `Actions.Results:<run>:<job>` from a token's scopes. */
export function resultsScope(
  claims: Record<string, unknown>,
): { run: string; job: string } | undefined {
  for (const scope of String(claims.scp ?? '').split(' ')) {
    const [name, run, job, ...rest] = scope.split(':');
    if (name === 'Actions.Results' && run && job && rest.length === 0) return { run, job };
  }
  return undefined;
}
