import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { unobservedKind } from '../../src/compare/runs.js';
import { BOOT_OUTCOMES, isInfrastructureOutcome } from '../../src/model/boot.js';
import type { BootRecord } from '../../src/model/boot.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

// The schemas' boot outcomes are held to the table in test/model/schemas.test.ts.
describe('the boot outcome table and its copies', () => {
  it("docs/cli.md's boot table names every outcome", () => {
    const row = read('docs/cli.md')
      .split('\n')
      .find((line) => line.startsWith('| `outcome` |'));
    for (const outcome of BOOT_OUTCOMES) expect(row).toContain(`\`${outcome}\``);
  });

  it('the host-side outcomes are read as infrastructure, never as the kernel crashing or hanging', () => {
    const boot = (outcome: (typeof BOOT_OUTCOMES)[number]) => ({ outcome }) as BootRecord;
    expect(BOOT_OUTCOMES.filter(isInfrastructureOutcome)).toEqual(['qemu-error', 'infrastructure']);
    for (const outcome of BOOT_OUTCOMES)
      expect(unobservedKind(boot(outcome)) === 'infra').toBe(isInfrastructureOutcome(outcome));
  });
});
