/**
 * Syslog transport for ATNA audit messages (ITI-20, digest section 8.2):
 *  - RFC 5424 message format: `<85>1 TIMESTAMP HOSTNAME APP-NAME PROCID IHE+RFC-3881 - MSG`,
 *    MSG being the BOM-less UTF-8 AuditMessage XML;
 *  - RFC 5426 UDP: one message per datagram;
 *  - RFC 5425 TLS: octet-counting framing `MSG-LEN SP SYSLOG-MSG` (MSG-LEN in UTF-8 bytes), over
 *    one persistent connection that is re-opened on the next send after a failure.
 * Retries and durability are the outbox's job (outbox.ts); a transport only reports success or failure.
 */
import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import * as tls from 'node:tls';

export type SyslogProtocol = 'udp' | 'tls';

export interface SyslogTarget {
  protocol: SyslogProtocol;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<SyslogProtocol, number> = { udp: 514, tls: 6514 };

/** Parses 'udp://host:port' or 'tls://host:port' (default ports 514 and 6514; IPv6 as [::1]). */
export function parseSyslogUrl(url: string): SyslogTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid syslog URL '${url}': expected udp://host:port or tls://host:port`);
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'udp' && protocol !== 'tls') {
    throw new Error(`unsupported syslog protocol '${protocol}' in '${url}': use udp:// or tls://`);
  }
  if (u.username || u.password || (u.pathname !== '' && u.pathname !== '/') || u.search || u.hash) {
    throw new Error(`invalid syslog URL '${url}': only protocol, host and port are allowed`);
  }
  const host = u.hostname.startsWith('[') && u.hostname.endsWith(']') ? u.hostname.slice(1, -1) : u.hostname;
  if (host === '') throw new Error(`invalid syslog URL '${url}': missing host`);
  const port = u.port === '' ? DEFAULT_PORTS[protocol] : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port in syslog URL '${url}'`);
  return { protocol, host, port };
}

// ---------------------------------------------------------------------------------------------
// RFC 5424 format

export interface SyslogHeaderOptions {
  /** HOSTNAME (FQDN, host name or IP of the sender). */
  hostname: string;
  /** APP-NAME, e.g. 'xds-registry'. */
  appName: string;
  /** PROCID; default process.pid. */
  procId?: string | number;
  /** MSGID; default 'IHE+RFC-3881'. */
  msgId?: string;
  /** Facility; default 10 (authpriv). */
  facility?: number;
  /** Severity; default 5 (notice). */
  severity?: number;
}

export const ATNA_MSGID = 'IHE+RFC-3881';

/** RFC 5424 header fields are PRINTUSASCII without spaces, bounded in length; '-' is the nil value. */
function headerField(value: string | number | undefined, max: number): string {
  const s = String(value ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return s === '' ? '-' : s;
}

/** Formats one RFC 5424 syslog message (no framing, no trailing newline, no BOM). */
export function formatSyslogMessage(msg: string, h: SyslogHeaderOptions, time: Date = new Date()): string {
  const facility = h.facility ?? 10;
  const severity = h.severity ?? 5;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23) throw new RangeError(`syslog facility ${facility}`);
  if (!Number.isInteger(severity) || severity < 0 || severity > 7) throw new RangeError(`syslog severity ${severity}`);
  const pri = facility * 8 + severity;
  return (
    `<${pri}>1 ${time.toISOString()} ${headerField(h.hostname, 255)} ${headerField(h.appName, 48)} ` +
    `${headerField(h.procId ?? process.pid, 128)} ${headerField(h.msgId ?? ATNA_MSGID, 32)} - ${msg}`
  );
}

export interface ParsedSyslogMessage {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

/** Parses an RFC 5424 message (as produced by formatSyslogMessage; also accepts SD elements). */
export function parseSyslogMessage(text: string): ParsedSyslogMessage {
  const m = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 80)}`);
  let rest = text.slice(m[0].length);
  let structuredData: string;
  if (rest.startsWith('-')) {
    structuredData = '-';
    rest = rest.slice(1);
  } else if (rest.startsWith('[')) {
    let i = 0;
    while (rest[i] === '[') {
      i++;
      let inQuotes = false;
      for (; i < rest.length; i++) {
        const c = rest[i];
        if (c === '\\' && inQuotes) i++;
        else if (c === '"') inQuotes = !inQuotes;
        else if (c === ']' && !inQuotes) break;
      }
      if (i >= rest.length) throw new Error('unterminated structured data');
      i++;
    }
    structuredData = rest.slice(0, i);
    rest = rest.slice(i);
  } else {
    throw new Error('missing structured data');
  }
  if (rest !== '' && !rest.startsWith(' ')) throw new Error('no space after structured data');
  const pri = Number(m[1]);
  return {
    pri,
    facility: pri >> 3,
    severity: pri & 7,
    version: Number(m[2]),
    timestamp: m[3],
    hostname: m[4],
    appName: m[5],
    procId: m[6],
    msgId: m[7],
    structuredData,
    msg: rest.slice(1),
  };
}

/** RFC 5425 octet-counting frame: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN = number of UTF-8 bytes. */
export function frameOctetCounting(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/**
 * Incremental RFC 5425 frame decoder (for receivers and tests): push bytes, get complete messages.
 * Throws on a malformed length prefix.
 */
export class OctetCountingDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const sp = this.buf.indexOf(0x20);
      if (sp < 0) {
        if (this.buf.length > 10) throw new Error('octet-counting frame: length prefix too long');
        break;
      }
      const lenText = this.buf.subarray(0, sp).toString('ascii');
      if (!/^[1-9]\d{0,9}$/.test(lenText)) throw new Error(`octet-counting frame: bad length '${lenText}'`);
      const len = Number(lenText);
      if (this.buf.length < sp + 1 + len) break;
      out.push(this.buf.subarray(sp + 1, sp + 1 + len));
      this.buf = this.buf.subarray(sp + 1 + len);
    }
    return out;
  }

  /** Bytes received that do not form a complete frame yet. */
  get pending(): number {
    return this.buf.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Transports

/**
 * Delivers formatted syslog messages.
 *
 * send() resolves once the message was handed to the network without a local error, with the id of
 * the connection it went out on (undefined for connectionless UDP). Because RFC 5425 has no
 * acknowledgements, a message written just before the collector went away can still be lost; such a
 * connection reports connectionLost(id) === true afterwards, so the caller (the outbox) can re-send
 * the messages it wrote on it recently.
 */
export interface SyslogTransport {
  send(message: string): Promise<number | undefined>;
  /** True once connection `id` is no longer the open, healthy connection. Always false for UDP. */
  connectionLost(id: number): boolean;
  /** Registers a callback for when a connection breaks (so in-flight messages can be re-sent at once). */
  onConnectionLost?(listener: (id: number) => void): void;
  close(): Promise<void>;
  /** e.g. 'tls://127.0.0.1:6514' (for logs). */
  readonly description: string;
}

/** A failure that retrying cannot fix (e.g. a message too large for a UDP datagram). */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

function describe(t: SyslogTarget): string {
  return `${t.protocol}://${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
}

export interface UdpTransportOptions {
  /** Largest datagram payload; larger messages fail permanently. Default 65507 (IPv4 UDP maximum). */
  maxMessageBytes?: number;
}

/** RFC 5426: one syslog message per UDP datagram. Unreliable by nature: success means "sent without a local error". */
export class UdpSyslogTransport implements SyslogTransport {
  readonly description: string;
  private socket: dgram.Socket | undefined;
  private closed = false;
  private readonly maxBytes: number;

  constructor(private readonly target: SyslogTarget, opts: UdpTransportOptions = {}) {
    this.description = describe(target);
    this.maxBytes = opts.maxMessageBytes ?? 65507;
  }

  private getSocket(): dgram.Socket {
    if (!this.socket) {
      const s = dgram.createSocket(isIP(this.target.host) === 6 ? 'udp6' : 'udp4');
      s.on('error', () => {
        // Reported through the send callback; drop the socket so the next send starts afresh.
        if (this.socket === s) this.socket = undefined;
        s.close();
      });
      s.unref();
      this.socket = s;
    }
    return this.socket;
  }

  connectionLost(): boolean {
    return false;
  }

  send(message: string): Promise<number | undefined> {
    if (this.closed) return Promise.reject(new Error('syslog transport closed'));
    const data = Buffer.from(message, 'utf8');
    if (data.length > this.maxBytes) {
      return Promise.reject(new PermanentSendError(`audit message of ${data.length} bytes exceeds the UDP limit of ${this.maxBytes}`));
    }
    const s = this.getSocket();
    return new Promise((resolve, reject) => {
      s.send(data, this.target.port, this.target.host, (err) => {
        if (!err) return resolve(undefined);
        if ((err as NodeJS.ErrnoException).code === 'EMSGSIZE') reject(new PermanentSendError(err.message));
        else reject(err);
      });
    });
  }

  close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    this.socket = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}

export interface TlsTransportOptions {
  /** Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Give up on a write that is not flushed to the socket within this time; default 10000 ms. */
  writeTimeoutMs?: number;
}

/**
 * RFC 5425: octet-counted frames over one persistent mutual-TLS connection. After any error or a
 * close by the peer the connection is dropped and the next send() reconnects.
 *
 * send() resolves when the frame was written to a connection that was open and not closed by the
 * peer, with that connection's id. RFC 5425 has no acknowledgements, so a frame written just before
 * the collector went away can still be lost in socket buffers: connectionLost(id) then turns true and
 * the outbox re-sends what it wrote on that connection recently.
 */
export class TlsSyslogTransport implements SyslogTransport {
  readonly description: string;
  private socket: tls.TLSSocket | undefined;
  private socketId = 0;
  private lastId = 0;
  private lossListeners: Array<(id: number) => void> = [];
  private connecting: Promise<tls.TLSSocket> | undefined;
  private handshaking: tls.TLSSocket | undefined;
  private closed = false;
  private readonly connectTimeoutMs: number;
  private readonly writeTimeoutMs: number;

  constructor(
    private readonly target: SyslogTarget,
    private readonly tlsOptions: tls.ConnectionOptions,
    opts: TlsTransportOptions = {},
  ) {
    this.description = describe(target);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 10000;
  }

  /** True while a connection is open (for health checks). */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  onConnectionLost(listener: (id: number) => void): void {
    this.lossListeners.push(listener);
  }

  connectionLost(id: number): boolean {
    const s = this.socket;
    return !(s !== undefined && this.socketId === id && !s.destroyed && s.writable && !s.readableEnded);
  }

  private drop(s: tls.TLSSocket, err?: Error): void {
    if (this.socket === s) {
      this.socket = undefined;
      const id = this.socketId;
      for (const l of this.lossListeners) l(id);
    }
    if (!s.destroyed) s.destroy(err);
  }

  private connect(): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const { host, port } = this.target;
      const s = tls.connect({
        ...this.tlsOptions,
        host,
        port,
        ...(isIP(host) === 0 && this.tlsOptions.servername === undefined ? { servername: host } : {}),
      });
      this.handshaking = s;
      const timer = setTimeout(() => s.destroy(new Error(`TLS connect to ${this.description} timed out`)), this.connectTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        if (this.handshaking === s) this.handshaking = undefined;
        s.destroy();
        reject(err);
      };
      const failClosed = (): void => fail(new Error(`connection to ${this.description} closed during handshake`));
      s.once('error', fail);
      s.once('close', failClosed);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        if (this.handshaking === s) this.handshaking = undefined;
        s.off('error', fail);
        s.off('close', failClosed);
        if (this.closed) {
          s.destroy();
          reject(new Error('syslog transport closed'));
          return;
        }
        // A collector never sends data; consume anything so that 'end' (peer closed) is noticed at once.
        s.on('data', () => undefined);
        s.on('end', () => this.drop(s));
        s.on('close', () => this.drop(s));
        s.on('error', () => this.drop(s));
        s.setKeepAlive(true, 30000);
        s.setNoDelay(true);
        // An idle audit connection must not keep the process alive; undelivered records stay in the outbox.
        s.unref();
        this.socket = s;
        this.socketId = ++this.lastId;
        resolve(s);
      });
    });
  }

  private connection(): Promise<tls.TLSSocket> {
    const s = this.socket;
    if (s && !s.destroyed && s.writable && !s.readableEnded) return Promise.resolve(s);
    if (s) this.drop(s);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  async send(message: string): Promise<number | undefined> {
    if (this.closed) throw new Error('syslog transport closed');
    const frame = frameOctetCounting(message);
    const s = await this.connection();
    const id = this.socketId;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.off('close', onClose);
        if (err) {
          this.drop(s);
          reject(err);
        } else resolve();
      };
      const onClose = (): void => finish(new Error(`connection to ${this.description} closed`));
      const timer = setTimeout(() => finish(new Error(`write to ${this.description} timed out`)), this.writeTimeoutMs);
      s.once('close', onClose);
      s.write(frame, (err) => finish(err ?? undefined));
    });
    return id;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handshaking?.destroy();
    const pending = this.connecting;
    if (pending) await pending.catch(() => undefined);
    const s = this.socket;
    this.socket = undefined;
    if (!s || s.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        s.destroy();
        resolve();
      }, 1000);
      s.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      s.end();
    });
  }
}

/** A transport for a parsed target or URL; tlsOptions (cert, key, ca) are required for tls://. */
export function createSyslogTransport(
  target: SyslogTarget | string,
  tlsOptions?: tls.ConnectionOptions,
  opts: TlsTransportOptions & UdpTransportOptions = {},
): SyslogTransport {
  const t = typeof target === 'string' ? parseSyslogUrl(target) : target;
  if (t.protocol === 'udp') return new UdpSyslogTransport(t, opts);
  if (!tlsOptions) throw new Error(`syslog over TLS (${describe(t)}) needs tlsOptions (cert, key, ca)`);
  return new TlsSyslogTransport(t, tlsOptions, opts);
}
