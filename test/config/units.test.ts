import { describe, expect, it } from '@jest/globals';
import { parseDuration, parseSize } from '../../src/model/units.js';

describe('parseSize', () => {
  it.each([
    ['256M', 268_435_456],
    ['256m', 268_435_456],
    ['256MB', 268_435_456],
    ['256MiB', 268_435_456],
    ['256mib', 268_435_456],
    ['1K', 1024],
    ['1kb', 1024],
    ['2G', 2_147_483_648],
    ['1T', 1_099_511_627_776],
    ['1.5G', 1_610_612_736],
    ['0.5K', 512],
    ['512B', 512],
    ['512', 512],
    [' 8M ', 8_388_608],
    [4096, 4096],
    ['0', 0],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('counts a number without suffix in the given unit', () => {
    expect(parseSize(256, 1024 * 1024)).toBe(268_435_456);
    expect(parseSize('256', 1024 * 1024)).toBe(268_435_456);
    expect(parseSize('256K', 1024 * 1024)).toBe(262_144);
  });

  it.each(['', 'lots', '-1M', '1X', 'M', '1iB', '1 M B', '1e3', '.5M', '1,5M', '1MM', 'Infinity'])(
    'rejects %j',
    (text) => {
      expect(() => parseSize(text)).toThrow(
        `expected a size like 256M, got ${JSON.stringify(text)}`,
      );
    },
  );

  it('rejects numbers it cannot write as a size', () => {
    expect(() => parseSize(-1)).toThrow('expected a size like 256M, got -1');
    expect(() => parseSize(Number.NaN)).toThrow('expected a size like 256M');
  });
});

describe('parseDuration', () => {
  it.each([
    ['60s', 60_000],
    ['1500ms', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1m 30s', 90_000],
    ['1.5s', 1500],
    ['0.25m', 15_000],
    ['10S', 10_000],
    ['60', 60_000],
    ['2.5', 2500],
    [90, 90_000],
    [0.1, 100],
    ['0s', 0],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 's', '1d', '30s1m', '1m1m', '10 seconds', '-5s', '1m30', 'ms', '1.s'])(
    'rejects %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        `expected a duration like 60s, got ${JSON.stringify(text)}`,
      );
    },
  );

  it('rejects negative numbers of seconds', () => {
    expect(() => parseDuration(-5)).toThrow('expected a duration like 60s, got -5');
  });
});
