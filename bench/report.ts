/** The markdown table of docs/BENCHMARKS.md, made from a bench result (pure). */
import type { BenchResult, LoadPhaseResult, TargetCheck } from './result';

const n = (v: number | null | undefined, digits = 1): string =>
  v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

export function machineLine(r: BenchResult): string {
  const m = r.machine;
  return `${m.cpuModel}, ${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB RAM, ${m.platform}, kernel ${m.kernel}, Node ${m.node}; data on \`${m.dataFileSystem}\``;
}

function verdict(t: TargetCheck | undefined): string {
  if (!t) return '';
  return t.met ? 'met' : '**missed**';
}

function latency(p: LoadPhaseResult, digits = 1): string {
  return `p50 ${n(p.latency.p50Ms, digits)} / p95 ${n(p.latency.p95Ms, digits)} / p99 ${n(p.latency.p99Ms, digits)} ms`;
}

function cpuPerRequest(p: LoadPhaseResult): string {
  const parts = Object.entries(p.cpu.msPerRequest).map(([name, ms]) => `${name} ${n(ms, 2)} (${n(p.cpu.systemMsPerRequest[name], 2)} kernel)`);
  return `CPU ms/request: ${parts.join(', ')}; machine ${n(p.cpu.machineBusyPercent, 0)} % busy (other work ${n(p.cpu.otherBusyPercent, 0)} %)`;
}

export function resultsTable(r: BenchResult): string {
  const rows: string[][] = [];
  const target = (prefix: string): TargetCheck | undefined => r.targets.find((t) => t.name.startsWith(prefix));
  const c = r.ceilings;
  const mib = `${r.settings.bigBytes / 2 ** 20} MiB`;
  const runs = (secs: number[]): string => `runs ${secs.map((s) => n(s, 2)).join(', ')} s`;
  const median = (t: { medianMBps: number }): string => `median ${n(t.medianMBps)} MB/s`;
  if (c?.post) rows.push([`Ceiling: POST ${mib} to a bare server (SHA-1 + 1 MiB writes + fsync)`, `${n(c.post.MBps)} MB/s; ${median(c.post)} (${runs(c.post.runsSeconds)})`, '', '']);
  if (c?.postDefaultStreams) {
    const d = c.postDefaultStreams;
    rows.push(['… the same bare server with default 64 KiB streams (for comparison)', `${n(d.MBps)} MB/s; ${median(d)} (${runs(d.runsSeconds)})`, '', '']);
  }
  if (r.iti41Large) {
    const t = r.iti41Large;
    rows.push([`ITI-41 ${mib} through the repository (MTOM)`, `**${n(t.ratioToCeiling, 3)}×** POST ceiling (median of rounds ${t.roundRatios.map((x) => n(x, 2)).join(', ')}); best ${n(t.MBps)} MB/s = ${n(t.bestRatioToCeiling, 2)}× best ceiling; ${median(t)} (${runs(t.runsSeconds)})`, '≥ 0.80×', verdict(target('ITI-41'))]);
  }
  if (c?.get) rows.push([`Ceiling: GET ${mib} from a bare server (1 MiB reads into two reused buffers)`, `${n(c.get.MBps)} MB/s; ${median(c.get)} (${runs(c.get.runsSeconds)})`, '', '']);
  if (c?.getDefaultStreams) {
    const d = c.getDefaultStreams;
    rows.push(['… the same bare server with default 64 KiB reads (for comparison)', `${n(d.MBps)} MB/s; ${median(d)} (${runs(d.runsSeconds)})`, '', '']);
  }
  if (r.iti43Large) {
    const t = r.iti43Large;
    rows.push([`ITI-43 ${mib} from the repository (MTOM)`, `**${n(t.ratioToCeiling, 3)}×** GET ceiling (median of rounds ${t.roundRatios.map((x) => n(x, 2)).join(', ')}); best ${n(t.MBps)} MB/s = ${n(t.bestRatioToCeiling, 2)}× best ceiling; ${median(t)} (${runs(t.runsSeconds)})`, '≥ 0.80×', verdict(target('ITI-43'))]);
  }
  const large = r.iti41Large ?? r.iti43Large;
  if (large) {
    const p = large.processPeakRssMB;
    const up = r.iti41Large?.peakRssMB;
    const down = r.iti43Large?.peakRssMB;
    rows.push([
      `Peak RSS per service over the ${mib} transfers`,
      `repository **${n(p.repositoryMB)} MB**, registry **${n(p.registryMB)} MB** (sampled during ITI-41: ${n(up?.repositoryMB)} / ${n(up?.registryMB)} MB; ITI-43: ${n(down?.repositoryMB)} / ${n(down?.registryMB)} MB)`,
      '≤ 150 MB',
      verdict(target('Peak RSS')),
    ]);
  }
  if (c?.small) {
    rows.push([`Ceiling: small durable POST (${c.small.documentBytes / 1024} KiB, SHA-1 + write + fsync), concurrency ${c.small.concurrency}`, `${n(c.small.perSecond)}/s; ${latency(c.small)}`, '', '']);
  }
  if (r.iti41Small) {
    const s = r.iti41Small;
    rows.push([
      `ITI-41 small (${s.documentBytes / 1024} KiB, full metadata, + ITI-42), concurrency ${s.concurrency}, ${n(s.durationSec, 0)} s`,
      `**${n(s.perSecond)}/s** (${n(s.ratioToCeiling, 2)}× the small ceiling); ${latency(s)}; ${s.errors} errors; ${cpuPerRequest(s)}; peak RSS repository ${n(s.peakRssMB.repositoryMB)} MB, registry ${n(s.peakRssMB.registryMB)} MB`,
      '≥ 500/s',
      verdict(target('ITI-41 small')),
    ]);
  }
  const queryRuns = r.iti18?.runs ?? [];
  queryRuns.forEach((q, i) => {
    const last = i === queryRuns.length - 1;
    const p99 = target('FindDocuments p99');
    const qps = target('FindDocuments queries');
    rows.push([
      `ITI-18 FindDocuments, ${q.documentEntries.toLocaleString('en-US')} DocumentEntries (${q.patients.toLocaleString('en-US')} patients), concurrency ${q.concurrency}`,
      `**${n(q.perSecond, 0)}/s**; ${latency(q, 2)}; ${n(q.avgDocumentEntriesReturned, 2)} entries/answer; ${q.errors} errors; ${cpuPerRequest(q)}; registry peak RSS ${n(q.peakRssMB.registryMB)} MB; loaded at ${n(q.loadEntriesPerSecond, 0)} entries/s (${n(q.loadSeconds)} s), database ${n(q.databaseMB, 0)} MB`,
      last ? '≥ 2,000/s and p99 ≤ 10 ms' : '',
      last && p99 && qps ? `${p99.met ? 'p99 met' : 'p99 **missed**'}, ${qps.met ? 'rate met' : 'rate **missed**'}` : '',
    ]);
  });
  if (r.iti18?.growth) {
    const g = r.iti18.growth;
    rows.push(['FindDocuments latency growth, largest / smallest registry', `p50 **${n(g.p50, 2)}×**, p95 ${n(g.p95, 2)}×, p99 ${n(g.p99, 2)}×`, '≤ 1.5×', verdict(target('FindDocuments latency growth'))]);
  }
  const header = '| Measurement | Result | Target | |\n|---|---|---|---|';
  return [header, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}
