/**
 * The kernel a submission gives: its file, or its source built with the staff's recipe (one
 * build per distinct source: students who hand in the same files share an image).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import type { DockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import type { BuiltKernel, DockerKernelSettings } from '../docker/kernel.js';
import {
  type SubmissionBuilder,
  submissionBuilder,
  type SubmissionBuildOptions,
} from '../docker/submission.js';
import type { GradebookStudent } from '../model/gradebook.js';
import { CANDIDATE, type ResolvedKernel } from '../references/resolve.js';
import { sha256, sha256File } from '../util/digest.js';
import { capped, type Row, unbooted } from './rows.js';
import type { Submission } from './submissions.js';

/** The kernel a submission gave, or the row saying why there is none. */
export type SubmissionKernel =
  { ok: true; kernel: ResolvedKernel; build: GradebookStudent['build'] } | { ok: false; row: Row };

export interface SubmissionKernels {
  /** The staff's part of the build, when a submission is built (see SubmissionBuilder). */
  prepared?: Promise<string>;
  /** What a submission hands in: its file's digest, or its source's as its build sees it. */
  digestOf(submission: Submission): Promise<string>;
  /** The submission's kernel; the log of its build (by digest) is copied to `dir/logs`. */
  kernelOf(submission: Submission, digest: string, dir: string): Promise<SubmissionKernel>;
}

const noKernel = (...args: Parameters<typeof unbooted>): SubmissionKernel => ({
  ok: false,
  row: unbooted(...args),
});

/**
 * The kernels of `submissions`, built under `outDir/builds` with no network: the staff's part
 * of the recipe first, trusted, in a `slot` of the queue the boots share.
 */
export function submissionKernels(
  settings: Settings,
  submissions: readonly Submission[],
  docker: DockerAccess,
  options: SubmissionBuildOptions,
): SubmissionKernels {
  const { outDir } = options;
  // Checked by selectSubmissions: directory submissions come with a kernel.build.
  const builder: SubmissionBuilder | undefined = submissions.some((s) => s.kind === 'dir')
    ? submissionBuilder(docker, settings.kernel as DockerKernelSettings, settings.grading.build, {
        variant: options.variant,
        outDir: path.join(outDir, 'builds', 'staff'),
        contextCache: options.contextCache,
        clock: options.clock,
        slot: options.slot,
        ...(settings.harness.tests && { tests: settings.harness.tests }),
      })
    : undefined;
  const builds = new Map<string, Promise<BuiltKernel>>();

  const digestOf = async (submission: Submission): Promise<string> => {
    if (submission.kind === 'file') return sha256File(submission.path);
    if (submission.kind === 'missing' || submission.kind === 'special')
      return sha256(`${submission.kind} ${submission.path}`);
    // A source diverge refuses to send (over the context's size cap) is the student's: its key
    // names the refusal, and the build below says it as the row's failure.
    return (builder as SubmissionBuilder).scan(submission.path).then(
      (context) => context.digest,
      (error: unknown) => {
        if (error instanceof BuildError)
          return sha256(`unbuildable ${submission.path} ${error.message}`);
        throw error;
      },
    );
  };

  const kernelOf = async (
    submission: Submission,
    digest: string,
    dir: string,
  ): Promise<SubmissionKernel> => {
    if (submission.kind === 'missing')
      return noKernel('failure', `no such file or directory: ${submission.path}`, {
        outcome: 'failed',
        message: 'the submission is missing',
      });
    if (submission.kind === 'special')
      return noKernel(
        'failure',
        `not a regular file or directory (${submission.special}): ${submission.path}`,
        { outcome: 'failed', message: `the submission is ${submission.special}, never opened` },
      );
    if (submission.kind === 'file')
      return {
        ok: true,
        kernel: { name: CANDIDATE, path: submission.path, source: { file: submission.path } },
        build: { outcome: 'file' },
      };
    const buildDir = path.join(
      outDir,
      'builds',
      digest.slice('sha256:'.length, 'sha256:'.length + 16),
    );
    let build = builds.get(digest);
    if (!build) {
      build = (builder as SubmissionBuilder).build(submission.path, buildDir);
      builds.set(digest, build);
    }
    const log = path.join(dir, 'logs', 'build-kernel.log');
    // The build's log, or (an image built before from the same source) a line saying so.
    const keepLog = async (image?: string) => {
      await mkdir(path.dirname(log), { recursive: true });
      await copyFile(path.join(buildDir, 'logs', 'build-kernel.log'), log).catch(() =>
        writeFile(
          log,
          `not built again: image ${image ?? '(none)'} was built from the same source\n`,
        ),
      );
      return path.relative(outDir, log);
    };
    try {
      const built = await build;
      const logFile = await keepLog(built.image.tag);
      return {
        ok: true,
        kernel: {
          name: CANDIDATE,
          path: built.kernel.path,
          digest: built.kernel.digest,
          ...(built.extra.length ? { disks: built.extra.map((f) => f.path) } : {}),
          source: { build: { context: submission.path }, image: built.image.tag },
        },
        build: { outcome: 'built', log: logFile },
      };
    } catch (error) {
      const logFile = await keepLog();
      // The first line says which step failed and why; the lines after it (the build's last
      // output) change with Docker's layer cache and are in the log. It names the build's log:
      // name the student's copy, which OUT carries along.
      const message = ((error as Error).message.split('\n')[0] ?? '')
        .split(path.join(buildDir, 'logs', 'build-kernel.log'))
        .join(logFile);
      const lastLines = error instanceof BuildError ? error.lastLines : [];
      const build = {
        outcome: 'failed' as const,
        message: capped(message),
        ...(lastLines.length ? { lastLines: [...lastLines] } : {}),
        log: logFile,
      };
      // A build the student's source breaks is theirs; a Docker engine that fails is not.
      return error instanceof BuildError
        ? noKernel('failure', `did not build: ${message}`, build)
        : noKernel('neutral', `not graded: the build could not run: ${message}`, build);
    }
  };

  return { ...(builder ? { prepared: builder.prepared } : {}), digestOf, kernelOf };
}
