/** Deterministic pseudo-random numbers (mulberry32), so that two bench runs load and query the same data. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(r: Random, n: number): number {
  return Math.floor(r() * n);
}

export function pick<T>(r: Random, list: readonly T[]): T {
  return list[randomInt(r, list.length)] as T;
}

/** Picks by relative weight: `weighted(r, [[a, 5], [b, 1]])` returns a five times as often as b. */
export function weighted<T>(r: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [value, w] of entries) {
    x -= w;
    if (x < 0) return value;
  }
  return (entries[entries.length - 1] as readonly [T, number])[0];
}
