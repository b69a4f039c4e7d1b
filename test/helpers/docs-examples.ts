/**
 * Every YAML block of README.md and docs/, and what runs it (issue 23 item 9: examples that were
 * documented and could not boot their kernels). test/config/docs-examples.test.ts fails on a
 * block no entry covers and parses each one; test/integration/docs-examples.test.ts boots the
 * `boot` ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { COURSE_DIR, REPO_ROOT } from '../../src/run/fixtures.js';

/** A ```yaml block of a page: where it is and its text. */
export interface DocBlock {
  page: string;
  /** The line of the block's first line of YAML. */
  line: number;
  text: string;
}

/** The pages whose examples users copy: the README and everything under docs/. */
export function docPages(): string[] {
  const docs = readdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f))
    .sort();
  return ['README.md', ...docs];
}

export function docBlocks(): DocBlock[] {
  return docPages().flatMap((page) => {
    const markdown = readFileSync(path.join(REPO_ROOT, page), 'utf8');
    return [...markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((m) => ({
      page,
      line: markdown.slice(0, m.index).split('\n').length + 1,
      text: m[1] as string,
    }));
  });
}

/** How a block is run. */
export type Coverage =
  /** A named integration test reads the block from its page and runs it as written. */
  | { by: 'test'; test: string }
  /** A whole config booted by test/integration/docs-examples.test.ts (files given by it). */
  | { by: 'boot' }
  /**
   * A fragment (whole top-level keys) put into the course fixture's config: the loader must take
   * it, and the integration test boots the result, or `why` says why not.
   */
  | { by: 'fragment'; boot: true }
  | { by: 'fragment'; why: string }
  /** Every key at once with placeholders: only the JSON schema's checks fit (`why`). */
  | { by: 'schema'; why: string }
  /** GitHub workflow YAML: its diverge steps' inputs and outputs are action.yml's. */
  | { by: 'workflow' }
  /** An expectations file, read by the expectations loader. */
  | { by: 'expectations' };

export interface DocExample {
  id: string;
  page: string;
  /** Which of the page's blocks this is (the first whose text matches). */
  match: (text: string) => boolean;
  coverage: Coverage;
}

export const DOC_EXAMPLES: readonly DocExample[] = [
  {
    id: 'network-http',
    page: 'docs/network.md',
    match: (t) => t.startsWith('# diverge.yml next to harness/'),
    coverage: { by: 'test', test: 'test/integration/network.test.ts' },
  },
  {
    id: 'network-tap-ping',
    page: 'docs/network.md',
    match: (t) => t.includes('mode: tap, guest: 10.0.0.2/24'),
    coverage: {
      by: 'fragment',
      why: "a unikernel that answers ping, its results on the console: Solo5's test_net is booted with its results from the host instead (examples/solo5/net.yml, test/integration/solo5-net.test.ts); tap mode itself is booted by test/integration/network.test.ts",
    },
  },
  {
    id: 'readme-workflow',
    page: 'README.md',
    match: (t) => t.startsWith('# .github/workflows/kernel.yml'),
    coverage: { by: 'workflow' },
  },
  {
    id: 'readme-config',
    page: 'README.md',
    match: (t) => t.includes('build: { context: ., target: kernel }'),
    coverage: { by: 'boot' },
  },
  {
    id: 'readme-grading',
    page: 'README.md',
    match: (t) => t.startsWith('grading:'),
    // Its glob (alloc_*) is the course's tests': booted with --gradescope, which scores by it.
    coverage: { by: 'fragment', boot: true },
  },
  {
    id: 'cli-kernel-build',
    page: 'docs/cli.md',
    match: (t) => t.startsWith('kernel:\n  build:'),
    coverage: {
      by: 'fragment',
      why: 'the course fixture builds no /out/fs.img; kernel.build with extra is booted by test/integration/docker-build.test.ts',
    },
  },
  {
    id: 'config-schema-line',
    page: 'docs/config.md',
    match: (t) => t.trim().split('\n').length === 1 && t.startsWith('# yaml-language-server:'),
    coverage: { by: 'fragment', why: 'a comment: the config it heads is the course fixture' },
  },
  {
    id: 'config-minimal',
    page: 'docs/config.md',
    match: (t) => t.includes('memory: 256M\nharness:'),
    coverage: { by: 'boot' },
  },
  {
    id: 'config-full-shape',
    page: 'docs/config.md',
    match: (t) => t.startsWith('kernel: # the candidate of `diverge run`'),
    coverage: {
      by: 'schema',
      why: 'every key at once, with placeholders (a url reference without its hex digest)',
    },
  },
  {
    id: 'config-xv6-riscv',
    page: 'docs/config.md',
    match: (t) => t.includes('arch: riscv64') && /xv6/i.test(t),
    coverage: { by: 'test', test: 'test/integration/xv6-riscv.test.ts' },
  },
  {
    id: 'unikernels-solo5',
    page: 'docs/unikernels.md',
    match: (t) => t.includes("# Solo5's virtio test unikernels"),
    coverage: { by: 'test', test: 'test/integration/solo5.test.ts' },
  },
  {
    id: 'unikernels-solo5-net',
    page: 'docs/unikernels.md',
    match: (t) => t.includes("# test_net, Solo5's network test"),
    coverage: { by: 'test', test: 'test/integration/solo5-net.test.ts' },
  },
  {
    id: 'config-pintos',
    page: 'docs/config.md',
    match: (t) => t.startsWith('# Upstream Pintos'),
    coverage: { by: 'test', test: 'test/integration/pintos.test.ts' },
  },
  {
    // The `harness:` part of a Pintos config: its checker, loaded by the checker's own test.
    id: 'config-checker-pintos',
    page: 'docs/config.md',
    match: (t) => t.startsWith('# The machine as in the Pintos example below'),
    coverage: { by: 'test', test: 'test/results/checker.test.ts' },
  },
  {
    id: 'config-xv6-x86',
    page: 'docs/config.md',
    match: (t) => /xv6/i.test(t) && !t.includes('riscv'),
    coverage: { by: 'test', test: 'test/integration/xv6-x86.test.ts' },
  },
  {
    id: 'config-grading',
    page: 'docs/config.md',
    match: (t) => t.startsWith('grading:\n  points:'),
    coverage: {
      by: 'fragment',
      why: "its glob (alarm-*) names the Pintos tests, not the course's",
    },
  },
  {
    id: 'config-grading-build',
    page: 'docs/config.md',
    match: (t) => t.startsWith('grading:\n  build:'),
    // The course's toolchain stage: graded with one submission, its source.
    coverage: { by: 'fragment', boot: true },
  },
  {
    id: 'expectations-file',
    page: 'docs/expectations.md',
    match: (t) => t.includes('expectations:\n'),
    coverage: { by: 'expectations' },
  },
  {
    id: 'grading-kernel-and-build',
    page: 'docs/grading.md',
    match: (t) => t.startsWith('kernel:'),
    // The course's toolchain stage: graded with one submission, its source.
    coverage: { by: 'fragment', boot: true },
  },
  {
    id: 'grading-rubric',
    page: 'docs/grading.md',
    match: (t) => t.startsWith('grading:'),
    coverage: { by: 'fragment', why: 'its thread.** glob names tests the course does not have' },
  },
  {
    id: 'history-nightly-workflow',
    page: 'docs/history.md',
    match: (t) => t.startsWith('# .github/workflows/nightly.yml'),
    coverage: { by: 'workflow' },
  },
  {
    id: 'action-build-cache-steps',
    page: 'docs/action.md',
    match: (t) => t.startsWith('- uses: docker/setup-buildx-action@v3'),
    coverage: { by: 'workflow' },
  },
  {
    id: 'grading-classroom-steps',
    page: 'docs/grading.md',
    match: (t) => t.startsWith('- uses: OWNER/diverge@v1'),
    coverage: { by: 'workflow' },
  },
  {
    // The kits' grade.yml step (examples/*/staff/.github/workflows/grade.yml, run by
    // test/integration/kits.test.ts through the CLI it wraps).
    id: 'grading-kit-grade-step',
    page: 'docs/grading.md',
    match: (t) => t.startsWith('- uses: OWNER/diverge/grade@v1'),
    coverage: { by: 'workflow' },
  },
];

/** Each block with the entry that covers it (the first of its page whose `match` takes it). */
export function coveredBlocks(
  blocks: readonly DocBlock[] = docBlocks(),
): { block: DocBlock; example: DocExample | undefined }[] {
  return blocks.map((block) => ({
    block,
    example: DOC_EXAMPLES.find((e) => e.page === block.page && e.match(block.text)),
  }));
}

/** The block an entry covers; throws when the docs have none (the unit test says which). */
export function blockOf(id: string): DocBlock {
  const found = coveredBlocks().find((c) => c.example?.id === id);
  if (!found) throw new Error(`no YAML block of the docs is the example ${id}`);
  return found.block;
}

/**
 * A fragment put into the course fixture's config: each of its top-level keys replaces the
 * course's whole (a fragment shows whole sections), as YAML.
 */
export function fragmentConfig(fragment: string): string {
  const course = parse(readFileSync(path.join(COURSE_DIR, 'diverge.yml'), 'utf8')) as object;
  return stringify({ ...course, ...((parse(fragment) as object | null) ?? {}) });
}
