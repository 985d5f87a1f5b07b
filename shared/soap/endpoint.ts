/**
 * One SOAP 1.2 endpoint over HTTP: reads the request (plain SOAP or an MTOM/XOP package, attachments streamed
 * to a sink the service provides), checks the envelope and WS-Addressing, dispatches on wsa:Action, and writes
 * the answer (plain SOAP or MTOM). Faults for anything that is not an XDS transaction; every other failure is
 * the operation's own RegistryResponse. Never a stack trace in a response: unexpected errors are logged with a
 * correlation id and answered with a short text naming that id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable, Readable } from 'node:stream';
import { registryError, SoapFault, XdsError, type RegistryError } from '../errors';
import type { Logger } from '../logger';
import { isMultipartRelated, parseContentType } from '../mtom/contentType';
import { readMultipartRelated, type PartInfo } from '../mtom/reader';
import { mtomContentType, newBoundary, newContentId, writeMultipartRelated, type ChunkSource } from '../mtom/writer';
import type { XmlLimits } from '../xml/parse';
import { buildSoapEnvelope, buildSoapFault, parseSoapEnvelope, requireAction, SOAP12_CONTENT_TYPE, type SoapRequest } from './envelope';
import { responseAction } from '../xds/constants';

/** Where a service puts attachment bytes while a request streams in. */
export interface AttachmentStore<H> {
  open(part: PartInfo): Promise<{ sink: Writable; handle: H }>;
  /** Called for every handle after the operation finished (success or not); must be a no-op for kept bytes. */
  discard(handle: H): Promise<void>;
}

/** What an operation learns about a request that the ATNA audit record needs (filled as the operation goes). */
export interface AuditDetails {
  patientIds?: string[];
  submissionSetUniqueId?: string;
  /** Documents returned (ITI-43). */
  documents?: { uniqueId: string; repositoryUniqueId: string; homeCommunityId?: string }[];
  /** The stored query (ITI-18): id and the request XML. */
  query?: { id: string; requestXml: string };
  /** The ITI-42 call a repository made for this ITI-41, if any. */
  registryCall?: { url: string; ok: boolean; errorCodes: string[] };
}

export interface IncomingSoap<H> {
  soap: SoapRequest;
  /** Filled by the operation for the audit record. */
  audit: AuditDetails;
  action: string;
  /** Attachments by Content-ID (without <>). */
  attachments: Map<string, H>;
  correlationId: string;
  remoteAddress?: string;
  /** Subject of the authenticated TLS client, when mutual TLS is on. */
  peerSubject?: string;
}

export interface MtomOutPart {
  contentId: string;
  contentType: string;
  /** Called when the part is written (see MtomAttachment.open); a ChunkSource is read into reused buffers. */
  open: () => Readable | ChunkSource | Promise<Readable | ChunkSource>;
}

/** What an operation answers: a body element string, with attachments when the answer is MTOM. */
export interface SoapAnswer {
  body: string;
  parts?: MtomOutPart[];
  /** Always answer MTOM (ITI-43), even with no parts. */
  mtom?: boolean;
}

export interface SoapOperation<H> {
  action: string;
  handle(msg: IncomingSoap<H>): Promise<SoapAnswer>;
  /** The operation's failure answer (RegistryResponse, AdhocQueryResponse, ...) for these errors. */
  failure(errors: RegistryError[], msg: IncomingSoap<H> | undefined): SoapAnswer;
  /** Error code for unexpected failures: XDSRegistryError or XDSRepositoryError. */
  internalErrorCode: string;
}

export interface EndpointOptions<H> {
  operations: SoapOperation<H>[];
  attachments?: AttachmentStore<H>;
  logger: Logger;
  xmlLimits: Partial<XmlLimits>;
  maxEnvelopeBytes: number;
  maxAttachments: number;
  maxAttachmentBytes?: number;
  maxRequestBytes?: number;
  peerSubject?: (req: IncomingMessage) => string | undefined;
  /** Called once per request with the outcome (audit hook). */
  onComplete?: (info: CompletedRequest<H>) => void;
}

export interface CompletedRequest<H> {
  msg?: IncomingSoap<H>;
  action?: string;
  ok: boolean;
  errors: RegistryError[];
  fault?: SoapFault;
  answer?: SoapAnswer;
  correlationId: string;
  remoteAddress?: string;
}

export function createSoapEndpoint<H>(opts: EndpointOptions<H>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const byAction = new Map(opts.operations.map((o) => [o.action, o]));
  const actions = [...byAction.keys()];
  return async (req, res) => {
    const correlationId = randomUUID();
    const started = Date.now();
    const handles: H[] = [];
    const attachments = new Map<string, H>();
    let msg: IncomingSoap<H> | undefined;
    let op: SoapOperation<H> | undefined;
    const remoteAddress = req.socket.remoteAddress;
    const discardAll = async (): Promise<void> => {
      const store = opts.attachments;
      if (!store) return;
      for (const h of handles.splice(0)) await store.discard(h).catch(() => undefined);
    };
    const done = (info: Omit<CompletedRequest<H>, 'correlationId' | 'remoteAddress'>): void => {
      opts.logger.info('soap request', {
        correlationId,
        action: info.action,
        ok: info.ok,
        errorCodes: info.errors.map((e) => e.errorCode),
        fault: info.fault?.code,
        ms: Date.now() - started,
      });
      opts.onComplete?.({ ...info, correlationId, ...(remoteAddress ? { remoteAddress } : {}) });
    };
    try {
      const root = await readRequest(req, opts, async (part) => {
        if (!opts.attachments) throw new SoapFault('Sender', 'this endpoint does not accept MIME attachments');
        const { sink, handle } = await opts.attachments.open(part);
        handles.push(handle);
        if (part.contentId) attachments.set(part.contentId, handle);
        return sink;
      });
      const soap = parseSoapEnvelope(root, opts.xmlLimits);
      const action = requireAction(soap.addressing, actions);
      op = byAction.get(action) as SoapOperation<H>;
      const peerSubject = opts.peerSubject?.(req);
      msg = { soap, action, audit: {}, attachments, correlationId, ...(remoteAddress ? { remoteAddress } : {}), ...(peerSubject ? { peerSubject } : {}) };
      let answer: SoapAnswer;
      let errors: RegistryError[] = [];
      try {
        answer = await op.handle(msg);
      } catch (e) {
        if (!(e instanceof XdsError)) throw e;
        errors = e.errors;
        answer = op.failure(e.errors, msg);
      }
      // Staged request attachments are gone before the client hears the answer: no orphan is ever visible.
      await discardAll();
      await sendAnswer(res, answer, action, soap.addressing.messageId);
      done({ msg, action, ok: errors.length === 0, errors, answer });
    } catch (e) {
      await discardAll();
      if (e instanceof SoapFault) {
        sendFault(res, e, msg?.soap.addressing.messageId);
        done({ ...(msg ? { msg } : {}), ...(op ? { action: op.action } : {}), ok: false, errors: [], fault: e });
      } else {
        opts.logger.error('unexpected failure', { correlationId, action: op?.action, error: e instanceof Error ? e.message : String(e) });
        const text = `internal error; correlation id ${correlationId}`;
        if (op && msg && !res.headersSent) {
          const errors = [registryError(op.internalErrorCode, text)];
          await sendAnswer(res, op.failure(errors, msg), op.action, msg.soap.addressing.messageId).catch(() => res.destroy());
          done({ msg, action: op.action, ok: false, errors });
        } else {
          const fault = new SoapFault('Receiver', text);
          sendFault(res, fault, msg?.soap.addressing.messageId);
          done({ ok: false, errors: [], fault });
        }
      }
    } finally {
      await discardAll();
      if (!req.complete) req.resume();
    }
  };
}

async function readRequest<H>(req: IncomingMessage, opts: EndpointOptions<H>, sinkFor: (p: PartInfo) => Promise<Writable>): Promise<Buffer> {
  const header = req.headers['content-type'];
  if (!header) throw new SoapFault('Sender', 'request has no Content-Type');
  const declared = Number(req.headers['content-length'] ?? '0');
  if (opts.maxRequestBytes && declared > opts.maxRequestBytes) {
    throw new SoapFault('Sender', `request of ${declared} bytes exceeds the limit of ${opts.maxRequestBytes} bytes`);
  }
  if (isMultipartRelated(header)) {
    const result = await readMultipartRelated(
      req,
      header,
      {
        maxParts: opts.maxAttachments + 1,
        maxHeaderBytes: 16 * 1024,
        maxRootBytes: opts.maxEnvelopeBytes,
        ...(opts.maxAttachmentBytes ? { maxPartBytes: opts.maxAttachmentBytes } : {}),
        ...(opts.maxRequestBytes ? { maxTotalBytes: opts.maxRequestBytes } : {}),
      },
      sinkFor,
    );
    return result.root;
  }
  const media = parseContentType(header).mediaType;
  if (media === 'text/xml') throw new SoapFault('VersionMismatch', 'text/xml is the SOAP 1.1 media type; send SOAP 1.2 as application/soap+xml');
  if (media !== 'application/soap+xml' && media !== 'application/xml') {
    throw new SoapFault('Sender', `unsupported Content-Type ${media}; expected application/soap+xml or multipart/related (MTOM)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > opts.maxEnvelopeBytes) throw new SoapFault('Sender', `SOAP message exceeds the limit of ${opts.maxEnvelopeBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function sendAnswer(res: ServerResponse, answer: SoapAnswer, action: string, relatesTo: string | undefined): Promise<void> {
  const xml = buildSoapEnvelope({ action: responseAction(action), body: answer.body, ...(relatesTo ? { relatesTo } : {}) });
  if (!answer.mtom && !answer.parts?.length) {
    const buf = Buffer.from(xml, 'utf8');
    res.writeHead(200, { 'Content-Type': `${SOAP12_CONTENT_TYPE}; action="${responseAction(action)}"`, 'Content-Length': buf.length });
    res.end(buf);
    return;
  }
  const boundary = newBoundary();
  const rootId = newContentId('root.message');
  res.writeHead(200, { 'Content-Type': mtomContentType({ boundary, startId: rootId, action: responseAction(action) }) });
  // An HTTP response is done with a chunk when its write callback runs, so file parts may reuse their buffers.
  await writeMultipartRelated(res, { boundary, root: { contentId: rootId, xml }, parts: answer.parts ?? [] }, { reuseBuffers: true });
  res.end();
}

function sendFault(res: ServerResponse, fault: SoapFault, relatesTo?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = Buffer.from(buildSoapFault(fault, relatesTo), 'utf8');
  res.writeHead(fault.httpStatus, { 'Content-Type': SOAP12_CONTENT_TYPE, 'Content-Length': buf.length, Connection: 'close' });
  res.end(buf);
}
