import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevPki, generateDevPki } from '../security/pki';
import { clientTlsOptions, httpsServerOptions } from '../security/tls';
import { buildAuditMessage } from './auditMessage';
import {
  ATNA_MSGID,
  OctetCountingDecoder,
  PermanentSendError,
  TlsSyslogTransport,
  UdpSyslogTransport,
  createSyslogTransport,
  formatSyslogMessage,
  frameOctetCounting,
  parseSyslogMessage,
  parseSyslogUrl,
} from './syslog';
import { startTlsCollector, startUdpCollector } from './testing';

let dir: string;
let pki: DevPki;
let foreign: DevPki;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-syslog-'));
  [pki, foreign] = await Promise.all([generateDevPki(path.join(dir, 'pki')), generateDevPki(path.join(dir, 'other'))]);
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const serverTls = () => httpsServerOptions({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
const clientTls = () => clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert });

async function pollUntil(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function auditXml(patientName: string): string {
  return buildAuditMessage(
    {
      transaction: 'ITI-41',
      outcome: 0,
      source: { userId: 'http://www.w3.org/2005/08/addressing/anonymous', address: '127.0.0.1' },
      destination: { userId: 'https://localhost/xds/iti41', address: 'localhost' },
      patientIds: ['P-1^^^&1.2.3&ISO'],
      patientNames: { 'P-1^^^&1.2.3&ISO': patientName },
      submissionSetUniqueId: '1.2.3.4',
    },
    { auditSourceId: 'localhost' },
  );
}

describe('parseSyslogUrl', () => {
  test('accepts udp and tls with default ports and IPv6 literals', () => {
    expect(parseSyslogUrl('udp://127.0.0.1:5514')).toEqual({ protocol: 'udp', host: '127.0.0.1', port: 5514 });
    expect(parseSyslogUrl('tls://arr.example.no:6514')).toEqual({ protocol: 'tls', host: 'arr.example.no', port: 6514 });
    expect(parseSyslogUrl('tls://arr.example.no')).toEqual({ protocol: 'tls', host: 'arr.example.no', port: 6514 });
    expect(parseSyslogUrl('udp://arr/')).toEqual({ protocol: 'udp', host: 'arr', port: 514 });
    expect(parseSyslogUrl('udp://[::1]:514')).toEqual({ protocol: 'udp', host: '::1', port: 514 });
  });
  test('rejects other schemes and junk', () => {
    expect(() => parseSyslogUrl('tcp://host:514')).toThrow(/unsupported syslog protocol/);
    expect(() => parseSyslogUrl('http://host')).toThrow(/unsupported/);
    expect(() => parseSyslogUrl('host:514')).toThrow();
    expect(() => parseSyslogUrl('tls://host:6514/path')).toThrow(/only protocol, host and port/);
    expect(() => parseSyslogUrl('tls://user@host:6514')).toThrow(/only protocol, host and port/);
    expect(() => parseSyslogUrl('udp://host:99999')).toThrow();
  });
});

describe('RFC 5424 format and RFC 5425 framing', () => {
  test('header is <85>1 TIMESTAMP HOST APP PROCID IHE+RFC-3881 - and the XML follows without BOM', () => {
    const t = new Date('2024-01-31T12:05:01.123Z');
    const msg = formatSyslogMessage('<?xml version="1.0"?><AuditMessage/>', { hostname: 'reg.example', appName: 'xds-registry', procId: 42 }, t);
    expect(msg).toBe('<85>1 2024-01-31T12:05:01.123Z reg.example xds-registry 42 IHE+RFC-3881 - <?xml version="1.0"?><AuditMessage/>');
    const p = parseSyslogMessage(msg);
    expect(p).toMatchObject({ pri: 85, facility: 10, severity: 5, version: 1, msgId: ATNA_MSGID, structuredData: '-', procId: '42' });
    expect(p.msg).toBe('<?xml version="1.0"?><AuditMessage/>');
  });
  test('header fields are sanitised to printable ASCII and nil when empty', () => {
    const msg = formatSyslogMessage('x', { hostname: 'my host', appName: '', procId: 'å' }, new Date(0));
    expect(msg).toBe('<85>1 1970-01-01T00:00:00.000Z my_host - _ IHE+RFC-3881 - x');
    expect(parseSyslogMessage('<14>1 - - - - - [a@1 k="v\\]"][b@2] hello').structuredData).toBe('[a@1 k="v\\]"][b@2]');
  });
  test('octet counting counts UTF-8 bytes, and the decoder reassembles split frames', () => {
    const frame = frameOctetCounting('ø å');
    expect(frame.toString('utf8')).toBe('5 ø å');
    const d = new OctetCountingDecoder();
    const two = Buffer.concat([frameOctetCounting('første'), frameOctetCounting('andre')]);
    const out: string[] = [];
    for (let i = 0; i < two.length; i += 3) out.push(...d.push(two.subarray(i, i + 3)).map((b) => b.toString('utf8')));
    expect(out).toEqual(['første', 'andre']);
    expect(d.pending).toBe(0);
    expect(() => new OctetCountingDecoder().push(Buffer.from('<85>1 unframed'))).toThrow(/bad length/);
  });
});

describe('transports on loopback', () => {
  test('UDP: each message is one datagram with MSGID IHE+RFC-3881', async () => {
    const sink = await startUdpCollector();
    const t = createSyslogTransport(sink.url);
    try {
      for (const name of ['Åse', 'Bjørn', 'Cecilie']) {
        await t.send(formatSyslogMessage(auditXml(name), { hostname: 'localhost', appName: 'xds-test' }));
      }
      const got = await sink.waitFor(3);
      expect(got.map((m) => m.parsed.msgId)).toEqual([ATNA_MSGID, ATNA_MSGID, ATNA_MSGID]);
      expect(got.map((m) => /<ParticipantObjectName>([^<]*)</.exec(m.parsed.msg)?.[1])).toEqual(['Åse', 'Bjørn', 'Cecilie']);
      expect(got[0].parsed.msg.startsWith('<?xml')).toBe(true);
      expect(sink.errors).toEqual([]);
    } finally {
      await t.close();
      await sink.stop();
    }
  });

  test('UDP: a message larger than a datagram fails permanently', async () => {
    const t = new UdpSyslogTransport({ protocol: 'udp', host: '127.0.0.1', port: 9 }, { maxMessageBytes: 100 });
    await expect(t.send('x'.repeat(101))).rejects.toBeInstanceOf(PermanentSendError);
    await t.close();
    await expect(t.send('x')).rejects.toThrow(/closed/);
  });

  test('TLS: octet-counted frames with non-ASCII content over one mutual-TLS connection', async () => {
    const sink = await startTlsCollector(serverTls());
    const t = createSyslogTransport(sink.url, clientTls());
    try {
      const names = ['Ørjan Løvås', 'Åsa Brå', 'plain'];
      const sent = names.map((n) => formatSyslogMessage(auditXml(n), { hostname: 'localhost', appName: 'xds-test' }));
      for (const m of sent) await t.send(m);
      const got = await sink.waitFor(3);
      expect(sink.errors).toEqual([]);
      expect(got.map((m) => m.text)).toEqual(sent);
      expect(got.map((m) => m.raw.length)).toEqual(sent.map((m) => Buffer.byteLength(m, 'utf8')));
      expect(got[0].raw.length).toBeGreaterThan(sent[0].length); // ø, å take two bytes each
      expect(got[0].parsed.msgId).toBe(ATNA_MSGID);
      expect(sink.connections).toBe(1);
    } finally {
      await t.close();
      await sink.stop();
    }
  });

  test('TLS: reports the connection lost when the collector drops it, and reconnects on the next send', async () => {
    const sink = await startTlsCollector(serverTls());
    const t = new TlsSyslogTransport(parseSyslogUrl(sink.url), clientTls());
    try {
      const first = await t.send('<85>1 - - - - IHE+RFC-3881 - one');
      expect(typeof first).toBe('number');
      expect(t.connectionLost(first ?? -1)).toBe(false);
      await sink.waitFor(1);
      await sink.stop();
      await pollUntil(() => t.connectionLost(first ?? -1));
      const again = await startTlsCollector(serverTls(), { port: sink.port });
      try {
        const second = await t.send('<85>1 - - - - IHE+RFC-3881 - two');
        expect(second).not.toBe(first);
        const got = await again.waitFor(1);
        expect(got[0].parsed.msg).toBe('two');
        expect(again.connections).toBe(1);
      } finally {
        await again.stop();
      }
    } finally {
      await t.close();
    }
  });

  test('TLS: refuses a collector whose certificate is from another CA, and a missing collector', async () => {
    const sink = await startTlsCollector(httpsServerOptions({ cert: foreign.server.cert, key: foreign.server.key, ca: pki.ca.cert }));
    const port = sink.port;
    const t = createSyslogTransport(sink.url, clientTls());
    try {
      await expect(t.send('<85>1 - - - - - - x')).rejects.toThrow();
      expect(sink.messages).toHaveLength(0);
    } finally {
      await t.close();
      await sink.stop();
    }
    const gone = createSyslogTransport(`tls://127.0.0.1:${port}`, clientTls());
    await expect(gone.send('x')).rejects.toThrow(/ECONNREFUSED|closed/);
    await gone.close();
    expect(() => createSyslogTransport(`tls://127.0.0.1:${port}`)).toThrow(/needs tlsOptions/);
  });
});
