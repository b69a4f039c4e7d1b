import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const here = new URL('.', import.meta.url);
const read = (file: string | URL) => readFileSync(file, 'utf8');

/** The kinds the suite runs: every `it('kind-id: …'` of test/faults/*.test.ts. */
function suiteKinds(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.test.ts') && f !== 'doc.test.ts')
    .flatMap((f) => [...read(new URL(f, here)).matchAll(/\bit\(\s*'([a-z0-9-]+): /g)])
    .map((m) => m[1] as string);
}

/** The kinds docs/reliability.md's table lists: its rows' first cells. */
function documentedKinds(): string[] {
  return [
    ...read(new URL('../../docs/reliability.md', import.meta.url)).matchAll(
      /^\| `([a-z0-9-]+)` +\|/gm,
    ),
  ].map((m) => m[1] as string);
}

describe('docs/reliability.md and the fault suite', () => {
  it('list the same fault kinds, each once', () => {
    const suite = suiteKinds();
    expect(new Set(suite).size).toBe(suite.length);
    expect([...documentedKinds()].sort()).toEqual([...suite].sort());
  });

  it('cover at least 100 fault kinds', () => {
    expect(suiteKinds().length).toBeGreaterThanOrEqual(100);
  });
});
