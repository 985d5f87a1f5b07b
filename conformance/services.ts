/**
 * The services under test, started in this process exactly as `npm start` starts them (registry/main.ts,
 * repository/main.ts) but on loopback, free ports, a fresh temp data folder and known-patients mode on.
 * Each call gives an independent environment (its own data folder), so fixtures with fixed ids cannot collide.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { startRegistry } from '../registry/main';
import { startRepository } from '../repository/main';
import type { Environment } from './context';
import { postJson } from './http';

export const REPOSITORY_UNIQUE_ID = '1.3.6.1.4.1.21367.2017.2.3.77';

export interface StartedEnvironment extends Environment {
  dataDir: string;
}

export async function startEnvironment(name: string, root: string, logLevel = 'error'): Promise<StartedEnvironment> {
  const dataDir = fs.mkdtempSync(path.join(root, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  const base: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: logLevel,
    REGISTRY_HOST: '127.0.0.1',
    REGISTRY_PORT: '0',
    REPOSITORY_HOST: '127.0.0.1',
    REPOSITORY_PORT: '0',
    REGISTRY_KNOWN_PATIENTS_ONLY: 'true',
    REPOSITORY_UNIQUE_ID,
  };
  const registryConfig = loadConfig(base);
  const registry = await startRegistry(registryConfig, createLogger('registry', logLevel));
  let repository: Awaited<ReturnType<typeof startRepository>>;
  try {
    const repositoryConfig = loadConfig({ ...base, REGISTRY_URL: registry.url });
    repository = await startRepository(repositoryConfig, createLogger('repository', logLevel));
  } catch (e) {
    await registry.close();
    throw e;
  }
  return {
    name,
    dataDir,
    registryUrl: registry.url,
    repositoryUrl: repository.url,
    patientFeedUrl: new URL('/admin/patients', registry.url).toString(),
    repositoryUniqueId: REPOSITORY_UNIQUE_ID,
    async close() {
      await repository.close();
      await registry.close();
    },
  };
}

/** The patient identity feed of our registry: POST /admin/patients. */
export async function feedPatients(env: Environment, ids: string[]): Promise<void> {
  const answer = await postJson(env.patientFeedUrl, { patientIds: ids });
  if (answer.status !== 200) throw new Error(`patient feed ${env.patientFeedUrl} answered HTTP ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`);
}

export function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xds-conformance-'));
}
