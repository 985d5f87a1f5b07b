/**
 * Starting and stopping an HTTP(S) server the same way for both services: header and request timeouts
 * (slow clients are cut off), graceful shutdown (in-flight requests finish, idle connections close).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface ServerOptions {
  port: number;
  host: string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** HTTPS options (mutual TLS) when set. */
  https?: https.ServerOptions;
}

export interface RunningServer {
  server: http.Server;
  port: number;
  url(path: string): string;
  close(): Promise<void>;
}

export async function startServer(listener: RequestListener, opts: ServerOptions): Promise<RunningServer> {
  // Check header/request timeouts often enough that a slow client is cut off close to its deadline.
  const checking = { connectionsCheckingInterval: Math.max(250, Math.min(5000, Math.floor(opts.headersTimeoutMs / 2))) };
  const server = opts.https ? https.createServer({ ...opts.https, ...checking }, listener) : http.createServer(checking, listener);
  server.headersTimeout = opts.headersTimeoutMs;
  server.requestTimeout = opts.requestTimeoutMs;
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const scheme = opts.https ? 'https' : 'http';
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? 'localhost' : opts.host;
  return {
    server,
    port,
    url: (path: string) => `${scheme}://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Stop accepting; in-flight requests finish; keep-alive connections are closed as soon as they go idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
