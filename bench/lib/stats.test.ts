import { kibToMegabytes, megabytesPerSecond, percentile, summarizeLatencies } from './stats';

describe('bench statistics', () => {
  it('percentile is the nearest rank of an ascending list', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(percentile(xs, 0.5)).toBe(50);
    expect(percentile(xs, 0.95)).toBe(95);
    expect(percentile(xs, 0.99)).toBe(99);
    expect(percentile(xs, 1)).toBe(100);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([1, 2, 3], 0.01)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('summarizes unsorted latencies without changing the input', () => {
    const input = [5, 1, 4, 2, 3];
    const s = summarizeLatencies(input);
    expect(input).toEqual([5, 1, 4, 2, 3]);
    expect(s).toEqual({ count: 5, meanMs: 3, p50Ms: 3, p95Ms: 5, p99Ms: 5, maxMs: 5 });
    expect(summarizeLatencies([]).count).toBe(0);
  });

  it('uses decimal megabytes for rates and RSS', () => {
    expect(megabytesPerSecond(1024 * 1024 * 1024, 2)).toBe(536.9);
    expect(kibToMegabytes(146_484)).toBe(150);
  });
});
