/**
 * Summarises a V8 .cpuprofile (node --cpu-prof; `BENCH_PROFILE=1 npm run bench` writes one per service and
 * phase): self time by function and by origin (our code, a dependency, Node internals, GC), as a share of the
 * busy (non-idle) time.
 *
 *   node .tmp/bench-build/bench/profileSummary.js <file.cpuprofile> [top=25] [function,function,...]
 *
 * The optional third argument lists function names whose inclusive time (the function or anything it calls
 * on the stack) is printed as well, e.g. `readMultipartRelated,validateSubmission,register`.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  origin: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  byOrigin: { origin: string; ms: number; share: number }[];
  byFunction: SelfTime[];
}

/** Where a frame's code comes from: 'ours:<folder>', 'dep:<package>', 'node', or a V8 pseudo-frame. */
export function originOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return `dep:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = path.relative(root, file);
  if (rel.startsWith('..')) return 'other';
  const parts = rel.split(path.sep);
  const top = parts[0] === 'dist' || parts[0] === '.tmp' ? parts.slice(parts[0] === '.tmp' ? 2 : 1) : parts;
  return `ours:${top[0] ?? rel}`;
}

function shortUrl(url: string, root: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

export function summarizeProfile(profile: CpuProfile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(id, (selfMs.get(id) ?? 0) + dt);
  });
  let idleMs = 0;
  const fn = new Map<string, SelfTime>();
  const origin = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const o = originOf(url, functionName, root);
    origin.set(o, (origin.get(o) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url, root)}:${lineNumber + 1}` : ''}`.trim();
    const entry = fn.get(name) ?? { name, origin: o, ms: 0, share: 0 };
    entry.ms += ms;
    fn.set(name, entry);
  }
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const busyMs = [...origin.values()].reduce((s, v) => s + v, 0);
  const share = (ms: number): number => Math.round((ms / busyMs) * 1000) / 10;
  return {
    wallMs,
    busyMs,
    idleMs,
    byOrigin: [...origin.entries()].map(([o, ms]) => ({ origin: o, ms, share: share(ms) })).sort((a, b) => b.ms - a.ms),
    byFunction: [...fn.values()].map((f) => ({ ...f, share: share(f.ms) })).sort((a, b) => b.ms - a.ms),
  };
}

/** Busy ms with `name` anywhere on the stack (each sample counted once per name), as a share of busy time too. */
export function inclusiveTimes(profile: CpuProfile, names: readonly string[]): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>(names.map((n) => [n, 0]));
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    busy += ms;
    const onStack = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) onStack.add(byId.get(cur)?.callFrame.functionName ?? '');
    for (const name of names) if (onStack.has(name)) totals.set(name, (totals.get(name) ?? 0) + ms);
  });
  return names.map((name) => ({ name, ms: totals.get(name) ?? 0, share: busy ? Math.round(((totals.get(name) ?? 0) / busy) * 1000) / 10 : 0 }));
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profileSummary <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  let root = path.resolve(__dirname);
  while (!fs.existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) root = path.dirname(root);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const s = summarizeProfile(profile, root);
  const f1 = (n: number): string => n.toFixed(0).padStart(7);
  process.stdout.write(`${path.basename(file)}: wall ${s.wallMs.toFixed(0)} ms, busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms\n\nby origin (share of busy):\n`);
  for (const o of s.byOrigin.slice(0, 15)) process.stdout.write(`${f1(o.ms)} ms ${o.share.toFixed(1).padStart(5)}%  ${o.origin}\n`);
  process.stdout.write(`\ntop ${top} functions by self time:\n`);
  for (const f of s.byFunction.slice(0, top)) process.stdout.write(`${f1(f.ms)} ms ${f.share.toFixed(1).padStart(5)}%  ${f.name}  [${f.origin}]\n`);
  const names = (process.argv[4] ?? '').split(',').filter((n) => n !== '');
  if (names.length) {
    process.stdout.write('\ninclusive (share of busy):\n');
    for (const t of inclusiveTimes(profile, names)) process.stdout.write(`${f1(t.ms)} ms ${t.share.toFixed(1).padStart(5)}%  ${t.name}\n`);
  }
}

if (require.main === module) main();
