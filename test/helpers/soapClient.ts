/** A minimal SOAP 1.2 client for tests: posts an envelope and parses the answer namespace-aware. */
import { buildSoapRequest } from '../../shared/soap/envelope';
import { NS } from '../../shared/xml/namespaces';
import { parseXml } from '../../shared/xml/parse';
import type { XmlElement } from '../../shared/xml/tree';

export interface SoapReply {
  httpStatus: number;
  contentType: string;
  text: string;
  envelope: XmlElement;
  body: XmlElement;
  header: Record<string, string>;
}

export async function postSoap(url: string, action: string, bodyXml: string, init: { messageId?: string } = {}): Promise<SoapReply> {
  const xml = buildSoapRequest({ action, to: url, body: bodyXml, ...(init.messageId ? { messageId: init.messageId } : {}) });
  return postRaw(url, `application/soap+xml; charset=UTF-8; action="${action}"`, xml);
}

export async function postRaw(url: string, contentType: string, body: string | Buffer): Promise<SoapReply> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  const text = await res.text();
  const envelope = parseXml(text);
  const headerEl = envelope.children.find((c) => c.local === 'Header');
  const bodyEl = envelope.children.find((c) => c.local === 'Body');
  const header: Record<string, string> = {};
  for (const h of headerEl?.children ?? []) if (h.ns === NS.wsa) header[h.local] = h.text;
  return { httpStatus: res.status, contentType: res.headers.get('content-type') ?? '', text, envelope, body: bodyEl?.children[0] as XmlElement, header };
}

/** status short name and RegistryErrors of a RegistryResponse / AdhocQueryResponse body. */
export function responseStatus(body: XmlElement): { status: string; errors: { errorCode: string; codeContext: string; severity: string }[] } {
  const status = (body.attrs.status ?? '').replace(/^.*:/, '');
  const list = body.children.find((c) => c.local === 'RegistryErrorList');
  const errors = (list?.children ?? []).map((e) => ({
    errorCode: e.attrs.errorCode ?? '',
    codeContext: e.attrs.codeContext ?? '',
    severity: (e.attrs.severity ?? '').replace(/^.*:/, ''),
  }));
  return { status, errors };
}
