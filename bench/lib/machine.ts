/** What machine the figures come from: CPU, cores, memory, kernel, Node, SQLite, the disk under the data folder. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface MachineDescription {
  cpuModel: string;
  logicalCpus: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  /** `df` line of the file system that holds the bench's temporary data. */
  dataFileSystem: string;
}

function fileSystemOf(dir: string): string {
  try {
    const out = execFileSync('df', ['-hT', dir], { encoding: 'utf8', timeout: 5000 }).trim().split('\n');
    return (out[out.length - 1] ?? '').replace(/\s+/g, ' ');
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  const fromOs = os.cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    return /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(dataDir: string): MachineDescription {
  return {
    cpuModel: cpuModel(),
    logicalCpus: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    dataFileSystem: fileSystemOf(dataDir),
  };
}

export interface CodeVersion {
  commit: string;
  /** Product files (registry/, repository/, shared/, start.ts) changed or added since that commit: the services ran with them. */
  uncommittedProductFiles: string[];
}

/** Which product code was measured: the git commit and any uncommitted product files. */
export function codeVersion(root: string): CodeVersion {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const status = git(['status', '--porcelain', '--', 'registry', 'repository', 'shared', 'start.ts']);
  return {
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    uncommittedProductFiles: status
      .split('\n')
      .filter((l) => l.trim() !== '' && !/\.test\.ts$/.test(l))
      .map((l) => l.slice(3)),
  };
}
