/**
 * The records the fake's store keeps, and the options of its seeding helpers. Field names are
 * the fake's own (camelCase); the resource handlers turn records into GitHub's JSON.
 */
export type Permission = 'read' | 'write';

export interface TokenRecord {
  token: string;
  permissions: Permission;
  login: string;
  type: 'Bot' | 'User';
  /** Requests per hour, like GitHub's primary rate limit (GITHUB_TOKEN: 1000 per repository). */
  rateLimit: number;
}

export interface UserRecord {
  login: string;
  id: number;
  type: 'Bot' | 'User' | 'Organization';
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  fork: boolean;
  /** Branch name → head SHA, for resolving refs (`main`, `heads/main`) to commits. */
  branches: Map<string, string>;
  createdAt: string;
  /** Commit SHA → the repository's tarball at that commit (seeded with `setRepoContent`). */
  tarballs: Map<string, Buffer>;
}

export interface PullRecord {
  id: number;
  repo: string;
  number: number;
  title: string;
  state: 'open' | 'closed';
  user: string;
  head: { sha: string; ref: string; repoFullName: string };
  base: { sha: string; ref: string };
  createdAt: string;
}

export interface IssueRecord {
  repo: string;
  number: number;
  title: string;
  isPull: boolean;
  /** The issue's own fields (a pull request's issue side keeps the defaults). */
  id: number;
  body: string;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'duplicate' | 'reopened' | null;
  labels: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface CommentRecord {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
  /** Every body the comment had, oldest first (the sticky comment's edits). */
  history: string[];
}

/** A comment on a commit (POST /repos/{owner}/{repo}/commits/{commit_sha}/comments). */
export interface CommitCommentRecord {
  id: number;
  repo: string;
  commitSha: string;
  body: string;
  path?: string;
  line?: number;
  user: string;
  createdAt: string;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckRunRecord {
  id: number;
  repo: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: CheckOutput;
  /** Every annotation sent, in order, across the create and all updates. */
  annotations: Annotation[];
  /** One entry per create/update: what the run looked like after it. */
  history: {
    at: string;
    status: string;
    conclusion: string | null;
    output: CheckOutput;
    annotationsAdded: number;
  }[];
  checkSuiteId: number;
  login: string;
}

export interface WorkflowRecord {
  id: number;
  repo: string;
  file: string;
  name: string;
  createdAt: string;
}

export interface WorkflowRunRecord {
  id: number;
  repo: string;
  workflowId: number;
  runNumber: number;
  name: string;
  displayTitle: string;
  branch: string;
  headSha: string;
  headRepoFullName: string;
  event: string;
  status: string;
  conclusion: string | null;
  actor: string;
  createdAt: string;
  updatedAt: string;
  checkSuiteId: number;
  /** The results service's ID of the run (a UUID, as in ACTIONS_RUNTIME_TOKEN's scope). */
  backendId: string;
}

export interface ArtifactRecord {
  id: number;
  repo: string;
  runId: number;
  name: string;
  data: Buffer;
  contentType: string;
  digest: string;
  expired: boolean;
  createdAt: string;
  expiresAt: string;
  source: 'seed' | 'upload';
  /** The results service's ID of the job that uploaded it (a UUID). */
  jobBackendId: string;
}

export interface AssetRecord {
  id: number;
  name: string;
  data: Buffer;
  contentType: string;
  createdAt: string;
  uploader: string;
}

export interface ReleaseRecord {
  id: number;
  repo: string;
  tag: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  targetCommitish: string;
  author: string;
  createdAt: string;
  publishedAt: string | null;
  assets: AssetRecord[];
}

export interface Fault {
  /** Any method when absent. */
  method?: string;
  /**
   * A string is the API path without prefix (`/repos/o/r/check-runs`), or an OpenAPI template
   * when it contains `{` (`/repos/{owner}/{repo}/check-runs`); a RegExp is tested on the path.
   * Storage and results requests are matched on their own paths (`/_blobs/...`, `/twirp/...`).
   */
  path: string | RegExp;
  /** An HTTP status, or 'reset' to destroy the connection without an answer. */
  status: number | 'reset';
  /** How many matching requests fail; default 1. */
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FaultRecord extends Required<Omit<Fault, 'headers' | 'body' | 'method'>> {
  method?: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Requests this fault has answered so far. */
  hits: number;
}

export type Area = 'rest' | 'storage' | 'results' | 'web';

export interface RequestRecord {
  seq: number;
  area: Area;
  method: string;
  /** For the REST API, without the prefix. */
  path: string;
  query: Record<string, string>;
  /** The HTTP status answered; 'reset' for a connection destroyed by a fault; 0 while open. */
  status: number | 'reset';
  /** The operationId the request matched, e.g. `checks/create`. */
  operation?: string;
  /** The login of the token used, if any. */
  login?: string;
}

export interface Violation {
  area: Area;
  method: string;
  path: string;
  operation?: string;
  /** Why the request is wrong: every problem, joined. */
  why: string;
  problems: string[];
}

export interface RateWindow {
  limit: number;
  used: number;
  reset: number;
}

export interface TokenOptions {
  permissions: Permission;
  login?: string;
  type?: 'Bot' | 'User';
  rateLimit?: number;
}

export interface RepoOptions {
  defaultBranch?: string;
  private?: boolean;
  fork?: boolean;
  branches?: Record<string, string>;
  ownerType?: 'User' | 'Organization';
}

export interface PullOptions {
  number: number;
  head: { sha: string; ref: string; repoFullName?: string };
  base: { sha: string; ref: string };
  title?: string;
  user?: string;
  state?: 'open' | 'closed';
}

export interface WorkflowRunOptions {
  workflowFile: string;
  branch: string;
  headSha: string;
  event?: string;
  status?: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion?: string | null;
  createdAt?: string | Date;
  name?: string;
  displayTitle?: string;
  actor?: string;
  /** For runs of pull requests from forks. */
  headRepoFullName?: string;
}

export interface ArtifactOptions {
  name: string;
  /** Zipped as GitHub's artifact service would. */
  files?: Record<string, Buffer | string>;
  /** The archive's exact bytes instead: corrupted, truncated or oversized zips. */
  zip?: Buffer;
  expired?: boolean;
  createdAt?: string | Date;
}

export interface ReleaseOptions {
  tag: string;
  name?: string;
  body?: string;
  draft?: boolean;
  prerelease?: boolean;
  targetCommitish?: string;
  author?: string;
  createdAt?: string | Date;
  assets?: Record<string, Buffer | string>;
}
