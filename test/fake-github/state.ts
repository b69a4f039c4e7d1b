/**
 * The fake's store: every resource the product can read or write, the request log, the
 * violations, and the seeding helpers tests use to set a scene. Everything is in memory and
 * keyed as GitHub keys it (repositories case-insensitively by `owner/name`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  TokenRecord,
  UserRecord,
  RepoRecord,
  PullRecord,
  IssueRecord,
  CommentRecord,
  CommitCommentRecord,
  CheckRunRecord,
  WorkflowRecord,
  WorkflowRunRecord,
  ArtifactRecord,
  ReleaseRecord,
  Fault,
  FaultRecord,
  RequestRecord,
  Violation,
  RateWindow,
  TokenOptions,
  RepoOptions,
  PullOptions,
  WorkflowRunOptions,
  ArtifactOptions,
  ReleaseOptions,
} from './records.js';
import { zipFiles } from './zip.js';
import { repoTarball, type TarEntry } from './tarball.js';

export type * from './records.js';

/** GitHub's timestamps: ISO 8601, seconds precision, `Z`. */
export const timestamp = (at: Date | string | number = Date.now()): string =>
  new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const repoKey = (fullName: string): string => fullName.toLowerCase();

const CONTENT_TYPES: Record<string, string> = {
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && CONTENT_TYPES[name.slice(dot).toLowerCase()]) || 'application/octet-stream';
}

export class FakeState {
  readonly tokens = new Map<string, TokenRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly pulls = new Map<string, PullRecord>();
  readonly issues = new Map<string, IssueRecord>();
  readonly comments: CommentRecord[] = [];
  readonly commitComments: CommitCommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly workflows: WorkflowRecord[] = [];
  readonly runs: WorkflowRunRecord[] = [];
  readonly artifacts: ArtifactRecord[] = [];
  /** Actions cache entries (the results service's CacheService), oldest first. */
  readonly caches: {
    repo: string;
    key: string;
    version: string;
    data: Buffer;
    createdAt: number;
  }[] = [];
  readonly releases: ReleaseRecord[] = [];
  readonly faults: FaultRecord[] = [];
  readonly rate = new Map<string, RateWindow>();
  /** Every request, in arrival order (the admin endpoints excepted). */
  readonly requests: RequestRecord[] = [];
  /** Every request that broke a rule of GitHub's API (the product's bugs). */
  readonly violations: Violation[] = [];
  /** Responses of the fake that do not match the description (the fake's bugs). */
  readonly responseErrors: string[] = [];
  private lastId = 0;
  private seq = 0;

  /** Fresh IDs for every kind of resource, in one increasing sequence, as large as GitHub's. */
  nextId(): number {
    return 1_000_000 + ++this.lastId;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * Forgets everything: resources, tokens, faults, logs. Arrays are emptied in place (callers
   * hold them); IDs keep counting, so an ID from before a reset never names a new resource.
   */
  reset(): void {
    for (const map of [this.tokens, this.users, this.repos, this.pulls, this.issues, this.rate])
      map.clear();
    for (const list of [
      this.comments,
      this.commitComments,
      this.checkRuns,
      this.workflows,
      this.runs,
      this.artifacts,
      this.caches,
      this.releases,
      this.faults,
      this.requests,
      this.violations,
      this.responseErrors,
    ] as unknown[][])
      list.length = 0;
  }

  // --- tokens and users -------------------------------------------------------------------

  addToken(token: string, options: TokenOptions): TokenRecord {
    const record: TokenRecord = {
      token,
      permissions: options.permissions,
      login: options.login ?? 'github-actions[bot]',
      type: options.type ?? (options.login && !options.login.endsWith('[bot]') ? 'User' : 'Bot'),
      rateLimit: options.rateLimit ?? 5000,
    };
    this.tokens.set(token, record);
    this.user(record.login, record.type);
    return record;
  }

  /** The user (or bot, or organisation) with this login, made on first mention. */
  user(login: string, type: UserRecord['type'] = 'User'): UserRecord {
    const key = login.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = { login, id: this.nextId(), type: login.endsWith('[bot]') ? 'Bot' : type };
      this.users.set(key, user);
    }
    return user;
  }

  // --- repositories, pull requests, issues, comments ----------------------------------------

  addRepo(fullName: string, options: RepoOptions = {}): RepoRecord {
    const [owner, name, ...rest] = fullName.split('/');
    if (!owner || !name || rest.length) throw new Error(`not an owner/name: ${fullName}`);
    const existing = this.repos.get(repoKey(fullName));
    if (existing) {
      if (options.defaultBranch) existing.defaultBranch = options.defaultBranch;
      for (const [b, sha] of Object.entries(options.branches ?? {})) existing.branches.set(b, sha);
      return existing;
    }
    this.user(owner, options.ownerType ?? 'User');
    const record: RepoRecord = {
      id: this.nextId(),
      owner,
      name,
      fullName,
      defaultBranch: options.defaultBranch ?? 'main',
      private: options.private ?? false,
      fork: options.fork ?? false,
      branches: new Map(Object.entries(options.branches ?? {})),
      // Later repositories are newer, as on GitHub, so `sort: created` has an order to keep.
      createdAt: timestamp(Date.now() - 86_400_000 + this.repos.size * 1000),
      tarballs: new Map(),
    };
    this.repos.set(repoKey(fullName), record);
    return record;
  }

  /**
   * The repository's files at a new commit on its default branch (the tarball endpoint serves
   * them); returns the commit's SHA.
   */
  async setRepoContent(
    fullName: string,
    entries: readonly TarEntry[],
    sha = createHash('sha1').update(`${fullName} ${this.nextId()}`).digest('hex'),
  ): Promise<string> {
    const repo = this.ensureRepo(fullName);
    repo.tarballs.set(sha, await repoTarball(repo.fullName, sha, entries));
    repo.branches.set(repo.defaultBranch, sha);
    return sha;
  }

  repo(fullName: string): RepoRecord | undefined {
    return this.repos.get(repoKey(fullName));
  }

  /** Seeding helpers accept repositories that were never added: they are added then. */
  private ensureRepo(fullName: string): RepoRecord {
    return this.repo(fullName) ?? this.addRepo(fullName);
  }

  addIssue(
    repo: string,
    options: {
      number?: number;
      title?: string;
      body?: string;
      labels?: string[];
      state?: 'open' | 'closed';
      login?: string;
    },
  ): IssueRecord {
    const record = this.ensureRepo(repo);
    const number = options.number ?? this.nextIssueNumber(record.fullName);
    const issue: IssueRecord = {
      ...this.issueFields(record.fullName, number, options.title ?? `Issue ${number}`, false),
      body: options.body ?? '',
      labels: options.labels ?? [],
      user: this.user(options.login ?? record.owner).login,
    };
    if (options.state === 'closed') {
      issue.state = 'closed';
      issue.stateReason = 'completed';
      issue.closedAt = issue.updatedAt;
    }
    this.issues.set(`${repoKey(repo)}#${number}`, issue);
    return issue;
  }

  /** Issues and pull requests share one sequence of numbers per repository, as on GitHub. */
  nextIssueNumber(repo: string): number {
    let last = 0;
    for (const issue of this.issues.values())
      if (repoKey(issue.repo) === repoKey(repo)) last = Math.max(last, issue.number);
    return last + 1;
  }

  private issueFields(repo: string, number: number, title: string, isPull: boolean): IssueRecord {
    const at = timestamp();
    return {
      repo,
      number,
      title,
      isPull,
      id: this.nextId(),
      body: '',
      state: 'open',
      stateReason: null,
      labels: [],
      user: 'ghost',
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
  }

  /** A repository's issues (not its pull requests), oldest first. */
  issuesOf(repo: string): IssueRecord[] {
    return [...this.issues.values()]
      .filter((i) => repoKey(i.repo) === repoKey(repo) && !i.isPull)
      .sort((a, b) => a.number - b.number);
  }

  issue(repo: string, number: number): IssueRecord | undefined {
    return this.issues.get(`${repoKey(repo)}#${number}`);
  }

  addPull(repo: string, options: PullOptions): PullRecord {
    const record = this.ensureRepo(repo);
    const headRepo = options.head.repoFullName ?? record.fullName;
    const head = this.repo(headRepo) ?? this.addRepo(headRepo, { fork: true });
    head.branches.set(options.head.ref, options.head.sha);
    if (!record.branches.has(options.base.ref))
      record.branches.set(options.base.ref, options.base.sha);
    const pull: PullRecord = {
      id: this.nextId(),
      repo: record.fullName,
      number: options.number,
      title: options.title ?? `Pull request ${options.number}`,
      state: options.state ?? 'open',
      user: this.user(options.user ?? head.owner).login,
      head: { ...options.head, repoFullName: head.fullName },
      base: { ...options.base },
      createdAt: timestamp(Date.now() - 3_600_000),
    };
    this.pulls.set(`${repoKey(repo)}#${options.number}`, pull);
    this.issues.set(`${repoKey(repo)}#${options.number}`, {
      ...this.issueFields(record.fullName, options.number, pull.title, true),
      user: pull.user,
    });
    return pull;
  }

  pull(repo: string, number: number): PullRecord | undefined {
    return this.pulls.get(`${repoKey(repo)}#${number}`);
  }

  /** A comment made before the test starts (e.g. a sticky comment of an earlier push). */
  addComment(
    repo: string,
    issueNumber: number,
    options: { body: string; login?: string; createdAt?: string | Date },
  ): CommentRecord {
    const record = this.ensureRepo(repo);
    if (!this.issue(repo, issueNumber)) this.addIssue(repo, { number: issueNumber });
    const at = timestamp(options.createdAt ?? Date.now());
    const comment: CommentRecord = {
      id: this.nextId(),
      repo: record.fullName,
      issueNumber,
      body: options.body,
      user: this.user(options.login ?? 'github-actions[bot]').login,
      createdAt: at,
      updatedAt: at,
      history: [options.body],
    };
    this.comments.push(comment);
    return comment;
  }

  commentsOf(repo: string, issueNumber: number): CommentRecord[] {
    return this.comments.filter(
      (c) => repoKey(c.repo) === repoKey(repo) && c.issueNumber === issueNumber,
    );
  }

  commitCommentsOf(repo: string, commitSha?: string): CommitCommentRecord[] {
    return this.commitComments.filter(
      (c) =>
        repoKey(c.repo) === repoKey(repo) && (commitSha === undefined || c.commitSha === commitSha),
    );
  }

  checkRunsOf(repo: string, headSha?: string): CheckRunRecord[] {
    return this.checkRuns.filter(
      (c) => repoKey(c.repo) === repoKey(repo) && (headSha === undefined || c.headSha === headSha),
    );
  }

  // --- workflows, runs, artifacts -------------------------------------------------------

  workflow(repo: string, file: string): WorkflowRecord {
    const found = this.workflows.find((w) => repoKey(w.repo) === repoKey(repo) && w.file === file);
    if (found) return found;
    const record: WorkflowRecord = {
      id: this.nextId(),
      repo: this.ensureRepo(repo).fullName,
      file,
      name: file.replace(/\.ya?ml$/, ''),
      createdAt: timestamp(Date.now() - 86_400_000),
    };
    this.workflows.push(record);
    return record;
  }

  /** Returns the run's ID (what `GITHUB_RUN_ID` would be). */
  addWorkflowRun(repo: string, options: WorkflowRunOptions): number {
    const record = this.ensureRepo(repo);
    const workflow = this.workflow(repo, options.workflowFile);
    const status = options.status ?? 'completed';
    const conclusion =
      options.conclusion !== undefined
        ? options.conclusion
        : status === 'completed'
          ? 'success'
          : null;
    if (status === 'completed' && conclusion === null)
      throw new Error('a completed workflow run needs a conclusion');
    const createdAt = timestamp(options.createdAt ?? Date.now());
    const runNumber = this.runs.filter((r) => r.workflowId === workflow.id).length + 1;
    if (!record.branches.has(options.branch)) record.branches.set(options.branch, options.headSha);
    const run: WorkflowRunRecord = {
      id: this.nextId(),
      repo: record.fullName,
      workflowId: workflow.id,
      runNumber,
      name: options.name ?? workflow.name,
      displayTitle: options.displayTitle ?? `${workflow.name} #${runNumber}`,
      branch: options.branch,
      headSha: options.headSha,
      headRepoFullName: options.headRepoFullName ?? record.fullName,
      event: options.event ?? 'push',
      status,
      conclusion,
      actor: this.user(options.actor ?? record.owner).login,
      createdAt,
      updatedAt: createdAt,
      checkSuiteId: this.nextId(),
      backendId: randomUUID(),
    };
    this.runs.push(run);
    return run.id;
  }

  run(id: number): WorkflowRunRecord | undefined {
    return this.runs.find((r) => r.id === id);
  }

  /** Async because the zip is written with yazl's streams; resolves to the artifact's ID. */
  async addArtifact(repo: string, runId: number, options: ArtifactOptions): Promise<number> {
    const run = this.run(runId);
    if (!run || repoKey(run.repo) !== repoKey(repo))
      throw new Error(`no workflow run ${runId} in ${repo}`);
    if ((options.files === undefined) === (options.zip === undefined))
      throw new Error('an artifact needs exactly one of files and zip');
    const data = options.zip ?? (await zipFiles(options.files ?? {}));
    return this.storeArtifact({
      repo: run.repo,
      runId,
      name: options.name,
      data,
      contentType: 'application/zip',
      expired: options.expired ?? false,
      createdAt: options.createdAt,
      source: 'seed',
    }).id;
  }

  storeArtifact(options: {
    repo: string;
    runId: number;
    name: string;
    data: Buffer;
    contentType: string;
    expired: boolean;
    createdAt?: string | Date | undefined;
    expiresAt?: string | undefined;
    source: ArtifactRecord['source'];
    jobBackendId?: string;
  }): ArtifactRecord {
    const created = new Date(options.createdAt ?? Date.now());
    const record: ArtifactRecord = {
      id: this.nextId(),
      repo: options.repo,
      runId: options.runId,
      name: options.name,
      data: options.data,
      contentType: options.contentType,
      digest: `sha256:${sha256(options.data)}`,
      expired: options.expired,
      createdAt: timestamp(created),
      expiresAt:
        options.expiresAt ??
        timestamp(options.expired ? Date.now() - 60_000 : created.getTime() + 90 * 86_400_000),
      source: options.source,
      jobBackendId: options.jobBackendId ?? randomUUID(),
    };
    this.artifacts.push(record);
    return record;
  }

  artifactsOf(repo: string, runId?: number): ArtifactRecord[] {
    return this.artifacts.filter(
      (a) => repoKey(a.repo) === repoKey(repo) && (runId === undefined || a.runId === runId),
    );
  }

  // --- releases ---------------------------------------------------------------------------

  /** Returns the release's ID. */
  addRelease(repo: string, options: ReleaseOptions): number {
    const record = this.ensureRepo(repo);
    const createdAt = timestamp(options.createdAt ?? Date.now());
    const author = this.user(options.author ?? record.owner).login;
    const release: ReleaseRecord = {
      id: this.nextId(),
      repo: record.fullName,
      tag: options.tag,
      name: options.name ?? options.tag,
      body: options.body ?? null,
      draft: options.draft ?? false,
      prerelease: options.prerelease ?? false,
      targetCommitish: options.targetCommitish ?? record.defaultBranch,
      author,
      createdAt,
      publishedAt: options.draft ? null : createdAt,
      assets: Object.entries(options.assets ?? {}).map(([name, content]) => ({
        id: this.nextId(),
        name,
        data: Buffer.isBuffer(content) ? content : Buffer.from(content),
        contentType: contentTypeOf(name),
        createdAt,
        uploader: author,
      })),
    };
    this.releases.push(release);
    return release.id;
  }

  // --- faults and the log -----------------------------------------------------------------

  /** Makes the next `times` matching requests fail; the record counts its hits. */
  injectFault(fault: Fault): FaultRecord {
    const record: FaultRecord = {
      path: fault.path,
      status: fault.status,
      times: fault.times ?? 1,
      headers: fault.headers ?? {},
      hits: 0,
      ...(fault.method ? { method: fault.method.toUpperCase() } : {}),
      ...(fault.body !== undefined ? { body: fault.body } : {}),
    };
    this.faults.push(record);
    return record;
  }

  /** The first fault still armed for this request, counted as hit. */
  takeFault(method: string, path: string, template?: string): FaultRecord | undefined {
    const fault = this.faults.find((f) => {
      if (f.hits >= f.times) return false;
      if (f.method && f.method !== method) return false;
      if (f.path instanceof RegExp) return f.path.test(path);
      return f.path.includes('{') ? f.path === template : f.path === path;
    });
    if (fault) fault.hits++;
    return fault;
  }

  violation(entry: Omit<Violation, 'why'>): void {
    this.violations.push({ ...entry, why: entry.problems.join('; ') });
  }

  /** A JSON-friendly dump: contents of files as sizes and digests, not bytes. */
  snapshot(): Record<string, unknown> {
    const blob = (data: Buffer) => ({ size: data.length, sha256: sha256(data) });
    return {
      tokens: [...this.tokens.values()].map(({ token, ...rest }) => ({
        token: `${token.slice(0, 4)}…`,
        ...rest,
      })),
      repos: [...this.repos.values()].map((r) => ({
        ...r,
        branches: Object.fromEntries(r.branches),
        tarballs: Object.fromEntries([...r.tarballs].map(([sha, data]) => [sha, blob(data)])),
      })),
      pulls: [...this.pulls.values()],
      comments: this.comments,
      commitComments: this.commitComments,
      checkRuns: this.checkRuns,
      workflows: this.workflows,
      runs: this.runs,
      artifacts: this.artifacts.map(({ data, ...rest }) => ({ ...rest, ...blob(data) })),
      releases: this.releases.map((r) => ({
        ...r,
        assets: r.assets.map(({ data, ...rest }) => ({ ...rest, ...blob(data) })),
      })),
      faults: this.faults.map((f) => ({ ...f, path: String(f.path) })),
      violations: this.violations,
      responseErrors: this.responseErrors,
      requests: this.requests,
    };
  }
}
