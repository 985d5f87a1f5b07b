/**
 * CPU accounting from /proc: seconds of CPU (user + system, all threads) a process used, and how busy the
 * whole machine was, over a stretch of work. Tells a CPU-bound phase (machine near 100 % busy) from one bounded
 * by waiting (disk flushes, locks), and which process spends the CPU.
 */
import fs from 'node:fs';

/** USER_HZ: the unit of the /proc/<pid>/stat times; 100 on every Linux that Node supports. */
const CLOCK_TICKS = 100;

/** utime and stime of a process (all threads) in seconds; NaN when it is gone. */
export function processCpuSeconds(pid: number): { user: number; system: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain blanks): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(rest[11]) / CLOCK_TICKS, system: Number(rest[12]) / CLOCK_TICKS };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** Busy and total jiffies of all CPUs together (first line of /proc/stat). */
export function machineJiffies(): { busy: number; total: number } {
  try {
    const cpu = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((s, v) => s + v, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

export interface CpuUsage {
  /** CPU seconds (user + system) per named process over the stretch. */
  seconds: Record<string, number>;
  /** The kernel's part of it (system calls: file system, fsync, sockets). */
  systemSeconds: Record<string, number>;
  /** Share of all CPUs that was busy (user + system + irq, not idle or iowait), 0–100. */
  machineBusyPercent: number;
  /** The part of it that none of the measured processes (nor this one) used: other work on the machine, 0–100. */
  otherBusyPercent: number;
}

/** Starts measuring; `stop()` gives the usage since. `self` is measured with process.cpuUsage(). */
export function measureCpu(processes: Record<string, number>, selfName = 'client'): { stop(): CpuUsage } {
  const start = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processCpuSeconds(pid)]));
  const selfStart = process.cpuUsage();
  const machineStart = machineJiffies();
  return {
    stop() {
      const seconds: Record<string, number> = {};
      const systemSeconds: Record<string, number> = {};
      for (const [name, pid] of Object.entries(processes)) {
        const now = processCpuSeconds(pid);
        const before = start[name] ?? { user: Number.NaN, system: Number.NaN };
        seconds[name] = round3(now.user + now.system - before.user - before.system);
        systemSeconds[name] = round3(now.system - before.system);
      }
      const self = process.cpuUsage(selfStart);
      seconds[selfName] = round3((self.user + self.system) / 1e6);
      systemSeconds[selfName] = round3(self.system / 1e6);
      const m = machineJiffies();
      const totalJiffies = m.total - machineStart.total;
      const busyPercent = ((m.busy - machineStart.busy) / totalJiffies) * 100;
      const oursPercent = ((Object.values(seconds).reduce((a, b) => a + b, 0) * CLOCK_TICKS) / totalJiffies) * 100;
      return {
        seconds,
        systemSeconds,
        machineBusyPercent: Math.round(busyPercent * 10) / 10,
        otherBusyPercent: Math.round(Math.max(0, busyPercent - oursPercent) * 10) / 10,
      };
    },
  };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Waits until the machine is quiet (busy below `maxBusyPercent` over a `windowMs` stretch) or `maxWaitMs` has
 * passed; other work on a shared machine would otherwise be measured as ours. Returns the last busy share and
 * how long it waited.
 */
export async function waitForQuietMachine(maxBusyPercent: number, windowMs: number, maxWaitMs: number): Promise<{ busyPercent: number; waitedMs: number }> {
  const start = Date.now();
  for (;;) {
    const a = machineJiffies();
    await new Promise((r) => setTimeout(r, windowMs));
    const b = machineJiffies();
    const busyPercent = Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
    const waitedMs = Date.now() - start;
    if (!(busyPercent >= maxBusyPercent) || waitedMs >= maxWaitMs) return { busyPercent, waitedMs };
  }
}
