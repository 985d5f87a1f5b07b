/**
 * `npm start`: the registry and the repository in one process, embedded storage under DATA_DIR, no
 * configuration needed. SIGTERM/SIGINT stop both gracefully (in-flight requests finish).
 */
import { loadConfig } from './shared/config';
import { createLogger } from './shared/logger';
import { startRegistry } from './registry/main';
import { startRepository } from './repository/main';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('xds', config.logLevel);
  const registry = await startRegistry(config, createLogger('registry', config.logLevel));
  const repository = await startRepository(config, createLogger('repository', config.logLevel));
  logger.info('ready', { registry: registry.url, repository: repository.url });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down');
    void repository
      .close()
      .then(() => registry.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`xds: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
