import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRegistryResponse } from '../shared/ebxml/build';
import { parseSubmitObjectsRequest } from '../shared/ebxml/parse';
import type { RegistryObjectListItem } from '../shared/ebxml/types';
import { registryError, SoapFault, XdsError } from '../shared/errors';
import { mtomContentType, writeMultipartRelated } from '../shared/mtom/writer';
import { buildSoapEnvelope, buildSoapFault, parseSoapEnvelope } from '../shared/soap/envelope';
import { ACTION } from '../shared/xds/constants';
import { createRegistryClient } from './registryClient';

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/registry`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const OBJECTS: RegistryObjectListItem[] = [
  { kind: 'ExtrinsicObject', id: 'Document01', mimeType: 'text/plain', slots: [{ name: 'hash', values: ['abc'] }], classifications: [], externalIdentifiers: [] },
];

function soapAnswer(res: http.ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=UTF-8' });
  res.end(buildSoapEnvelope({ action: `${ACTION.iti42}Response`, body }));
}

async function xdsErrorOf(p: Promise<unknown>): Promise<XdsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof XdsError)) throw new Error(`expected XdsError, got ${String(e)}`);
  return e;
}

describe('registry client (ITI-42)', () => {
  test('posts a SOAP 1.2 RegisterDocumentSet-b request with the metadata and returns the RegistryResponse', async () => {
    let seen: { contentType?: string; action?: string; to?: string; objects?: RegistryObjectListItem[] } = {};
    handler = (req, body, res) => {
      const soap = parseSoapEnvelope(body);
      seen = { contentType: req.headers['content-type'], action: soap.addressing.action, to: soap.addressing.to, objects: parseSubmitObjectsRequest(soap.body).objects };
      soapAnswer(res, buildRegistryResponse({ status: 'Success', errors: [] }));
    };
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    await expect(client.register(OBJECTS)).resolves.toEqual({ status: 'Success', errors: [] });
    client.close();
    expect(seen.contentType).toMatch(/^application\/soap\+xml/);
    expect(seen.action).toBe(ACTION.iti42);
    expect(seen.to).toBe(url);
    expect(seen.objects?.[0]).toMatchObject({ kind: 'ExtrinsicObject', id: 'Document01', slots: [{ name: 'hash', values: ['abc'] }] });
  });

  test('a RegistryResponse with errors is returned as it is', async () => {
    const errors = [registryError('XDSPatientIdDoesNotMatch', 'P1 vs P2', 'Document01')];
    handler = (_req, _body, res) => soapAnswer(res, buildRegistryResponse({ status: 'Failure', errors }));
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    await expect(client.register(OBJECTS)).resolves.toEqual({ status: 'Failure', errors });
    client.close();
  });

  test('an MTOM-packaged answer is read too', async () => {
    handler = (_req, _body, res) => {
      const boundary = 'MIMEBoundary_test';
      res.writeHead(200, { 'Content-Type': mtomContentType({ boundary, startId: 'root@x' }) });
      const xml = buildSoapEnvelope({ action: `${ACTION.iti42}Response`, body: buildRegistryResponse({ status: 'Success', errors: [] }) });
      void writeMultipartRelated(res, { boundary, root: { contentId: 'root@x', xml }, parts: [] });
    };
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    await expect(client.register(OBJECTS)).resolves.toMatchObject({ status: 'Success' });
    client.close();
  });

  test('a SOAP fault is XDSRegistryError carrying the fault reason', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(400, { 'Content-Type': 'application/soap+xml' });
      res.end(buildSoapFault(new SoapFault('Sender', 'WS-Addressing Action header is missing')));
    };
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    const e = await xdsErrorOf(client.register(OBJECTS));
    // ITI-18 (the crash-recovery check) goes through the same exchange and reports the fault the same way
    const q = await xdsErrorOf(client.registeredUniqueIds(['1.2.3'], '1.3.6.1.4.1.21367.2017.2.3.1'));
    client.close();
    for (const err of [e, q]) {
      expect(err.errors[0].errorCode).toBe('XDSRegistryError');
      expect(err.errors[0].codeContext).toContain('WS-Addressing Action header is missing');
    }
  });

  test('a non-SOAP answer is XDSRegistryNotAvailable naming the URL', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html>not here</html>');
    };
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    const e = await xdsErrorOf(client.register(OBJECTS));
    client.close();
    expect(e.errors[0].errorCode).toBe('XDSRegistryNotAvailable');
    expect(e.errors[0].codeContext).toContain(url);
    expect(e.errors[0].codeContext).toContain('404');
  });

  test('connection refused is XDSRegistryNotAvailable naming the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/registry`;
    await new Promise((r) => closed.close(r));
    const client = createRegistryClient({ url: deadUrl, timeoutMs: 2000 });
    const e = await xdsErrorOf(client.register(OBJECTS));
    client.close();
    expect(e.errors[0].errorCode).toBe('XDSRegistryNotAvailable');
    expect(e.errors[0].codeContext).toContain(deadUrl);
    expect(e.errors[0].codeContext).toContain('ECONNREFUSED');
  });

  test('no answer within the timeout is XDSRegistryNotAvailable', async () => {
    handler = () => undefined; // never answers
    const client = createRegistryClient({ url, timeoutMs: 200 });
    const started = Date.now();
    const e = await xdsErrorOf(client.register(OBJECTS));
    client.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.errors[0].errorCode).toBe('XDSRegistryNotAvailable');
    expect(e.errors[0].codeContext).toContain('200 ms');
  });

  test('a SOAP answer with an unexpected body is XDSRegistryError', async () => {
    handler = (_req, _body, res) => soapAnswer(res, '<x:Other xmlns:x="urn:x"/>');
    const client = createRegistryClient({ url, timeoutMs: 2000 });
    const e = await xdsErrorOf(client.register(OBJECTS));
    client.close();
    expect(e.errors[0].errorCode).toBe('XDSRegistryError');
  });

  test('only http and https URLs are accepted', () => {
    expect(() => createRegistryClient({ url: 'ftp://x/registry', timeoutMs: 1000 })).toThrow('http');
  });
});
