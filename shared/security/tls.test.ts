import { promises as fsp } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { DevPki, generateDevPki } from './pki';
import { BCP195_CIPHERS, TlsRejection, clientTlsOptions, httpsServerOptions, loadTlsMaterial, onTlsRejection, peerSubject } from './tls';

let dir: string;
let pki: DevPki;
let foreign: DevPki;
let server: https.Server;
let port: number;
let handled = 0;
const rejections: TlsRejection[] = [];

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-tls-'));
  [pki, foreign] = await Promise.all([
    generateDevPki(path.join(dir, 'ours')),
    generateDevPki(path.join(dir, 'other'), { organization: 'someone else' }),
  ]);
  const material = loadTlsMaterial({ cert: pki.server.certPath, key: pki.server.keyPath, ca: pki.ca.certPath });
  server = https.createServer(httpsServerOptions(material), (req, res) => {
    handled++;
    const socket = req.socket as tls.TLSSocket;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ subject: peerSubject(req.socket) ?? null, protocol: socket.getProtocol() }));
  });
  onTlsRejection(server, (r) => rejections.push(r));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fsp.rm(dir, { recursive: true, force: true });
});

function get(opts: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('server options require a client certificate, TLS >= 1.2 and BCP 195 ciphers', () => {
  const o = httpsServerOptions({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
  expect(o).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  expect(o.ciphers).toBe(BCP195_CIPHERS);
  expect(BCP195_CIPHERS).not.toMatch(/CBC|RC4|3DES|NULL|(^|:)AES/);
  expect(clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert })).toMatchObject({
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
});

test('accepts a client with a valid certificate and reports its subject', async () => {
  const agent = new https.Agent(clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert }));
  try {
    const res = await get({ agent });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { subject: string; protocol: string };
    expect(body.subject).toBe('CN=xds-dev-client,O=xds-node development');
    expect(['TLSv1.2', 'TLSv1.3']).toContain(body.protocol);
  } finally {
    agent.destroy();
  }
});

test('works over TLS 1.2 with a BCP 195 suite too', async () => {
  const opts = clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert });
  const res = await get({ ...opts, maxVersion: 'TLSv1.2' });
  expect(JSON.parse(res.body)).toEqual({ subject: 'CN=xds-dev-client,O=xds-node development', protocol: 'TLSv1.2' });
});

test('refuses a client without a certificate', async () => {
  const before = handled;
  const n = rejections.length;
  await expect(get({ ca: pki.ca.cert })).rejects.toThrow();
  await waitFor(() => rejections.length > n);
  expect(handled).toBe(before);
  expect(rejections[n].remoteAddress).toBe('127.0.0.1');
  expect(rejections[n].reason).toMatch(/certificate/i);
});

test('refuses a client whose certificate comes from another CA', async () => {
  const before = handled;
  const n = rejections.length;
  // The client trusts our server, but presents a certificate from the foreign CA.
  await expect(get({ cert: foreign.client.cert, key: foreign.client.key, ca: pki.ca.cert })).rejects.toThrow();
  await waitFor(() => rejections.length > n);
  expect(handled).toBe(before);
  expect(rejections[n].verifyError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  expect(rejections[n].reason).toMatch(/certificate verification failed/);
});

test('refuses TLS 1.1 and below', async () => {
  const before = handled;
  await expect(
    get({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }),
  ).rejects.toThrow();
  expect(handled).toBe(before);
});

test('the client side rejects a server certificate from another CA', async () => {
  await expect(get(clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: foreign.ca.cert }))).rejects.toThrow(
    /self.signed|unable to (get|verify)|certificate/i,
  );
});

test('peerSubject is undefined for plain or unauthenticated sockets', () => {
  expect(peerSubject(undefined)).toBeUndefined();
  expect(peerSubject(new net.Socket())).toBeUndefined();
});
