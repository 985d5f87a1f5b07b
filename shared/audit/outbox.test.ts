import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevPki, generateDevPki } from '../security/pki';
import { clientTlsOptions, httpsServerOptions } from '../security/tls';
import { AuditEvent, buildAuditMessage } from './auditMessage';
import {
  AUDIT_LOG_FILE,
  AuditFile,
  AuditFileSystem,
  AuditorOptions,
  CURSOR_FILE,
  LOCK_FILE,
  OUTBOX_FILE,
  UNDELIVERABLE_FILE,
  createAuditor,
  createMemoryAuditor,
} from './outbox';
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

// ---------------------------------------------------------------------------------------------
// Group commit and batched progress, observed through the file-system seam

type Fault = 'partial write' | 'datasync' | 'partial write, then truncate';

/** node:fs behind the AuditFileSystem seam, counting writes / fdatasyncs per file name and injecting faults. */
class FsProbe {
  readonly writes = new Map<string, Buffer[]>();
  readonly syncs = new Map<string, number>();
  private faults = new Map<string, Fault>();
  private truncateFails = new Set<string>();
  private holds = new Map<string, { entered: () => void; gate: Promise<void> }>();

  readonly fs: AuditFileSystem = {
    open: async (file, flags, mode) => this.wrap(path.basename(file), await fsp.open(file, flags, mode)),
  };

  writesTo(name: string): Buffer[] {
    return this.writes.get(name) ?? [];
  }

  syncsOf(name: string): number {
    return this.syncs.get(name) ?? 0;
  }

  /** The next batch written to `name` fails this way. */
  failNext(name: string, fault: Fault): void {
    this.faults.set(name, fault);
  }

  /** The next fdatasync of `name` waits until release(); entered resolves when it has started. */
  holdNextSync(name: string): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = new Promise<void>((r) => (entered = r));
    this.holds.set(name, { entered, gate });
    return { entered: started, release };
  }

  private wrap(name: string, fh: import('node:fs/promises').FileHandle): AuditFile {
    return {
      write: async (buf, off, len) => {
        this.writes.set(name, [...this.writesTo(name), Buffer.from(buf.subarray(off, off + len))]);
        const fault = this.faults.get(name);
        if (fault === 'partial write' || fault === 'partial write, then truncate') {
          this.faults.delete(name);
          if (fault === 'partial write, then truncate') this.truncateFails.add(name);
          await fh.write(buf, off, Math.floor(len / 2));
          throw Object.assign(new Error('EIO: injected write failure'), { code: 'EIO' });
        }
        return fh.write(buf, off, len);
      },
      read: (buf, off, len, pos) => fh.read(buf, off, len, pos),
      datasync: async () => {
        this.syncs.set(name, this.syncsOf(name) + 1);
        const hold = this.holds.get(name);
        if (hold) {
          this.holds.delete(name);
          hold.entered();
          await hold.gate;
        }
        if (this.faults.get(name) === 'datasync') {
          this.faults.delete(name);
          throw Object.assign(new Error('EIO: injected fdatasync failure'), { code: 'EIO' });
        }
        await fh.datasync();
      },
      truncate: async (len) => {
        if (this.truncateFails.delete(name)) throw Object.assign(new Error('EIO: injected truncate failure'), { code: 'EIO' });
        await fh.truncate(len);
      },
      stat: () => fh.stat(),
      close: () => fh.close(),
    };
  }
}

const linesOf = (bufs: Buffer[]): string[][] => bufs.map((b) => b.toString('utf8').split('\n').filter(Boolean));
const seqOfLine = (l: string): number => Number(/P-(\d+)\^/.exec(l)?.[1] ?? NaN);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

test('group commit: 100 records of one tick are written with one write and one fdatasync, in order', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  const auditor = await createAuditor(base(dir, { fileSystem: probe.fs }));
  try {
    await Promise.all(range(0, 100).map((i) => auditor.record(iti41(i))));
    expect(probe.writesTo(AUDIT_LOG_FILE)).toHaveLength(1);
    expect(probe.syncsOf(AUDIT_LOG_FILE)).toBe(1);
  } finally {
    await auditor.close();
  }
  const lines = (await fsp.readFile(path.join(dir, AUDIT_LOG_FILE), 'utf8')).split('\n').filter(Boolean);
  expect(lines.map(seqOfLine)).toEqual(range(0, 100));
});

test('group commit: a batch is bounded by groupCommit.maxRecords and maxBytes', async () => {
  const probe = new FsProbe();
  const byCount = await createAuditor(base(newDir(), { fileSystem: probe.fs, groupCommit: { maxRecords: 30 } }));
  try {
    await Promise.all(range(0, 100).map((i) => byCount.record(iti41(i))));
    expect(linesOf(probe.writesTo(AUDIT_LOG_FILE)).map((b) => b.map(seqOfLine))).toEqual([range(0, 30), range(30, 60), range(60, 90), range(90, 100)]);
    expect(probe.syncsOf(AUDIT_LOG_FILE)).toBe(4);
  } finally {
    await byCount.close();
  }

  const probe2 = new FsProbe();
  const dir = newDir();
  const byBytes = await createAuditor(base(dir, { fileSystem: probe2.fs, groupCommit: { maxBytes: 1 } }));
  try {
    // Each record is larger than maxBytes: each is written alone, still in order.
    await Promise.all(range(0, 5).map((i) => byBytes.record(iti41(i))));
    expect(linesOf(probe2.writesTo(AUDIT_LOG_FILE)).map((b) => b.map(seqOfLine))).toEqual(range(0, 5).map((i) => [i]));
  } finally {
    await byBytes.close();
  }
  const lines = (await fsp.readFile(path.join(dir, AUDIT_LOG_FILE), 'utf8')).split('\n').filter(Boolean);
  expect(lines.map(seqOfLine)).toEqual(range(0, 5));
});

test('group commit: records made while a write + fdatasync is in flight go into the next batch; none resolves before its fdatasync', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  const auditor = await createAuditor(base(dir, { fileSystem: probe.fs }));
  try {
    const hold = probe.holdNextSync(AUDIT_LOG_FILE);
    const done: number[] = [];
    const first = auditor.record(iti41(0)).then(() => done.push(0));
    await hold.entered; // record 0 is written, its fdatasync has not finished
    const more = range(1, 6).map((i) => auditor.record(iti41(i)).then(() => done.push(i)));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toEqual([]);
    expect(probe.writesTo(AUDIT_LOG_FILE)).toHaveLength(1);
    hold.release();
    await Promise.all([first, ...more]);
    expect(done).toEqual(range(0, 6));
    expect(linesOf(probe.writesTo(AUDIT_LOG_FILE)).map((b) => b.map(seqOfLine))).toEqual([[0], range(1, 6)]);
    expect(probe.syncsOf(AUDIT_LOG_FILE)).toBe(2);
  } finally {
    await auditor.close();
  }
});

test.each<Fault>(['partial write', 'datasync', 'partial write, then truncate'])(
  'group commit: a failed batch (%s) rejects all of its records and leaves nothing behind; the records around it arrive in order',
  async (fault) => {
    const dir = newDir();
    const probe = new FsProbe();
    const errors: Error[] = [];
    const sink = await startUdpCollector();
    const auditor = await createAuditor(base(dir, { syslogUrl: sink.url, ...FAST, fileSystem: probe.fs, onError: (e) => errors.push(e) }));
    try {
      await Promise.all(range(0, 5).map((i) => auditor.record(iti41(i))));
      probe.failNext(OUTBOX_FILE, fault);
      const failed = await Promise.allSettled(range(5, 10).map((i) => auditor.record(iti41(i))));
      expect(failed.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
      for (const r of failed) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/injected/);
      await Promise.all(range(10, 15).map((i) => auditor.record(iti41(i))));
      // The failed batch was one write: it held all five records.
      expect(linesOf(probe.writesTo(OUTBOX_FILE)).map((b) => b.map(seqOfLine))).toEqual([range(0, 5), range(5, 10), range(10, 15)]);

      const got = await sink.waitFor(10);
      expect(await auditor.flush(3000)).toBe(true);
      expect(got.map(seqOf)).toEqual([...range(0, 5), ...range(10, 15)]);
      expect(errors).toEqual([]); // no torn or unreadable line reached the sender
    } finally {
      await auditor.close();
      await sink.stop();
    }
    expect(await fsp.readFile(path.join(dir, UNDELIVERABLE_FILE), 'utf8')).toBe('');
  },
);

test('delivery progress is written at most once per cursorSyncMs, not per record, and still written during load', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  const sink = await startTlsCollector(serverTls());
  const auditor = await createAuditor(
    base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST, confirmDelayMs: 30, cursorSyncMs: 200, fileSystem: probe.fs }),
  );
  const cursorSyncs = (): number => probe.syncsOf(`${CURSOR_FILE}.tmp`);
  try {
    await auditor.record(iti41(0));
    await sink.waitFor(1);
    const t0 = Date.now();
    let savedProgress = 0;
    let n = 1;
    // One record every ~5 ms for ~700 ms: records are always in flight, so no compaction happens.
    while (Date.now() - t0 < 700) {
      await auditor.record(iti41(n++));
      await new Promise((r) => setTimeout(r, 5));
      const text = await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8').catch(() => '0');
      savedProgress = Math.max(savedProgress, Number(text.trim()));
    }
    const elapsed = Date.now() - t0;
    expect(n).toBeGreaterThan(30);
    expect(savedProgress).toBeGreaterThan(0);
    // Per record (the old behaviour) this would be about n; at most one per 200 ms (+1 for the start).
    expect(cursorSyncs()).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);

    const got = await sink.waitFor(n, 5000);
    expect(got.map(seqOf)).toEqual(range(0, n));
    expect(await auditor.flush(3000)).toBe(true);
    // Caught up: compacted (cursor first, then the log) within cursorSyncMs.
    await pollUntil(async () => (await fileSize(path.join(dir, OUTBOX_FILE))) === 0);
    expect((await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8')).trim()).toBe('0');
  } finally {
    await auditor.close();
    await sink.stop();
  }
});

test('a stale cursor file is replaced at start, so it cannot point into records appended later', async () => {
  const dir = newDir();
  await fsp.mkdir(dir, { recursive: true });
  await fsp.writeFile(path.join(dir, CURSOR_FILE), '999999\n'); // beyond the (empty) outbox.log
  const port = await freeTcpPort();
  const auditor = await createAuditor(base(dir, { syslogUrl: `tls://127.0.0.1:${port}`, tlsOptions: clientTls(), ...FAST, closeTimeoutMs: 100 }));
  try {
    expect((await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8')).trim()).toBe('0');
  } finally {
    await auditor.close();
  }
});
