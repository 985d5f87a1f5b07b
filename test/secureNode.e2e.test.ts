/**
 * Issue 7 end to end: both services with mutual TLS from the dev PKI, audit records over syslog (TLS and UDP)
 * for one ITI-41 / ITI-18 / ITI-43 round, schema-valid, and no record lost when the collector is down.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { generateDevPki, type DevPki } from '../shared/security/pki';
import { httpsServerOptions, loadTlsMaterial } from '../shared/security/tls';
import { startTlsCollector, startUdpCollector, xmllintValidate, assertSchemaToolsPresent, type SyslogCollector } from '../shared/audit/testing';
import { buildSoapRequest } from '../shared/soap/envelope';
import { mtomContentType, newBoundary, newContentId, writeMultipartRelated } from '../shared/mtom/writer';
import { isMultipartRelated } from '../shared/mtom/contentType';
import { readMultipartRelated } from '../shared/mtom/reader';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { startRegistry, type RunningRegistry } from '../registry/main';
import { startRepository, type RunningRepository } from '../repository/main';
import { ACTION } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import { newPatientId, newUid, registryObjectsXml } from './helpers/metadata';
import { responseStatus } from './helpers/soapClient';

let pki: DevPki;
let dataDir: string;
let collector: SyslogCollector;
let registry: RunningRegistry;
let repository: RunningRepository;
const quiet = createLogger('test', 'error');

interface Reply { status: number; body: XmlElement; parts: Map<string, Buffer> }

function request(url: string, contentType: string, write: (req: import('node:http').ClientRequest) => void, withCert = true): Promise<Reply> {
  const tlsOpts = withCert
    ? { ca: fs.readFileSync(pki.ca.certPath), cert: fs.readFileSync(pki.client.certPath), key: fs.readFileSync(pki.client.keyPath) }
    : { ca: fs.readFileSync(pki.ca.certPath) };
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', headers: { 'Content-Type': contentType }, ...tlsOpts }, (res) => {
      void (async () => {
        const ct = res.headers['content-type'] ?? '';
        const parts = new Map<string, Buffer>();
        let xml: Buffer;
        if (isMultipartRelated(ct)) {
          const chunks = new Map<string, Buffer[]>();
          const r = await readMultipartRelated(res, ct, { maxParts: 100, maxHeaderBytes: 16384, maxRootBytes: 1 << 24 }, (p) => {
            const list: Buffer[] = [];
            chunks.set(p.contentId ?? '', list);
            return new (require('node:stream').Writable)({ write(c: Buffer, _e: string, cb: () => void) { list.push(c); cb(); } });
          });
          for (const [k, v] of chunks) parts.set(k, Buffer.concat(v));
          xml = r.root;
        } else {
          const all: Buffer[] = [];
          for await (const c of res) all.push(c as Buffer);
          xml = Buffer.concat(all);
        }
        const env = parseXml(xml);
        resolve({ status: res.statusCode ?? 0, body: env.children.find((c) => c.local === 'Body')?.children[0] as XmlElement, parts });
      })().catch(reject);
    });
    req.on('error', reject);
    write(req);
  });
}

const plain = (url: string, action: string, body: string, withCert = true) =>
  request(url, `application/soap+xml; charset=UTF-8`, (req) => req.end(buildSoapRequest({ action, to: url, body })), withCert);

function mtom(url: string, action: string, body: string, attachments: { contentId: string; data: Buffer }[]): Promise<Reply> {
  const boundary = newBoundary();
  const rootId = newContentId('root');
  return request(url, mtomContentType({ boundary, startId: rootId, action }), (req) => {
    const xml = buildSoapRequest({ action, to: url, body });
    void writeMultipartRelated(req, {
      boundary,
      root: { contentId: rootId, xml },
      parts: attachments.map((a) => ({ contentId: a.contentId, contentType: 'text/plain', open: () => Readable.from([a.data]) })),
    }).then(() => req.end());
  });
}

beforeAll(async () => {
  assertSchemaToolsPresent();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-secure-'));
  pki = await generateDevPki(path.join(dataDir, 'certs'));
  collector = await startTlsCollector(httpsServerOptions(loadTlsMaterial({ cert: pki.server.certPath, key: pki.server.keyPath, ca: pki.ca.certPath })));
  const base = {
    DATA_DIR: path.join(dataDir, 'data'),
    REGISTRY_HOST: '127.0.0.1',
    REPOSITORY_HOST: '127.0.0.1',
    REGISTRY_PORT: '0',
    REPOSITORY_PORT: '0',
    TLS_CERT: pki.server.certPath,
    TLS_KEY: pki.server.keyPath,
    TLS_CA: pki.ca.certPath,
    TLS_CLIENT_CERT: pki.client.certPath,
    TLS_CLIENT_KEY: pki.client.keyPath,
    AUDIT_SYSLOG_URL: collector.url,
  };
  registry = await startRegistry(loadConfig(base), quiet);
  repository = await startRepository(loadConfig({ ...base, REGISTRY_URL: registry.url.replace('localhost', '127.0.0.1') }), quiet);
});

afterAll(async () => {
  await repository?.close();
  await registry?.close();
  await collector?.stop();
});

async function until(cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function eventIds(kind: string): string[] {
  return collector.messages.filter((m) => m.parsed.appName === kind).map((m) => {
    const ev = /<EventID csd-code="(\d+)"/.exec(m.parsed.msg)?.[1] ?? '?';
    const type = /<EventTypeCode csd-code="([^"]+)"/.exec(m.parsed.msg)?.[1] ?? '';
    return `${ev}:${type}`;
  });
}

it('refuses a client without a certificate', async () => {
  await expect(plain(registry.url, ACTION.iti18, '<x/>', false)).rejects.toThrow();
});

it('serves a certified client end to end and audits every transaction, schema-valid, over syslog TLS', async () => {
  const patientId = newPatientId();
  // Over 1 MiB, so the retrieve sends several chunks through the writer's two reused buffers over TLS.
  const content = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 2654435761) >>> 27));
  const uniqueId = newUid();
  const body =
    `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}" xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}"><lcm:SubmitObjectsRequest><rim:RegistryObjectList>` +
    registryObjectsXml({ patientId, ssUniqueId: newUid(), documents: [{ id: 'Document01', uniqueId }] }) +
    `</rim:RegistryObjectList></lcm:SubmitObjectsRequest><xds:Document id="Document01"><xop:Include xmlns:xop="${NS.xop}" href="cid:doc1@test"/></xds:Document></xds:ProvideAndRegisterDocumentSetRequest>`;
  const pnr = await mtom(repository.url, ACTION.iti41, body, [{ contentId: 'doc1@test', data: content }]);
  expect(responseStatus(pnr.body)).toEqual({ status: 'Success', errors: [] });

  const query =
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="LeafClass" returnComposedObjects="true"/>` +
    `<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"><rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${patientId.replace(/&/g, '&amp;')}'</rim:Value></rim:ValueList></rim:Slot>` +
    `<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>`;
  const found = await plain(registry.url, ACTION.iti18, query);
  expect(found.body.children.find((c) => c.local === 'RegistryObjectList')?.children).toHaveLength(1);

  const retrieve = `<xds:RetrieveDocumentSetRequest xmlns:xds="${NS.xds}"><xds:DocumentRequest><xds:RepositoryUniqueId>1.3.6.1.4.1.21367.2017.2.3.1</xds:RepositoryUniqueId><xds:DocumentUniqueId>${uniqueId}</xds:DocumentUniqueId></xds:DocumentRequest></xds:RetrieveDocumentSetRequest>`;
  const got = await mtom(repository.url, ACTION.iti43, retrieve, []);
  expect([...got.parts.values()].map((b) => createHash('sha1').update(b).digest('hex'))).toEqual([createHash('sha1').update(content).digest('hex')]);

  // 3 registry events + 4 repository events + the security alert for the refused client above
  await until(() => eventIds('xds-repository').includes('110106:ITI-43') && collector.messages.length >= 8);
  expect(eventIds('xds-registry')).toEqual(expect.arrayContaining(['110100:110120', '110107:ITI-42', '110112:ITI-18']));
  expect(eventIds('xds-repository')).toEqual(expect.arrayContaining(['110100:110120', '110107:ITI-41', '110106:ITI-42', '110106:ITI-43']));
  for (const m of collector.messages) expect(m.parsed.msgId).toBe('IHE+RFC-3881');

  const files = collector.messages.map((m, i) => {
    const f = path.join(dataDir, `audit-${i}.xml`);
    fs.writeFileSync(f, m.parsed.msg);
    return f;
  });
  const v = xmllintValidate(files);
  expect(v.output).not.toMatch(/fails to validate/);
  expect(v.ok).toBe(true);

  const iti18 = collector.messages.find((m) => m.parsed.msg.includes('csd-code="ITI-18"'))?.parsed.msg ?? '';
  expect(iti18).toContain(`ParticipantObjectID="${patientId.replace(/&/g, '&amp;')}"`);
  expect(iti18).toContain('CN=xds-dev-client');
});

it('loses no audit record while the syslog collector is down', async () => {
  const port = collector.port;
  const before = collector.messages.length;
  await collector.stop();
  const query = `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="ObjectRef"/><rim:AdhocQuery id="urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"><rim:Slot name="$XDSDocumentEntryUniqueId"><rim:ValueList><rim:Value>('1.2.3.nothing')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>`;
  for (let i = 0; i < 3; i++) expect(responseStatus((await plain(registry.url, ACTION.iti18, query)).body).status).toBe('Success');
  const restarted = await startTlsCollector(httpsServerOptions(loadTlsMaterial({ cert: pki.server.certPath, key: pki.server.keyPath, ca: pki.ca.certPath })), { port });
  collector = restarted;
  const iti18 = (): number => restarted.messages.filter((m) => m.parsed.msg.includes('csd-code="ITI-18"')).length;
  await until(() => iti18() >= 3, 20000);
  expect(iti18()).toBeGreaterThanOrEqual(3);
  expect(before).toBeGreaterThan(0);
}, 30000);

it('sends audit records over syslog UDP too', async () => {
  const udp = await startUdpCollector();
  const reg = await startRegistry(loadConfig({ DATA_DIR: path.join(dataDir, 'udp'), REGISTRY_HOST: '127.0.0.1', REGISTRY_PORT: '0', AUDIT_SYSLOG_URL: udp.url }), quiet);
  try {
    const got = await udp.waitFor(1, 5000);
    expect(got[0].parsed.msg).toContain('csd-code="110100"');
    expect(got[0].parsed.msgId).toBe('IHE+RFC-3881');
  } finally {
    await reg.close();
    await udp.stop();
  }
});
