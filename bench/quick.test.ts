/**
 * Keeps the bench harness working: runs `npm run bench:quick`'s harness in-process (services and the ceiling
 * server as child processes from the TypeScript sources) and checks the JSON it writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench } from './harness';
import { benchOptions } from './options';
import { RESULT_SCHEMA, type BenchResult, type LoadPhaseResult } from './result';

const positiveFinite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

function expectSaneLoad(p: LoadPhaseResult): void {
  expect(p.errors).toBe(0);
  expect(p.attempts).toBe(1);
  expect(p.requests).toBeGreaterThan(0);
  expect(positiveFinite(p.perSecond)).toBe(true);
  const l = p.latency;
  expect(l.count).toBe(p.requests);
  expect(positiveFinite(l.p50Ms)).toBe(true);
  expect(l.p50Ms).toBeLessThanOrEqual(l.p95Ms);
  expect(l.p95Ms).toBeLessThanOrEqual(l.p99Ms);
  expect(l.p99Ms).toBeLessThanOrEqual(l.maxMs);
  expect(p.cpu.machineBusyPercent).toBeGreaterThan(0);
  expect(p.cpu.machineBusyPercent).toBeLessThanOrEqual(100);
  expect(p.cpu.otherBusyPercent).toBeGreaterThanOrEqual(0);
  expect(p.cpu.otherBusyPercent).toBeLessThanOrEqual(p.cpu.machineBusyPercent);
  for (const ms of Object.values(p.cpu.msPerRequest)) expect(Number.isFinite(ms)).toBe(true);
}

describe('bench:quick', () => {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-bench-results-'));
  const lines: string[] = [];
  let result: BenchResult;
  let file: string | undefined;

  beforeAll(async () => {
    const opts = { ...benchOptions('quick', {}), resultsDir, log: (line: string) => lines.push(line) };
    ({ result, file } = await runBench(opts));
  }, 90_000);

  afterAll(() => fs.rmSync(resultsDir, { recursive: true, force: true }));

  it('writes the result as JSON, finishes within 60 s and leaves no temporary data', () => {
    expect(file).toBe(path.join(resultsDir, 'quick-latest.json'));
    expect(JSON.parse(fs.readFileSync(file as string, 'utf8'))).toEqual(result);
    expect(result.schema).toBe(RESULT_SCHEMA);
    expect(result.mode).toBe('quick');
    expect(result.durationSec).toBeLessThan(60);
    expect(result.machine.logicalCpus).toBeGreaterThan(0);
    expect(result.settings.codeSource).toBe('source');
    expect(result.code.commit).toMatch(/^[0-9a-f]{7,}$/);
    expect(Array.isArray(result.code.uncommittedProductFiles)).toBe(true);
    const work = /work folder (\S+);/.exec(lines[0] ?? '')?.[1];
    expect(work).toBeDefined();
    expect(fs.existsSync(work as string)).toBe(false);
  });

  it('measures both ceilings and the large document both ways, with finite ratios and per-service peak RSS', () => {
    const c = result.ceilings;
    expect(positiveFinite(c?.post?.MBps)).toBe(true);
    expect(positiveFinite(c?.get?.MBps)).toBe(true);
    expect(positiveFinite(c?.postDefaultStreams?.MBps)).toBe(true);
    expect(positiveFinite(c?.getDefaultStreams?.MBps)).toBe(true);
    expect(c?.serverPeakRssMB).toBeGreaterThan(0);
    for (const t of [result.iti41Large, result.iti43Large]) {
      expect(t?.bytes).toBe(16 * 1024 * 1024);
      expect(positiveFinite(t?.MBps)).toBe(true);
      expect(positiveFinite(t?.ratioToCeiling)).toBe(true);
      expect(positiveFinite(t?.medianRatioToCeiling)).toBe(true);
      expect(positiveFinite(t?.bestRatioToCeiling)).toBe(true);
      expect(t?.roundRatios).toHaveLength(1);
      expect(t?.ratioToCeiling).toBe(t?.roundRatios[0]);
      expect(t?.processPeakRssMB.repositoryMB).toBeGreaterThan(20);
      expect(t?.processPeakRssMB.registryMB).toBeGreaterThan(20);
      expect(t?.peakRssMB.repositoryMB).toBeLessThanOrEqual(t?.processPeakRssMB.repositoryMB ?? 0);
    }
    expect(result.iti41Large?.runsBodySentSeconds?.[0]).toBeLessThanOrEqual(result.iti41Large?.runsSeconds[0] ?? 0);
  });

  it('runs small submissions against both services and the small ceiling without errors', () => {
    expectSaneLoad(result.ceilings?.small as LoadPhaseResult);
    const s = result.iti41Small as NonNullable<BenchResult['iti41Small']>;
    expectSaneLoad(s);
    expect(s.documentBytes).toBe(10 * 1024);
    expect(s.cpu.msPerRequest.repository).toBeGreaterThan(0);
    expect(s.cpu.msPerRequest.registry).toBeGreaterThan(0);
    expect(positiveFinite(s.ratioToCeiling)).toBe(true);
    expect(s.peakRssMB.repositoryMB).toBeGreaterThan(0);
  });

  it('queries FindDocuments at both registry sizes, finds entries and computes the growth', () => {
    const runs = result.iti18?.runs ?? [];
    expect(runs.map((r) => r.documentEntries)).toEqual([2_000, 20_000]);
    for (const r of runs) {
      expectSaneLoad(r);
      expect(r.patients).toBeGreaterThan(0);
      expect(r.avgDocumentEntriesReturned).toBeGreaterThan(0);
      expect(positiveFinite(r.loadEntriesPerSecond)).toBe(true);
      expect(positiveFinite(r.databaseMB)).toBe(true);
      expect(r.peakRssMB.registryMB).toBeGreaterThan(0);
    }
    const g = result.iti18?.growth;
    for (const v of [g?.p50, g?.p95, g?.p99, g?.perSecond]) expect(positiveFinite(v)).toBe(true);
  });

  it('evaluates every target of the issue', () => {
    expect(result.targets.map((t) => t.name.replace(/ at [\d,]+ entries| [\d.]+ MiB/g, ''))).toEqual([
      'ITI-41 ingest vs POST ceiling',
      'ITI-43 retrieve vs GET ceiling',
      'Peak RSS per service over the transfers',
      'ITI-41 small submissions/s',
      'FindDocuments p99',
      'FindDocuments queries/s',
      'FindDocuments latency growth, largest / smallest registry (p50)',
    ]);
    for (const t of result.targets) expect(typeof t.met).toBe('boolean');
  });
});
