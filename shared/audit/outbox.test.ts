import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevPki, generateDevPki } from '../security/pki';
import { clientTlsOptions, httpsServerOptions } from '../security/tls';
import { AuditEvent, buildAuditMessage } from './auditMessage';
import { AUDIT_LOG_FILE, AuditorOptions, CURSOR_FILE, LOCK_FILE, OUTBOX_FILE, UNDELIVERABLE_FILE, createAuditor, createMemoryAuditor } from './outbox';
import { ATNA_MSGID, formatSyslogMessage } from './syslog';
import { ReceivedSyslog, SyslogCollector, assertSchemaToolsPresent, startTlsCollector, startUdpCollector, xmllintValidate } from './testing';

let root: string;
let pki: DevPki;
let n = 0;

beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-outbox-'));
  pki = await generateDevPki(path.join(root, 'pki'));
});

afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

const newDir = (): string => path.join(root, `data-${++n}`);
const serverTls = () => httpsServerOptions({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert });
const clientTls = () => clientTlsOptions({ cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert });
const FAST = { retry: { initialDelayMs: 10, maxDelayMs: 100 }, confirmDelayMs: 50 };

function base(dataDir: string, extra: Partial<AuditorOptions> = {}): AuditorOptions {
  return { dataDir, appName: 'xds-test', hostname: 'localhost', ...extra };
}

/** An ITI-41 import whose patient id carries the sequence number and whose name is non-ASCII. */
function iti41(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  const patient = `P-${i}^^^&1.2.3.4&ISO`;
  return {
    transaction: 'ITI-41',
    outcome: 0,
    source: { userId: 'http://www.w3.org/2005/08/addressing/anonymous', address: '127.0.0.1' },
    destination: { userId: 'https://localhost/xds/iti41', address: 'localhost' },
    patientIds: [patient],
    patientNames: { [patient]: `Pasient ${i} Ødegård-Ås` },
    submissionSetUniqueId: `1.2.3.4.${i}`,
    ...extra,
  } as AuditEvent;
}

const seqOf = (m: ReceivedSyslog): number => Number(/ParticipantObjectID="P-(\d+)\^/.exec(m.parsed.msg)?.[1] ?? NaN);

async function pollUntil(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function fileSize(f: string): Promise<number> {
  return (await fsp.stat(f)).size;
}

async function freeTcpPort(): Promise<number> {
  const c = await startTlsCollector(serverTls());
  await c.stop();
  return c.port;
}

test('no sink: each record is one schema-valid XML line in audit.log and nothing else is written', async () => {
  const dir = newDir();
  const auditor = await createAuditor(base(dir));
  await auditor.record({ transaction: 'application-start', outcome: 0, application: { userId: 'xds-registry' } });
  await auditor.record({
    transaction: 'ITI-18',
    outcome: 0,
    source: { userId: 'urn:consumer', address: '127.0.0.1' },
    destination: { userId: 'https://localhost/xds/iti18', address: 'localhost' },
    patientIds: ['P-1^^^&1.2.3&ISO'],
    query: { id: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', requestXml: '<q>\n  multi-line\n</q>' },
  });
  await auditor.record(iti41(7));
  expect(await auditor.flush()).toBe(true);
  expect(auditor.backlogBytes()).toBe(0);
  await auditor.close();
  await expect(auditor.record(iti41(8))).rejects.toThrow(/closed/);

  const lines = (await fsp.readFile(path.join(dir, AUDIT_LOG_FILE), 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(3);
  for (const l of lines) expect(l.startsWith('<?xml version="1.0" encoding="UTF-8"?><AuditMessage>')).toBe(true);
  expect(lines[2]).toContain('Pasient 7 Ødegård-Ås');
  expect((await fsp.readdir(dir)).sort()).toEqual([AUDIT_LOG_FILE]);

  assertSchemaToolsPresent();
  const files = await Promise.all(
    lines.map(async (l, i) => {
      const f = path.join(dir, `line-${i}.xml`);
      await fsp.writeFile(f, l);
      return f;
    }),
  );
  expect(xmllintValidate(files).ok).toBe(true);
});

test('TLS sink outage: stop it, record 5, start it again: all 5 arrive in order, once each', async () => {
  const dir = newDir();
  const errors: Error[] = [];
  let sink: SyslogCollector = await startTlsCollector(serverTls());
  const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), onError: (e) => errors.push(e), ...FAST }));
  try {
    await auditor.record(iti41(0));
    await sink.waitFor(1);
    // Wait until record 0 is confirmed; had the sink stopped while it was in flight, it would be re-sent.
    expect(await auditor.flush(3000)).toBe(true);
    const before = sink.messages.slice();
    await sink.stop();

    for (let i = 1; i <= 5; i++) await auditor.record(iti41(i)); // each resolves once fsynced
    expect(auditor.backlogBytes()).toBeGreaterThan(0);
    expect((await fsp.readFile(path.join(dir, OUTBOX_FILE), 'utf8')).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(5);
    await pollUntil(() => errors.length > 0); // the sender noticed the outage and is retrying

    sink = await startTlsCollector(serverTls(), { port: sink.port });
    const got = await sink.waitFor(5);
    expect(await auditor.flush(3000)).toBe(true);
    expect({ before: before.map(seqOf), after: got.map(seqOf), sinkErrors: sink.errors }).toEqual({
      before: [0],
      after: [1, 2, 3, 4, 5],
      sinkErrors: [],
    });
    for (const m of got) {
      expect(m.parsed.msgId).toBe(ATNA_MSGID);
      expect(m.parsed.appName).toBe('xds-test');
      expect(m.text).toContain('Ødegård-Ås');
    }
    // Fully delivered: the outbox file is compacted and the cursor reset.
    await pollUntil(async () => (await fileSize(path.join(dir, OUTBOX_FILE))) === 0);
    expect((await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8')).trim()).toBe('0');
    expect(auditor.backlogBytes()).toBe(0);
  } finally {
    await auditor.close();
    await sink.stop();
  }
});

test('records a collector accepted but lost (connection dropped within confirmDelayMs) are sent again', async () => {
  const dir = newDir();
  let sink = await startTlsCollector(serverTls(), { discard: true });
  const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST, confirmDelayMs: 1000 }));
  try {
    for (let i = 1; i <= 3; i++) await auditor.record(iti41(i));
    await sink.waitForDiscarded(3); // written, accepted by the collector, and thrown away
    await sink.stop();
    sink = await startTlsCollector(serverTls(), { port: sink.port });
    const got = await sink.waitFor(3);
    expect(got.map(seqOf)).toEqual([1, 2, 3]);
    expect(await auditor.flush(3000)).toBe(true);
  } finally {
    await auditor.close();
    await sink.stop();
  }
});

test('undelivered records survive a restart of the service and go out with the next auditor', async () => {
  const dir = newDir();
  const port = await freeTcpPort();
  const url = `tls://127.0.0.1:${port}`;
  const first = await createAuditor(base(dir, { syslogUrl: url, tlsOptions: clientTls(), ...FAST, closeTimeoutMs: 100 }));
  for (let i = 1; i <= 3; i++) await first.record(iti41(i));
  expect(await first.flush(50)).toBe(false);
  const t0 = Date.now();
  await first.close();
  expect(Date.now() - t0).toBeLessThan(2000);
  expect((await fsp.readFile(path.join(dir, OUTBOX_FILE), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);

  const sink = await startTlsCollector(serverTls(), { port });
  const second = await createAuditor(base(dir, { syslogUrl: url, tlsOptions: clientTls(), ...FAST }));
  try {
    await second.record(iti41(4));
    const got = await sink.waitFor(4);
    expect(got.map(seqOf)).toEqual([1, 2, 3, 4]);
  } finally {
    await second.close();
    await sink.stop();
  }
});

test('crash recovery: the persisted cursor is honoured, a torn last line is cut off, junk goes to undeliverable.log', async () => {
  const dir = newDir();
  await fsp.mkdir(dir, { recursive: true });
  const msg = (i: number): string =>
    formatSyslogMessage(buildAuditMessage(iti41(i), { auditSourceId: 'localhost' }), { hostname: 'localhost', appName: 'xds-test' });
  const line = (i: number): string => `${JSON.stringify({ m: msg(i) })}\n`;
  const content = line(1) + line(2) + 'not json\n' + line(3) + '{"m":"<85>1 torn';
  await fsp.writeFile(path.join(dir, OUTBOX_FILE), content);
  await fsp.writeFile(path.join(dir, CURSOR_FILE), `${Buffer.byteLength(line(1))}\n`);
  await fsp.writeFile(path.join(dir, LOCK_FILE), '4194305\n'); // stale lock: no such pid

  const errors: Error[] = [];
  const sink = await startUdpCollector();
  const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, ...FAST, onError: (e) => errors.push(e) }));
  try {
    const got = await sink.waitFor(2);
    expect(await auditor.flush(3000)).toBe(true);
    expect(got.map(seqOf)).toEqual([2, 3]);
    const dead = (await fsp.readFile(path.join(dir, UNDELIVERABLE_FILE), 'utf8')).trim().split('\n');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0])).toMatchObject({ record: 'not json', reason: 'unreadable outbox line' });
    expect(errors.some((e) => /undeliverable/.test(e.message))).toBe(true);
    await pollUntil(async () => (await fileSize(path.join(dir, OUTBOX_FILE))) === 0);
  } finally {
    await auditor.close();
    await sink.stop();
  }
  expect(sink.messages).toHaveLength(2);
});

test('UDP: a record too large for a datagram is set aside and does not block the ones after it', async () => {
  const dir = newDir();
  const sink = await startUdpCollector();
  const errors: Error[] = [];
  const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, ...FAST, onError: (e) => errors.push(e) }));
  try {
    await auditor.record({
      transaction: 'ITI-18',
      outcome: 0,
      source: { userId: 'urn:consumer' },
      destination: { userId: 'https://localhost/xds/iti18' },
      query: { id: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', requestXml: `<q>${'x'.repeat(70000)}</q>` },
    });
    await auditor.record(iti41(9));
    const got = await sink.waitFor(1);
    expect(got.map(seqOf)).toEqual([9]);
    expect(await auditor.flush(3000)).toBe(true);
    const dead = (await fsp.readFile(path.join(dir, UNDELIVERABLE_FILE), 'utf8')).trim().split('\n');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]).reason).toMatch(/exceeds the UDP limit/);
    expect(errors.length).toBeGreaterThan(0);
  } finally {
    await auditor.close();
    await sink.stop();
  }
});

test('concurrent records are group-committed and delivered in the order record() was called', async () => {
  const dir = newDir();
  const sink = await startTlsCollector(serverTls());
  const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST }));
  try {
    await Promise.all(Array.from({ length: 200 }, (_, i) => auditor.record(iti41(i))));
    const got = await sink.waitFor(200, 5000);
    expect(got.map(seqOf)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(sink.connections).toBe(1);
    expect(sink.errors).toEqual([]);
  } finally {
    await auditor.close();
    await sink.stop();
  }
});

test('one auditor per directory; invalid events are rejected without being stored', async () => {
  const dir = newDir();
  const a = await createAuditor(base(dir));
  await expect(createAuditor(base(dir))).rejects.toThrow(/already open/);
  await expect(a.record({ ...iti41(1), outcome: 5 } as unknown as AuditEvent)).rejects.toThrow(/EventOutcomeIndicator/);
  await a.close();
  const b = await createAuditor(base(dir));
  await b.close();
  expect(await fsp.readFile(path.join(dir, AUDIT_LOG_FILE), 'utf8')).toBe('');
  await expect(createAuditor(base(newDir(), { syslogUrl: 'tcp://127.0.0.1:1' }))).rejects.toThrow(/unsupported syslog protocol/);
  await expect(createAuditor(base(newDir(), { syslogUrl: 'tls://127.0.0.1:1' }))).rejects.toThrow(/needs tlsOptions/);

  const mem = createMemoryAuditor();
  await mem.record(iti41(1));
  expect(mem.events).toHaveLength(1);
});
