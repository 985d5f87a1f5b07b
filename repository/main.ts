/**
 * Start the repository alone: `node dist/repository/main.js` (npm run start:repository).
 * Reads its settings from the environment (shared/config.ts, README "Configuration"); documents live under
 * `<DATA_DIR>/repository/`, ITI-42 goes to REGISTRY_URL.
 */
import path from 'node:path';
import type { Config } from '../shared/config';
import { runService } from '../shared/runService';
import { createLogger, type Logger } from '../shared/logger';
import { startServer, type RunningServer } from '../shared/http/server';
import { openServiceAuditor } from '../shared/audit/serviceAudit';
import { clientTlsOptions, httpsServerOptions, loadTlsMaterial, peerSubject } from '../shared/security/tls';
import { createRepositoryApp } from './app';
import { KeyedMutex } from './keyedMutex';
import { reconcileAfterUncleanStop, type RecoveryResult } from './recovery';
import { createRegistryClient, type RegistryClient } from './registryClient';
import type { BlobStore } from './store/BlobStore';
import { FileBlobStore } from './store/fs/FileBlobStore';
import { openGridFsBlobStore } from './store/mongo';

export interface RunningRepository {
  server: RunningServer;
  store: BlobStore;
  url: string;
  /** The check of a crashed run's documents against the registry (repository/recovery.ts); undefined: none ran. */
  recovery: Promise<RecoveryResult | undefined>;
  close(): Promise<void>;
}

export interface RepositoryOverrides {
  /** Another ITI-42 client (tests). Without registeredUniqueIds, no unclean-stop check runs. */
  registry?: Pick<RegistryClient, 'register'> & Partial<Pick<RegistryClient, 'close' | 'registeredUniqueIds'>>;
  store?: BlobStore;
}

export async function openBlobStore(config: Config): Promise<BlobStore> {
  if (config.mongodbUrl) {
    return openGridFsBlobStore(config.mongodbUrl, { sweepStagedOlderThanMs: Math.max(3_600_000, 2 * config.limits.requestTimeoutMs) });
  }
  return FileBlobStore.open(path.join(config.dataDir, 'repository'));
}

export async function startRepository(
  config: Config,
  logger: Logger = createLogger('repository', config.logLevel),
  overrides: RepositoryOverrides = {},
): Promise<RunningRepository> {
  const tls = config.tls ? loadTlsMaterial({ cert: config.tls.cert, key: config.tls.key, ca: config.tls.ca }) : undefined;
  const clientTls = config.tls ? loadTlsMaterial({ cert: config.tls.clientCert, key: config.tls.clientKey, ca: config.tls.ca }) : undefined;
  let endpointUrl = `http://localhost:${config.repository.port}/repository`;
  const audit = await openServiceAuditor({
    service: 'repository',
    dataDir: config.dataDir,
    endpointUrl: () => endpointUrl,
    ...(config.auditSyslogUrl ? { syslogUrl: config.auditSyslogUrl } : {}),
    ...(clientTls ? { tlsOptions: clientTlsOptions(clientTls) } : {}),
    logger,
  });
  const store = overrides.store ?? (await openBlobStore(config));
  const registry =
    overrides.registry ??
    createRegistryClient({
      url: config.repository.registryUrl,
      timeoutMs: config.repository.registryTimeoutMs,
      ...(clientTls && config.repository.registryUrl.startsWith('https:') ? { tls: clientTlsOptions(clientTls) } : {}),
    });
  const inFlight = new KeyedMutex();
  const app = createRepositoryApp({
    ctx: {
      store,
      registry,
      repositoryUniqueId: config.repository.uniqueId,
      maxDocumentBytes: config.repository.maxDocumentBytes,
      inFlight,
      logger,
      registryUrl: config.repository.registryUrl,
    },
    config,
    logger,
    ...(tls ? { peerSubject: (req: import('node:http').IncomingMessage) => peerSubject(req.socket) } : {}),
    onComplete: (info) => audit.onComplete(info),
  });
  let server: RunningServer;
  try {
    server = await startServer(app, {
      port: config.repository.port,
      host: config.repository.host,
      headersTimeoutMs: config.limits.headersTimeoutMs,
      requestTimeoutMs: config.limits.requestTimeoutMs,
      ...(tls ? { https: httpsServerOptions(tls) } : {}),
    });
  } catch (e) {
    registry.close?.();
    if (!overrides.store) await store.close();
    await audit.close();
    throw e;
  }
  const url = server.url('/repository');
  endpointUrl = url;
  const stopRecovery = new AbortController();
  const ask = registry.registeredUniqueIds?.bind(registry);
  const recovery = ask
    ? reconcileAfterUncleanStop({
        store,
        registry: { registeredUniqueIds: ask },
        repositoryUniqueId: config.repository.uniqueId,
        inFlight,
        logger,
        graceMs: config.repository.registryTimeoutMs,
        signal: stopRecovery.signal,
      }).catch((e: unknown) => {
        logger.error('unclean-stop check failed', { error: e instanceof Error ? e.message : String(e) });
        return undefined;
      })
    : Promise.resolve(undefined);
  if (tls) audit.watchTls(server.server);
  logger.info('repository listening', { url, dataDir: config.dataDir, registryUrl: config.repository.registryUrl });
  return {
    server,
    store,
    url,
    recovery,
    async close() {
      stopRecovery.abort();
      await recovery;
      await server.close();
      registry.close?.();
      await store.close();
      await audit.close();
      logger.info('repository stopped');
    },
  };
}

if (require.main === module) runService('repository', startRepository);
