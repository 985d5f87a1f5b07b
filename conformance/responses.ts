/**
 * Reading an answer the way a client does: SOAP 1.2 envelope (plain or the root of a multipart/related package),
 * WS-Addressing headers, Fault, the response status short name, RegistryErrors, and for ITI-43 the returned
 * documents (inline base64 or XOP attachments).
 */
import { NS } from '../shared/xml/namespaces';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import type { HttpAnswer } from './http';
import { contentIdFromHref, headerParams, readMtom, type MimePart } from './mime';

export interface ErrorInfo {
  errorCode: string;
  codeContext: string;
  /** Error | Warning (short name), or the raw value when it is not one of the two URNs. */
  severity: string;
  location?: string;
}

export interface RetrievedDocument {
  repositoryUniqueId: string;
  documentUniqueId: string;
  homeCommunityId?: string;
  mimeType: string;
  bytes?: Buffer;
  problem?: string;
}

export interface ParsedResponse {
  httpStatus: number;
  contentType: string;
  /** The envelope as received (root part for MTOM). */
  envelopeBytes?: Buffer;
  envelope?: XmlElement;
  /** The single child of env:Body. */
  body?: XmlElement;
  action?: string;
  relatesTo?: string;
  fault?: { code: string; subcode?: string; reason: string };
  /** Short status name (Success, Failure, PartialSuccess), 'Fault', or undefined when none was found. */
  status?: string;
  /** The raw status attribute, for the response checks. */
  rawStatus?: string;
  errors: ErrorInfo[];
  attachments: Map<string, MimePart>;
  documents: RetrievedDocument[];
  /** Why the answer could not be read as a SOAP message. */
  problem?: string;
}

const STATUS_PREFIXES = ['urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:', 'urn:ihe:iti:2007:ResponseStatusType:'];
const SEVERITY_PREFIX = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:';

export function shortStatus(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const prefix = STATUS_PREFIXES.find((p) => raw.startsWith(p));
  return prefix === undefined ? raw : raw.slice(prefix.length);
}

function findStatusHolder(body: XmlElement): XmlElement | undefined {
  if (body.local === 'RegistryResponse' || body.local === 'AdhocQueryResponse') return body;
  return body.children.find((c) => c.local === 'RegistryResponse' && c.ns === NS.rs);
}

export function readRegistryErrors(holder: XmlElement): ErrorInfo[] {
  const list = holder.children.find((c) => c.local === 'RegistryErrorList');
  if (!list) return [];
  return list.children
    .filter((c) => c.local === 'RegistryError')
    .map((e) => {
      const sev = e.attrs.severity ?? '';
      const info: ErrorInfo = {
        errorCode: e.attrs.errorCode ?? '',
        codeContext: e.attrs.codeContext ?? e.text.trim(),
        severity: sev.startsWith(SEVERITY_PREFIX) ? sev.slice(SEVERITY_PREFIX.length) : sev,
      };
      if (e.attrs.location !== undefined) info.location = e.attrs.location;
      return info;
    });
}

function readFault(body: XmlElement): ParsedResponse['fault'] {
  const codeEl = body.children.find((c) => c.local === 'Code');
  const value = codeEl?.children.find((c) => c.local === 'Value')?.text.trim() ?? '';
  const sub = codeEl?.children.find((c) => c.local === 'Subcode')?.children.find((c) => c.local === 'Value')?.text.trim();
  const reason = body.children
    .find((c) => c.local === 'Reason')
    ?.children.map((t) => t.text.trim())
    .join(' ');
  const fault: NonNullable<ParsedResponse['fault']> = { code: value.replace(/^.*:/, ''), reason: reason ?? '' };
  if (sub) fault.subcode = sub;
  return fault;
}

function readDocuments(body: XmlElement, attachments: Map<string, MimePart>): RetrievedDocument[] {
  return body.children
    .filter((c) => c.local === 'DocumentResponse')
    .map((dr) => {
      const text = (local: string): string | undefined => dr.children.find((c) => c.local === local)?.text.trim();
      const doc: RetrievedDocument = {
        repositoryUniqueId: text('RepositoryUniqueId') ?? '',
        documentUniqueId: text('DocumentUniqueId') ?? '',
        mimeType: text('mimeType') ?? '',
      };
      const home = text('HomeCommunityId');
      if (home !== undefined) doc.homeCommunityId = home;
      const docEl = dr.children.find((c) => c.local === 'Document');
      if (!docEl) doc.problem = 'DocumentResponse without Document';
      else {
        const include = docEl.children.find((c) => c.local === 'Include' && c.ns === NS.xop);
        if (include) {
          const cid = contentIdFromHref(include.attrs.href ?? '');
          const part = attachments.get(cid);
          if (part) doc.bytes = part.body;
          else doc.problem = `xop:Include href=${include.attrs.href ?? ''} names no MIME part`;
        } else {
          doc.bytes = Buffer.from(docEl.text.replace(/\s+/g, ''), 'base64');
        }
      }
      return doc;
    });
}

export function parseResponse(answer: HttpAnswer): ParsedResponse {
  const contentType = answer.headers['content-type'] ?? '';
  const result: ParsedResponse = { httpStatus: answer.status, contentType, errors: [], attachments: new Map(), documents: [] };
  let envelopeBytes = answer.body;
  try {
    if (headerParams(contentType).value === 'multipart/related') {
      const mtom = readMtom(answer.body, contentType);
      envelopeBytes = mtom.root;
      result.attachments = mtom.attachments;
    }
  } catch (e) {
    result.problem = `unreadable multipart answer: ${e instanceof Error ? e.message : String(e)}`;
    return result;
  }
  result.envelopeBytes = envelopeBytes;
  let envelope: XmlElement;
  try {
    envelope = parseXml(envelopeBytes);
  } catch (e) {
    result.problem = `answer is not XML (HTTP ${answer.status}, ${contentType}): ${e instanceof Error ? e.message : String(e)}`;
    return result;
  }
  result.envelope = envelope;
  if (envelope.local !== 'Envelope' || envelope.ns !== NS.soap12) {
    result.problem = `answer root is {${envelope.ns}}${envelope.local}, not a SOAP 1.2 Envelope`;
    return result;
  }
  const header = envelope.children.find((c) => c.local === 'Header' && c.ns === NS.soap12);
  for (const h of header?.children ?? []) {
    if (h.ns !== NS.wsa) continue;
    if (h.local === 'Action') result.action = h.text.trim();
    if (h.local === 'RelatesTo') result.relatesTo = h.text.trim();
  }
  const body = envelope.children.find((c) => c.local === 'Body' && c.ns === NS.soap12)?.children[0];
  if (!body) {
    result.problem = 'answer envelope has an empty Body';
    return result;
  }
  result.body = body;
  if (body.local === 'Fault' && body.ns === NS.soap12) {
    result.status = 'Fault';
    const fault = readFault(body);
    if (fault) result.fault = fault;
    return result;
  }
  const holder = findStatusHolder(body);
  if (holder) {
    if (holder.attrs.status !== undefined) result.rawStatus = holder.attrs.status;
    const status = shortStatus(holder.attrs.status);
    if (status !== undefined) result.status = status;
    result.errors = readRegistryErrors(holder);
  }
  if (body.local === 'RetrieveDocumentSetResponse') result.documents = readDocuments(body, result.attachments);
  return result;
}

/** One line describing an answer, for reports. */
export function describeResponse(r: ParsedResponse): string {
  if (r.problem) return r.problem;
  if (r.fault) return `HTTP ${r.httpStatus} SOAP Fault ${r.fault.code}${r.fault.subcode ? `/${r.fault.subcode}` : ''}: ${r.fault.reason.slice(0, 200)}`;
  const errs = r.errors.map((e) => `${e.errorCode}(${e.severity}): ${e.codeContext.slice(0, 500)}`).join('; ');
  const objects = r.body && r.body.local === 'AdhocQueryResponse' ? ` ${countObjects(r.body)}` : '';
  const docs = r.documents.length > 0 ? ` ${r.documents.length} document(s)` : '';
  return `HTTP ${r.httpStatus} ${r.body?.local ?? '?'} status=${r.status ?? '(none)'}${objects}${docs}${errs ? ` errors: ${errs}` : ''}`;
}

function countObjects(body: XmlElement): string {
  const list = body.children.find((c) => c.local === 'RegistryObjectList');
  if (!list) return '[no RegistryObjectList]';
  const counts = new Map<string, number>();
  for (const c of list.children) counts.set(c.local, (counts.get(c.local) ?? 0) + 1);
  return `[${[...counts].map(([k, v]) => `${k}×${v}`).join(', ') || 'empty'}]`;
}
