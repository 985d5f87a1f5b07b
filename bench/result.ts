/** The JSON a bench run writes (bench/results/*.json) and the issue's targets evaluated against it. */
import type { CodeVersion, MachineDescription } from './lib/machine';
import type { CodeSource } from './lib/processes';
import type { PeakRss } from './lib/services';
import { round, type LatencySummary } from './lib/stats';
import type { BenchOptions } from './options';

export const RESULT_SCHEMA = 'xds-bench/1';

export interface TransferResult {
  bytes: number;
  /** Every run, s; the best one counts. */
  runsSeconds: number[];
  seconds: number;
  MBps: number;
  /** The median run, for how consistent the figure is (the best run is the one compared with the target). */
  medianSeconds: number;
  medianMBps: number;
  /** Uploads: when the last body byte had been handed to the socket, per run (the rest is the server finishing: fsync, commit, ITI-42). */
  runsBodySentSeconds?: number[];
}

export interface ServiceTransferResult extends TransferResult {
  /**
   * Median over the rounds of (this round's rate / the ceiling's rate in the same round, measured just before):
   * what the target checks. Pairing by round keeps a drift of the shared machine (disk write speed, neighbours)
   * out of the ratio.
   */
  ratioToCeiling: number;
  /** The ratio of each round. */
  roundRatios: number[];
  /** Best run over the ceiling's best run, and median over median, for comparison. */
  bestRatioToCeiling: number;
  medianRatioToCeiling: number;
  /** Highest VmRSS sampled (every 20 ms) while this transaction ran. */
  peakRssMB: PeakRss;
  /** Peak RSS of the service processes over the whole large phase (ITI-41 and ITI-43 runs): VmHWM or the highest sample. */
  processPeakRssMB: PeakRss;
}

export interface CpuResult {
  /** CPU seconds (user + system, all threads) per process over the measured stretch. */
  seconds: Record<string, number>;
  /** The kernel's part (system time). */
  systemSeconds: Record<string, number>;
  /** CPU per successful request, ms. */
  msPerRequest: Record<string, number>;
  /** System time per successful request, ms. */
  systemMsPerRequest: Record<string, number>;
  /** Share of both CPUs that was busy, 0–100. */
  machineBusyPercent: number;
  /** The part of it used by processes other than the bench's: other work on the shared machine, 0–100. */
  otherBusyPercent: number;
}

export interface LoadPhaseResult {
  concurrency: number;
  durationSec: number;
  requests: number;
  errors: number;
  firstError?: string;
  perSecond: number;
  latency: LatencySummary;
  cpu: CpuResult;
  /** Measurements made; when other work disturbed one, it was repeated and the least disturbed one kept. */
  attempts?: number;
}

export interface QueryRun extends LoadPhaseResult {
  documentEntries: number;
  patients: number;
  /** Time to bulk-load the entries added for this size, and the rate. */
  loadSeconds: number;
  loadEntriesPerSecond: number;
  databaseMB: number;
  avgDocumentEntriesReturned: number;
  peakRssMB: PeakRss;
}

export interface TargetCheck {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  mode: 'full' | 'quick';
  startedAt: string;
  durationSec: number;
  machine: MachineDescription;
  code: CodeVersion;
  settings: {
    bigBytes: number;
    largeRepeats: number;
    small: BenchOptions['small'];
    smallCeiling: BenchOptions['smallCeiling'];
    query: BenchOptions['query'];
    serviceLogLevel: string;
    serviceNodeFlags: string[];
    serviceEnv: Record<string, string>;
    codeSource: CodeSource;
    profiled: boolean;
    phases: string[];
  };
  ceilings: {
    /** The bare server with 1 MiB writes / reads: the ceilings the ratios use. */
    post: TransferResult | null;
    get: TransferResult | null;
    /** The same bare server with Node's default stream settings (64 KiB), for comparison. */
    postDefaultStreams: TransferResult | null;
    getDefaultStreams: TransferResult | null;
    small: (LoadPhaseResult & { documentBytes: number }) | null;
    serverPeakRssMB: number;
  } | null;
  iti41Large: ServiceTransferResult | null;
  iti43Large: ServiceTransferResult | null;
  iti41Small: (LoadPhaseResult & { documentBytes: number; ratioToCeiling: number | null; peakRssMB: PeakRss }) | null;
  iti18: { runs: QueryRun[]; growth: { p50: number; p95: number; p99: number; perSecond: number } | null } | null;
  targets: TargetCheck[];
}

const fmt = (n: number | undefined, d = 2): string => (n !== undefined && Number.isFinite(n) ? String(round(n, d)) : 'n/a');

/** The issue's targets for this 2-core machine, evaluated against a result. */
export function evaluateTargets(r: BenchResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const mib = `${r.settings.bigBytes / 2 ** 20} MiB`;
  if (r.iti41Large) {
    const v = r.iti41Large.ratioToCeiling;
    out.push({ name: `ITI-41 ${mib} ingest vs POST ceiling`, target: '≥ 0.80×', actual: `${fmt(v, 3)}×`, met: v >= 0.8 });
  }
  if (r.iti43Large) {
    const v = r.iti43Large.ratioToCeiling;
    out.push({ name: `ITI-43 ${mib} retrieve vs GET ceiling`, target: '≥ 0.80×', actual: `${fmt(v, 3)}×`, met: v >= 0.8 });
  }
  const large = r.iti41Large ?? r.iti43Large;
  if (large) {
    const p = large.processPeakRssMB;
    out.push({
      name: `Peak RSS per service over the ${mib} transfers`,
      target: '≤ 150 MB',
      actual: `${fmt(p.repositoryMB, 1)} MB repository, ${fmt(p.registryMB, 1)} MB registry`,
      met: Math.max(p.registryMB, p.repositoryMB ?? 0) <= 150,
    });
  }
  if (r.iti41Small) {
    const s = r.iti41Small;
    out.push({ name: 'ITI-41 small submissions/s', target: '≥ 500/s', actual: `${fmt(s.perSecond, 1)}/s`, met: s.perSecond >= 500 && s.errors === 0 });
  }
  const runs = r.iti18?.runs ?? [];
  const largest = runs[runs.length - 1];
  if (largest) {
    const n = largest.documentEntries.toLocaleString('en-US');
    out.push({ name: `FindDocuments p99 at ${n} entries`, target: '≤ 10 ms', actual: `${fmt(largest.latency.p99Ms)} ms`, met: largest.latency.p99Ms <= 10 && largest.errors === 0 });
    out.push({ name: `FindDocuments queries/s at ${n} entries`, target: '≥ 2,000/s', actual: `${fmt(largest.perSecond, 0)}/s`, met: largest.perSecond >= 2000 });
  }
  if (r.iti18?.growth) {
    const g = r.iti18.growth.p50;
    out.push({ name: 'FindDocuments latency growth, largest / smallest registry (p50)', target: '≤ 1.5×', actual: `${fmt(g)}×`, met: g <= 1.5 });
  }
  return out;
}
