/**
 * `npm run bench` (full) and `npm run bench:quick`: runs bench/harness.ts, writes the JSON (and an SVG chart of
 * the figures against the targets) to bench/results/ and prints the docs/BENCHMARKS.md table. Settings: see benchOptions() in options.ts.
 */
import fs from 'node:fs';
import { targetChartSvg } from './chart';
import { runBench } from './harness';
import { benchOptions } from './options';
import { machineLine, resultsTable } from './report';

async function main(): Promise<void> {
  const mode = process.argv.includes('--quick') ? 'quick' : 'full';
  const { result, file } = await runBench(benchOptions(mode));
  process.stdout.write(`\n${machineLine(result)}\n\n${resultsTable(result)}\n\n`);
  for (const t of result.targets) process.stdout.write(`${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.actual} (target ${t.target})\n`);
  let chart = '';
  if (file) {
    chart = file.replace(/\.json$/, '.svg');
    fs.writeFileSync(chart, targetChartSvg(result));
  }
  process.stdout.write(`\n${file ? `results: ${file}, chart: ${chart}\n` : ''}took ${result.durationSec} s\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
