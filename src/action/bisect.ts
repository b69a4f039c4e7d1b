/**
 * `bisect: true` on a push to the default branch: the push's commits (before..after, fetched as
 * needed in a shallow clone) are bisected against the kernel before them, and the first commit
 * that diverges is named in a check run of its own (summary and annotation) and in a comment
 * on that commit. A bisect that cannot run is a warning: the push's own verdict stands.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderBisectMarkdown } from '../bisect/render.js';
import { dockerAccess } from '../docker/docker.js';
import { gitTop } from '../docker/worktree.js';
import type { Settings } from '../config/settings.js';
import type { GitHub } from '../github/client.js';
import type { BisectCulprit } from '../history/tracking.js';
import { runBisect } from '../run/bisect.js';
import { type ActionEnvironment, isDefaultBranchPush, runUrl } from './environment.js';
import type { ActionInputs } from './inputs.js';
import { createCheck, publish } from './publish.js';
import type { ActionServices } from './services.js';

const git = promisify(execFile);
const NO_COMMIT = /^0+$/;
/** How far a shallow clone is deepened, step by step, before the whole history is fetched. */
const DEPTHS = [16, 64, 256, 1024];

interface PushEvent {
  ref?: string;
  before?: string;
  after?: string;
  repository?: { default_branch?: string };
}

export interface PushBisect {
  env: ActionEnvironment;
  services: ActionServices;
  inputs: ActionInputs;
  github: GitHub;
  settings: Settings;
  variant: string;
  outDir: string;
}

/** The push's commits, when this run is a push to the default branch that has a `before`. */
function pushRange(
  env: ActionEnvironment,
): { before: string; after: string; ref: string } | undefined {
  if (!isDefaultBranchPush(env.context)) return undefined;
  const push = env.context.payload as PushEvent;
  if (!push.ref || !push.before || !push.after || NO_COMMIT.test(push.before)) return undefined;
  return { before: push.before, after: push.after, ref: push.ref };
}

const isAncestor = (top: string, before: string, after: string) =>
  git('git', ['-C', top, 'merge-base', '--is-ancestor', before, after]).then(
    () => true,
    () => false,
  );

/** Deepens a shallow clone until `before` is there as an ancestor of `after`. */
async function fetchRange(top: string, range: { before: string; after: string; ref: string }) {
  for (const depth of DEPTHS) {
    if (await isAncestor(top, range.before, range.after)) return;
    await git('git', ['-C', top, 'fetch', '--no-tags', `--depth=${depth}`, 'origin', range.ref]);
  }
  if (await isAncestor(top, range.before, range.after)) return;
  const { stdout } = await git('git', ['-C', top, 'rev-parse', '--is-shallow-repository']);
  if (stdout.trim() === 'true')
    await git('git', ['-C', top, 'fetch', '--no-tags', '--unshallow', 'origin', range.ref]);
}

/** Bisects the push; the culprit found, for the tracked issues (src/action/issues.ts). */
export async function bisectPush(push: PushBisect): Promise<BisectCulprit | undefined> {
  const { env, services, inputs, github, settings } = push;
  const { core } = services;
  const range = pushRange(env);
  if (!range) return undefined;
  if (settings.kernel?.build === undefined) {
    core.warning('bisect: true needs kernel.build, to build each commit of the push');
    return undefined;
  }
  const context = env.context.repo;
  try {
    return await core.group('diverge: bisect the push', async () => {
      await fetchRange(await gitTop(settings.kernel?.build?.context ?? '.'), range);
      const bisect = await runBisect(services.run, settings, {
        good: range.before,
        bad: range.after,
        tests: [],
        firstParent: true,
        outDir: path.join(push.outDir, 'bisect'),
        docker: dockerAccess(
          services.run.dockerHost,
          undefined,
          (line) => core.info(line),
          services.run.waits.dockerMs,
          services.run.builder,
          inputs.buildCache,
        ),
        progress: (line) => core.info(line),
        github,
        run: { variant: push.variant, repository: `${context.owner}/${context.repo}` },
      });
      if (!bisect.culprit) {
        core.info(
          `bisect: ${range.after.slice(0, 12)} does not diverge from ${range.before.slice(0, 12)}`,
        );
        return undefined;
      }
      const culprit = bisect.culprit;
      const markdown = renderBisectMarkdown(bisect);
      const title = `first bad commit ${culprit.sha.slice(0, 12)}: ${culprit.subject}`;
      core.setOutput('culprit', culprit.sha);
      const check = await createCheck(
        core,
        github,
        {
          ...context,
          headSha: range.after,
          name: `${inputs.checkName} (bisect)`,
          detailsUrl: runUrl(env),
        },
        services.clock,
      );
      if (check)
        await publish(
          core,
          check,
          {
            conclusion: 'failure',
            title,
            summary: markdown,
            annotations: [
              {
                path: path.relative(env.workspace, inputs.config).split(path.sep).join('/'),
                start_line: 1,
                end_line: 1,
                annotation_level: 'failure',
                title: title.slice(0, 255),
                message: `${culprit.sha} (${culprit.author}, ${culprit.date}) is the first commit of this push whose kernel diverges: ${bisect.tests.map((t) => `${t.id} (${t.class})`).join(', ') || 'see the summary'}`,
              },
            ],
          },
          undefined,
        );
      const { data } = await github.rest.repos.createCommitComment({
        ...context,
        commit_sha: culprit.sha,
        body: `**diverge**: this is the first commit of the push to ${range.ref.replace('refs/heads/', '')} whose kernel diverges ([run](${runUrl(env)})).\n\n${markdown}`.slice(
          0,
          65_000,
        ),
      });
      core.info(`bisect: ${title}; commented on ${data.html_url}`);
      return { sha: culprit.sha, subject: culprit.subject, tests: bisect.tests.map((t) => t.id) };
    });
  } catch (error) {
    core.warning(`bisect: ${(error as Error).message}`);
    return undefined;
  }
}
