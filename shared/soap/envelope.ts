/**
 * SOAP 1.2 + WS-Addressing 1.0: read a request envelope, build response envelopes and faults.
 * Digest sections 1.2, 1.3 and 1.7.
 */
import { randomUUID } from 'node:crypto';
import { SoapFault } from '../errors';
import { NS } from '../xml/namespaces';
import { parseXml, type XmlLimits } from '../xml/parse';
import type { XmlElement } from '../xml/tree';
import { escapeText } from '../xml/write';

export interface WsAddressing {
  action?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
}

export interface SoapRequest {
  addressing: WsAddressing;
  /** The single child element of env:Body. */
  body: XmlElement;
  header?: XmlElement;
}

/** WS-Addressing headers this endpoint understands (mustUnderstand on anything else is a fault). */
const UNDERSTOOD_WSA = new Set(['Action', 'MessageID', 'To', 'ReplyTo', 'From', 'FaultTo', 'RelatesTo']);

function isTrue(v: string | undefined): boolean {
  return v !== undefined && (v.trim() === '1' || v.trim() === 'true');
}

/** Parse and check a SOAP 1.2 envelope. Throws SoapFault for anything that is not a processable SOAP 1.2 message. */
export function parseSoapEnvelope(xml: string | Buffer, limits?: Partial<XmlLimits>): SoapRequest {
  const env = parseXml(xml, limits);
  if (env.local === 'Envelope' && env.ns === NS.soap11) {
    throw new SoapFault('VersionMismatch', 'SOAP 1.1 envelope received; this endpoint speaks SOAP 1.2 (http://www.w3.org/2003/05/soap-envelope)');
  }
  if (env.local !== 'Envelope' || env.ns !== NS.soap12) {
    throw new SoapFault('Sender', `root element {${env.ns}}${env.local} is not a SOAP 1.2 Envelope`);
  }
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const c of env.children) {
    if (c.ns !== NS.soap12) throw new SoapFault('Sender', `unexpected element {${c.ns}}${c.local} in the SOAP Envelope`);
    if (c.local === 'Header') {
      if (header || body) throw new SoapFault('Sender', 'SOAP Header must come once, before the Body');
      header = c;
    } else if (c.local === 'Body') {
      if (body) throw new SoapFault('Sender', 'SOAP Envelope has more than one Body');
      body = c;
    } else {
      throw new SoapFault('Sender', `unexpected element ${c.local} in the SOAP Envelope`);
    }
  }
  if (!body) throw new SoapFault('Sender', 'SOAP Envelope has no Body');
  if (body.children.length !== 1) {
    throw new SoapFault('Sender', body.children.length === 0 ? 'SOAP Body is empty' : 'SOAP Body must hold exactly one element');
  }
  const addressing: WsAddressing = {};
  for (const h of header?.children ?? []) {
    const mu = isTrue(h.attrs[`{${NS.soap12}}mustUnderstand`]);
    if (h.ns === NS.wsa && UNDERSTOOD_WSA.has(h.local)) {
      if (h.local === 'Action') addressing.action = h.text.trim();
      else if (h.local === 'MessageID') addressing.messageId = h.text.trim();
      else if (h.local === 'To') addressing.to = h.text.trim();
      else if (h.local === 'ReplyTo') {
        const addr = h.children.find((c) => c.ns === NS.wsa && c.local === 'Address');
        if (addr) addressing.replyTo = addr.text.trim();
      }
    } else if (mu) {
      throw new SoapFault('MustUnderstand', `header {${h.ns}}${h.local} is marked mustUnderstand but is not understood by this endpoint`);
    }
  }
  const result: SoapRequest = { addressing, body: body.children[0] };
  if (header) result.header = header;
  return result;
}

/** Refuse a request whose WS-Addressing makes it unprocessable here. */
export function requireAction(addressing: WsAddressing, supported: readonly string[]): string {
  if (!addressing.action) {
    throw new SoapFault('Sender', 'WS-Addressing Action header is missing', { ns: NS.wsa, local: 'MessageAddressingHeaderRequired' });
  }
  if (!supported.includes(addressing.action)) {
    throw new SoapFault('Sender', `WS-Addressing Action ${addressing.action} is not supported by this endpoint`, { ns: NS.wsa, local: 'ActionNotSupported' });
  }
  const replyTo = addressing.replyTo;
  if (replyTo && replyTo !== 'http://www.w3.org/2005/08/addressing/anonymous' && replyTo !== 'http://www.w3.org/2005/08/addressing/none') {
    throw new SoapFault('Sender', `asynchronous ReplyTo ${replyTo} is not supported; use the anonymous address`, { ns: NS.wsa, local: 'OnlyAnonymousAddressSupported' });
  }
  return addressing.action;
}

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** A SOAP 1.2 envelope with WS-Addressing response headers around a body element string. */
export function buildSoapEnvelope(opts: { action: string; relatesTo?: string; body: string; messageId?: string; to?: string }): string {
  const relates = opts.relatesTo ? `<wsa:RelatesTo>${escapeText(opts.relatesTo)}</wsa:RelatesTo>` : '';
  const to = opts.to ? `<wsa:To env:mustUnderstand="true">${escapeText(opts.to)}</wsa:To>` : '';
  return (
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
    `<wsa:Action env:mustUnderstand="true">${escapeText(opts.action)}</wsa:Action>` +
    `<wsa:MessageID>${escapeText(opts.messageId ?? newMessageId())}</wsa:MessageID>` +
    relates +
    to +
    `</env:Header><env:Body>${opts.body}</env:Body></env:Envelope>`
  );
}

/** A request envelope (our own ITI-42 client and tests). */
export function buildSoapRequest(opts: { action: string; to: string; body: string; messageId?: string }): string {
  return (
    `<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
    `<wsa:Action env:mustUnderstand="true">${escapeText(opts.action)}</wsa:Action>` +
    `<wsa:MessageID>${escapeText(opts.messageId ?? newMessageId())}</wsa:MessageID>` +
    `<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>` +
    `<wsa:To env:mustUnderstand="true">${escapeText(opts.to)}</wsa:To>` +
    `</env:Header><env:Body>${opts.body}</env:Body></env:Envelope>`
  );
}

/** A SOAP 1.2 Fault envelope. The reason is a short client-facing text, never a stack trace. */
export function buildSoapFault(fault: SoapFault, relatesTo?: string): string {
  const sub = fault.subcode
    ? `<env:Subcode><env:Value xmlns:fc="${escapeText(fault.subcode.ns)}">fc:${escapeText(fault.subcode.local)}</env:Value></env:Subcode>`
    : '';
  const body =
    `<env:Fault><env:Code><env:Value>env:${fault.code}</env:Value>${sub}</env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${escapeText(fault.message)}</env:Text></env:Reason></env:Fault>`;
  return buildSoapEnvelope({ action: 'http://www.w3.org/2005/08/addressing/soap/fault', body, ...(relatesTo ? { relatesTo } : {}) });
}

export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=UTF-8';
