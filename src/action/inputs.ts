/**
 * The action's inputs, read in one place and turned into one typed settings object; nothing
 * else reads inputs. An invalid input fails the step with a message naming it.
 */
import path from 'node:path';
import { FAIL_ON_CLASSES } from '../model/classes.js';
import type { CommentReplacement } from '../github/comment.js';
import { CLOSE_AFTER } from '../history/tracking.js';
import { type BuildCache, parseBuildCache } from '../docker/buildx.js';

export const COMMENT_MODES = ['auto', 'always', 'never'] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];
export const CHECK_RUN_MODES = ['auto', 'always', 'never'] as const;
export type CheckRunMode = (typeof CHECK_RUN_MODES)[number];
export const SETUP_MODES = ['auto', 'never'] as const;
export type SetupMode = (typeof SETUP_MODES)[number];
export const COMMENT_REPLACEMENTS = ['update', 'recreate'] as const;

export interface ActionInputs {
  /** diverge.yml, absolute. */
  config: string;
  token: string;
  /** The build variant (matrix leg); when not set, the config's VARIANT build argument. */
  variant?: string;
  /** The check run's name: `diverge`, or `diverge (<variant>)` in a matrix. */
  checkName: string;
  /** The check-name input itself: the report's heading, which adds the variant on its own. */
  baseCheckName: string;
  comment: CommentMode;
  /** update: edit the earlier comment in place; recreate: post anew at the bottom, delete it. */
  commentMode: CommentReplacement;
  /** auto: a check run when the token may create one; always: fail without; never: none. */
  checkRun: CheckRunMode;
  /** auto: apt-get install the configured architecture's QEMU package when it is missing. */
  installQemu: SetupMode;
  /** auto: give the runner user access to /dev/kvm (udev rule) when it exists. */
  kvm: SetupMode;
  /** Overrides the config's fail-on when given. */
  failOn?: (typeof FAIL_ON_CLASSES)[number][];
  uploadArtifacts: boolean;
  publishKernel: boolean;
  /** Days GitHub keeps the published kernel (1–90): how long a quiet branch stays a base. */
  kernelRetentionDays: number;
  /** On a push to the default branch, bisect the push's commits (src/action/bisect.ts). */
  bisect: boolean;
  /** The branch that keeps the default branch's history (src/action/history.ts); off when unset. */
  history?: string;
  /** With history: one issue per broken test (src/action/issues.ts). */
  trackIssues: boolean;
  /** Good runs in a row after which a tracked issue is closed. */
  trackIssuesCloseAfter: number;
  /** Lets `pull_request_target` build a fork's kernel (off: that would run fork code with a write token). */
  allowForkCode: boolean;
  /**
   * `build-cache: gha`: kernel builds through docker buildx with the GitHub Actions cache
   * (`--cache-from`/`--cache-to type=gha`), when buildx has a builder that exports caches.
   */
  buildCache?: BuildCache;
  workingDirectory: string;
}

export class InputError extends Error {}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input ${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
}

function boolean(name: string, fallback: boolean, read: (name: string) => string): boolean {
  const value = read(name).trim().toLowerCase();
  if (value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(`input ${name}: expected true or false, got "${value}"`);
}

/** A retention in days: GitHub accepts 1 to 90 (a repository may lower the maximum). */
function days(name: string, fallback: number, read: (name: string) => string): number {
  const value = read(name).trim();
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 90)
    throw new InputError(
      `input ${name}: expected a whole number of days from 1 to 90, got "${value}"`,
    );
  return n;
}

/** A whole number of runs, at least 1. */
function count(name: string, fallback: number, read: (name: string) => string): number {
  const value = read(name).trim();
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InputError(`input ${name}: expected a whole number from 1 to 1000, got "${value}"`);
  return n;
}

/** The history input: a branch name git takes, and never one a pull request could name. */
function historyBranch(read: (name: string) => string): { history?: string } {
  const branch = read('history').trim();
  if (branch === '') return {};
  if (!/^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/-]{1,100}(?<![./])$/.test(branch))
    throw new InputError(
      `input history: expected a branch name (letters, digits, '.', '_', '-', '/'), got "${branch}"`,
    );
  return { history: branch };
}

function buildCacheInput(
  read: (name: string) => string,
  variant: string | undefined,
): { buildCache?: BuildCache } {
  try {
    const cache = parseBuildCache(read('build-cache'), `diverge-${variant ?? 'default'}`);
    return cache ? { buildCache: cache } : {};
  } catch (error) {
    throw new InputError(`input build-cache: ${(error as Error).message}`);
  }
}

/** Reads the inputs through `read` (the runner's INPUT_* variables); paths are relative to `workspace`. */
export function readInputs(read: (name: string) => string, workspace: string): ActionInputs {
  const workingDirectory = path.resolve(workspace, read('working-directory') || '.');
  const { token, comment, commentMode, checkName: baseName } = readPublishing(read);
  const variant = read('variant').trim() || undefined;
  if (variant !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(variant))
    throw new InputError(
      `input variant: expected letters, digits, '.', '_' or '-' (at most 64), got "${variant}"`,
    );
  const failOnText = read('fail-on').trim();
  const failOn = failOnText
    ? failOnText
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((cls) => oneOf('fail-on', cls, FAIL_ON_CLASSES))
    : undefined;
  return {
    config: path.resolve(workingDirectory, read('config') || 'diverge.yml'),
    token,
    ...(variant ? { variant } : {}),
    checkName: variant === undefined ? baseName : `${baseName} (${variant})`,
    baseCheckName: baseName,
    comment,
    commentMode,
    checkRun: oneOf('check-run', read('check-run').trim() || 'auto', CHECK_RUN_MODES),
    installQemu: oneOf('install-qemu', read('install-qemu').trim() || 'auto', SETUP_MODES),
    kvm: oneOf('kvm', read('kvm').trim() || 'auto', SETUP_MODES),
    ...(failOn ? { failOn } : {}),
    uploadArtifacts: boolean('upload-artifacts', true, read),
    publishKernel: boolean('publish-kernel', true, read),
    kernelRetentionDays: days('kernel-retention-days', 30, read),
    bisect: boolean('bisect', false, read),
    ...historyBranch(read),
    trackIssues: boolean('track-issues', false, read),
    trackIssuesCloseAfter: count('track-issues-close-after', CLOSE_AFTER, read),
    allowForkCode: boolean('allow-fork-code', false, read),
    ...buildCacheInput(read, variant),
    workingDirectory,
  };
}

/** The inputs both the action and report/ take: where and how to publish. */
export interface PublishingInputs {
  token: string;
  checkName: string;
  comment: CommentMode;
  commentMode: CommentReplacement;
}

function readPublishing(read: (name: string) => string): PublishingInputs {
  const token = read('github-token');
  if (!token) throw new InputError('input github-token: empty (the default is the workflow token)');
  return {
    token,
    checkName: read('check-name').trim() || 'diverge',
    comment: oneOf('comment', read('comment').trim() || 'auto', COMMENT_MODES),
    commentMode: oneOf(
      'comment-mode',
      read('comment-mode').trim() || 'update',
      COMMENT_REPLACEMENTS,
    ),
  };
}

/** The report/ sub-action's inputs. */
export function readReportInputs(read: (name: string) => string): PublishingInputs {
  return readPublishing(read);
}
