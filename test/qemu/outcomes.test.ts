import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { unobservedKind } from '../../src/compare/runs.js';
import { BOOT_OUTCOMES, isInfrastructureOutcome } from '../../src/model/boot.js';
import type { BootRecord } from '../../src/model/boot.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('the boot outcome table and its copies', () => {
  it("schema/report.v1.json's boot outcomes are the table's", () => {
    const schema = JSON.parse(read('schema/report.v1.json'));
    expect(schema.properties.boots.items.properties.outcome.enum).toEqual(BOOT_OUTCOMES);
  });

  it("schema/gradebook.v1.json's boot outcomes are the table's and `not-booted`", () => {
    const text = read('schema/gradebook.v1.json');
    for (const outcome of [...BOOT_OUTCOMES, 'not-booted']) expect(text).toContain(`"${outcome}"`);
  });

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
