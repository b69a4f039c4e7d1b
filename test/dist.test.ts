/**
 * What each bundled entry loads at start: the static imports of dist/<entry>.js, followed through
 * dist/chunks (dynamic imports load later, only when needed).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const DIST = path.resolve(import.meta.dirname, '../dist');

/** Every file an entry loads before it runs: itself and its static imports, transitively. */
function loadedAtStart(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const [, spec] of code.matchAll(/^import [^;]*?from '(\.{1,2}\/[^']+)';/gm))
      visit(path.resolve(path.dirname(file), spec as string));
  };
  visit(path.join(DIST, entry));
  return [...seen];
}

const bytes = (files: string[]) => files.reduce((sum, f) => sum + statSync(f).size, 0);

describe('dist/', () => {
  it('post.js loads a few KiB unless the main step left a check run (the toolkit and client are imported then)', () => {
    const files = loadedAtStart('post.js');
    expect(bytes(files)).toBeLessThan(16 * 1024);
    expect(readFileSync(path.join(DIST, 'post.js'), 'utf8')).toMatch(
      /import\('\.\/chunks\/[^']+'\)/,
    );
  });

  it('publish.js (the report/ sub-action) loads no Docker or QEMU code', () => {
    const code = loadedAtStart('publish.js')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(code).not.toContain('Modem.prototype');
    expect(code).not.toContain('qemu-system-');
  });

  it('names chunks without content hashes, so a rebuild renames nothing', () => {
    const chunks = loadedAtStart('cli.js').filter((f) => f.includes('/chunks/'));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(path.basename(chunk)).toMatch(/^[a-z0-9-]+\.js$/i);
    for (const chunk of chunks) expect(path.basename(chunk)).not.toMatch(/-[A-Za-z0-9_]{8}\.js$/);
  });
});
