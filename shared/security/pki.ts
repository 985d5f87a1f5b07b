/**
 * Development / test PKI for mutual TLS (ATNA ITI-19, digest section 8.1).
 *
 * Generates a private CA and leaf certificates signed by it with node-forge. RSA key generation is
 * delegated by node-forge to node:crypto's asynchronous generateKeyPair (a few hundred ms per key),
 * so a whole PKI takes about a second. Never use these certificates in production: the CA key
 * lies next to the certificates it signs.
 *
 * Files written into `dir`:
 *   ca.pem, ca-key.pem             self-signed CA (basicConstraints cA, keyCertSign)
 *   server.pem, server-key.pem     SAN DNS localhost + IP 127.0.0.1, EKU serverAuth + clientAuth
 *   client.pem, client-key.pem     EKU clientAuth
 *   NAME.pem, NAME-key.pem         extra client certificates (generateClientCert or opts.clientNames)
 * Keys are PKCS#8 PEM, written with mode 0600.
 */
import * as crypto from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import forge from 'node-forge';

export interface DevPkiOptions {
  /** RSA modulus length (default 2048). */
  bits?: number;
  /** CA validity in days (default 3650). */
  caDays?: number;
  /** Leaf certificate validity in days (default 825). */
  days?: number;
  /** organizationName in every subject (default 'xds-node development'). */
  organization?: string;
  /** DNS names in the server certificate's subjectAltName (default ['localhost']); the first is also its CN. */
  serverDnsNames?: string[];
  /** IP addresses in the server certificate's subjectAltName (default ['127.0.0.1']). */
  serverIps?: string[];
  /** Extra client certificates to issue (file names NAME.pem / NAME-key.pem, CN = NAME). */
  clientNames?: string[];
  /** Replace existing files (default false: refuse to overwrite an existing PKI). */
  overwrite?: boolean;
}

export interface ClientCertOptions {
  bits?: number;
  days?: number;
  organization?: string;
  overwrite?: boolean;
}

/** A certificate and its key as written to disk. */
export interface IssuedCert {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
  certPath: string;
  keyPath: string;
  /** Subject DN in RFC 4514 order, e.g. 'CN=localhost,O=xds-node development'. */
  subject: string;
}

export interface DevPki {
  dir: string;
  ca: IssuedCert;
  server: IssuedCert;
  client: IssuedCert;
  /** Extra client certificates by name. */
  clients: Record<string, IssuedCert>;
  /** Every file written, in order. */
  files: string[];
}

const DEFAULT_ORG = 'xds-node development';
const RESERVED_NAMES = new Set(['ca', 'ca-key', 'server', 'server-key']);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Signer {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function generateKeyPair(bits: number): Promise<forge.pki.rsa.KeyPair> {
  return new Promise((resolve, reject) => {
    // With a callback node-forge uses node:crypto's asynchronous generateKeyPair when available.
    forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (err, keypair) => {
      if (err) reject(err);
      else resolve(keypair);
    });
  });
}

/** A positive random 128-bit serial number, as hex. */
function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function subjectAttrs(organization: string, commonName: string): forge.pki.CertificateField[] {
  return [
    { name: 'organizationName', value: organization },
    { name: 'commonName', value: commonName },
  ];
}

function rfc4514(organization: string, commonName: string): string {
  const esc = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  return `CN=${esc(commonName)},O=${esc(organization)}`;
}

function setValidity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  // Back-date by one hour to tolerate small clock differences between hosts.
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

function keyToPem(key: forge.pki.rsa.PrivateKey): string {
  return forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
}

function createCa(keys: forge.pki.rsa.KeyPair, organization: string, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, days);
  const attrs = subjectAttrs(organization, `${organization} CA`);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return cert;
}

interface LeafSpec {
  commonName: string;
  organization: string;
  days: number;
  serverAuth: boolean;
  dnsNames: string[];
  ips: string[];
}

function createLeaf(publicKey: forge.pki.rsa.PublicKey, spec: LeafSpec, signer: Signer): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  setValidity(cert, spec.days);
  cert.setSubject(subjectAttrs(spec.organization, spec.commonName));
  cert.setIssuer(signer.cert.subject.attributes);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [
    ...spec.dnsNames.map((value) => ({ type: 2, value })),
    ...spec.ips.map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: spec.serverAuth, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: signer.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(signer.key, forge.md.sha256.create());
  return cert;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

async function writePem(file: string, pem: string, secret: boolean): Promise<void> {
  const mode = secret ? 0o600 : 0o644;
  await fsp.writeFile(file, pem, { mode });
  await fsp.chmod(file, mode); // mode only applies when the file is created
}

async function refuseOverwrite(files: string[], overwrite: boolean | undefined): Promise<void> {
  if (overwrite) return;
  const present: string[] = [];
  for (const f of files) if (await exists(f)) present.push(f);
  if (present.length > 0) {
    throw new Error(`refusing to overwrite existing ${present.join(', ')} (pass overwrite: true / --force)`);
  }
}

function checkName(name: string): void {
  if (!NAME_RE.test(name) || RESERVED_NAMES.has(name)) {
    throw new Error(`invalid client certificate name '${name}': use [A-Za-z0-9._-], not ca or server`);
  }
}

async function issueAndWrite(dir: string, baseName: string, spec: LeafSpec, signer: Signer, bits: number): Promise<IssuedCert> {
  const keys = await generateKeyPair(bits);
  const cert = createLeaf(keys.publicKey, spec, signer);
  const issued: IssuedCert = {
    cert: forge.pki.certificateToPem(cert),
    key: keyToPem(keys.privateKey),
    certPath: path.join(dir, `${baseName}.pem`),
    keyPath: path.join(dir, `${baseName}-key.pem`),
    subject: rfc4514(spec.organization, spec.commonName),
  };
  await writePem(issued.keyPath, issued.key, true);
  await writePem(issued.certPath, issued.cert, false);
  return issued;
}

function validateIps(ips: string[]): void {
  for (const ip of ips) if (net.isIP(ip) === 0) throw new Error(`not an IP address: '${ip}'`);
}

/** Generates a CA, a server certificate and a client certificate (plus opts.clientNames) into dir. */
export async function generateDevPki(dir: string, opts: DevPkiOptions = {}): Promise<DevPki> {
  const bits = opts.bits ?? 2048;
  const organization = opts.organization ?? DEFAULT_ORG;
  const days = opts.days ?? 825;
  const dnsNames = opts.serverDnsNames ?? ['localhost'];
  const ips = opts.serverIps ?? ['127.0.0.1'];
  const clientNames = opts.clientNames ?? [];
  validateIps(ips);
  for (const n of clientNames) {
    checkName(n);
    if (n === 'client') throw new Error(`'client' is always generated; choose another extra client name`);
  }
  const baseNames = ['ca', 'server', 'client', ...clientNames];
  const planned = baseNames.flatMap((b) => [path.join(dir, `${b}.pem`), path.join(dir, `${b}-key.pem`)]);

  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await refuseOverwrite(planned, opts.overwrite);

  const caKeys = await generateKeyPair(bits);
  const caCert = createCa(caKeys, organization, opts.caDays ?? 3650);
  const ca: IssuedCert = {
    cert: forge.pki.certificateToPem(caCert),
    key: keyToPem(caKeys.privateKey),
    certPath: path.join(dir, 'ca.pem'),
    keyPath: path.join(dir, 'ca-key.pem'),
    subject: rfc4514(organization, `${organization} CA`),
  };
  await writePem(ca.keyPath, ca.key, true);
  await writePem(ca.certPath, ca.cert, false);
  const signer: Signer = { cert: caCert, key: caKeys.privateKey };

  const leaf = (commonName: string, serverAuth: boolean): LeafSpec => ({
    commonName,
    organization,
    days,
    serverAuth,
    dnsNames: serverAuth ? dnsNames : [],
    ips: serverAuth ? ips : [],
  });
  // The leaf keys are generated concurrently (node:crypto runs them on the libuv thread pool).
  const [server, client, ...extra] = await Promise.all([
    issueAndWrite(dir, 'server', leaf(dnsNames[0] ?? ips[0] ?? 'server', true), signer, bits),
    issueAndWrite(dir, 'client', leaf('xds-dev-client', false), signer, bits),
    ...clientNames.map((n) => issueAndWrite(dir, n, leaf(n, false), signer, bits)),
  ]);
  const clients: Record<string, IssuedCert> = {};
  clientNames.forEach((n, i) => {
    clients[n] = extra[i];
  });
  const files = [ca, server, client, ...extra].flatMap((c) => [c.certPath, c.keyPath]);
  return { dir, ca, server, client, clients, files };
}

/** Issues one more client certificate NAME.pem / NAME-key.pem, signed by the CA already in dir. */
export async function generateClientCert(dir: string, name: string, opts: ClientCertOptions = {}): Promise<IssuedCert> {
  checkName(name);
  const caCertPem = await fsp.readFile(path.join(dir, 'ca.pem'), 'utf8');
  const caKeyPem = await fsp.readFile(path.join(dir, 'ca-key.pem'), 'utf8');
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey;
  await refuseOverwrite([path.join(dir, `${name}.pem`), path.join(dir, `${name}-key.pem`)], opts.overwrite);
  const orgField = caCert.subject.getField('O') as { value?: unknown } | null;
  const organization = opts.organization ?? (typeof orgField?.value === 'string' ? orgField.value : DEFAULT_ORG);
  const spec: LeafSpec = { commonName: name, organization, days: opts.days ?? 825, serverAuth: false, dnsNames: [], ips: [] };
  return issueAndWrite(dir, name, spec, { cert: caCert, key: caKey }, opts.bits ?? 2048);
}
