/**
 * An SVG bar chart of a bench result against the targets: one bar per target, its length the figure over the
 * target (for "at most" targets the target over the figure), so 1.0 = exactly on target and longer is better.
 */
import type { BenchResult } from './result';
import { round } from './lib/stats';

export interface TargetBar {
  label: string;
  /** ≥ 1 = met. */
  score: number;
  detail: string;
}

export function targetBars(r: BenchResult): TargetBar[] {
  const bars: TargetBar[] = [];
  const runs = r.iti18?.runs ?? [];
  const largest = runs[runs.length - 1];
  if (r.iti41Large) bars.push({ label: 'ITI-41 1 GiB vs POST ceiling', score: r.iti41Large.ratioToCeiling / 0.8, detail: `${r.iti41Large.ratioToCeiling}× (≥ 0.8×)` });
  if (r.iti43Large) bars.push({ label: 'ITI-43 1 GiB vs GET ceiling', score: r.iti43Large.ratioToCeiling / 0.8, detail: `${r.iti43Large.ratioToCeiling}× (≥ 0.8×)` });
  const large = r.iti41Large ?? r.iti43Large;
  if (large) {
    const peak = Math.max(large.processPeakRssMB.registryMB, large.processPeakRssMB.repositoryMB ?? 0);
    bars.push({ label: 'Peak RSS per service', score: 150 / peak, detail: `${peak} MB (≤ 150 MB)` });
  }
  if (r.iti41Small) bars.push({ label: 'ITI-41 small submissions/s', score: r.iti41Small.perSecond / 500, detail: `${r.iti41Small.perSecond}/s (≥ 500/s)` });
  if (largest) {
    bars.push({ label: 'FindDocuments q/s at 1 M', score: largest.perSecond / 2000, detail: `${largest.perSecond}/s (≥ 2,000/s)` });
    bars.push({ label: 'FindDocuments p99 at 1 M', score: 10 / largest.latency.p99Ms, detail: `${largest.latency.p99Ms} ms (≤ 10 ms)` });
  }
  if (r.iti18?.growth) bars.push({ label: 'FindDocuments growth 1 M / 100 k', score: 1.5 / r.iti18.growth.p50, detail: `${r.iti18.growth.p50}× (≤ 1.5×)` });
  return bars.map((b) => ({ ...b, score: round(b.score, 3) }));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function targetChartSvg(r: BenchResult): string {
  const bars = targetBars(r);
  const labelWidth = 250;
  const plotWidth = 420;
  const rowHeight = 28;
  const top = 40;
  const maxScore = Math.max(2, ...bars.map((b) => Math.min(b.score, 3)));
  const x = (score: number): number => labelWidth + (Math.min(score, 3) / maxScore) * plotWidth;
  const height = top + bars.length * rowHeight + 30;
  const width = labelWidth + plotWidth + 170;
  const rows = bars
    .map((b, i) => {
      const y = top + i * rowHeight;
      const color = b.score >= 1 ? '#2e7d32' : '#c62828';
      return (
        `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 5}" width="${(x(b.score) - labelWidth).toFixed(1)}" height="16" fill="${color}"/>` +
        `<text x="${(x(b.score) + 6).toFixed(1)}" y="${y + 17}">${esc(b.detail)}</text>`
      );
    })
    .join('');
  const one = x(1).toFixed(1);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(`XDS bench (${r.mode}, ${r.startedAt.slice(0, 10)}): figure / target, 1.0 = on target`)}</text>` +
    rows +
    `<line x1="${one}" y1="${top}" x2="${one}" y2="${top + bars.length * rowHeight}" stroke="black" stroke-dasharray="4 3"/>` +
    `<text x="${one}" y="${top + bars.length * rowHeight + 16}" text-anchor="middle">target</text>` +
    `</svg>\n`
  );
}
