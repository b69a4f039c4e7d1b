/**
 * A kernel that is many images, one per test (Solo5's test unikernels): its path holds `{test}`,
 * each per-test boot boots the image that path names with the test's name put in, and the
 * images are judged together as one kernel. Its digest is the digest of its images' digests, one
 * line per test of `harness.tests`, so a change to any image is a change of the kernel.
 */

/** Where a test's name goes in a path (the same placeholder as `machine.append`'s). */
export const IMAGE_PLACEHOLDER = '{test}';

/** Whether a kernel path names one image per test. */
export const isManyImages = (kernelPath: string): boolean => kernelPath.includes(IMAGE_PLACEHOLDER);

/** The image of one test. */
export const imageOf = (kernelPath: string, test: string): string =>
  kernelPath.replaceAll(IMAGE_PLACEHOLDER, test);

/** The message when a kernel of many images has no tests to name its images by. */
export const noTestsFor = (what: string, kernelPath: string): string =>
  `${what}: ${kernelPath} names one image per test ({test}), which needs harness.tests`;

/** The text a many-image kernel's digest is taken of: `test digest` per line, in test order. */
export const imagesManifest = (digests: readonly { test: string; digest: string }[]): string =>
  digests.map(({ test, digest }) => `${test} ${digest}\n`).join('');
