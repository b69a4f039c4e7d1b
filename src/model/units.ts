/** Sizes and durations as people write them in `diverge.yml`. */

export const MiB = 2 ** 20;

// Binary multipliers, as QEMU reads `-m 1G`: `256M`, `256MB` and `256MiB` all mean 256 × 2^20.
const SIZE_UNITS = { k: 2 ** 10, m: MiB, g: 2 ** 30, t: 2 ** 40 };

/**
 * Bytes in `text`: a number with an optional K/M/G/T suffix (any case, optionally followed by B or
 * iB) or a bare B. A number without a suffix counts in `plainUnit` bytes (memory uses MiB).
 */
export function parseSize(text: string | number, plainUnit = 1): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?\s*$/i.exec(String(text));
  if (!match) throw new Error(`expected a size like 256M, got ${JSON.stringify(text)}`);
  const [, number = '', prefix, bytes] = match;
  const unit = prefix
    ? SIZE_UNITS[prefix.toLowerCase() as keyof typeof SIZE_UNITS]
    : bytes
      ? 1
      : plainUnit;
  return Math.round(Number(number) * unit);
}

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
// Largest first: a compound duration lists its parts in this order (`1m30s`, not `30s1m`).
const UNIT_ORDER = Object.keys(UNIT_MS);

/** Milliseconds in `text`: `60s`, `1500ms`, `2m`, `1h`, `1m30s`, or a plain number of seconds. */
export function parseDuration(text: string | number): number {
  const source = String(text).trim();
  const bad = () => new Error(`expected a duration like 60s, got ${JSON.stringify(text)}`);
  if (/^\d+(?:\.\d+)?$/.test(source)) return Math.round(Number(source) * 1000);
  let ms = 0;
  let consumed = 0;
  let previous = -1;
  for (const [part, number = '', unit = ''] of source.matchAll(
    /(\d+(?:\.\d+)?)\s*(ms|h|m|s)\s*/giy,
  )) {
    const name = unit.toLowerCase() as keyof typeof UNIT_MS;
    const rank = UNIT_ORDER.indexOf(name);
    if (rank <= previous) throw bad();
    previous = rank;
    ms += Number(number) * UNIT_MS[name];
    consumed += part.length;
  }
  if (consumed === 0 || consumed !== source.length) throw bad();
  return Math.round(ms);
}
