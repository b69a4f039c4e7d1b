/** Process exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  divergences: 1,
  usage: 2,
  infrastructure: 3,
} as const;

export const TOOL_NAME = 'diverge';
export const TOOL_VERSION = '1.0.0';

/**
 * The action as workflows use it: the repository (OWNER stands for where it is published) at the
 * major tag the release workflow moves to each vX.Y.Z release. README, docs, CHANGELOG and
 * `diverge init` say this; test/release-consistency.test.ts holds them to package.json.
 */
export const ACTION_REPOSITORY = 'OWNER/diverge';
export const ACTION_MAJOR_TAG = `v${TOOL_VERSION.split('.')[0]}`;
export const ACTION_USES = `${ACTION_REPOSITORY}@${ACTION_MAJOR_TAG}`;
/** schema/config.v1.json as editors fetch it: from the major tag's tree. */
export const CONFIG_SCHEMA_URL = `https://raw.githubusercontent.com/${ACTION_REPOSITORY}/${ACTION_MAJOR_TAG}/schema/config.v1.json`;

/**
 * The oldest Node the CLI runs on, as package.json's `engines` says (a test holds them
 * together): node:util's styleText came in 20.12. The action runs on Node 24; proxies need 24.14.
 */
export const NODE_MINIMUM = [20, 12] as const;
/** Node majors past their end of life: diverge runs on them, `doctor` warns. */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = { 20: '2026-04-30' };

// Replaced by Rollup with a content hash of the bundle; from source (the tests) it stays unset.
declare const __DIVERGE_BUNDLE_HASH__: string | undefined;

/**
 * The build id: the version plus a content hash of the code. The run context carries it into every
 * cache of derived data, so results parsed by an older parser are never judged by a newer one.
 */
export const BUILD_ID = `${TOOL_VERSION}+${typeof __DIVERGE_BUNDLE_HASH__ === 'string' ? __DIVERGE_BUNDLE_HASH__ : 'source'}`;

/** Most bytes of a Docker build's log kept on disk; the rest is counted, not stored. */
export const BUILD_LOG_CAP_BYTES = 16 * 1024 * 1024;

/** Most bytes diverge takes out of an image for one file (a kernel, an extra file). */
export const EXTRACT_FILE_CAP_BYTES = 2 * 1024 * 1024 * 1024;
