/** Start the services on free ports with a fresh data folder, for end-to-end tests over HTTP. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { startRegistry, type RunningRegistry } from '../../registry/main';

export function tempDataDir(prefix = 'xds-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: tempDataDir(), REGISTRY_PORT: '0', REPOSITORY_PORT: '0', REGISTRY_HOST: '127.0.0.1', REPOSITORY_HOST: '127.0.0.1', ...env });
}

export async function startTestRegistry(env: Record<string, string> = {}): Promise<RunningRegistry & { config: Config }> {
  const config = testConfig(env);
  const running = await startRegistry(config, createLogger('registry', 'error'));
  return { ...running, config };
}
