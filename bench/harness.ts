/**
 * The bench harness behind `npm run bench` and `npm run bench:quick` (bench/run.ts) and bench/quick.test.ts.
 *
 * Every service runs in its own child process, started fresh for each phase (so its VmHWM is the phase's peak
 * RSS), next to a bare Node server for the ceilings (bench/ceilingServer.ts); the load is generated here with
 * keep-alive agents, loopback only. Phases, in order:
 *   1. large: the POST and GET ceilings and ITI-41 / ITI-43 of one BENCH_BIG_MB document, interleaved run by run
 *      (a drift of the shared machine then hits ceiling and service alike), best run of each counts;
 *   2. small: the bare server's small durable POST, then ITI-41 with 10 KiB documents and full metadata, one per
 *      submission (each includes the repository → registry ITI-42 hop), at a fixed concurrency and time;
 *   3. ITI-18 FindDocuments at each registry size, the entries bulk-loaded through the store API first.
 * Every loop is bounded in count and time. Temporary data lives under one folder, removed at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openSqliteRegistryStore } from '../registry/store/sqlite';
import { writeRandomFile } from './lib/bigFile';
import { measureCpu, waitForQuietMachine, type CpuUsage } from './lib/cpu';
import type { ClosedLoopResult } from './lib/load';
import { codeVersion, describeMachine } from './lib/machine';
import { benchScriptCommand, freePort, repoRoot, sampleRss, startChild, type RunningChild } from './lib/processes';
import { startServices, type PeakRss, type RunningServices, type ServiceRunOptions } from './lib/services';
import { kibToMegabytes, megabytesPerSecond, percentile, round, summarizeLatencies } from './lib/stats';
import { runFindDocuments } from './findDocuments';
import { PHASES, type BenchOptions, type LoadSettings, type Phase } from './options';
import { loadUntil, newLoadState } from './registryData';
import { evaluateTargets, RESULT_SCHEMA, type BenchResult, type CpuResult, type LoadPhaseResult, type QueryRun, type TransferResult } from './result';
import { runSmallCeiling, runSmallSubmissions } from './smallSubmissions';
import { getCeiling, postCeiling, provideLargeDocument, retrieveLargeDocument, type UploadTiming } from './transfers';

const MiB = 1024 * 1024;

/** What the phases share. */
interface Run {
  opts: BenchOptions;
  phases: Set<Phase>;
  work: string;
  logDir: string;
  profileDir?: string;
  result: BenchResult;
  log: (line: string) => void;
}

interface CeilingServer {
  url: string;
  child: RunningChild;
}

function best(runsSeconds: number[], bytes: number): TransferResult {
  const seconds = Math.min(...runsSeconds);
  const median = percentile([...runsSeconds].sort((a, b) => a - b), 0.5);
  return {
    bytes,
    runsSeconds: runsSeconds.map((s) => round(s, 3)),
    seconds: round(seconds, 3),
    MBps: megabytesPerSecond(bytes, seconds),
    medianSeconds: round(median, 3),
    medianMBps: megabytesPerSecond(bytes, median),
  };
}

function bestUpload(runs: UploadTiming[], bytes: number): TransferResult {
  return { ...best(runs.map((r) => r.seconds), bytes), runsBodySentSeconds: runs.map((r) => round(r.bodySentSeconds, 3)) };
}

/** Per-process maxima over several sampling stretches. */
class RssPeaks {
  private readonly max = new Map<number, number>();
  add(sample: Map<number, number>): void {
    for (const [pid, kib] of sample) this.max.set(pid, Math.max(kib, this.max.get(pid) ?? 0));
  }
  of(pid: number | undefined): number {
    return pid === undefined ? 0 : (this.max.get(pid) ?? 0);
  }
}

function loadPhase(r: ClosedLoopResult, concurrency: number, cpu: CpuUsage): LoadPhaseResult {
  const requests = r.latenciesMs.length;
  const perRequest = (seconds: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(seconds).map(([name, s]) => [name, round((s * 1000) / Math.max(1, requests), 3)]));
  const cpuResult: CpuResult = {
    seconds: cpu.seconds,
    systemSeconds: cpu.systemSeconds,
    msPerRequest: perRequest(cpu.seconds),
    systemMsPerRequest: perRequest(cpu.systemSeconds),
    machineBusyPercent: cpu.machineBusyPercent,
    otherBusyPercent: cpu.otherBusyPercent,
  };
  return {
    concurrency,
    durationSec: round(r.elapsedSec, 2),
    requests,
    errors: r.errors,
    ...(r.firstError !== undefined ? { firstError: r.firstError } : {}),
    perSecond: round(requests / r.elapsedSec, 1),
    latency: summarizeLatencies(r.latenciesMs),
    cpu: cpuResult,
  };
}

/**
 * Runs unrecorded warm-up load, then the measured load with CPU accounting of the given processes. When other
 * work on the shared machine took more than OTHER_WORK_LIMIT % of the CPUs during the measurement, it is
 * repeated (up to opts.loadAttempts times) and the least disturbed attempt is kept.
 */
async function measuredLoad(
  run: Run,
  settings: LoadSettings,
  processes: Record<string, number>,
  load: (durationMs: number) => Promise<ClosedLoopResult>,
  what: string,
): Promise<{ measured: ClosedLoopResult; phase: LoadPhaseResult }> {
  let kept: { measured: ClosedLoopResult; phase: LoadPhaseResult } | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= run.opts.loadAttempts; attempt++) {
    attempts = attempt;
    await quietMachine(run, what);
    const warm = await load(settings.warmupMs);
    if (warm.errors > 0) throw new Error(`${what} warm-up failed: ${warm.firstError}`);
    const cpu = measureCpu(processes);
    const measured = await load(settings.durationMs);
    const phase = loadPhase(measured, settings.concurrency, cpu.stop());
    if (!kept || phase.cpu.otherBusyPercent < kept.phase.cpu.otherBusyPercent) kept = { measured, phase };
    if (phase.cpu.otherBusyPercent <= OTHER_WORK_LIMIT) break;
    run.log(`${what}: other work took ${phase.cpu.otherBusyPercent} % of the CPUs during the measurement${attempt < run.opts.loadAttempts ? '; measuring again' : ''}`);
  }
  const result = kept as { measured: ClosedLoopResult; phase: LoadPhaseResult };
  return { measured: result.measured, phase: { ...result.phase, attempts } };
}

/** Share of the CPUs (%) that other work may take during a load measurement before it is repeated. */
const OTHER_WORK_LIMIT = 15;

/**
 * On a shared machine, waits (up to opts.quietWaitMs) until other work has calmed down before a measurement,
 * and says so in the log when it did not.
 */
async function quietMachine(run: Run, what: string): Promise<void> {
  if (run.opts.quietWaitMs <= 0) return;
  const q = await waitForQuietMachine(25, 2000, run.opts.quietWaitMs);
  if (q.busyPercent >= 25) run.log(`note: the machine was still ${q.busyPercent} % busy with other work before ${what}`);
  else if (q.waitedMs > 2500) run.log(`waited ${(q.waitedMs / 1000).toFixed(0)} s for other work on the machine to calm down before ${what}`);
}

function fileMB(file: string): number {
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) bytes += fs.statSync(f).size;
  return round(bytes / 1e6, 1);
}

/**
 * Writes back every dirty page (`sync`) so that each large transfer starts with the same disk state: otherwise a
 * run pays for the writeback of the one before (the file just generated, the previous upload).
 */
function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore', timeout: 120_000 });
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function serviceOptions(run: Run, phase: string, dataDir: string, withRepository: boolean): ServiceRunOptions {
  return {
    phase,
    dataDir,
    logDir: run.logDir,
    source: run.opts.source,
    logLevel: run.opts.serviceLogLevel,
    withRepository,
    nodeFlags: run.opts.serviceNodeFlags,
    extraEnv: run.opts.serviceEnv,
    ...(run.profileDir ? { profileDir: run.profileDir } : {}),
  };
}

async function startCeilingServer(run: Run, bigFile: string): Promise<CeilingServer> {
  const port = await freePort();
  const uploadDir = path.join(run.work, 'ceiling-uploads');
  fs.mkdirSync(uploadDir, { recursive: true });
  const child = await startChild({
    name: 'ceiling-server',
    nodeArgs: benchScriptCommand('ceilingServer', run.opts.source),
    ...(run.profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${run.profileDir}`, '--cpu-prof-name=ceiling-server.cpuprofile'] } : {}),
    env: { CEILING_PORT: String(port), CEILING_DIR: uploadDir, CEILING_FILE: bigFile },
    logFile: path.join(run.logDir, 'ceiling-server.log'),
    healthUrl: `http://127.0.0.1:${port}/health`,
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** The bare server keeps its large uploads (as the repository keeps documents) until the large phase is over. */
function removeLargeUploads(run: Run): void {
  const dir = path.join(run.work, 'ceiling-uploads');
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.part')) fs.rmSync(path.join(dir, f), { force: true });
}

function ceilingsOf(run: Run): NonNullable<BenchResult['ceilings']> {
  run.result.ceilings ??= { post: null, get: null, postDefaultStreams: null, getDefaultStreams: null, small: null, serverPeakRssMB: 0 };
  return run.result.ceilings;
}

/** Phase 1: ceilings and the large document through the repository, interleaved. */
async function runLargePhase(run: Run, ceiling: CeilingServer, bigFile: string, bigSha1: string): Promise<void> {
  const { opts, phases, log } = run;
  const wantService = phases.has('iti41Large') || phases.has('iti43Large');
  const dataDir = path.join(run.work, 'large-data');
  let services: RunningServices | undefined;
  const post: UploadTiming[] = [];
  const get: number[] = [];
  const postDefault: UploadTiming[] = [];
  const getDefault: number[] = [];
  const provide: UploadTiming[] = [];
  const retrieve: number[] = [];
  const provideRss = new RssPeaks();
  const retrieveRss = new RssPeaks();
  let hwm: PeakRss | undefined;
  try {
    if (wantService) services = await startServices(serviceOptions(run, 'large', dataDir, true));
    const pids = services ? [services.registry.pid, (services.repository as RunningChild).pid] : [];
    for (let i = 0; i < opts.largeRepeats; i++) {
      await quietMachine(run, `large transfer round ${i + 1}`);
      // Each service transfer is paired with the ceiling measured next to it. The pair's order alternates between
      // rounds: every upload adds a gigabyte of page cache, and on this VM a later write in a round is slower, so
      // a fixed order would always hand the service the worse position.
      const serviceFirst = i % 2 === 1;
      settleDisk();
      postDefault.push(await postCeiling(ceiling.url, bigFile, opts.bigBytes, bigSha1, true));
      let storedUniqueId: string | undefined;
      const provideOnce = async (): Promise<void> => {
        if (!services) return;
        settleDisk();
        const sampler = sampleRss(pids);
        const sent = await provideLargeDocument(services.repositoryUrl as string, bigFile, opts.bigBytes);
        provideRss.add(sampler.stop());
        provide.push(sent);
        storedUniqueId = sent.uniqueId;
      };
      const postOnce = async (): Promise<void> => {
        settleDisk();
        post.push(await postCeiling(ceiling.url, bigFile, opts.bigBytes, bigSha1));
      };
      for (const step of serviceFirst ? [provideOnce, postOnce] : [postOnce, provideOnce]) await step();
      settleDisk();
      getDefault.push(await getCeiling(ceiling.url, opts.bigBytes, true));
      const retrieveOnce = async (): Promise<void> => {
        if (!services || !storedUniqueId || !phases.has('iti43Large')) return;
        settleDisk();
        const sampler = sampleRss(pids);
        retrieve.push(await retrieveLargeDocument(services.repositoryUrl as string, storedUniqueId, opts.bigBytes));
        retrieveRss.add(sampler.stop());
      };
      const getOnce = async (): Promise<void> => {
        settleDisk();
        get.push(await getCeiling(ceiling.url, opts.bigBytes));
      };
      for (const step of serviceFirst ? [retrieveOnce, getOnce] : [getOnce, retrieveOnce]) await step();
    }
  } finally {
    if (services) hwm = await services.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const ceilings = ceilingsOf(run);
  ceilings.post = bestUpload(post, opts.bigBytes);
  ceilings.get = best(get, opts.bigBytes);
  ceilings.postDefaultStreams = bestUpload(postDefault, opts.bigBytes);
  ceilings.getDefaultStreams = best(getDefault, opts.bigBytes);
  log(
    `ceilings (best of ${opts.largeRepeats}): POST ${ceilings.post.MBps} MB/s, GET ${ceilings.get.MBps} MB/s; ` +
      `with default 64 KiB streams: POST ${ceilings.postDefaultStreams.MBps} MB/s, GET ${ceilings.getDefaultStreams.MBps} MB/s`,
  );
  if (!services || !hwm) return;
  const registryPid = services.registry.pid;
  const repositoryPid = services.repository?.pid;
  const sampled = (peaks: RssPeaks): PeakRss => ({ registryMB: kibToMegabytes(peaks.of(registryPid)), repositoryMB: kibToMegabytes(peaks.of(repositoryPid)) });
  // VmHWM can lag the sampled VmRSS by a little; the higher of the two is the phase's peak.
  const processPeak: PeakRss = {
    registryMB: Math.max(hwm.registryMB, kibToMegabytes(peaksMax(provideRss, retrieveRss, registryPid))),
    repositoryMB: Math.max(hwm.repositoryMB ?? 0, kibToMegabytes(peaksMax(provideRss, retrieveRss, repositoryPid))),
  };
  if (phases.has('iti41Large') && provide.length) {
    const t = bestUpload(provide, opts.bigBytes);
    run.result.iti41Large = { ...t, ...ratios(t, provide.map((p) => p.seconds), ceilings.post, post.map((p) => p.seconds)), peakRssMB: sampled(provideRss), processPeakRssMB: processPeak };
    log(`ITI-41 large: best ${t.MBps} MB/s; ${run.result.iti41Large.ratioToCeiling}× ceiling (median of rounds ${run.result.iti41Large.roundRatios.join(', ')})`);
  }
  if (retrieve.length) {
    const t = best(retrieve, opts.bigBytes);
    run.result.iti43Large = { ...t, ...ratios(t, retrieve, ceilings.get, get), peakRssMB: sampled(retrieveRss), processPeakRssMB: processPeak };
    log(`ITI-43 large: best ${t.MBps} MB/s; ${run.result.iti43Large.ratioToCeiling}× ceiling (median of rounds ${run.result.iti43Large.roundRatios.join(', ')})`);
  }
  log(`large transfers: peak RSS repository ${processPeak.repositoryMB} MB, registry ${processPeak.registryMB} MB`);
}

/** Ratios of a service transfer to its ceiling: per round (ceiling seconds / service seconds), their median, best/best, median/median. */
function ratios(
  service: TransferResult,
  serviceSeconds: number[],
  ceiling: TransferResult,
  ceilingSeconds: number[],
): { ratioToCeiling: number; roundRatios: number[]; bestRatioToCeiling: number; medianRatioToCeiling: number } {
  const roundRatios = serviceSeconds.map((s, i) => round((ceilingSeconds[i] ?? Number.NaN) / s, 3));
  return {
    ratioToCeiling: round(percentile([...roundRatios].sort((a, b) => a - b), 0.5), 3),
    roundRatios,
    bestRatioToCeiling: round(service.MBps / ceiling.MBps, 3),
    medianRatioToCeiling: round(service.medianMBps / ceiling.medianMBps, 3),
  };
}

function peaksMax(a: RssPeaks, b: RssPeaks, pid: number | undefined): number {
  return Math.max(a.of(pid), b.of(pid));
}

/** Phase 2: the small durable POST ceiling, then ITI-41 small through both services. */
async function runSmallPhase(run: Run, ceiling: CeilingServer): Promise<void> {
  const { opts, phases, log } = run;
  const documentBytes = opts.small.documentBytes;
  if (phases.has('ceilings') || phases.has('iti41Small')) {
    const s = opts.smallCeiling;
    const { phase } = await measuredLoad(run, s, { ceilingServer: ceiling.child.pid }, (durationMs) =>
      runSmallCeiling({ url: `${ceiling.url}/small`, documentBytes, concurrency: s.concurrency, durationMs, maxRequests: s.maxRequests }),
    'small ceiling');
    ceilingsOf(run).small = { ...phase, documentBytes };
    log(`ceiling: small durable POST ${phase.perSecond}/s, p50 ${phase.latency.p50Ms} ms, p99 ${phase.latency.p99Ms} ms`);
  }
  if (!phases.has('iti41Small')) return;
  const dataDir = path.join(run.work, 'small-data');
  const services = await startServices(serviceOptions(run, 'iti41-small', dataDir, true));
  let rss: PeakRss;
  let phase: LoadPhaseResult;
  try {
    const s = opts.small;
    const url = services.repositoryUrl as string;
    ({ phase } = await measuredLoad(run, s, { repository: services.repository?.pid ?? 0, registry: services.registry.pid }, (durationMs) =>
      runSmallSubmissions({ repositoryUrl: url, documentBytes, concurrency: s.concurrency, durationMs, maxRequests: s.maxRequests }),
    'ITI-41 small'));
  } finally {
    rss = await services.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const ceilingRate = run.result.ceilings?.small?.perSecond;
  run.result.iti41Small = { ...phase, documentBytes, ratioToCeiling: ceilingRate ? round(phase.perSecond / ceilingRate, 3) : null, peakRssMB: rss };
  const l = phase.latency;
  log(`ITI-41 small: ${phase.perSecond}/s, p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, p99 ${l.p99Ms} ms, ${phase.errors} errors, machine ${phase.cpu.machineBusyPercent} % busy`);
}

/** Phase 3: FindDocuments at each registry size; the entries are loaded through the store API before the registry starts. */
async function runQueryPhase(run: Run): Promise<void> {
  const { opts, log } = run;
  const dataDir = path.join(run.work, 'query-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'registry.sqlite');
  const state = newLoadState();
  const runs: QueryRun[] = [];
  for (const size of [...opts.query.sizes].sort((a, b) => a - b)) {
    const store = openSqliteRegistryStore(dbFile, { synchronous: 'NORMAL', writer: 'inline' });
    let loaded;
    try {
      loaded = await loadUntil(store, state, size);
    } finally {
      await store.close();
    }
    log(`registry: ${loaded.documentEntries} DocumentEntries over ${loaded.patients} patients (+${loaded.addedDocumentEntries} in ${loaded.seconds.toFixed(1)} s), ${fileMB(dbFile)} MB`);
    const services = await startServices(serviceOptions(run, `iti18-${size}`, dataDir, false));
    let rss: PeakRss;
    let measured: Awaited<ReturnType<typeof runFindDocuments>>;
    let phase: LoadPhaseResult;
    try {
      const q = opts.query;
      const common = { registryUrl: services.registryUrl, patients: loaded.patients, concurrency: q.concurrency, maxRequests: q.maxRequests };
      let seed = 7;
      const result = await measuredLoad(run, q, { registry: services.registry.pid }, (durationMs) => runFindDocuments({ ...common, durationMs, seed: seed++ }), 'FindDocuments');
      measured = result.measured as typeof measured;
      phase = result.phase;
    } finally {
      rss = await services.stop();
    }
    const queryRun: QueryRun = {
      ...phase,
      documentEntries: loaded.documentEntries,
      patients: loaded.patients,
      loadSeconds: round(loaded.seconds, 1),
      loadEntriesPerSecond: Math.round(loaded.addedDocumentEntries / loaded.seconds),
      databaseMB: fileMB(dbFile),
      avgDocumentEntriesReturned: round(measured.documentEntriesReturned / Math.max(1, measured.latenciesMs.length), 2),
      peakRssMB: rss,
    };
    runs.push(queryRun);
    const l = queryRun.latency;
    log(`FindDocuments at ${size}: ${queryRun.perSecond}/s, p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, p99 ${l.p99Ms} ms, ${queryRun.avgDocumentEntriesReturned} entries/answer, ${queryRun.errors} errors, registry RSS ${rss.registryMB} MB`);
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  const growth =
    first && last && runs.length > 1
      ? {
          p50: round(last.latency.p50Ms / first.latency.p50Ms, 3),
          p95: round(last.latency.p95Ms / first.latency.p95Ms, 3),
          p99: round(last.latency.p99Ms / first.latency.p99Ms, 3),
          perSecond: round(first.perSecond / last.perSecond, 3),
        }
      : null;
  run.result.iti18 = { runs, growth };
  if (growth && first && last) log(`FindDocuments growth ${last.documentEntries} / ${first.documentEntries}: p50 ${growth.p50}×, p99 ${growth.p99}×`);
}

export async function runBench(opts: BenchOptions): Promise<{ result: BenchResult; file?: string }> {
  const startedAt = new Date();
  const phases = new Set<Phase>(opts.only ?? PHASES);
  const work = fs.mkdtempSync(path.join(opts.tmpRoot, 'xds-bench-'));
  const logDir = path.join(work, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const profileDir = opts.profile ? path.join(repoRoot(), '.tmp', 'bench-profiles', `${opts.mode}-${stamp(startedAt)}`) : undefined;
  const result: BenchResult = {
    schema: RESULT_SCHEMA,
    mode: opts.mode,
    startedAt: startedAt.toISOString(),
    durationSec: 0,
    machine: describeMachine(work),
    code: codeVersion(repoRoot()),
    settings: {
      bigBytes: opts.bigBytes,
      largeRepeats: opts.largeRepeats,
      small: opts.small,
      smallCeiling: opts.smallCeiling,
      query: opts.query,
      serviceLogLevel: opts.serviceLogLevel,
      serviceNodeFlags: opts.serviceNodeFlags,
      serviceEnv: opts.serviceEnv,
      codeSource: opts.source,
      profiled: profileDir !== undefined,
      phases: [...phases],
    },
    ceilings: null,
    iti41Large: null,
    iti43Large: null,
    iti41Small: null,
    iti18: null,
    targets: [],
  };
  const run: Run = { opts, phases, work, logDir, ...(profileDir ? { profileDir } : {}), result, log: opts.log };
  let ceiling: CeilingServer | undefined;
  try {
    opts.log(`work folder ${work}; services from ${opts.source}${profileDir ? `; profiles in ${profileDir}` : ''}`);
    const wantLarge = phases.has('ceilings') || phases.has('iti41Large') || phases.has('iti43Large');
    const bigFile = path.join(work, 'large-document.bin');
    let bigSha1 = '';
    if (wantLarge) {
      const t = Date.now();
      bigSha1 = writeRandomFile(bigFile, opts.bigBytes);
      opts.log(`large document: ${opts.bigBytes / MiB} MiB written in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    if (wantLarge || phases.has('iti41Small')) ceiling = await startCeilingServer(run, bigFile);
    if (wantLarge && ceiling) await runLargePhase(run, ceiling, bigFile, bigSha1);
    fs.rmSync(bigFile, { force: true });
    removeLargeUploads(run);
    if ((phases.has('ceilings') || phases.has('iti41Small')) && ceiling) await runSmallPhase(run, ceiling);
    if (ceiling) {
      ceilingsOf(run).serverPeakRssMB = kibToMegabytes(ceiling.child.peakKiB());
      await ceiling.child.stop();
      ceiling = undefined;
    }
    if (phases.has('iti18')) await runQueryPhase(run);
  } finally {
    await ceiling?.child.stop();
    if (!opts.keepTemp) fs.rmSync(work, { recursive: true, force: true });
    else opts.log(`kept ${work}`);
  }
  result.durationSec = round((Date.now() - startedAt.getTime()) / 1000, 1);
  result.targets = evaluateTargets(result);
  let file: string | undefined;
  if (opts.resultsDir) {
    fs.mkdirSync(opts.resultsDir, { recursive: true });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (opts.only) {
      // A partial run is an experiment: kept out of bench/results (and out of git) in .tmp/bench-results/.
      const dir = path.join(repoRoot(), '.tmp', 'bench-results');
      fs.mkdirSync(dir, { recursive: true });
      file = path.join(dir, `${opts.mode}-partial-${stamp(startedAt)}.json`);
    } else {
      file = path.join(opts.resultsDir, `${opts.mode}-latest.json`);
      if (opts.mode === 'full') fs.writeFileSync(path.join(opts.resultsDir, `full-${stamp(startedAt)}.json`), json);
    }
    fs.writeFileSync(file, json);
  }
  return { result, file };
}
