/**
 * Finds the operation of the description that a method and path belong to, the way GitHub's
 * router does: literal segments beat parameters (`/releases/latest` is not release "latest"),
 * and a multi-segment parameter (`{ref}`, `{tag}`, `{path}`) may swallow slashes.
 */
import type { Operation, Segment, Spec } from './spec.js';

export type RouteMatch =
  | { kind: 'operation'; op: Operation; params: Record<string, string> }
  /** The path exists with other methods: GitHub answers 404 here too, not 405. */
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'unknown-path' };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function matchFrom(
  segments: Segment[],
  parts: string[],
  i: number,
  j: number,
  out: Record<string, string>,
): boolean {
  const segment = segments[i];
  if (!segment) return j === parts.length;
  if (j >= parts.length) return false;
  if (segment.kind === 'literal') {
    return parts[j] === segment.text && matchFrom(segments, parts, i + 1, j + 1, out);
  }
  // A multi-segment parameter tries the longest span first and backtracks, so that in
  // `/commits/{ref}/check-runs` the ref `heads/main` leaves `check-runs` to the literal.
  const last = segment.multi ? parts.length : j + 1;
  for (let end = last; end > j; end--) {
    const pieces = parts.slice(j, end).map(decode);
    if (pieces.some((p) => p === undefined || p === '')) continue;
    const value = pieces.join('/');
    const found = segment.pattern.exec(value);
    if (!found) continue;
    const attempt = { ...out };
    segment.names.forEach((name, k) => (attempt[name] = found[k + 1] as string));
    if (matchFrom(segments, parts, i + 1, end, attempt)) {
      Object.assign(out, attempt);
      return true;
    }
  }
  return false;
}

/** `path` is the raw (still percent-encoded) request path with the API prefix removed. */
export function matchRoute(spec: Spec, method: string, path: string): RouteMatch {
  const parts = path.split('/').slice(1);
  const candidates = [
    ...(spec.byFirstSegment.get(parts[0] ?? '') ?? []),
    ...(spec.byFirstSegment.get('*') ?? []),
  ];
  let best: { op: Operation; params: Record<string, string> } | undefined;
  const allowed = new Set<string>();
  for (const op of candidates) {
    const params: Record<string, string> = {};
    if (!matchFrom(op.segments, parts, 0, 0, params)) continue;
    if (op.method !== method) {
      allowed.add(op.method);
      continue;
    }
    if (!best || op.literals > best.op.literals) best = { op, params };
  }
  if (best) return { kind: 'operation', ...best };
  if (allowed.size > 0) return { kind: 'method-not-allowed', allowed: [...allowed] };
  return { kind: 'unknown-path' };
}
