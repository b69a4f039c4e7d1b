/**
 * Fake services for the actions' unit tests. Every fake writes what it is asked to do into one
 * shared `events` list, so a test can check the order of the steps; GitHub operations can be
 * made to fail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionEnvironment, GitHubContext } from '../../src/action/environment.js';
import type {
  ActionCore,
  ActionsCache,
  AnnotationPlace,
  ArtifactUploader,
  HostCommands,
} from '../../src/action/services.js';
import type { GitHub } from '../../src/github/client.js';

export interface FakeCore extends ActionCore {
  /** info lines, apart from the events. */
  lines: string[];
  outputs: Record<string, unknown>;
  summaryText: () => string;
}

/** An annotation's place, as the runner would show it. */
const at = (place: AnnotationPlace | undefined) =>
  place ? ` [${place.title} @ ${place.file}:${place.startLine}]` : '';

export function fakeCore(events: string[], inputs: Record<string, string>): FakeCore {
  const lines: string[] = [];
  const outputs: Record<string, unknown> = {};
  const state = new Map<string, string>();
  let pending = '';
  let written = '';
  const summary = {
    addRaw: (text: string) => ((pending += text), summary),
    addHeading: (text: string) => ((pending += `<h3>${text}</h3>`), summary),
    addCodeBlock: (code: string) => ((pending += `<pre>${code}</pre>`), summary),
    write: async () => {
      events.push('summary');
      written += pending;
      pending = '';
    },
  };
  return {
    lines,
    outputs,
    summaryText: () => written,
    getInput: (name) => inputs[name] ?? '',
    info: (line) => void lines.push(line),
    warning: (message, place) => void events.push(`warning: ${message}${at(place)}`),
    error: (message, place) => void events.push(`error: ${message}${at(place)}`),
    notice: (message, place) => void events.push(`notice: ${message}${at(place)}`),
    setFailed: (message) => void events.push(`failed: ${message}`),
    setOutput: (name, value) => {
      outputs[name] = value;
      events.push(`output ${name}`);
    },
    group: (name, fn) => (events.push(`group ${name}`), fn()),
    saveState: (name, value) => {
      state.set(name, value);
      events.push(`state ${name}`);
    },
    getState: (name) => state.get(name) ?? '',
    summary,
  };
}

export interface FakeCheck {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title: string; summary: string; annotations?: unknown[] };
}

export interface FakeComment {
  id: number;
  body: string;
  user: { type: string; login: string };
  html_url: string;
}

interface Artifact {
  id: number;
  name: string;
  expired: boolean;
  /** The URL the download redirects to. */
  location: string;
}

/** GitHub's answer to a request it refuses, as Octokit throws it. */
class FakeRequestError extends Error {
  constructor(readonly status: number) {
    super(`fake GitHub refused the request (${status})`);
  }
}

/** The GitHub operations the actions call, keeping check runs and comments. */
export function fakeGitHub(events: string[]) {
  const checks: FakeCheck[] = [];
  const comments: FakeComment[] = [];
  const artifacts: Artifact[] = [];
  const failing = new Map<string, { times: number; status: number }>();
  /** Who the token is: a user's login, or undefined for an app's token (GET /user refused). */
  let login: string | undefined;
  /** Records the call; throws when a failure was armed for this operation. */
  const call = (operation: string, detail = '') => {
    events.push(`${operation}${detail ? ` ${detail}` : ''}`);
    const armed = failing.get(operation);
    if (armed && armed.times > 0) {
      armed.times--;
      throw new FakeRequestError(armed.status);
    }
  };
  const check = (id: number) => {
    const found = checks.find((c) => c.id === id);
    if (!found) throw new FakeRequestError(404);
    return found;
  };
  type Params = Record<string, unknown>;
  const rest = {
    checks: {
      create: async (p: Params) => {
        call('checks.create', String(p.name));
        const created = {
          id: checks.length + 1,
          name: String(p.name),
          head_sha: String(p.head_sha),
          status: String(p.status),
          ...(p.started_at ? { started_at: String(p.started_at) } : {}),
          html_url: `checks/${checks.length + 1}`,
        };
        checks.push(created);
        return { data: created };
      },
      get: async (p: Params) => {
        call('checks.get');
        return { data: check(Number(p.check_run_id)) };
      },
      update: async (p: Params) => {
        call('checks.update', String(p.conclusion ?? 'more annotations'));
        const found = check(Number(p.check_run_id));
        if (p.status) found.status = String(p.status);
        if (p.conclusion) found.conclusion = String(p.conclusion);
        if (p.completed_at) found.completed_at = String(p.completed_at);
        found.output = p.output as FakeCheck['output'];
        return { data: found };
      },
    },
    issues: {
      listComments: async () => {
        call('issues.listComments');
        return { data: comments };
      },
      createComment: async (p: Params) => {
        call('issues.createComment');
        const id = (comments.at(-1)?.id ?? 0) + 1;
        const user = login
          ? { type: 'User', login }
          : { type: 'Bot', login: 'github-actions[bot]' };
        const comment = { id, body: String(p.body), user, html_url: `c/${id}` };
        comments.push(comment);
        return { data: comment };
      },
      updateComment: async (p: Params) => {
        call('issues.updateComment');
        const comment = comments.find((c) => c.id === p.comment_id);
        if (!comment) throw new FakeRequestError(404);
        comment.body = String(p.body);
        return { data: comment };
      },
      deleteComment: async (p: Params) => {
        call('issues.deleteComment');
        const index = comments.findIndex((c) => c.id === p.comment_id);
        if (index < 0) throw new FakeRequestError(404);
        comments.splice(index, 1);
        return { data: undefined };
      },
    },
    users: {
      getAuthenticated: async () => {
        call('users.getAuthenticated');
        if (!login) throw new FakeRequestError(403);
        return { data: { login } };
      },
    },
    actions: {
      listWorkflowRunArtifacts: async (p: Params) => {
        call('actions.listWorkflowRunArtifacts', String(p.run_id));
        return { data: artifacts };
      },
    },
  };
  const github = {
    rest,
    paginate: async (method: (p: Params) => Promise<{ data: unknown }>, p: Params) =>
      (await method(p)).data,
    request: async (_route: string, p: Params) => {
      call('actions.downloadArtifact');
      const artifact = artifacts.find((a) => a.id === p.artifact_id);
      return { headers: { location: artifact?.location } };
    },
  };
  return {
    github: github as unknown as GitHub,
    checks,
    comments,
    /** Makes the next `times` calls of `operation` (e.g. `checks.update`) fail with `status`. */
    fail(operation: string, times = 1, status = 422) {
      failing.set(operation, { times, status });
    },
    /** Acts as a personal access token of `user` from now on. */
    actAs(user: string) {
      login = user;
    },
    /** A comment someone else wrote. */
    addComment(body: string, user: { type: string; login: string }) {
      const id = (comments.at(-1)?.id ?? 0) + 1;
      comments.push({ id, body, user, html_url: `c/${id}` });
    },
    addArtifact(name: string, location: string) {
      artifacts.push({ id: artifacts.length + 1, name, expired: false, location });
    },
  };
}

interface Upload {
  name: string;
  files: string[];
  dir: string;
  retentionDays?: number | undefined;
}

export function fakeArtifacts(events: string[]): ArtifactUploader & { uploads: Upload[] } {
  const uploads: Upload[] = [];
  return {
    uploads,
    uploadArtifact: async (name, files, dir, options) => {
      events.push(`artifact ${name}`);
      uploads.push({ name, files, dir, retentionDays: options?.retentionDays });
      return { id: uploads.length };
    },
  };
}

export function fakeCache(events: string[]): ActionsCache {
  return {
    isFeatureAvailable: () => true,
    restoreCache: async () => (events.push('cache.restore'), undefined),
    saveCache: async () => (events.push('cache.save'), 1),
  };
}

/** A clock stopped at one instant, so check runs' times can be checked. */
export const STOPPED_CLOCK = {
  now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
  today: () => '2026-01-02',
};
export const STOPPED_AT = '2026-01-02T03:04:05.000Z';

export function environment(
  context: GitHubContext,
  dirs: { workspace: string; runnerTemp: string },
): ActionEnvironment {
  return {
    ...dirs,
    serverUrl: 'https://github.example',
    apiUrl: 'https://api.github.example',
    workflowRef: 'course/kernel/.github/workflows/kernel.yml@refs/heads/main',
    context,
  };
}

/** Serves `files` (path → bytes) on localhost, as the storage an artifact download redirects to. */
export async function serveFiles(
  files: Record<string, Buffer>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Commands on a fake runner: each recorded in `events` as `host: <command line>`. */
export function fakeHost(
  events: string[],
  options: { isRoot?: boolean; kvm?: 'missing' | 'denied' | 'ok'; failing?: string } = {},
): HostCommands & { inputs: string[] } {
  const inputs: string[] = [];
  let kvm = options.kvm ?? 'ok';
  return {
    inputs,
    isRoot: options.isRoot ?? false,
    exec: async (command, args, input) => {
      const line = [command, ...args].join(' ');
      events.push(`host: ${line}`);
      if (input !== undefined) inputs.push(input);
      // Once the udev rule is triggered, the device opens.
      if (line.includes('udevadm trigger')) kvm = 'ok';
      return line === options.failing
        ? { exitCode: 100, stdout: '', stderr: 'E: Unable to locate package' }
        : { exitCode: 0, stdout: '', stderr: '' };
    },
    kvmAccess: async () => kvm,
  };
}
