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
  OUTBOX_COMPACT_FILE,
  OUTBOX_FILE,
  UNDELIVERABLE_FILE,
  createAuditor,
  createMemoryAuditor,
} from './outbox';
import { ATNA_MSGID, SyslogTransport, createSyslogTransport, formatSyslogMessage } from './syslog';
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

/** One file-system operation through the seam: `name` is the file's base name (for rename: the source). */
interface FsOp {
  kind: 'open' | 'write' | 'datasync' | 'truncate' | 'rename' | 'syncDir';
  name: string;
  /** How many operations of this kind on this name so far, this one included. */
  n: number;
}

/**
 * node:fs behind the AuditFileSystem seam, counting writes / fdatasyncs per file name and injecting
 * faults. crashWhen() simulates a crash of the process: from the matching operation on, nothing
 * reaches the disk any more (a crashing write writes half of its data first); reads still work.
 */
class FsProbe {
  readonly writes = new Map<string, Buffer[]>();
  readonly syncs = new Map<string, number>();
  /** Renames of outbox.log.tmp over outbox.log that happened. */
  compactRenames = 0;
  crashedAt: FsOp | undefined;
  private counts = new Map<string, number>();
  private crashPredicate: ((op: FsOp) => boolean) | undefined;
  private opHold: { when: (op: FsOp) => boolean; entered: () => void; gate: Promise<void> } | undefined;
  private faults = new Map<string, Fault>();
  private truncateFails = new Set<string>();
  private holds = new Map<string, { entered: () => void; gate: Promise<void> }>();

  readonly fs: AuditFileSystem = {
    open: async (file, flags, mode) => {
      await this.before('open', path.basename(file));
      return this.wrap(path.basename(file), await fsp.open(file, flags, mode));
    },
    rename: async (from, to) => {
      await this.before('rename', path.basename(from));
      await fsp.rename(from, to);
      if (path.basename(from) === OUTBOX_COMPACT_FILE) this.compactRenames++;
    },
    syncDir: async (dir) => {
      await this.before('syncDir', path.basename(dir));
      const fh = await fsp.open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
  };

  /** Crash at the first operation for which `when` is true (it does not happen, nor anything after it). */
  crashWhen(when: (op: FsOp) => boolean): void {
    this.crashPredicate = when;
  }

  /** The first operation matching `when` waits (before it happens) until release(). */
  holdWhen(when: (op: FsOp) => boolean): { entered: Promise<void>; release: () => void } {
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started = new Promise<void>((r) => (entered = r));
    this.opHold = { when, entered, gate };
    return { entered: started, release };
  }

  /** Throws if the process has "crashed" (at this operation or before); 'crash' = this one is the crash. */
  private async before(kind: FsOp['kind'], name: string): Promise<'ok' | 'crash'> {
    if (this.crashedAt) throw Object.assign(new Error('EIO: process crashed'), { code: 'EIO' });
    const key = `${kind} ${name}`;
    const op: FsOp = { kind, name, n: (this.counts.get(key) ?? 0) + 1 };
    this.counts.set(key, op.n);
    const hold = this.opHold;
    if (hold?.when(op)) {
      this.opHold = undefined;
      hold.entered();
      await hold.gate;
    }
    if (this.crashPredicate?.(op)) {
      this.crashedAt = op;
      if (kind === 'write') return 'crash';
      throw Object.assign(new Error(`EIO: process crashed at ${kind} ${name}`), { code: 'EIO' });
    }
    return 'ok';
  }

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
        if ((await this.before('write', name)) === 'crash') {
          await fh.write(buf, off, Math.floor(len / 2));
          throw Object.assign(new Error(`EIO: process crashed at write ${name}`), { code: 'EIO' });
        }
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
        await this.before('datasync', name);
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
        await this.before('truncate', name);
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

// ---------------------------------------------------------------------------------------------
// Compaction under continuous load (records are always in flight, so the file is never empty)

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The TLS transport of the first ("crashing") process: sends nothing once the file system has crashed. */
function crashableTransport(url: string, probe: FsProbe): SyslogTransport {
  const t = createSyslogTransport(url, clientTls());
  return {
    description: t.description,
    send: async (m) => {
      if (probe.crashedAt) throw new Error('process crashed');
      return t.send(m);
    },
    connectionLost: (id) => t.connectionLost(id),
    onConnectionLost: (listener) => t.onConnectionLost?.(listener),
    close: () => t.close(),
  };
}

test('continuous load with records always in flight: outbox.log stays bounded, every record arrives once, in order', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  const threshold = 64 * 1024;
  const sink = await startTlsCollector(serverTls());
  // A record counts as confirmed 50 ms after it was written to the collector; records come every
  // few ms, so some are always in flight and the outbox is never caught up (no truncation).
  const auditor = await createAuditor(
    base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST, confirmDelayMs: 50, cursorSyncMs: 50, compactThresholdBytes: threshold, fileSystem: probe.fs }),
  );
  let n = 0;
  let maxSize = 0;
  let recorded = 0;
  try {
    // 1600 records (~2.4 MB), two every few ms (~2 s here).
    while (n < 1600) {
      await Promise.all([auditor.record(iti41(n++)), auditor.record(iti41(n++))]);
      maxSize = Math.max(maxSize, await fileSize(path.join(dir, OUTBOX_FILE)));
      await sleep(2);
    }
    const got = await sink.waitFor(n, 10000);
    expect(await auditor.flush(5000)).toBe(true);
    expect(got.map(seqOf)).toEqual(range(0, n)); // in order, none lost, none twice
    recorded = got.reduce((a, m) => a + m.raw.length, 0);
    expect(sink.errors).toEqual([]);
    // Caught up: the compacted file is truncated as before (header and all), the stream restarts at 0.
    await pollUntil(async () => (await fileSize(path.join(dir, OUTBOX_FILE))) === 0);
    expect((await fsp.readFile(path.join(dir, CURSOR_FILE), 'utf8')).trim()).toBe('0');
  } finally {
    await auditor.close();
    await sink.stop();
  }
  // Without compaction under load the file would have grown to hold every record.
  const bound = threshold + 256 * 1024;
  expect(recorded).toBeGreaterThan(6 * bound);
  // Bounded: a compaction starts once the confirmed prefix reaches the threshold (and the unconfirmed
  // rest, ~50 ms of records here); the file is that prefix, the rest, and the group commits meanwhile.
  expect(maxSize).toBeLessThan(bound);
  expect(probe.compactRenames).toBeGreaterThanOrEqual(5);
  expect((await fsp.readdir(dir)).includes(OUTBOX_COMPACT_FILE)).toBe(false);
});

test('compaction under load: a record made while outbox.log is being replaced resolves only after the folder fsync', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  const sink = await startTlsCollector(serverTls());
  const auditor = await createAuditor(
    base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST, confirmDelayMs: 30, cursorSyncMs: 20, compactThresholdBytes: 16 * 1024, fileSystem: probe.fs }),
  );
  // Hold the folder fsync that makes the rename of outbox.log.tmp over outbox.log durable.
  const hold = probe.holdWhen((op) => op.kind === 'syncDir' && probe.compactRenames > 0);
  let n = 0;
  try {
    let held = false;
    void hold.entered.then(() => (held = true));
    // Not awaited: the records made after the compaction took the log are held with it.
    const load: Array<Promise<void>> = [];
    const t0 = Date.now();
    while (!held) {
      if (Date.now() - t0 > 10000) throw new Error('no compaction under load');
      load.push(auditor.record(iti41(n++)), auditor.record(iti41(n++)));
      await sleep(2);
    }
    let resolved = false;
    const late = auditor.record(iti41(n)).then(() => (resolved = true));
    await sleep(50);
    // Acknowledged now, a crash that loses the (not yet durable) rename would lose it.
    expect(resolved).toBe(false);
    hold.release();
    await Promise.all([...load, late]);
    n++;
    const text = await fsp.readFile(path.join(dir, OUTBOX_FILE), 'utf8');
    expect(text).toMatch(/^\{"outboxBase":\d+\}\n/);
    expect(seqOfLine(text.trimEnd().split('\n').pop() ?? '')).toBe(n - 1);
    const got = await sink.waitFor(n, 10000);
    expect(got.map(seqOf)).toEqual(range(0, n));
  } finally {
    hold.release();
    await auditor.close();
    await sink.stop();
  }
});

test('compaction under load across a collector outage: records in flight when the connection broke are re-sent from the compacted file, nothing is lost', async () => {
  const dir = newDir();
  const probe = new FsProbe();
  let sink = await startTlsCollector(serverTls());
  const port = sink.port;
  const received: number[] = [];
  const auditor = await createAuditor(
    base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...FAST, confirmDelayMs: 50, cursorSyncMs: 20, compactThresholdBytes: 16 * 1024, fileSystem: probe.fs }),
  );
  let n = 0;
  const load = async (ms: number): Promise<void> => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      await Promise.all([auditor.record(iti41(n++)), auditor.record(iti41(n++))]);
      await sleep(2);
    }
  };
  let renamesBeforeOutage = 0;
  try {
    await load(500);
    renamesBeforeOutage = probe.compactRenames;
    await sink.stop(); // drops the connection with records in flight
    received.push(...sink.messages.map(seqOf));
    await load(300);
    sink = await startTlsCollector(serverTls(), { port });
    await load(500);
    expect(await auditor.flush(10000)).toBe(true);
    received.push(...sink.messages.map(seqOf));
    expect(sink.errors).toEqual([]);
  } finally {
    await auditor.close();
    await sink.stop();
  }
  expect(renamesBeforeOutage).toBeGreaterThan(0);
  expect(probe.compactRenames).toBeGreaterThan(renamesBeforeOutage);
  // Every record arrived; the stream only ever goes back (re-sends after the break), never skips ahead.
  expect(new Set(received)).toEqual(new Set(range(0, n)));
  expect(received[0]).toBe(0);
  const skips = received.filter((v, i) => i > 0 && v > received[i - 1] + 1);
  expect(skips).toEqual([]);
  expect(received[received.length - 1]).toBe(n - 1);
});

const CRASH_POINTS: Array<[string, (probe: FsProbe) => (op: FsOp) => boolean]> = [
  ['opening outbox.log.tmp', () => (op) => op.kind === 'open' && op.name === OUTBOX_COMPACT_FILE],
  ['copying the tail (torn write)', () => (op) => op.kind === 'write' && op.name === OUTBOX_COMPACT_FILE && op.n === 2],
  ['the fdatasync of the copied tail', () => (op) => op.kind === 'datasync' && op.name === OUTBOX_COMPACT_FILE && op.n === 1],
  ['the fdatasync of the records appended meanwhile', () => (op) => op.kind === 'datasync' && op.name === OUTBOX_COMPACT_FILE && op.n === 2],
  ['the rename over outbox.log', () => (op) => op.kind === 'rename' && op.name === OUTBOX_COMPACT_FILE],
  ['the folder fsync after the rename', (p) => (op) => op.kind === 'syncDir' && p.compactRenames > 0],
  ['the first append to the new outbox.log (torn write)', (p) => (op) => op.kind === 'write' && p.compactRenames > 0],
  ['the fdatasync of the first append to the new outbox.log', (p) => (op) => op.kind === 'datasync' && p.compactRenames > 0 && op.name !== `${CURSOR_FILE}.tmp`],
];

test.each(CRASH_POINTS)('compaction under load, crash at %s: after a restart no record is lost and the order is kept', async (_point, crashPoint) => {
  const dir = newDir();
  const probe = new FsProbe();
  probe.crashWhen(crashPoint(probe));
  const sink = await startTlsCollector(serverTls());
  const opts = { ...FAST, confirmDelayMs: 30, cursorSyncMs: 20, compactThresholdBytes: 16 * 1024 };
  const acked: number[] = [];
  let firstRunConnections = 0;
  try {
    const first = await createAuditor(base(dir, { transport: crashableTransport(sink.url, probe), fileSystem: probe.fs, ...opts, closeTimeoutMs: 50 }));
    let seq = 0;
    try {
      const t0 = Date.now();
      while (!probe.crashedAt) {
        if (Date.now() - t0 > 10000) throw new Error('the crash point was not reached');
        const batch = [seq++, seq++];
        const results = await Promise.allSettled(batch.map((i) => first.record(iti41(i))));
        results.forEach((r, k) => r.status === 'fulfilled' && acked.push(batch[k]));
        await sleep(2);
      }
    } finally {
      await first.close(); // the "dead" process: nothing it does reaches the disk any more
    }
    expect(acked.length).toBeGreaterThan(0);
    expect(acked).toEqual(range(0, acked.length)); // after the crash, nothing more is acknowledged
    firstRunConnections = sink.connections;
    // A leftover of an earlier attempt must not be taken for anything.
    if (!(await fsp.readdir(dir)).includes(OUTBOX_COMPACT_FILE)) await fsp.writeFile(path.join(dir, OUTBOX_COMPACT_FILE), '{"outboxBase":1}\n{"m":"junk"}\n');

    const second = await createAuditor(base(dir, { syslogUrl: sink.url, tlsOptions: clientTls(), ...opts }));
    try {
      expect((await fsp.readdir(dir)).includes(OUTBOX_COMPACT_FILE)).toBe(false);
      for (let i = 0; i < 3; i++) await second.record(iti41(10000 + i));
      expect(await second.flush(5000)).toBe(true);
    } finally {
      await second.close();
    }
  } finally {
    await sink.stop();
  }
  expect(sink.errors).toEqual([]);
  const before = sink.messages.filter((m) => m.connection <= firstRunConnections).map(seqOf);
  const after = sink.messages.filter((m) => m.connection > firstRunConnections).map(seqOf);
  // First run: in order, no gaps. Second run: the records from some point of the first run on (re-sends
  // of the last ones are allowed), consecutively, then the new ones.
  expect(before).toEqual(range(0, before.length));
  const k = after.indexOf(10000);
  const resent = after.slice(0, k);
  expect(after.slice(k)).toEqual([10000, 10001, 10002]);
  const from = resent.length > 0 ? resent[0] : before.length;
  expect(resent).toEqual(range(from, from + resent.length));
  expect(from).toBeLessThanOrEqual(before.length); // no gap between the runs
  expect(from + resent.length).toBeGreaterThanOrEqual(acked.length); // every acknowledged record delivered
});
