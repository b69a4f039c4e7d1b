/**
 * .github/workflows/course-grade.yml run end to end by act on this host against the fake GitHub
 * server: three shards each grade a third of the fixture course's variants and upload their
 * gradebook; the last job merges them and uploads the course's gradebook. The GitHub-hosted
 * actions it uses are replaced by the stand-ins of test/act-actions (act has no internet here).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yauzl from 'yauzl';
import type { FakeGitHub } from '../fake-github/index.js';
import { startFakeRepo } from '../helpers/action-runner.js';
import { ACT, actEnv } from '../helpers/act.js';
import { REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const TOKEN = 'ghs_act_course_grade';
const REPO = 'course/staff';
let fake: FakeGitHub;
let dir: string;
let runId: number;

/** The course's students: every kernel variant the fixture's Makefile builds. */
const VARIANTS = (
  /^VARIANTS := (.*)$/m.exec(
    readFileSync(path.join(REPO_ROOT, 'fixtures/course/Makefile'), 'utf8'),
  )?.[1] ?? ''
)
  .trim()
  .split(/\s+/);

interface Gradebook {
  students: { name: string; score: number; max: number; tests: Record<string, string> }[];
}

beforeAll(async () => {
  if (!existsSync(ACT)) throw new Error(`${ACT} is missing: run scripts/setup.sh`);
  fake = await startFakeRepo(REPO, TOKEN);
  runId = fake.state.addWorkflowRun(REPO, {
    workflowFile: 'course-grade.yml',
    branch: 'main',
    headSha: 'f'.repeat(40),
    event: 'workflow_dispatch',
  });
  dir = scratchDir('act-grade');
  writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({ inputs: {}, ref: 'refs/heads/main' }),
  );
  const env = fake.runtimeEnv(REPO, runId);
  const keep = [
    'ACTIONS_RESULTS_URL',
    'ACTIONS_RUNTIME_TOKEN',
    'GITHUB_API_URL',
    'GITHUB_RUN_ID',
    'GITHUB_REPOSITORY',
  ];
  writeFileSync(
    path.join(dir, 'act.env'),
    [
      ...keep.map((key) => `${key}=${env[key]}`),
      `XDG_CACHE_HOME=${path.join(dir, 'cache')}`,
      `DIVERGE_NODE_MODULES=${path.join(REPO_ROOT, 'node_modules')}`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await fake.close();
});

function act(): Promise<{ code: number; log: string }> {
  const standIn = (action: string) => [
    '--local-repository',
    `actions/${action}@v4=${path.join(REPO_ROOT, 'test/act-actions', action)}`,
  ];
  return new Promise((resolve) =>
    execFile(
      ACT,
      [
        'workflow_dispatch',
        '-W',
        '.github/workflows/course-grade.yml',
        '-P',
        'ubuntu-latest=-self-hosted',
        '-e',
        path.join(dir, 'event.json'),
        '-s',
        `GITHUB_TOKEN=${TOKEN}`,
        '--env-file',
        path.join(dir, 'act.env'),
        ...standIn('upload-artifact'),
        ...standIn('download-artifact'),
        ...standIn('setup-node'),
        // One job at a time, as shards on separate runners would be.
        '--concurrent-jobs',
        '1',
      ],
      {
        cwd: REPO_ROOT,
        env: actEnv(),
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? ((error as { code?: number }).code ?? 1) : 0,
          log: `${stdout}${stderr}`,
        }),
    ),
  );
}

/** gradebook.json inside an artifact's zip, as the fake stored the upload. */
async function gradebookIn(name: string): Promise<Gradebook> {
  const artifact = fake.state.artifactsOf(REPO, runId).find((a) => a.name === name);
  if (!artifact) throw new Error(`no artifact ${name}`);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(artifact.data, { lazyEntries: true }, (e, z) =>
      e || !z ? reject(e) : resolve(z),
    ),
  );
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== 'gradebook.json') return zip.readEntry();
      zip.openReadStream(entry, async (error, stream) => {
        if (error || !stream) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Gradebook);
      });
    });
    zip.on('end', () => reject(new Error(`${name} holds no gradebook.json`)));
    zip.readEntry();
  });
}

describe('course-grade.yml under act', () => {
  it('grades the course in three shards and merges them into one gradebook', async () => {
    const { code, log } = await act();
    expect(log).toMatch(/\[course-grade\/gradebook\s*\] .*Job succeeded/);
    expect(code).toBe(0);
    const names = fake.state
      .artifactsOf(REPO, runId)
      .map((a) => a.name)
      .sort();
    expect(names).toEqual(['gradebook', 'gradebook-1', 'gradebook-2', 'gradebook-3']);
    // The shards split the course: every student in exactly one of them.
    const shards = await Promise.all([1, 2, 3].map((i) => gradebookIn(`gradebook-${i}`)));
    const graded = shards.flatMap((s) => s.students.map((student) => student.name));
    expect([...graded].sort()).toEqual([...VARIANTS].sort());
    // The merged gradebook is the shards' students, with their grades.
    const merged = await gradebookIn('gradebook');
    expect(merged.students.map((s) => s.name).sort()).toEqual([...VARIANTS].sort());
    const byName = Object.fromEntries(merged.students.map((s) => [s.name, s]));
    for (const correct of ['staff', 'staff-alt'])
      expect(byName[correct]?.score).toBe(byName[correct]?.max);
    expect(byName['wrong-result']?.score).toBeLessThan(byName['wrong-result']?.max ?? 0);
    expect(fake.violations).toEqual([]);
    expect(fake.responseErrors).toEqual([]);
  }, 1_200_000);
});
