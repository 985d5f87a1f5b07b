/**
 * Hostile input (issue 7): each refused quickly with a SOAP Fault, audited, and the service keeps serving.
 */
import net from 'node:net';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { startRegistry, type RunningRegistry } from '../registry/main';
import { startRepository, type RunningRepository } from '../repository/main';
import { ACTION } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import { buildSoapRequest } from '../shared/soap/envelope';
import { tempDataDir } from './helpers/services';
import { postRaw } from './helpers/soapClient';

let registry: RunningRegistry;
let repository: RunningRepository;

beforeAll(async () => {
  const env = {
    DATA_DIR: tempDataDir(),
    REGISTRY_HOST: '127.0.0.1',
    REPOSITORY_HOST: '127.0.0.1',
    REGISTRY_PORT: '0',
    REPOSITORY_PORT: '0',
    MAX_ENVELOPE_MB: '1',
    REPOSITORY_MAX_ATTACHMENTS: '2',
    HTTP_HEADERS_TIMEOUT_MS: '600',
    HTTP_REQUEST_TIMEOUT_MS: '1500',
  };
  registry = await startRegistry(loadConfig(env), createLogger('registry', 'error'));
  repository = await startRepository(loadConfig({ ...env, REGISTRY_URL: registry.url }), createLogger('repository', 'error'));
});
afterAll(async () => {
  await repository.close();
  await registry.close();
});

async function stillServing(): Promise<void> {
  expect((await fetch(registry.server.url('/health'))).status).toBe(200);
  expect((await fetch(repository.server.url('/health'))).status).toBe(200);
}

const soap = (body: string, action: string = ACTION.iti18): string => buildSoapRequest({ action, to: 'x', body });

it('refuses an entity-expansion bomb', async () => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>`;
  const started = Date.now();
  const r = await postRaw(registry.url, 'application/soap+xml', bomb);
  expect(r.httpStatus).toBe(400);
  expect(r.text).toMatch(/DOCTYPE/);
  expect(Date.now() - started).toBeLessThan(1000);
  await stillServing();
});

it('refuses deep nesting', async () => {
  const deep = soap('<a>'.repeat(5000) + '</a>'.repeat(5000));
  const r = await postRaw(registry.url, 'application/soap+xml', deep);
  expect(r.httpStatus).toBe(400);
  expect(r.text).toMatch(/nesting deeper than/);
  await stillServing();
});

it('refuses an oversized SOAP body', async () => {
  const big = soap(`<q:AdhocQueryRequest xmlns:q="${NS.query}">${'x'.repeat(2 * 1024 * 1024)}</q:AdhocQueryRequest>`);
  const r = await postRaw(registry.url, 'application/soap+xml', big);
  expect(r.httpStatus).toBe(400);
  expect(r.text).toMatch(/exceeds the limit/);
  await stillServing();
});

function multipart(parts: { id: string; body: string }[], close = true): { contentType: string; body: string } {
  const b = 'MIMEBoundaryHostile';
  let body = '';
  for (const p of parts) body += `--${b}\r\nContent-Type: application/xop+xml; type="application/soap+xml"\r\nContent-ID: <${p.id}>\r\n\r\n${p.body}\r\n`;
  if (close) body += `--${b}--\r\n`;
  return { contentType: `multipart/related; type="application/xop+xml"; boundary="${b}"; start="<root>"; start-info="application/soap+xml"`, body };
}

it('refuses too many MIME parts', async () => {
  const root = soap(`<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}"/>`, ACTION.iti41);
  const m = multipart([{ id: 'root', body: root }, ...Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, body: 'data' }))]);
  const r = await postRaw(repository.url, m.contentType, m.body);
  expect(r.httpStatus).toBe(400);
  expect(r.text).toMatch(/parts/i);
  await stillServing();
});

it('refuses malformed MIME (no closing delimiter)', async () => {
  const root = soap(`<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}"/>`, ACTION.iti41);
  const m = multipart([{ id: 'root', body: root }], false);
  const r = await postRaw(repository.url, m.contentType, m.body);
  expect(r.httpStatus).toBe(400);
  await stillServing();
});

function slowClient(port: number, write: string): Promise<{ closedAfter: number; answer: string }> {
  const started = Date.now();
  let answer = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('slow client was not cut off')), 8000);
    const sock = net.connect(port, '127.0.0.1', () => sock.write(write));
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    const done = (): void => {
      clearTimeout(timer);
      resolve({ closedAfter: Date.now() - started, answer });
    };
    sock.on('error', done);
    sock.on('close', done);
  });
}

it('cuts off a client that is too slow to send its headers', async () => {
  const r = await slowClient(Number(new URL(registry.url).port), 'POST /registry HTTP/1.1\r\nHost: x\r\n');
  expect(r.closedAfter).toBeLessThan(5000);
  expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
  await stillServing();
});

it('cuts off a client that is too slow to send its body', async () => {
  const r = await slowClient(Number(new URL(repository.url).port), 'POST /repository HTTP/1.1\r\nHost: x\r\nContent-Type: application/soap+xml\r\nContent-Length: 100000\r\n\r\n<env:Envelope');
  expect(r.closedAfter).toBeLessThan(6000);
  await stillServing();
});
