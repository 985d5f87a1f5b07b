import { X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevPki, generateClientCert, generateDevPki } from './pki';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

let dir: string;
let pki: DevPki;
let genMs: number;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-pki-'));
  const t0 = Date.now();
  pki = await generateDevPki(dir);
  genMs = Date.now() - t0;
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

test('generates CA, server and client files quickly (keys delegated to node:crypto)', async () => {
  expect(genMs).toBeLessThan(5000);
  const names = (await fsp.readdir(dir)).sort();
  expect(names).toEqual(['ca-key.pem', 'ca.pem', 'client-key.pem', 'client.pem', 'server-key.pem', 'server.pem']);
  expect(pki.files.map((f) => path.basename(f))).toEqual([
    'ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem', 'client.pem', 'client-key.pem',
  ]);
  for (const key of ['ca-key.pem', 'server-key.pem', 'client-key.pem']) {
    const st = await fsp.stat(path.join(dir, key));
    if (process.platform !== 'win32') expect(st.mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(path.join(dir, key), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  }
});

test('certificates chain to the CA with the right SAN and extended key usage', () => {
  const ca = new X509Certificate(pki.ca.cert);
  const server = new X509Certificate(pki.server.cert);
  const client = new X509Certificate(pki.client.cert);
  expect(ca.ca).toBe(true);
  expect(ca.checkIssued(ca)).toBe(true);
  for (const leaf of [server, client]) {
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  }
  expect(server.checkHost('localhost')).toBe('localhost');
  expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(server.subjectAltName).toContain('DNS:localhost');
  expect([...(server.keyUsage ?? [])].sort()).toEqual([SERVER_AUTH, CLIENT_AUTH]);
  expect(client.keyUsage).toEqual([CLIENT_AUTH]);
  expect(server.checkHost('example.org')).toBeUndefined();
  expect(pki.client.subject).toBe('CN=xds-dev-client,O=xds-node development');
  expect(pki.server.subject).toBe('CN=localhost,O=xds-node development');
});

test('generateClientCert issues a named client certificate from the CA on disk', async () => {
  const c = await generateClientCert(dir, 'consumer-a');
  expect(path.basename(c.certPath)).toBe('consumer-a.pem');
  expect(path.basename(c.keyPath)).toBe('consumer-a-key.pem');
  const x = new X509Certificate(await fsp.readFile(c.certPath));
  expect(x.checkIssued(new X509Certificate(pki.ca.cert))).toBe(true);
  expect(x.subject).toBe('O=xds-node development\nCN=consumer-a');
  expect(x.keyUsage).toEqual([CLIENT_AUTH]);
  expect(c.subject).toBe('CN=consumer-a,O=xds-node development');
});

test('refuses to overwrite an existing PKI and rejects unsafe names', async () => {
  await expect(generateDevPki(dir)).rejects.toThrow(/refusing to overwrite/);
  await expect(generateClientCert(dir, 'client')).rejects.toThrow(/refusing to overwrite/);
  await expect(generateClientCert(dir, '../evil')).rejects.toThrow(/invalid client certificate name/);
  await expect(generateClientCert(dir, 'ca')).rejects.toThrow(/invalid client certificate name/);
  await expect(generateDevPki(path.join(dir, 'x'), { serverIps: ['localhost'] })).rejects.toThrow(/not an IP/);
});
