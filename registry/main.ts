/**
 * Start the registry alone: `node dist/registry/main.js` (npm run start:registry).
 * Reads its settings from the environment (shared/config.ts, README "Configuration").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../shared/config';
import { runService } from '../shared/runService';
import { createLogger, type Logger } from '../shared/logger';
import { startServer, type RunningServer } from '../shared/http/server';
import { openServiceAuditor } from '../shared/audit/serviceAudit';
import { openSqliteRegistryStore } from './store/sqlite';
import { openMongoRegistryStore } from './store/mongo';
import type { RegistryStore } from './store/RegistryStore';
import { createRegistryApp } from './app';
import { selectProfile } from '../shared/validation/profiles';
import { clientTlsOptions, httpsServerOptions, loadTlsMaterial, peerSubject } from '../shared/security/tls';

export interface RunningRegistry {
  server: RunningServer;
  store: RegistryStore;
  url: string;
  close(): Promise<void>;
}

export async function openRegistryStore(config: Config): Promise<RegistryStore> {
  if (config.mongodbUrl) return openMongoRegistryStore(config.mongodbUrl);
  fs.mkdirSync(config.dataDir, { recursive: true });
  return openSqliteRegistryStore(path.join(config.dataDir, 'registry.sqlite'));
}

export async function startRegistry(config: Config, logger: Logger = createLogger('registry', config.logLevel)): Promise<RunningRegistry> {
  const store = await openRegistryStore(config);
  if (config.registry.knownPatientsFile) {
    const ids = fs.readFileSync(config.registry.knownPatientsFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    await store.addKnownPatients(ids);
    logger.info('known patients loaded', { count: ids.length });
  }
  const profile = selectProfile(config.registry.validationProfile);
  const tls = config.tls ? loadTlsMaterial({ cert: config.tls.cert, key: config.tls.key, ca: config.tls.ca }) : undefined;
  let endpointUrl = `http://localhost:${config.registry.port}/registry`;
  const audit = await openServiceAuditor({
    service: 'registry',
    dataDir: config.dataDir,
    endpointUrl: () => endpointUrl,
    ...(config.auditSyslogUrl ? { syslogUrl: config.auditSyslogUrl } : {}),
    ...(config.tls ? { tlsOptions: clientTlsOptions(loadTlsMaterial({ cert: config.tls.clientCert, key: config.tls.clientKey, ca: config.tls.ca })) } : {}),
    logger,
  });
  const app = createRegistryApp({
    ctx: {
      store,
      register: {
        patients: { knownPatientsOnly: config.registry.knownPatientsOnly, acceptedAssigningAuthorities: config.registry.acceptedAssigningAuthorities },
        profile,
      },
      query: { maxResults: config.registry.maxQueryResults, checkSinglePatient: config.registry.checkSinglePatient },
    },
    config,
    logger,
    ...(tls ? { peerSubject: (req: import('node:http').IncomingMessage) => peerSubject(req.socket) } : {}),
    onComplete: (info) => audit.onComplete(info),
  });
  const server = await startServer(app, {
    port: config.registry.port,
    host: config.registry.host,
    headersTimeoutMs: config.limits.headersTimeoutMs,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    ...(tls ? { https: httpsServerOptions(tls) } : {}),
  });
  const url = server.url('/registry');
  endpointUrl = url;
  if (tls) audit.watchTls(server.server);
  logger.info('registry listening', { url, dataDir: config.dataDir });
  return {
    server,
    store,
    url,
    async close() {
      await server.close();
      await store.close();
      await audit.close();
      logger.info('registry stopped');
    },
  };
}

if (require.main === module) runService('registry', startRegistry);
