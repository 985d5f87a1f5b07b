/**
 * Test/benchmark-only SOAP 1.2 client over node:http that can send MTOM (attachments streamed with
 * back-pressure) and reads plain or MTOM answers (attachments collected, or streamed into a caller's sink).
 */
import http from 'node:http';
import { Writable, type Readable } from 'node:stream';
import { isMultipartRelated } from '../../shared/mtom/contentType';
import { readMultipartRelated, type PartInfo } from '../../shared/mtom/reader';
import { mtomContentType, newBoundary, newContentId, writeMultipartRelated } from '../../shared/mtom/writer';
import { buildSoapRequest } from '../../shared/soap/envelope';
import { NS } from '../../shared/xml/namespaces';
import { parseXml } from '../../shared/xml/parse';
import type { XmlElement } from '../../shared/xml/tree';

export interface OutgoingAttachment {
  contentId: string;
  contentType: string;
  open: () => Readable;
}

export interface SoapHttpReply {
  httpStatus: number;
  contentType: string;
  envelope: XmlElement;
  /** The single child of env:Body. */
  body: XmlElement;
  /** Collected attachments by Content-ID (empty when a custom sink was used). */
  parts: Map<string, { contentType?: string; data: Buffer }>;
}

export type ReplySink = (part: PartInfo) => Writable;

function collectingSink(parts: SoapHttpReply['parts']): ReplySink {
  return (part) => {
    const chunks: Buffer[] = [];
    return new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
      final(cb) {
        parts.set(part.contentId ?? `#${part.index}`, { ...(part.contentType ? { contentType: part.contentType } : {}), data: Buffer.concat(chunks) });
        cb();
      },
    });
  };
}

async function readReply(res: http.IncomingMessage, sink?: ReplySink): Promise<SoapHttpReply> {
  const contentType = res.headers['content-type'] ?? '';
  const parts: SoapHttpReply['parts'] = new Map();
  let xml: Buffer;
  if (isMultipartRelated(contentType)) {
    const result = await readMultipartRelated(res, contentType, { maxParts: 10_000, maxHeaderBytes: 16 * 1024, maxRootBytes: 64 * 1024 * 1024 }, sink ?? collectingSink(parts));
    xml = result.root;
  } else {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    xml = Buffer.concat(chunks);
  }
  const envelope = parseXml(xml);
  const bodyEl = envelope.children.find((c) => c.ns === NS.soap12 && c.local === 'Body');
  return { httpStatus: res.statusCode ?? 0, contentType, envelope, body: bodyEl?.children[0] as XmlElement, parts };
}

/** POSTs raw bytes with a given Content-Type (replaying captured messages). */
export function postRaw(url: string, contentType: string, body: Buffer | string, sink?: ReplySink): Promise<SoapHttpReply> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': payload.length } }, (res) => {
      readReply(res, sink).then(resolve, reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Sends one SOAP 1.2 request. With `mtom` (or any attachment) it is an MTOM/XOP package whose attachments are
 * streamed (chunked transfer encoding); otherwise plain application/soap+xml.
 */
export function postSoap(
  url: string,
  opts: { action: string; body: string; attachments?: OutgoingAttachment[]; mtom?: boolean; sink?: ReplySink },
): Promise<SoapHttpReply> {
  const xml = buildSoapRequest({ action: opts.action, to: url, body: opts.body });
  if (!opts.mtom && !opts.attachments?.length) {
    return postRaw(url, `application/soap+xml; charset=UTF-8; action="${opts.action}"`, xml, opts.sink);
  }
  return new Promise((resolve, reject) => {
    const boundary = newBoundary();
    const rootId = newContentId('root.client');
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': mtomContentType({ boundary, startId: rootId, action: opts.action }) } }, (res) => {
      readReply(res, opts.sink).then(resolve, reject);
    });
    req.on('error', reject);
    writeMultipartRelated(req, { boundary, root: { contentId: rootId, xml }, parts: opts.attachments ?? [] }).catch((e: unknown) => {
      req.destroy(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/** status short name and RegistryErrors of a RegistryResponse-bearing body. */
export function statusOf(body: XmlElement): { status: string; errors: { errorCode: string; codeContext: string; severity: string }[] } {
  const rr = body.local === 'RetrieveDocumentSetResponse' ? (body.children.find((c) => c.local === 'RegistryResponse') as XmlElement) : body;
  const status = (rr.attrs.status ?? '').replace(/^.*:/, '');
  const list = rr.children.find((c) => c.local === 'RegistryErrorList');
  const errors = (list?.children ?? []).map((e) => ({
    errorCode: e.attrs.errorCode ?? '',
    codeContext: e.attrs.codeContext ?? '',
    severity: (e.attrs.severity ?? '').replace(/^.*:/, ''),
  }));
  return { status, errors };
}
