/**
 * The repository's own ITI-42 client: sends the updated metadata of an ITI-41 submission to the registry as a
 * SOAP 1.2 Register Document Set-b request and reads the RegistryResponse.
 *
 * - connection refused, timeout, a broken or non-SOAP-1.2 answer → XdsError XDSRegistryNotAvailable
 *   (codeContext names the registry URL);
 * - a SOAP fault from the registry → XdsError XDSRegistryError with the fault's reason;
 * - a RegistryResponse is returned as it is, errors included (the caller relays it unchanged).
 */
import http from 'node:http';
import https from 'node:https';
import { Writable } from 'node:stream';
import { registryError, XdsError } from '../shared/errors';
import { buildAdhocQueryRequest, buildSubmitObjectsRequest } from '../shared/ebxml/build';
import { parseAdhocQueryResponse, parseRegistryResponse } from '../shared/ebxml/parse';
import { xdsObjectFromEbxml } from '../shared/xds/fromEbxml';
import type { RegistryObjectListItem, RegistryResponse } from '../shared/ebxml/types';
import { isMultipartRelated, parseContentType } from '../shared/mtom/contentType';
import { readMultipartRelated } from '../shared/mtom/reader';
import { buildSoapRequest } from '../shared/soap/envelope';
import { ACTION } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';

/** TLS client settings for an https:// registry (mutual TLS: cert + key + ca). */
export type RegistryTlsOptions = Pick<
  https.RequestOptions,
  'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername' | 'minVersion' | 'ciphers' | 'checkServerIdentity'
>;

export interface RegistryClientOptions {
  /** The registry's ITI-42 endpoint, http:// or https://. */
  url: string;
  timeoutMs: number;
  tls?: RegistryTlsOptions;
  /** Largest answer accepted (default 16 MiB). */
  maxResponseBytes?: number;
}

export interface RegistryClient {
  /** ITI-42 with these metadata objects. Resolves with the registry's answer; rejects with XdsError only. */
  register(objects: RegistryObjectListItem[]): Promise<RegistryResponse>;
  /**
   * ITI-18 GetDocuments by uniqueId: which of `uniqueIds` the registry holds as DocumentEntries of the repository
   * `repositoryUniqueId` (any status). Rejects when the registry cannot say (unreachable, fault, Failure).
   */
  registeredUniqueIds(uniqueIds: string[], repositoryUniqueId: string): Promise<Set<string>>;
  close(): void;
}

/** GetDocuments (ITI-18). */
const GET_DOCUMENTS = 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4';

interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  const target = new URL(opts.url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`REGISTRY_URL must be http:// or https://, got ${opts.url}`);
  const secure = target.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, ...opts.tls }) : new http.Agent({ keepAlive: true });
  const maxResponseBytes = opts.maxResponseBytes ?? 16 * 1024 * 1024;
  const notAvailable = (why: string): XdsError =>
    new XdsError(registryError('XDSRegistryNotAvailable', `the registry at ${opts.url} is not available: ${why}`));

  async function post(payload: Buffer, action: string): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const send = secure ? https.request : http.request;
      const req = send(target, {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': `application/soap+xml; charset=UTF-8; action="${action}"`,
          'Content-Length': payload.length,
        },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const fail = (e: unknown): void => {
        clearTimeout(timer);
        reject(e);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxResponseBytes) {
            req.destroy(new Error(`answer exceeds ${maxResponseBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        });
      });
      req.end(payload);
    });
  }

  /**
   * Sends one SOAP request and returns the answer's Body element. The registry unreachable or answering with no
   * SOAP body → XDSRegistryNotAvailable; a SOAP fault → XDSRegistryError naming its reason.
   */
  async function exchange(action: string, requestBody: string): Promise<XmlElement> {
    const xml = buildSoapRequest({ action, to: opts.url, body: requestBody });
    let answer: HttpAnswer;
    try {
      answer = await post(Buffer.from(xml, 'utf8'), action);
    } catch (e) {
      throw notAvailable(e instanceof Error ? describeNetworkError(e) : String(e));
    }
    const body = await soapBodyOf(answer).catch((why: unknown) => {
      throw notAvailable(`HTTP ${answer.status} with ${why instanceof Error ? why.message : String(why)}`);
    });
    if (body.ns === NS.soap12 && body.local === 'Fault') {
      throw new XdsError(registryError('XDSRegistryError', `the registry at ${opts.url} answered with a SOAP fault: ${faultReason(body)}`));
    }
    return body;
  }

  const client: RegistryClient = {
    async register(objects) {
      const body = await exchange(ACTION.iti42, buildSubmitObjectsRequest({ objects }));
      if (body.ns !== NS.rs || body.local !== 'RegistryResponse') {
        throw new XdsError(registryError('XDSRegistryError', `the registry at ${opts.url} answered ITI-42 with {${body.ns}}${body.local} instead of rs:RegistryResponse`));
      }
      try {
        return parseRegistryResponse(body);
      } catch (e) {
        throw new XdsError(registryError('XDSRegistryError', `the registry at ${opts.url} sent an unreadable RegistryResponse: ${e instanceof Error ? e.message : String(e)}`));
      }
    },
    async registeredUniqueIds(uniqueIds, repositoryUniqueId) {
      const list = uniqueIds.map((u) => `'${u.replace(/'/g, "''")}'`).join(',');
      const query = buildAdhocQueryRequest({ returnType: 'LeafClass', queryId: GET_DOCUMENTS, parameters: [{ name: '$XDSDocumentEntryUniqueId', values: [`(${list})`] }] });
      const body = await exchange(ACTION.iti18, query);
      if (body.ns !== NS.query || body.local !== 'AdhocQueryResponse') {
        throw new XdsError(registryError('XDSRegistryError', `the registry at ${opts.url} answered ITI-18 with {${body.ns}}${body.local} instead of query:AdhocQueryResponse`));
      }
      const response = parseAdhocQueryResponse(body);
      if (response.status === 'Failure' && uniqueIds.length > 1 && response.errors.some((e) => e.errorCode === 'XDSResultNotSinglePatient')) {
        // The documents belong to several patients and this registry answers one patient per query: ask one by one.
        const found = new Set<string>();
        for (const uniqueId of uniqueIds) for (const f of await client.registeredUniqueIds([uniqueId], repositoryUniqueId)) found.add(f);
        return found;
      }
      if (response.status === 'Failure') {
        throw new XdsError(registryError('XDSRegistryError', `the registry at ${opts.url} answered GetDocuments with Failure: ${response.errors.map((e) => e.errorCode).join(', ')}`));
      }
      const found = new Set<string>();
      for (const o of response.objects) {
        const de = o.kind === 'ExtrinsicObject' ? xdsObjectFromEbxml(o) : undefined;
        if (de?.type !== 'DocumentEntry' || de.uniqueId === undefined) continue;
        if (de.repositoryUniqueId === undefined || de.repositoryUniqueId.includes(repositoryUniqueId)) found.add(de.uniqueId.value);
      }
      return found;
    },
    close() {
      agent.destroy();
    },
  };
  return client;
}

function describeNetworkError(e: Error): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
}

/** The single child of env:Body of a SOAP 1.2 answer (plain or MTOM). Rejects for anything else. */
async function soapBodyOf(answer: HttpAnswer): Promise<XmlElement> {
  let xml: Buffer;
  if (isMultipartRelated(answer.contentType)) {
    const discard = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
    xml = (await readMultipartRelated([answer.body], answer.contentType, { maxParts: 16, maxHeaderBytes: 16 * 1024, maxRootBytes: answer.body.length }, discard)).root;
  } else {
    const media = answer.contentType ? parseContentType(answer.contentType).mediaType : '(no content type)';
    if (media !== 'application/soap+xml' && media !== 'application/xml' && media !== 'text/xml') throw new Error(`a ${media} answer, not SOAP`);
    xml = answer.body;
  }
  const env = parseXml(xml);
  if (env.ns !== NS.soap12 || env.local !== 'Envelope') throw new Error(`an answer whose root is {${env.ns}}${env.local}, not a SOAP 1.2 Envelope`);
  const body = env.children.find((c) => c.ns === NS.soap12 && c.local === 'Body');
  if (!body || body.children.length !== 1) throw new Error('a SOAP answer without exactly one element in its Body');
  return body.children[0];
}

function faultReason(fault: XmlElement): string {
  const reason = fault.children.find((c) => c.local === 'Reason');
  const text = reason?.children.find((c) => c.local === 'Text')?.text.trim();
  const code = fault.children.find((c) => c.local === 'Code')?.children.find((c) => c.local === 'Value')?.text.trim();
  return `${code ? `${code}: ` : ''}${text || '(no reason given)'}`;
}
