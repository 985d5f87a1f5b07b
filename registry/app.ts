/**
 * The registry service: POST /registry (SOAP 1.2: ITI-42, ITI-18), GET /health, and the patient admin
 * endpoint POST /admin/patients (known-patients mode).
 */
import express from 'express';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSoapEndpoint, type CompletedRequest } from '../shared/soap/endpoint';
import { registerOperation, storedQueryOperation, type RegistryContext } from './operations';

export interface RegistryAppOptions {
  ctx: RegistryContext;
  config: Config;
  logger: Logger;
  peerSubject?: (req: import('node:http').IncomingMessage) => string | undefined;
  onComplete?: (info: CompletedRequest<never>) => void;
}

export function createRegistryApp(opts: RegistryAppOptions): express.Express {
  const { ctx, config, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  const soap = createSoapEndpoint<never>({
    operations: [registerOperation(ctx), storedQueryOperation(ctx)],
    logger,
    xmlLimits: { maxBytes: config.limits.maxEnvelopeBytes, maxDepth: config.limits.maxXmlDepth, maxElements: config.limits.maxXmlElements },
    maxEnvelopeBytes: config.limits.maxEnvelopeBytes,
    maxAttachments: 0,
    ...(opts.peerSubject ? { peerSubject: opts.peerSubject } : {}),
    ...(opts.onComplete ? { onComplete: opts.onComplete } : {}),
  });
  app.post('/registry', (req, res) => {
    void soap(req, res);
  });
  // A constant-time probe: load balancers call this every few seconds, and counting objects (stats()) took about
  // half a second at 1,000,000 entries, during which the registry answered nothing (docs/BENCHMARKS.md).
  app.get('/health', async (_req, res) => {
    try {
      await ctx.store.ping();
      res.json({ status: 'ok', service: 'registry' });
    } catch {
      res.status(503).json({ status: 'unavailable', service: 'registry' });
    }
  });
  app.post('/admin/patients', express.json({ limit: '10mb' }), async (req, res) => {
    const ids: unknown = (req.body as { patientIds?: unknown } | undefined)?.patientIds;
    if (!Array.isArray(ids) || !ids.every((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256)) {
      res.status(400).json({ error: 'body must be {"patientIds": ["id^^^&OID&ISO", ...]}' });
      return;
    }
    await ctx.store.addKnownPatients(ids);
    logger.info('known patients added', { count: ids.length });
    res.json({ added: ids.length });
  });
  return app;
}
