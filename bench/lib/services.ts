/** Starting the registry and the repository as two child processes on loopback, with a data folder of the run. */
import fs from 'node:fs';
import path from 'node:path';
import { freePort, serviceCommand, startChild, type CodeSource, type RunningChild } from './processes';
import { kibToMegabytes } from './stats';

export const REPOSITORY_UNIQUE_ID = '1.3.6.1.4.1.21367.2017.2.3.9999';

export interface ServiceRunOptions {
  /** Label of the phase, used in log and profile file names. */
  phase: string;
  dataDir: string;
  logDir: string;
  source: CodeSource;
  logLevel: string;
  /** Folder for --cpu-prof output; no profiling when absent. */
  profileDir?: string;
  /** Extra node flags for both services (experiments: --trace-gc, heap sizes). */
  nodeFlags?: string[];
  /** Extra environment for both services (experiments). */
  extraEnv?: Record<string, string>;
  /** Start the repository too (ITI-18 phases need only the registry). */
  withRepository: boolean;
  startTimeoutMs?: number;
}

export interface RunningServices {
  registryUrl: string;
  repositoryUrl?: string;
  registry: RunningChild;
  repository?: RunningChild;
  /** Stops both; returns their peak RSS in MB (10^6 bytes). */
  stop(): Promise<PeakRss>;
}

export interface PeakRss {
  registryMB: number;
  repositoryMB?: number;
}

function profileArgs(opts: ServiceRunOptions, service: string): string[] {
  const flags = opts.nodeFlags ?? [];
  if (!opts.profileDir) return flags;
  fs.mkdirSync(opts.profileDir, { recursive: true });
  return [...flags, '--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=${opts.phase}-${service}.cpuprofile`];
}

export async function startServices(opts: ServiceRunOptions): Promise<RunningServices> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.mkdirSync(opts.logDir, { recursive: true });
  const registryPort = await freePort();
  const registryUrl = `http://127.0.0.1:${registryPort}/registry`;
  const common = { ...opts.extraEnv, DATA_DIR: opts.dataDir, LOG_LEVEL: opts.logLevel, REGISTRY_HOST: '127.0.0.1', REPOSITORY_HOST: '127.0.0.1' };
  const registry = await startChild({
    name: 'registry',
    nodeArgs: serviceCommand('registry', opts.source),
    execArgv: profileArgs(opts, 'registry'),
    env: { ...common, REGISTRY_PORT: String(registryPort) },
    logFile: path.join(opts.logDir, `${opts.phase}-registry.log`),
    healthUrl: `http://127.0.0.1:${registryPort}/health`,
    ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
  });
  let repository: RunningChild | undefined;
  let repositoryUrl: string | undefined;
  if (opts.withRepository) {
    try {
      const repositoryPort = await freePort();
      repositoryUrl = `http://127.0.0.1:${repositoryPort}/repository`;
      repository = await startChild({
        name: 'repository',
        nodeArgs: serviceCommand('repository', opts.source),
        execArgv: profileArgs(opts, 'repository'),
        env: {
          ...common,
          REGISTRY_PORT: String(registryPort),
          REPOSITORY_PORT: String(repositoryPort),
          REGISTRY_URL: registryUrl,
          REPOSITORY_UNIQUE_ID,
        },
        logFile: path.join(opts.logDir, `${opts.phase}-repository.log`),
        healthUrl: `http://127.0.0.1:${repositoryPort}/health`,
        ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
      });
    } catch (e) {
      await registry.stop();
      throw e;
    }
  }
  return {
    registryUrl,
    registry,
    ...(repository && repositoryUrl ? { repository, repositoryUrl } : {}),
    async stop() {
      const repositoryKiB = repository?.peakKiB();
      const registryKiB = registry.peakKiB();
      await repository?.stop();
      await registry.stop();
      return { registryMB: kibToMegabytes(registryKiB), ...(repositoryKiB !== undefined ? { repositoryMB: kibToMegabytes(repositoryKiB) } : {}) };
    },
  };
}
