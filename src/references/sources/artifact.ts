/** `artifact:` — the newest successful run of a workflow on a branch that still has the artifact. */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArchiveError, extractZip } from '../zip.js';
import {
  apiFailure,
  fail,
  type FetchContext,
  type FetchedKernel,
  fetchTo,
  redirectTarget,
  type Reference,
  ReferenceFetchError,
  requireGitHub,
  type Source,
  splitRepository,
} from './common.js';

/** Successful runs looked through for one that still has the artifact. */
const MAX_RUNS_SEARCHED = 50;

export async function fromArtifact(
  ref: Reference,
  source: Extract<Source, { kind: 'artifact' }>,
  ctx: FetchContext,
): Promise<FetchedKernel> {
  const github = requireGitHub(ref, ctx);
  const { owner, repo, full } = splitRepository(ref, source.repository ?? ctx.run.repository);
  const workflow = source.workflow ?? ctx.run.workflow;
  const branch = source.branch ?? ctx.run.baseBranch;
  let runId = source.run;
  let artifact: { id: number; name: string; expired: boolean } | undefined;

  const artifactsOf = async (run: number) => {
    const all = await github.paginate(github.rest.actions.listWorkflowRunArtifacts, {
      owner,
      repo,
      run_id: run,
      name: source.name,
      per_page: 100,
    });
    return all.find((a) => a.name === source.name && !a.expired);
  };

  try {
    if (runId !== undefined) {
      artifact = await artifactsOf(runId);
      if (!artifact) fail(ref, `run ${runId} of ${full} has no artifact named ${source.name}`);
    } else {
      if (!workflow)
        fail(ref, 'no workflow: set artifact.workflow (the running workflow is not known here)');
      if (!branch)
        fail(ref, 'no branch: set artifact.branch (there is no pull request base branch here)');
      let searched = 0;
      for await (const page of github.paginate.iterator(github.rest.actions.listWorkflowRuns, {
        owner,
        repo,
        workflow_id: workflow,
        branch,
        status: 'success',
        per_page: 20,
      })) {
        for (const run of page.data) {
          if (searched++ >= MAX_RUNS_SEARCHED) break;
          artifact = await artifactsOf(run.id);
          if (artifact) {
            runId = run.id;
            break;
          }
        }
        if (artifact || searched >= MAX_RUNS_SEARCHED) break;
      }
      if (searched === 0) fail(ref, `no successful run of ${workflow} on ${branch} in ${full}`);
      if (!artifact)
        fail(
          ref,
          `none of the last ${searched} successful runs of ${workflow} on ${branch} in ${full} has an artifact named ${source.name} (expired, or never uploaded)`,
        );
    }
  } catch (error) {
    if (error instanceof ReferenceFetchError) throw error;
    if ((error as { status?: number }).status === 404 && runId === undefined)
      fail(ref, `no workflow ${workflow} in ${full} (404), or the token cannot see it`);
    apiFailure(ref, `looking for artifact ${source.name} in ${full}`, error);
  }
  const found = artifact as { id: number; name: string };
  const described = {
    artifact: { repository: full, run: runId, id: found.id, name: found.name },
  };
  const key = `artifact ${full} ${found.id} ${source.path ?? ''}`;
  const cached = await ctx.cache.lookup(key);
  if (cached) return { ...cached, source: described, cached: true };

  ctx.progress(`reference ${ref.name}: downloading artifact ${found.name} (run ${runId}, ${full})`);
  let url: string;
  try {
    url = await redirectTarget(
      github,
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      { owner, repo, artifact_id: found.id, archive_format: 'zip' },
    );
  } catch (error) {
    apiFailure(ref, `downloading artifact ${found.name}`, error);
  }
  const dir = await mkdtemp(path.join(ctx.workDir, `artifact-${ref.name}-`));
  try {
    await fetchTo(ref, url, path.join(dir, 'artifact.zip'), ctx);
    let files: string[];
    try {
      files = await extractZip(path.join(dir, 'artifact.zip'), path.join(dir, 'files'));
    } catch (error) {
      if (error instanceof ArchiveError)
        fail(ref, `artifact ${found.name} (id ${found.id}): ${error.message}`);
      throw error;
    }
    const wanted = source.path ?? (files.length === 1 ? files[0] : undefined);
    if (wanted === undefined)
      fail(
        ref,
        `artifact ${found.name} holds ${files.length} files (${files.slice(0, 10).join(', ')}); set artifact.path to the kernel's`,
      );
    if (!files.includes(wanted))
      fail(
        ref,
        `artifact ${found.name} has no ${wanted} (it holds ${files.slice(0, 10).join(', ') || 'nothing'})`,
      );
    const stored = await ctx.cache.store(path.join(dir, 'files', wanted), wanted, key);
    return { ...stored, source: described, cached: false };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
