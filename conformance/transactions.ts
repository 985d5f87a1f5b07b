/**
 * Senders: ITI-42 and ITI-18 as plain SOAP 1.2, ITI-41 as MTOM/XOP with the documents as attachments (or inline
 * base64 with NoMTOM), ITI-43 as an MTOM request whose MTOM answer is read back, and verbatim HTTP bodies.
 * Every envelope carries WS-Addressing Action/MessageID/To (shared/soap/envelope.ts buildSoapRequest).
 */
import { randomUUID } from 'node:crypto';
import { NS } from '../shared/xml/namespaces';
import { escapeAttr } from '../shared/xml/write';
import { buildSoapRequest } from '../shared/soap/envelope';
import { ACTION } from '../shared/xds/constants';
import type { Environment } from './context';
import { postBytes } from './http';
import { buildMtom, type MtomAttachment } from './mime';
import { parseResponse, type ParsedResponse } from './responses';

export type Target = 'registry' | 'repository';

export interface SentRequest {
  url: string;
  action?: string;
  messageId?: string;
  contentType: string;
  bytes: number;
}

export interface Exchange {
  request: SentRequest;
  response: ParsedResponse;
}

export function targetUrl(env: Environment, target: Target): string {
  return target === 'registry' ? env.registryUrl : env.repositoryUrl;
}

/** Which service an action belongs to. */
export function targetOfAction(action: string | undefined): Target {
  return action === ACTION.iti41 || action === ACTION.iti43 ? 'repository' : 'registry';
}

function soapContentType(action: string): string {
  return `application/soap+xml; charset=UTF-8; action="${action}"`;
}

async function exchange(url: string, contentType: string, body: Buffer, action?: string, messageId?: string): Promise<Exchange> {
  const answer = await postBytes({ url, contentType, body });
  const request: SentRequest = { url, contentType, bytes: body.length };
  if (action !== undefined) request.action = action;
  if (messageId !== undefined) request.messageId = messageId;
  return { request, response: parseResponse(answer) };
}

/** A SOAP 1.2 request with the given body element (ITI-42, ITI-18, and ITI-41 with NoMTOM). */
export async function sendSoap(env: Environment, target: Target, action: string, bodyXml: string): Promise<Exchange> {
  const url = targetUrl(env, target);
  const messageId = `urn:uuid:${randomUUID()}`;
  const envelope = buildSoapRequest({ action, to: url, body: bodyXml, messageId });
  return exchange(url, soapContentType(action), Buffer.from(envelope, 'utf8'), action, messageId);
}

/** An MTOM/XOP request: the envelope as root part plus attachments (ITI-41, ITI-43). */
export async function sendMtom(env: Environment, target: Target, action: string, bodyXml: string, attachments: MtomAttachment[]): Promise<Exchange> {
  const url = targetUrl(env, target);
  const messageId = `urn:uuid:${randomUUID()}`;
  const envelope = buildSoapRequest({ action, to: url, body: bodyXml, messageId });
  const mtom = buildMtom(envelope, attachments, action);
  return exchange(url, mtom.contentType, mtom.body, action, messageId);
}

/** Bytes exactly as given, with the given Content-Type. */
export async function sendVerbatim(url: string, contentType: string, body: Buffer, action?: string, messageId?: string): Promise<Exchange> {
  return exchange(url, contentType, body, action, messageId);
}

export interface PnrDocument {
  /** The ExtrinsicObject id the document belongs to (after any UUID assignment). */
  id: string;
  bytes: Buffer;
  contentType: string;
}

/** ITI-41: xdsb:ProvideAndRegisterDocumentSetRequest around a serialised SubmitObjectsRequest. */
export async function sendProvideAndRegister(env: Environment, submitObjectsRequestXml: string, documents: PnrDocument[], mtom: boolean): Promise<Exchange> {
  const open = `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xds}">`;
  if (!mtom) {
    const docs = documents.map((d) => `<xdsb:Document id="${escapeAttr(d.id)}">${d.bytes.toString('base64')}</xdsb:Document>`).join('');
    return sendSoap(env, 'repository', ACTION.iti41, `${open}${submitObjectsRequestXml}${docs}</xdsb:ProvideAndRegisterDocumentSetRequest>`);
  }
  const attachments: MtomAttachment[] = documents.map((d, i) => ({ contentId: `doc${i + 1}.${randomUUID()}@conformance.local`, contentType: d.contentType, body: d.bytes }));
  const docs = documents
    .map((d, i) => `<xdsb:Document id="${escapeAttr(d.id)}"><xop:Include xmlns:xop="${NS.xop}" href="cid:${attachments[i]?.contentId ?? ''}"/></xdsb:Document>`)
    .join('');
  return sendMtom(env, 'repository', ACTION.iti41, `${open}${submitObjectsRequestXml}${docs}</xdsb:ProvideAndRegisterDocumentSetRequest>`, attachments);
}
