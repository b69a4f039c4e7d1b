/**
 * What the actions do to the world, passed in by the entry points: the step's log, outputs and
 * job summary, GitHub, artifact uploads, the Actions cache and the local pipeline. Unit tests
 * pass fakes; the entry points pass @actions/* and the real pipeline.
 */
import type { UploadArtifactOptions, UploadArtifactResponse } from '@actions/artifact';
import type { Clock, RunContext } from '../context.js';
import type { Cancellation } from './cancel.js';
import type { GitHub } from '../github/client.js';
import type { resolveKernels } from '../references/resolve.js';
import type { runDifferential } from '../run/candidate.js';

/** The job summary (GITHUB_STEP_SUMMARY), appended to by `write`. */
export interface JobSummary {
  addRaw(text: string): JobSummary;
  addHeading(text: string, level?: number): JobSummary;
  addCodeBlock(code: string): JobSummary;
  write(): Promise<unknown>;
}

/** Where a workflow-command annotation points (@actions/core's AnnotationProperties). */
export interface AnnotationPlace {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface HostCommands {
  /** Runs a command to its end (a non-zero exit is a result, not an error). */
  exec(command: string, args: readonly string[], input?: string): Promise<CommandResult>;
  /** Root needs no sudo. */
  isRoot: boolean;
  /** Whether the runner user can open the KVM device read-write. */
  kvmAccess(): Promise<'missing' | 'denied' | 'ok'>;
}

/** The part of @actions/core the actions use. */
export interface ActionCore {
  getInput(name: string): string;
  info(message: string): void;
  warning(message: string, place?: AnnotationPlace): void;
  error(message: string, place?: AnnotationPlace): void;
  notice(message: string, place?: AnnotationPlace): void;
  setFailed(message: string): void;
  setOutput(name: string, value: unknown): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** State for the post: step (GITHUB_STATE), and reading it there. */
  saveState(name: string, value: string): void;
  getState(name: string): string;
  summary: JobSummary;
}

export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: UploadArtifactOptions,
  ): Promise<UploadArtifactResponse>;
}

/** The Actions cache service (@actions/cache). */
export interface ActionsCache {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/** The local pipeline: build and fetch the kernels, then boot and judge them. */
export interface Pipeline {
  resolveKernels: typeof resolveKernels;
  runDifferential: typeof runDifferential;
}

/** What the report/ sub-action needs: the step and GitHub. */
export interface PublishServices {
  core: ActionCore;
  /** A GitHub client acting with `token` (the github-token input). */
  github: (token: string) => GitHub;
  /** When check runs start and complete (the root action passes its run context's clock). */
  clock: Clock;
}

export interface ActionServices extends PublishServices {
  artifacts: ArtifactUploader;
  cache: ActionsCache;
  /** The run's context; its cache directories are what the Actions cache keeps. */
  run: RunContext;
  pipeline: Pipeline;
  /** Commands on the runner (apt-get, udevadm) for install-qemu and kvm. */
  host: HostCommands;
  /** Set off by the entry point on SIGINT/SIGTERM. */
  cancellation: Cancellation;
}
