/**
 * The fake's own endpoints under `/_fake/`, for tests that run the fake in another process
 * (the standalone bundle): inspect the state, seed it, reset it, get a runner's environment,
 * inject faults. Not part of GitHub's API: not validated, not logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import type {
  FakeState,
  Fault,
  PullOptions,
  ReleaseOptions,
  RepoOptions,
  TokenOptions,
  WorkflowRunOptions,
} from './state.js';

/** Files are base64 in JSON. */
type Base64Files = Record<string, string>;

export interface Seed {
  tokens?: ({ token: string } & TokenOptions)[];
  repos?: ({ fullName: string } & RepoOptions)[];
  pulls?: ({ repo: string } & PullOptions)[];
  issues?: { repo: string; number: number; title?: string }[];
  comments?: { repo: string; issueNumber: number; body: string; login?: string }[];
  runs?: ({
    repo: string;
    artifacts?: { name: string; files?: Base64Files; zip?: string; expired?: boolean }[];
  } & WorkflowRunOptions)[];
  releases?: ({ repo: string; assets?: Base64Files } & Omit<ReleaseOptions, 'assets'>)[];
  /** `path` is a string, or a regular expression's source with `regex: true`. */
  faults?: (Omit<Fault, 'path'> & { path: string; regex?: boolean })[];
}

export interface SeedResult {
  runs: { id: number; artifacts: number[] }[];
  releases: number[];
}

const fromBase64 = (files: Base64Files): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, 'base64')]));

export function faultFromJson(fault: NonNullable<Seed['faults']>[number]): Fault {
  const { regex, path, ...rest } = fault;
  return { ...rest, path: regex ? new RegExp(path) : path };
}

export async function applySeed(state: FakeState, seed: Seed): Promise<SeedResult> {
  for (const { token, ...options } of seed.tokens ?? []) state.addToken(token, options);
  for (const { fullName, ...options } of seed.repos ?? []) state.addRepo(fullName, options);
  for (const { repo, ...options } of seed.pulls ?? []) state.addPull(repo, options);
  for (const { repo, ...options } of seed.issues ?? []) state.addIssue(repo, options);
  for (const { repo, issueNumber, ...options } of seed.comments ?? [])
    state.addComment(repo, issueNumber, options);
  const result: SeedResult = { runs: [], releases: [] };
  for (const { repo, artifacts, ...options } of seed.runs ?? []) {
    const id = state.addWorkflowRun(repo, options);
    const ids: number[] = [];
    for (const artifact of artifacts ?? []) {
      ids.push(
        await state.addArtifact(repo, id, {
          name: artifact.name,
          ...(artifact.files ? { files: fromBase64(artifact.files) } : {}),
          ...(artifact.zip ? { zip: Buffer.from(artifact.zip, 'base64') } : {}),
          ...(artifact.expired !== undefined ? { expired: artifact.expired } : {}),
        }),
      );
    }
    result.runs.push({ id, artifacts: ids });
  }
  for (const { repo, assets, ...options } of seed.releases ?? [])
    result.releases.push(state.addRelease(repo, { ...options, assets: fromBase64(assets ?? {}) }));
  for (const fault of seed.faults ?? []) state.injectFault(faultFromJson(fault));
  return result;
}

export interface AdminDeps {
  state: FakeState;
  reset: () => void;
  runtimeEnv: (repo: string, runId: number) => Record<string, string>;
}

export async function handleAdmin(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  const route = `${req.method ?? ''} ${url.pathname}`;
  const json = () => JSON.parse(body.toString('utf8') || '{}') as unknown;
  try {
    switch (route) {
      case 'GET /_fake/state':
        return sendJson(res, 200, deps.state.snapshot());
      case 'POST /_fake/seed':
        return sendJson(res, 200, await applySeed(deps.state, json() as Seed));
      case 'POST /_fake/reset':
        deps.reset();
        return sendJson(res, 200, { ok: true });
      case 'POST /_fake/faults':
        deps.state.injectFault(faultFromJson(json() as NonNullable<Seed['faults']>[number]));
        return sendJson(res, 200, { ok: true });
      case 'GET /_fake/runtime-env':
        return sendJson(
          res,
          200,
          deps.runtimeEnv(
            url.searchParams.get('repo') ?? '',
            Number(url.searchParams.get('run_id') ?? NaN),
          ),
        );
      default:
        return sendJson(res, 404, { message: `no admin endpoint ${route}` });
    }
  } catch (error) {
    sendJson(res, 400, { message: (error as Error).message });
  }
}
