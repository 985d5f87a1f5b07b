/**
 * Mutual-TLS helpers (ATNA ITI-19 Authenticate Node, digest section 8.1): option objects for
 * https servers and outgoing requests with TLS 1.2+ and BCP 195 cipher suites, the authenticated
 * peer's subject, and a hook for rejected handshakes (to audit them as security alerts).
 */
import { readFileSync } from 'node:fs';
import type * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';

type Pem = string | Buffer;

/** PEM material: our certificate and key, and the CA certificate(s) we trust for peers. */
export interface TlsMaterial {
  cert: Pem;
  key: Pem;
  ca: Pem | Pem[];
}

/**
 * TLS 1.3 suites plus the TLS 1.2 AEAD suites with forward secrecy recommended by BCP 195
 * (RFC 7525 / RFC 9325), in preference order. No CBC, no static RSA key exchange.
 */
export const BCP195_CIPHERS: string = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

export const TLS_MIN_VERSION: tls.SecureVersion = 'TLSv1.2';

/** Reads PEM files (e.g. certs/server.pem, certs/server-key.pem, certs/ca.pem) into TlsMaterial. */
export function loadTlsMaterial(paths: { cert: string; key: string; ca: string | string[] }): TlsMaterial {
  const caPaths = Array.isArray(paths.ca) ? paths.ca : [paths.ca];
  return {
    cert: readFileSync(paths.cert),
    key: readFileSync(paths.key),
    ca: caPaths.map((p) => readFileSync(p)),
  };
}

/**
 * Options for https.createServer / tls.createServer: the peer must present a certificate issued by
 * `ca` or the handshake fails (requestCert + rejectUnauthorized).
 */
export function httpsServerOptions(m: TlsMaterial): https.ServerOptions {
  return {
    cert: m.cert,
    key: m.key,
    ca: m.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: TLS_MIN_VERSION,
    ciphers: BCP195_CIPHERS,
    honorCipherOrder: true,
    dhparam: 'auto',
  };
}

/**
 * Options for outgoing mutual-TLS requests: `new https.Agent(clientTlsOptions(m))`, or spread into
 * https.request / tls.connect options. The server certificate is verified against `ca` and the host name.
 */
export function clientTlsOptions(m: TlsMaterial): https.AgentOptions & tls.ConnectionOptions {
  return {
    cert: m.cert,
    key: m.key,
    ca: m.ca,
    rejectUnauthorized: true,
    minVersion: TLS_MIN_VERSION,
    ciphers: BCP195_CIPHERS,
  };
}

/**
 * Subject DN of the authenticated peer certificate, RFC 4514 style (most specific first, e.g.
 * 'CN=xds-dev-client,O=xds-node development'); undefined for plain sockets, unauthenticated peers
 * or peers without a certificate. Pass `req.socket` of an https request.
 */
export function peerSubject(socket: net.Socket | tls.TLSSocket | undefined | null): string | undefined {
  if (!(socket instanceof tls.TLSSocket) || !socket.authorized) return undefined;
  const cert = socket.getPeerX509Certificate();
  if (!cert) return undefined;
  // X509Certificate.subject: one RDN per line, most significant first, values escaped per RFC 2253
  // (control characters escaped too, so splitting on newlines is safe).
  const rdns = cert.subject.split('\n').filter((l) => l.length > 0);
  return rdns.length > 0 ? rdns.reverse().join(',') : undefined;
}

/** Why and from where a TLS handshake was rejected. */
export interface TlsRejection {
  remoteAddress?: string;
  remotePort?: number;
  /**
   * Human-readable reason: the certificate verification error when there was one (e.g.
   * 'certificate verification failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE'), else the handshake error
   * message (e.g. 'peer did not return a certificate').
   */
  reason: string;
  /** Certificate verification error code, e.g. 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED'. */
  verifyError?: string;
  /** Node error code of the handshake error, e.g. 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', 'ECONNRESET'. */
  code?: string;
}

/**
 * Calls `handler` for every failed incoming handshake (no client certificate, unknown CA, protocol
 * mismatch, handshake timeout, plain HTTP on the TLS port). Use it to record a 110113 Security Alert.
 * Returns a function that removes the listener.
 */
export function onTlsRejection(server: tls.Server, handler: (r: TlsRejection) => void): () => void {
  const listener = (err: Error, socket: tls.TLSSocket): void => {
    // A certificate that fails verification makes Node destroy the socket after the handshake, so
    // `err` is then only 'socket hang up'; the real reason is in authorizationError.
    const verifyError = socket.authorizationError as Error | string | null | undefined;
    const verifyCode = verifyError instanceof Error ? verifyError.message : verifyError ?? undefined;
    const r: TlsRejection = { reason: verifyCode ? `certificate verification failed: ${verifyCode}` : err.message };
    if (verifyCode) r.verifyError = verifyCode;
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined) r.code = code;
    if (socket.remoteAddress !== undefined) r.remoteAddress = socket.remoteAddress;
    if (socket.remotePort !== undefined) r.remotePort = socket.remotePort;
    handler(r);
  };
  server.on('tlsClientError', listener);
  return () => {
    server.off('tlsClientError', listener);
  };
}
