import { describe, expect, it } from '@jest/globals';
import { cacheKeys } from '../../src/action/cache.js';

describe('cacheKeys', () => {
  it('saves per run and restores the newest entry of the same config and variant first', () => {
    const keys = cacheKeys('harness: { dir: h }\n', 'staff', 42);
    expect(keys.key).toMatch(/^diverge-v1-staff-[0-9a-f]{12}-42$/);
    expect(keys.restoreKeys).toEqual([keys.key.replace(/42$/, ''), 'diverge-v1-staff-']);
    // Another config is another entry; another variant shares nothing.
    expect(cacheKeys('harness: { dir: other }\n', 'staff', 42).key).not.toBe(keys.key);
    expect(cacheKeys('harness: { dir: h }\n', 'panic', 42).restoreKeys[1]).toBe(
      'diverge-v1-panic-',
    );
  });
});
