/**
 * The repository service: POST /repository (SOAP 1.2 or MTOM: ITI-41, ITI-43) and GET /health.
 * MIME attachments stream straight into BlobStore staging (never whole in memory); the endpoint discards every
 * staged attachment after the operation, which is a no-op for the ones ITI-41 committed.
 */
import express from 'express';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSoapEndpoint, type AttachmentStore, type CompletedRequest } from '../shared/soap/endpoint';
import { provideAndRegisterOperation, retrieveDocumentSetOperation, type RepositoryContext } from './operations';
import type { BlobStore, StagedDocument } from './store/BlobStore';

export interface RepositoryAppOptions {
  ctx: RepositoryContext;
  config: Config;
  logger: Logger;
  peerSubject?: (req: IncomingMessage) => string | undefined;
  onComplete?: (info: CompletedRequest<StagedDocument>) => void;
}

/** Attachments of an incoming message are staged documents, limited to maxDocumentBytes each. */
export function blobAttachmentStore(store: BlobStore, maxDocumentBytes: number): AttachmentStore<StagedDocument> {
  return {
    async open() {
      const { sink, staged } = await store.stage({ maxBytes: maxDocumentBytes });
      return { sink, handle: staged };
    },
    discard: (staged) => store.discard(staged),
  };
}

export function createRepositoryApp(opts: RepositoryAppOptions): express.Express {
  const { ctx, config, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  const soap = createSoapEndpoint<StagedDocument>({
    operations: [provideAndRegisterOperation(ctx), retrieveDocumentSetOperation(ctx)],
    attachments: blobAttachmentStore(ctx.store, config.repository.maxDocumentBytes),
    logger,
    xmlLimits: { maxBytes: config.limits.maxEnvelopeBytes, maxDepth: config.limits.maxXmlDepth, maxElements: config.limits.maxXmlElements },
    maxEnvelopeBytes: config.limits.maxEnvelopeBytes,
    maxAttachments: config.repository.maxAttachments,
    maxAttachmentBytes: config.repository.maxDocumentBytes,
    maxRequestBytes: config.repository.maxRequestBytes,
    ...(opts.peerSubject ? { peerSubject: opts.peerSubject } : {}),
    ...(opts.onComplete ? { onComplete: opts.onComplete } : {}),
  });
  app.post('/repository', (req, res) => {
    void soap(req, res);
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'repository', repositoryUniqueId: ctx.repositoryUniqueId });
  });
  return app;
}
