/**
 * Test support for audit: loopback syslog collectors (UDP RFC 5426, TLS RFC 5425) that parse what
 * they receive, and schema validation with xmllint. Used by the audit tests and meant for service
 * integration tests too; not used at runtime.
 */
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { OctetCountingDecoder, ParsedSyslogMessage, parseSyslogMessage } from './syslog';

/** shared/schemas/dicom2017c.xsd of the reference tree, resolved from this folder (shared/audit). */
export const DICOM_AUDIT_XSD = path.resolve(__dirname, '../../../shared/schemas/dicom2017c.xsd');

export interface ReceivedSyslog {
  /** The syslog message bytes (without framing). */
  raw: Buffer;
  text: string;
  parsed: ParsedSyslogMessage;
  /** Which connection it came on (TLS), 0 for UDP. */
  connection: number;
}

export interface SyslogCollector {
  readonly url: string;
  readonly port: number;
  readonly messages: ReceivedSyslog[];
  /** Framing or parse errors seen. */
  readonly errors: Error[];
  /** Number of connections accepted (TLS). */
  readonly connections: number;
  /** Frames read and thrown away (TLS collector started with discard: true). */
  readonly discarded: number;
  /** Resolves when at least n messages have arrived; rejects after timeoutMs (default 3000). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedSyslog[]>;
  /** Resolves when at least n frames have been discarded (discard mode). */
  waitForDiscarded(n: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
}

class Collector {
  readonly messages: ReceivedSyslog[] = [];
  readonly errors: Error[] = [];
  connections = 0;
  discarded = 0;
  private waiters: Array<() => void> = [];

  receive(raw: Buffer, connection: number): void {
    this.notify(() => this.record(raw, connection));
  }

  drop(): void {
    this.notify(() => this.discarded++);
  }

  private record(raw: Buffer, connection: number): void {
    const text = raw.toString('utf8');
    try {
      this.messages.push({ raw, text, parsed: parseSyslogMessage(text), connection });
    } catch (e) {
      this.errors.push(e as Error);
    }
  }

  private notify(change: () => void): void {
    change();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  fail(e: Error): void {
    this.errors.push(e);
  }

  async waitFor(n: number, timeoutMs = 3000, count: () => number = () => this.messages.length): Promise<ReceivedSyslog[]> {
    const deadline = Date.now() + timeoutMs;
    while (count() < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`syslog collector: ${count()} of ${n} messages after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }
}

/** A UDP syslog collector on 127.0.0.1 (port 0 = any free port). */
export async function startUdpCollector(port = 0): Promise<SyslogCollector> {
  const c = new Collector();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg) => c.receive(msg, 0));
  socket.on('error', (e) => c.fail(e));
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  const bound = socket.address().port;
  return {
    url: `udp://127.0.0.1:${bound}`,
    port: bound,
    messages: c.messages,
    errors: c.errors,
    get connections() {
      return 0;
    },
    get discarded() {
      return 0;
    },
    waitFor: (n, t) => c.waitFor(n, t),
    waitForDiscarded: async (n, t) => {
      await c.waitFor(n, t, () => c.discarded);
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export interface TlsCollectorOptions {
  /** Listen on this port (e.g. the port of a stopped collector, to restart it); default any free port. */
  port?: number;
  /** Read and count frames but keep none: a collector that loses what it accepted. */
  discard?: boolean;
}

/**
 * A TLS syslog collector on 127.0.0.1 with RFC 5425 octet-counting frames. `tlsOptions` are TLS
 * server options (e.g. httpsServerOptions(...) for mutual TLS).
 */
export async function startTlsCollector(tlsOptions: tls.TlsOptions, opts: TlsCollectorOptions = {}): Promise<SyslogCollector> {
  const c = new Collector();
  const sockets = new Set<tls.TLSSocket>();
  const port = opts.port ?? 0;
  const server = tls.createServer(tlsOptions, (socket) => {
    const id = ++c.connections;
    sockets.add(socket);
    const decoder = new OctetCountingDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (opts.discard) c.drop();
          else c.receive(frame, id);
        }
      } catch (e) {
        c.fail(e as Error);
        socket.destroy();
      }
    });
    socket.on('end', () => {
      if (decoder.pending > 0) c.fail(new Error(`connection ${id} ended inside a frame (${decoder.pending} bytes)`));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `tls://127.0.0.1:${bound}`,
    port: bound,
    messages: c.messages,
    errors: c.errors,
    get connections() {
      return c.connections;
    },
    get discarded() {
      return c.discarded;
    },
    waitFor: (n, t) => c.waitFor(n, t),
    waitForDiscarded: async (n, t) => {
      await c.waitFor(n, t, () => c.discarded);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** True when xmllint can be run. */
export function xmllintAvailable(): boolean {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Checks that the schema and xmllint are there; throws a message saying how to fix it otherwise. */
export function assertSchemaToolsPresent(xsd: string = DICOM_AUDIT_XSD): void {
  if (!existsSync(xsd)) throw new Error(`schema not found: ${xsd} (the shared reference tree must be next to the repository)`);
  if (!xmllintAvailable()) {
    throw new Error('xmllint is not installed: apt-get update && apt-get install -y libxml2-utils');
  }
}

/** Validates files with `xmllint --noout --nonet --schema xsd files...`; returns the exit status and output. */
export function xmllintValidate(files: string[], xsd: string = DICOM_AUDIT_XSD): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, ...files], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
