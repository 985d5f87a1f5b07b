import { targetBars, targetChartSvg } from './chart';
import type { BenchResult } from './result';

function result(): BenchResult {
  const latency = { count: 1, meanMs: 5, p50Ms: 4, p95Ms: 8, p99Ms: 20, maxMs: 30 };
  const cpu = { seconds: {}, systemSeconds: {}, msPerRequest: {}, systemMsPerRequest: {}, machineBusyPercent: 50, otherBusyPercent: 0 };
  const transfer = { bytes: 1, runsSeconds: [1], seconds: 1, MBps: 100, medianSeconds: 1, medianMBps: 100, medianRatioToCeiling: 1, bestRatioToCeiling: 1, roundRatios: [1], peakRssMB: { registryMB: 60 }, processPeakRssMB: { registryMB: 60, repositoryMB: 100 } };
  return {
    mode: 'full',
    startedAt: '2026-01-02T00:00:00.000Z',
    iti41Large: { ...transfer, ratioToCeiling: 0.4 },
    iti43Large: { ...transfer, ratioToCeiling: 1.2 },
    iti41Small: { concurrency: 8, durationSec: 1, requests: 1, errors: 0, perSecond: 250, latency, cpu, documentBytes: 10240, ratioToCeiling: 0.1, peakRssMB: { registryMB: 1 } },
    iti18: {
      runs: [{ concurrency: 8, durationSec: 1, requests: 1, errors: 0, perSecond: 4000, latency, cpu, documentEntries: 1_000_000, patients: 1, loadSeconds: 1, loadEntriesPerSecond: 1, databaseMB: 1, avgDocumentEntriesReturned: 1, peakRssMB: { registryMB: 1 } }],
      growth: { p50: 3, p95: 1, p99: 1, perSecond: 1 },
    },
  } as unknown as BenchResult;
}

describe('target chart', () => {
  it('scores every target so that 1.0 is on target and more is better, for at-least and at-most targets alike', () => {
    const bars = Object.fromEntries(targetBars(result()).map((b) => [b.label, b.score]));
    expect(bars).toEqual({
      'ITI-41 1 GiB vs POST ceiling': 0.5,
      'ITI-43 1 GiB vs GET ceiling': 1.5,
      'Peak RSS per service': 1.5,
      'ITI-41 small submissions/s': 0.5,
      'FindDocuments q/s at 1 M': 2,
      'FindDocuments p99 at 1 M': 0.5,
      'FindDocuments growth 1 M / 100 k': 0.5,
    });
  });

  it('draws one bar per target, red below the target and green at or above it', () => {
    const svg = targetChartSvg(result());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x="250"/g)).toHaveLength(7);
    expect(svg.match(/fill="#c62828"/g)).toHaveLength(4);
    expect(svg.match(/fill="#2e7d32"/g)).toHaveLength(3);
  });
});
