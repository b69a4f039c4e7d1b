import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileGlob, escapeGlob, nearestIds, unmatchedGlobs } from '../../src/util/glob.js';

const matches = (glob: string, id: string) => compileGlob(glob)(id);

describe('compileGlob', () => {
  it('matches exact ids as written', () => {
    expect(matches('syscalls.read', 'syscalls.read')).toBe(true);
    expect(matches('syscalls.read', 'syscalls.readv')).toBe(false);
    expect(matches('syscalls.read', 'xsyscalls.read')).toBe(false);
    // '.' is not "any character"
    expect(matches('a.b', 'axb')).toBe(false);
    expect(matches('', '')).toBe(true);
    expect(matches('', 'a')).toBe(false);
  });

  it('lets * stay within a segment and ** cross segments', () => {
    expect(matches('a.*', 'a.b')).toBe(true);
    expect(matches('a.*', 'a.b.c')).toBe(false);
    expect(matches('a.*', 'a.')).toBe(true);
    expect(matches('a.**', 'a.b')).toBe(true);
    expect(matches('a.**', 'a.b.c')).toBe(true);
    expect(matches('a.**', 'a')).toBe(false);
    expect(matches('syscalls.cachestat*', 'syscalls.cachestat02')).toBe(true);
    expect(matches('*.open', 'fs.open')).toBe(true);
    expect(matches('*.open', 'fs.x.open')).toBe(false);
    expect(matches('**.open', 'fs.x.open')).toBe(true);
    expect(matches('**', '')).toBe(true);
    expect(matches('a*b*c', 'axxbyyc')).toBe(true);
    expect(matches('a*b*c', 'axxbyy.c')).toBe(false);
  });

  it('lets ? match one character other than a dot', () => {
    expect(matches('t?', 't1')).toBe(true);
    expect(matches('t?', 't')).toBe(false);
    expect(matches('t?', 't12')).toBe(false);
    expect(matches('t?b', 't.b')).toBe(false);
    expect(matches('t?', 'té')).toBe(true);
  });

  it('takes regex metacharacters literally', () => {
    const id = 'test[1](x)+';
    expect(matches(id, id)).toBe(true);
    expect(matches(id, 'test1xx')).toBe(false);
    expect(matches('a|b', 'a')).toBe(false);
    expect(matches('a|b', 'a|b')).toBe(true);
    expect(matches('^$.{2}\\', '^$.{2}\\')).toBe(true);
    expect(matches('t[1]*', 't[1](y)')).toBe(true);
  });

  it('makes the character after a backslash literal', () => {
    expect(matches('\\*\\*', '**')).toBe(true);
    expect(matches('\\*\\*', 'ab')).toBe(false);
    expect(matches('a\\?', 'a?')).toBe(true);
    expect(matches('a\\?', 'ab')).toBe(false);
    expect(matches('a\\\\*', 'a\\xyz')).toBe(true);
  });

  it('compiles each glob once', () => {
    expect(compileGlob('x.*')).toBe(compileGlob('x.*'));
  });
});

describe('escapeGlob', () => {
  it('makes a glob that matches the id and nothing else', () => {
    const ids = fc.string({ unit: fc.constantFrom('a', '.', '*', '?', '\\', 'b') });
    fc.assert(
      fc.property(ids, ids, (id, other) => {
        expect(matches(escapeGlob(id), id)).toBe(true);
        expect(matches(escapeGlob(id), other)).toBe(other === id);
      }),
    );
  });
});

describe('unmatchedGlobs', () => {
  const ids = ['fs.read', 'fs.readv', 'fs.write', 'alloc_distinct', 'sleep_ticks'];

  it('names each glob that matches no id, with the nearest ids', () => {
    expect(unmatchedGlobs(['fs.*', 'fs.raed', 'alloc_distnct', 'fs.raed'], ids)).toEqual([
      '"fs.raed" matches no test (nearest: fs.read, fs.readv, fs.write)',
      '"alloc_distnct" matches no test (nearest: alloc_distinct)',
    ]);
    expect(unmatchedGlobs(['x'], [])).toEqual(['"x" matches no test (no test was reported)']);
  });

  it('compares a glob without its wildcards and escapes', () => {
    expect(nearestIds('slep_*', ids, 1)).toEqual(['sleep_ticks']);
    expect(nearestIds('fs.wr\\?te', ids, 1)).toEqual(['fs.write']);
  });
});
