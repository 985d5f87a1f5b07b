/** Small node:http helpers for the load generator: whole-buffer requests on a keep-alive agent, loopback only. */
import http from 'node:http';

export interface BufferedReply {
  status: number;
  contentType: string;
  body: Buffer;
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** POSTs a complete body (Content-Length) and collects the whole answer. */
export function postBuffer(agent: http.Agent, url: string, contentType: string, body: Buffer): Promise<BufferedReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const STATUS_ATTR = /\bstatus="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:([A-Za-z]+)"/;

/**
 * The ebRS status short name (Success, PartialSuccess, Failure) of the first RegistryResponse or
 * AdhocQueryResponse in a SOAP answer, by a cheap text search so the client spends its CPU on load, not on
 * parsing; undefined if there is none (a SOAP Fault).
 */
export function responseStatusOf(xml: string): string | undefined {
  return STATUS_ATTR.exec(xml)?.[1];
}

/** A short description of a failed answer for error reports (first RegistryError or Fault text). */
export function failureSummary(status: number, xml: string): string {
  const err = /<(?:\w+:)?RegistryError\b[^>]*>/.exec(xml)?.[0];
  const fault = /<(?:\w+:)?Text[^>]*>([^<]*)</.exec(xml)?.[1];
  return `HTTP ${status}: ${err ?? fault ?? xml.slice(0, 300)}`;
}
