/**
 * act (nektos/act), as the workflow tests run it: on this host (`-self-hosted`, there is no
 * container registry here), with this project's Node 24 first on PATH.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { NODE24, REPO_ROOT, scratchDir } from './fixtures.js';

export const ACT = path.join(REPO_ROOT, '.tools/go/bin/act');

/**
 * The environment act runs in. act 0.2.89 on the host returns from a failed step without
 * draining the step's terminal, so the last lines a failing step prints (its `::error::`) can
 * be lost; every bash step sources BASH_ENV, whose exit trap gives act's reader a moment before a
 * failing step ends. Steps that succeed are not slowed.
 */
export function actEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const drain = path.join(scratchDir('act-drain'), 'drain.sh');
  writeFileSync(drain, 'trap \'status=$?; [ "$status" -eq 0 ] || sleep 1\' EXIT\n');
  return {
    ...process.env,
    PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    BASH_ENV: drain,
    ...extra,
  };
}
