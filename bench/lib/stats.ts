/** Latency summaries and unit conversions used by every bench scenario (pure functions). */

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The nearest-rank percentile (0 < p ≤ 1) of an ascending list; NaN for an empty list. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] as number;
}

/** Summary of latencies given in milliseconds (the input is not modified). */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    meanMs: round(sorted.length ? sum / sorted.length : Number.NaN, 3),
    p50Ms: round(percentile(sorted, 0.5), 3),
    p95Ms: round(percentile(sorted, 0.95), 3),
    p99Ms: round(percentile(sorted, 0.99), 3),
    maxMs: round(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN, 3),
  };
}

/** Decimal megabytes (10^6 bytes) per second; every MB figure of the bench uses this unit. */
export function megabytesPerSecond(bytes: number, seconds: number): number {
  return round(bytes / 1e6 / seconds, 1);
}

export function kibToMegabytes(kib: number): number {
  return round((kib * 1024) / 1e6, 1);
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds since `start` (from process.hrtime.bigint()). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
