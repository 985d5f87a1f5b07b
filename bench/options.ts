/** Settings of a bench run (`npm run bench`, `npm run bench:quick`), from the mode and the environment. */
import os from 'node:os';
import path from 'node:path';
import { defaultCodeSource, repoRoot, type CodeSource } from './lib/processes';

export const PHASES = ['ceilings', 'iti41Large', 'iti43Large', 'iti41Small', 'iti18'] as const;
export type Phase = (typeof PHASES)[number];

export interface LoadSettings {
  concurrency: number;
  durationMs: number;
  /** Unrecorded load first, so that the JIT and the caches are warm. */
  warmupMs: number;
  /** Upper bound on requests whatever the duration. */
  maxRequests: number;
}

export interface BenchOptions {
  mode: 'full' | 'quick';
  bigBytes: number;
  /** Each large transfer and each large ceiling is measured this many times, interleaved; the best run counts. */
  largeRepeats: number;
  small: LoadSettings & { documentBytes: number };
  /** The bare server's small durable POST, the ceiling of ITI-41 small. */
  smallCeiling: LoadSettings;
  query: LoadSettings & { sizes: number[] };
  /** Where the temporary folder of the run is created. */
  tmpRoot: string;
  /** Where the JSON result goes; undefined = do not write. */
  resultsDir?: string;
  source: CodeSource;
  /** LOG_LEVEL of the services (info = the production default: one JSON line per request). */
  serviceLogLevel: string;
  /** Run the services (and the ceiling server) under node --cpu-prof; profiles go to .tmp/bench-profiles/<run>/. */
  profile: boolean;
  /** Extra node flags for the services (experiments: --trace-gc ...). */
  serviceNodeFlags: string[];
  /** Extra environment for the services (experiments). */
  serviceEnv: Record<string, string>;
  only?: Phase[];
  /** Before each measurement, wait up to this long for other work on the machine to calm down (0 = never). */
  quietWaitMs: number;
  /** A load measurement disturbed by other work on the machine is repeated, up to this many attempts in all. */
  loadAttempts: number;
  keepTemp: boolean;
  log: (line: string) => void;
}

const MiB = 1024 * 1024;

type Env = Record<string, string | undefined>;

function positiveInt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function phasesFrom(raw: string | undefined): Phase[] | undefined {
  if (!raw) return undefined;
  const list = raw.split(',').map((s) => s.trim());
  for (const p of list) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`BENCH_ONLY: unknown phase "${p}" (${PHASES.join(', ')})`);
  return list as Phase[];
}

function envObject(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error('BENCH_SERVICE_ENV must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

/**
 * Full: a BENCH_BIG_MB (default 1024) MiB document, 5 interleaved runs of each large transfer, 30 s of small
 * submissions, 30 s of queries at 100,000 and 1,000,000 DocumentEntries. Quick: the same harness at sizes that
 * take seconds. Environment: BENCH_BIG_MB, BENCH_SMALL_SECONDS, BENCH_QUERY_SECONDS, BENCH_QUERY_SIZES (comma
 * list), BENCH_ONLY (comma list of phases), BENCH_PROFILE=1, BENCH_LOG_LEVEL, BENCH_SERVICE_NODE_FLAGS
 * (space-separated), BENCH_SERVICE_ENV (JSON object), BENCH_QUIET_WAIT_SECONDS (full mode: how long to wait for
 * other work on the machine to calm down before each measurement, default 120), BENCH_KEEP=1 (keep the
 * temporary folder), BENCH_TMP.
 */
export function benchOptions(mode: 'full' | 'quick', env: Env = process.env): BenchOptions {
  const quick = mode === 'quick';
  const sizes = env.BENCH_QUERY_SIZES
    ? env.BENCH_QUERY_SIZES.split(',').map((s) => positiveInt('BENCH_QUERY_SIZES', s, 1))
    : quick
      ? [2_000, 20_000]
      : [100_000, 1_000_000];
  const only = phasesFrom(env.BENCH_ONLY);
  return {
    mode,
    bigBytes: positiveInt('BENCH_BIG_MB', env.BENCH_BIG_MB, quick ? 16 : 1024) * MiB,
    largeRepeats: quick ? 1 : 5,
    small: {
      documentBytes: 10 * 1024,
      concurrency: 8,
      durationMs: positiveInt('BENCH_SMALL_SECONDS', env.BENCH_SMALL_SECONDS, quick ? 2 : 30) * 1000,
      warmupMs: quick ? 500 : 3000,
      maxRequests: quick ? 20_000 : 200_000,
    },
    smallCeiling: { concurrency: 8, durationMs: quick ? 1000 : 10_000, warmupMs: quick ? 200 : 1000, maxRequests: quick ? 20_000 : 500_000 },
    query: {
      sizes,
      concurrency: 8,
      durationMs: positiveInt('BENCH_QUERY_SECONDS', env.BENCH_QUERY_SECONDS, quick ? 2 : 30) * 1000,
      warmupMs: quick ? 500 : 3000,
      maxRequests: quick ? 50_000 : 500_000,
    },
    tmpRoot: env.BENCH_TMP || os.tmpdir(),
    resultsDir: path.join(repoRoot(), 'bench', 'results'),
    source: defaultCodeSource(),
    serviceLogLevel: env.BENCH_LOG_LEVEL || 'info',
    profile: env.BENCH_PROFILE === '1',
    serviceNodeFlags: (env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== ''),
    serviceEnv: envObject(env.BENCH_SERVICE_ENV),
    ...(only ? { only } : {}),
    loadAttempts: quick ? 1 : 3,
    quietWaitMs: quick ? 0 : positiveInt('BENCH_QUIET_WAIT_SECONDS', env.BENCH_QUIET_WAIT_SECONDS, 120) * 1000,
    keepTemp: env.BENCH_KEEP === '1',
    log: (line) => process.stdout.write(`${line}\n`),
  };
}
