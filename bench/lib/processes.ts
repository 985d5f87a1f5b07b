/**
 * Child processes of the bench: the two services and the bare ceiling server, each in its own Node process so
 * that its RSS is its own and the load generator (this process) does not share its heap or event loop.
 *
 * Code comes from one of two places:
 *  - 'dist': the compiled services (`npm run build` → dist/registry/main.js, dist/repository/main.js) and the
 *    compiled bench scripts next to this file (`tsc -p bench/tsconfig.json`); what `npm run bench` uses;
 *  - 'source': the TypeScript sources run through bench/support/registerTs.js (swc), so that
 *    bench/quick.test.ts needs no prior build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export type CodeSource = 'dist' | 'source';

/** The repository root: the nearest folder above this file that holds package.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** 'dist' when this module runs compiled, 'source' when it runs as TypeScript (jest, registerTs). */
export function defaultCodeSource(): CodeSource {
  return path.extname(__filename) === '.js' ? 'dist' : 'source';
}

export type ServiceName = 'registry' | 'repository';

/** node arguments that run a service's main module. */
export function serviceCommand(service: ServiceName, source: CodeSource): string[] {
  const root = repoRoot();
  if (source === 'dist') {
    const main = path.join(root, 'dist', service, 'main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    return [main];
  }
  return ['-r', path.join(root, 'bench', 'support', 'registerTs.js'), path.join(root, service, 'main.ts')];
}

/** node arguments that run one of the bench's own scripts (a file next to bench/harness.ts). */
export function benchScriptCommand(name: string, source: CodeSource): string[] {
  const root = repoRoot();
  if (source === 'dist') return [path.join(__dirname, '..', `${name}.js`)];
  return ['-r', path.join(root, 'bench', 'support', 'registerTs.js'), path.join(root, 'bench', `${name}.ts`)];
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** VmHWM (peak resident set) and VmRSS of a process, in KiB, from /proc/<pid>/status; undefined when gone. */
export function readMemoryKiB(pid: number): { peakKiB: number; currentKiB: number } | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { peakKiB: field('VmHWM'), currentKiB: field('VmRSS') };
}

export interface ChildOptions {
  name: string;
  nodeArgs: string[];
  env: Record<string, string>;
  /** stdout and stderr of the child go to this file. */
  logFile: string;
  /** Extra node flags (e.g. --cpu-prof). */
  execArgv?: string[];
  /** GET this URL until it answers 200. */
  healthUrl: string;
  startTimeoutMs?: number;
}

export interface RunningChild {
  name: string;
  pid: number;
  /** Peak RSS so far (VmHWM), KiB. */
  peakKiB(): number;
  /** SIGTERM (graceful: the services finish in-flight requests), SIGKILL after a grace period. */
  stop(): Promise<void>;
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function tail(file: string, bytes = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startChild(opts: ChildOptions): Promise<RunningChild> {
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), ...opts.nodeArgs], {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name} did not start`);
  let lastPeak = 0;
  const handle: RunningChild = {
    name: opts.name,
    pid,
    peakKiB() {
      const mem = readMemoryKiB(pid);
      if (mem && Number.isFinite(mem.peakKiB)) lastPeak = mem.peakKiB;
      return lastPeak;
    },
    async stop() {
      handle.peakKiB();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${opts.name} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}):\n${tail(opts.logFile)}`);
    }
    if ((await getStatus(opts.healthUrl)) === 200) return handle;
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${opts.name} did not answer ${opts.healthUrl} within ${opts.startTimeoutMs ?? 60_000} ms:\n${tail(opts.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Samples VmRSS of some processes every `intervalMs` until stopped, keeping each one's maximum (KiB): the peak
 * RSS of one stretch of work inside a longer-lived process (VmHWM covers the whole life).
 */
export function sampleRss(pids: readonly number[], intervalMs = 20): { stop(): Map<number, number> } {
  const max = new Map<number, number>(pids.map((p) => [p, 0]));
  const sample = (): void => {
    for (const pid of pids) {
      const mem = readMemoryKiB(pid);
      if (mem && Number.isFinite(mem.currentKiB) && mem.currentKiB > (max.get(pid) ?? 0)) max.set(pid, mem.currentKiB);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}
