/**
 * The entry-point boilerplate every service shares: read the config, start, stop gracefully on SIGTERM/SIGINT
 * (in-flight requests finish), and on a start-up failure print one clear line (no stack trace) and exit 1.
 */
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';

export function runService(name: string, start: (config: Config, logger: Logger) => Promise<{ close(): Promise<void> }>): void {
  let logger: Logger | undefined;
  try {
    const config = loadConfig();
    const log = createLogger(name, config.logLevel);
    logger = log;
    start(config, log).then(
      (running) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          log.info(`${name} shutting down`);
          void running.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      },
      (e: unknown) => fail(e),
    );
  } catch (e) {
    fail(e);
  }
  function fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (logger) logger.error(`${name} failed to start`, { error: message });
    else process.stderr.write(`${name}: failed to start: ${message}\n`);
    process.exit(1);
  }
}
