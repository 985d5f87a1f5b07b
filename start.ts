/**
 * `npm start`: the registry and the repository in one process, embedded storage under DATA_DIR, no
 * configuration needed. SIGTERM/SIGINT stop both gracefully (in-flight requests finish).
 */
import { createLogger } from './shared/logger';
import { runService } from './shared/runService';
import { startRegistry } from './registry/main';
import { startRepository } from './repository/main';

runService('xds', async (config, logger) => {
  const registry = await startRegistry(config, createLogger('registry', config.logLevel));
  try {
    const repository = await startRepository(config, createLogger('repository', config.logLevel));
    logger.info('ready', { registry: registry.url, repository: repository.url });
    return {
      async close() {
        await repository.close();
        await registry.close();
      },
    };
  } catch (e) {
    await registry.close();
    throw e;
  }
});
