import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { imageOf, imagesManifest, isManyImages } from '../../src/model/images.js';
import { checkKernel, imagesDigest, KernelFileError } from '../../src/qemu/kernel-image.js';
import { parseRegex } from '../../src/results/regex.js';
import { sha256 } from '../../src/util/digest.js';

/** The problems `text` has, one a line, without the file name. */
function problemsOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^diverge\.yml:\d+: /gm, '');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const TESTS = 'harness: { none: true, tests: [hello, blk] }';

describe('a kernel that is many images, one per test', () => {
  it('is a path with {test}, each test its own image', () => {
    expect(isManyImages('/out/tests/test_{test}.virtio')).toBe(true);
    expect(isManyImages('/out/kernel.elf')).toBe(false);
    expect(imageOf('/out/test_{test}/test_{test}.virtio', 'blk')).toBe(
      '/out/test_blk/test_blk.virtio',
    );
  });

  it('needs harness.tests, and then needs no {test} in append or a send', () => {
    const kernel = 'kernel: { build: { context: . }, path: "/out/test_{test}.virtio" }';
    expect(() => parseConfig(`${kernel}\n${TESTS}`, 'diverge.yml')).not.toThrow();
    expect(problemsOf(`${kernel}\nharness: { none: true }`)).toBe(
      'kernel.path: a kernel of one image per test ({test} in its path) boots once per test: list the tests in harness.tests',
    );
    expect(problemsOf('references: [{ name: r, file: "r/test_{test}.virtio" }]')).toMatch(
      /^references\[0\]\.file: a kernel of one image per test/,
    );
    // Without one, the tests must still be told apart somewhere.
    expect(problemsOf('kernel: { file: k.elf }\nharness: { none: true, tests: [a] }')).toMatch(
      /^harness\.tests: each test boots with \{test\} replaced by its name/,
    );
  });

  it('is built from the working tree only: a base reference or grading.build is an error', () => {
    const kernel = 'kernel: { build: { context: . }, path: "/out/test_{test}.virtio" }';
    expect(problemsOf(`${kernel}\n${TESTS}\nreferences: [{ name: base, base: true }]`)).toMatch(
      /^references\[0\]\.base: builds kernel\.build at the base commit, but kernel\.path names one image per test \(\{test\}\)/,
    );
    expect(
      problemsOf(`${kernel}\n${TESTS}\ngrading: { build: { stage: tools, run: make, path: k } }`),
    ).toMatch(
      /^grading\.build: extracts one kernel file, but kernel\.path names one image per test/,
    );
    // One kernel file per commit: the same recipe without {test} is a base reference as before.
    expect(() =>
      parseConfig(
        'kernel: { build: { context: . }, path: /out/k.elf }\nreferences: [{ name: base, base: true }]',
        'diverge.yml',
      ),
    ).not.toThrow();
  });

  it('attaches a disk to the tests it names, which must be among harness.tests', () => {
    const kernel = 'kernel: { file: "t/test_{test}.virtio" }';
    const disks = (tests: string) =>
      `${kernel}\nharness: { none: true, tests: [hello, blk], disks: [{ file: s.img, tests: ${tests} }] }`;
    expect(parseConfig(disks('[blk]'), 'diverge.yml').harness.disks[0]?.tests).toEqual(['blk']);
    expect(problemsOf(disks('[net]'))).toBe(
      'harness.disks[0].tests: "net" matches none of harness.tests',
    );
  });

  it("has the digest of its images' digests, in test order, and names a missing image", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diverge-images-'));
    writeFileSync(path.join(dir, 'test_hello.virtio'), 'hello image');
    writeFileSync(path.join(dir, 'test_blk.virtio'), 'blk image');
    const kernel = path.join(dir, 'test_{test}.virtio');
    const expected = sha256(
      imagesManifest([
        { test: 'hello', digest: sha256('hello image') },
        { test: 'blk', digest: sha256('blk image') },
      ]),
    );
    await expect(imagesDigest('k', kernel, ['hello', 'blk'])).resolves.toBe(expected);
    await expect(imagesDigest('k', kernel, ['blk', 'hello'])).resolves.not.toBe(expected);
    await expect(imagesDigest('k', kernel, ['hello', 'net'])).rejects.toThrow(
      `kernel "k": the image of test net: file not found: ${path.join(dir, 'test_net.virtio')}`,
    );
    await expect(imagesDigest('k', kernel, undefined)).rejects.toBeInstanceOf(KernelFileError);
    // Each image is checked as a kernel file, named with its test.
    await expect(
      checkKernel('k', kernel, { arch: 'x86_64', boot: 'kernel' }, ['hello']),
    ).rejects.toThrow(`kernel "k[hello]": ${path.join(dir, 'test_hello.virtio')} is`);
  });

  it("reads a regex result whose id is empty as the per-test boot's test", () => {
    const spec = {
      start: '^\\*\\*\\*\\* Solo5 standalone test_\\w+ \\*\\*\\*\\*$',
      pass: '^Solo5: solo5_exit\\((?<id>)0\\) called$',
      fail: '^Solo5: (?<id>)(?:ABORT: .*|solo5_exit\\([1-9]\\d*\\) called)$',
    };
    const lines = ['Solo5: banner', '**** Solo5 standalone test_blk ****', 'SUCCESS'];
    const passed = parseRegex([...lines, 'Solo5: solo5_exit(0) called'], spec, 'blk');
    expect(passed.tests).toEqual([{ id: 'blk', status: 'pass', output: ['SUCCESS'] }]);
    const failed = parseRegex([...lines, 'Solo5: ABORT: boom'], spec, 'blk');
    expect(failed.tests).toEqual([{ id: 'blk', status: 'fail', output: ['SUCCESS'] }]);
    // Outside a per-test boot it is numbered, as before.
    expect(parseRegex([...lines, 'Solo5: solo5_exit(0) called'], spec).tests[0]?.id).toBe('#1');
  });
});
