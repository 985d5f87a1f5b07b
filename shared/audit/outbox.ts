/**
 * Durable audit delivery (ATNA ITI-20) and the Auditor the services use.
 *
 * With a syslog URL, every record is first appended to `outbox.log` in the data directory and
 * fdatasync'ed; only then does record() resolve. Appends are group-committed (AppendLog): the records
 * of one event-loop turn, and those recorded while the previous write + fdatasync runs, share one
 * write and one fdatasync. One sender loop delivers the records in file order and advances a
 * persisted cursor (`outbox.cursor`) after the transport accepted them (see below), writing it at
 * most once per cursorSyncMs (default 200 ms) rather than per delivered batch. While the collector is
 * unreachable it retries with exponential backoff; nothing recorded is dropped. When everything is
 * delivered the file is truncated (compaction, also at most once per cursorSyncMs). Under continuous
 * load something is always in flight, so that never happens; instead, once the confirmed prefix of
 * the file reaches compactThresholdBytes (default 4 MiB), the unconfirmed tail is copied into a new
 * file that replaces outbox.log (see Outbox.compactPrefix), which bounds the disk use.
 *
 * Guarantee: at-least-once, in order, per data directory.
 *  - RFC 5425 has no acknowledgements, so a record written to the TLS connection stays "in flight"
 *    for confirmDelayMs (default 1 s). If the connection breaks (error, reset, close by the
 *    collector) in that time, sending restarts at the oldest in-flight record. Only confirmed
 *    records move the persisted cursor.
 *  - Duplicates can occur: records re-sent after such a break (the collector may have read some),
 *    and after a crash of this process the in-flight records and those confirmed since the last
 *    cursor write (at most cursorSyncMs earlier).
 *  - Loss remains possible only where TCP/UDP hide it: a collector that accepted data into its
 *    buffers and lost it more than confirmDelayMs later, a silent network partition (no FIN/RST)
 *    that TCP reports only after minutes, and UDP (RFC 5426), which is fire-and-forget.
 *  - A record the transport rejects permanently (a message too large for UDP) is moved to
 *    `undeliverable.log` (one JSON line each) and reported through onError, so it cannot block the queue.
 *
 * Without a syslog URL, each AuditMessage is appended (fdatasync'ed, group-committed the same way)
 * as one line to `audit.log` and nothing else happens.
 *
 * One process per data directory: an `audit.lock` file (holding the pid) enforces it.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { AuditContext, AuditEvent, buildAuditMessage } from './auditMessage';
import { PermanentSendError, SyslogTransport, createSyslogTransport, formatSyslogMessage } from './syslog';

export interface Auditor {
  /**
   * Resolves once the record is durable (fdatasync'ed locally, in one group commit with the records
   * around it); rejects if it could not be built or stored (then none of its batch was stored).
   */
  record(ev: AuditEvent): Promise<void>;
  /** Stops accepting records, tries to deliver the backlog (bounded by closeTimeoutMs), releases files. */
  close(): Promise<void>;
}

/** What createAuditor returns: an Auditor plus delivery status. */
export interface ManagedAuditor extends Auditor {
  /** Resolves true once everything recorded so far was delivered, false after timeoutMs (default 5000). */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Bytes recorded but not yet delivered (0 for the local-file auditor). */
  backlogBytes(): number;
}

export interface RetryOptions {
  /** First delay after a failed delivery; default 250 ms. */
  initialDelayMs?: number;
  /** Upper bound of the exponential backoff; default 30000 ms. */
  maxDelayMs?: number;
}

export interface AuditorOptions {
  /** Directory for outbox.log / outbox.cursor / audit.log (created if missing). Use one per service. */
  dataDir: string;
  /** 'tls://host:6514' (RFC 5425) or 'udp://host:514' (RFC 5426). Without it, records go to dataDir/audit.log. */
  syslogUrl?: string;
  /** Client certificate, key and CA for tls:// (e.g. clientTlsOptions(...) from shared/security/tls). */
  tlsOptions?: tls.ConnectionOptions;
  /** Syslog APP-NAME, e.g. 'xds-registry'. */
  appName: string;
  /** Syslog HOSTNAME and default AuditSourceID. */
  hostname: string;
  /** AuditSourceID; default hostname. */
  auditSourceId?: string;
  /** AuditEnterpriseSiteID. */
  enterpriseSiteId?: string;
  retry?: RetryOptions;
  /** Records read and sent per batch; default 100. */
  batchSize?: number;
  /** See OutboxOptions.confirmDelayMs; default 1000 ms. */
  confirmDelayMs?: number;
  /** How long close() keeps trying to deliver the backlog; default 2000 ms. */
  closeTimeoutMs?: number;
  /** Delivery problems (collector down, undeliverable record). Default: ignored. */
  onError?: (err: Error) => void;
  /** Use this transport instead of one built from syslogUrl. */
  transport?: SyslogTransport;
  /** See OutboxOptions.cursorSyncMs; default 200 ms. */
  cursorSyncMs?: number;
  /** Bounds of one write + fdatasync of outbox.log / audit.log; defaults 1024 records, 1 MiB. */
  groupCommit?: GroupCommitOptions;
  /** See OutboxOptions.compactThresholdBytes; default 4 MiB. */
  compactThresholdBytes?: number;
  /** File access for outbox.log, audit.log, undeliverable.log and outbox.cursor (tests). Default node:fs. */
  fileSystem?: AuditFileSystem;
}

export const OUTBOX_FILE = 'outbox.log';
export const CURSOR_FILE = 'outbox.cursor';
/** The replacement for outbox.log while it is being written (compaction under load). */
export const OUTBOX_COMPACT_FILE = 'outbox.log.tmp';
export const UNDELIVERABLE_FILE = 'undeliverable.log';
export const AUDIT_LOG_FILE = 'audit.log';
export const LOCK_FILE = 'audit.lock';

// ---------------------------------------------------------------------------------------------
// Directory lock

const lockedDirs = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const key = path.resolve(dir);
  if (lockedDirs.has(key)) throw new Error(`audit directory ${dir} is already open in this process`);
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.writeFile(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = Number((await fsp.readFile(file, 'utf8').catch(() => '')).trim());
      // Our own pid in a lock we do not hold: left by an earlier run (e.g. pid 1 in a container).
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new Error(`audit directory ${dir} is in use by process ${pid} (remove ${file} if that is wrong)`);
      }
      await fsp.rm(file, { force: true });
    }
  }
  lockedDirs.add(key);
  return async () => {
    lockedDirs.delete(key);
    await fsp.rm(file, { force: true });
  };
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(dir, fsConstants.O_RDONLY);
    await fh.sync();
  } catch {
    // Not supported everywhere (e.g. Windows); the data itself is fsynced.
  } finally {
    await fh?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// File access (a seam for tests) and the append-only file with group commit

/** The operations the audit files need from an open file (a subset of fs.promises.FileHandle). */
export interface AuditFile {
  /** Writes at the current position (the end, for files opened with O_APPEND). */
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** How the audit files are opened. The default is node:fs; tests pass a wrapper to count or fail calls. */
export interface AuditFileSystem {
  open(file: string, flags: number | string, mode: number): Promise<AuditFile>;
  /** rename(2): atomically replaces `to` (outbox.cursor, outbox.log). Default fs.promises.rename. */
  rename?(from: string, to: string): Promise<void>;
  /** Makes the renames in a folder durable (fsync of the folder; ignored where unsupported). */
  syncDir?(dir: string): Promise<void>;
}

export const nodeAuditFileSystem: AuditFileSystem = {
  open: (file, flags, mode) => fsp.open(file, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  syncDir: fsyncDir,
};

/** Bounds of one group commit (one write + one fdatasync). */
export interface GroupCommitOptions {
  /** Most records per write; default 1024. */
  maxRecords?: number;
  /** Most bytes per write (a single larger record is written alone); default 1 MiB. */
  maxBytes?: number;
}

export interface AppendLogOptions {
  fileSystem?: AuditFileSystem;
  groupCommit?: GroupCommitOptions;
}

type AppendOp = { kind: 'append'; data: Buffer; resolve: () => void; reject: (e: Error) => void };
type LogOp = AppendOp | { kind: 'exclusive'; run: () => Promise<void>; resolve: () => void; reject: (e: Error) => void };

/**
 * An append-only file with group commit, like a WAL. Appends are not written at once: the ones made
 * in the same event-loop turn, and the ones made while an earlier write + fdatasync is in progress,
 * are written with one write and made durable with one fdatasync (at most groupCommit.maxRecords /
 * maxBytes at a time, in append order). An append resolves only after the fdatasync that covers it;
 * if the write or the fdatasync fails, every append of that batch rejects and the file is cut back
 * to its last durable size, so no part of a failed batch stays in front of later records. `size`
 * counts durable bytes only. Exclusive operations (truncation) run between batches, in queue order.
 */
export class AppendLog {
  private queue: LogOp[] = [];
  private running = false;
  private scheduled = false;
  /** A failed batch may have left bytes after `size` that could not be cut off yet. */
  private tornTail = false;
  private readonly maxRecords: number;
  private readonly maxBytes: number;

  private constructor(
    readonly file: string,
    private fh: AuditFile,
    public size: number,
    groupCommit: GroupCommitOptions,
  ) {
    this.maxRecords = Math.max(1, groupCommit.maxRecords ?? 1024);
    this.maxBytes = Math.max(1, groupCommit.maxBytes ?? 1024 * 1024);
  }

  /** Opens (creating) the file; a torn last line from a crash is cut off. */
  static async open(file: string, opts: AppendLogOptions = {}): Promise<AppendLog> {
    const existed = await fsp.stat(file).then(
      () => true,
      () => false,
    );
    const fs = opts.fileSystem ?? nodeAuditFileSystem;
    const fh = await fs.open(file, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_APPEND, 0o600);
    try {
      if (!existed) await fsyncDir(path.dirname(file));
      const size = await completeLinesSize(fh);
      const st = await fh.stat();
      if (st.size !== size) {
        await fh.truncate(size);
        await fh.datasync();
      }
      return new AppendLog(file, fh, size, opts.groupCommit ?? {});
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Resolves once data is durable (written and fdatasync'ed together with the other appends of its batch). */
  append(data: string | Buffer): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'append', data: buf, resolve, reject });
      this.schedule();
    });
  }

  /** Runs fn with no append in progress (after the appends queued before it). */
  exclusive(fn: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'exclusive', run: fn, resolve, reject });
      this.schedule();
    });
  }

  /** Truncates to zero; only inside exclusive(). `size` is 0 as soon as the truncation happened. */
  async truncateUnsafe(): Promise<void> {
    await this.fh.truncate(0);
    this.size = 0;
    this.tornTail = false;
    await this.fh.datasync();
  }

  /**
   * From now on appends go to `fh` (which holds `size` durable bytes of complete lines and now has
   * this log's name); the old handle is closed. Only inside exclusive().
   */
  replaceUnsafe(fh: AuditFile, size: number): void {
    const old = this.fh;
    this.fh = fh;
    this.size = size;
    this.tornTail = false;
    void old.close().catch(() => undefined);
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }

  async close(): Promise<void> {
    await this.exclusive(async () => undefined);
    await this.fh.close();
  }

  /**
   * Starts the writer after the current event-loop turn (setImmediate), so that everything appended
   * in this turn goes into the first write. While the writer runs, it picks up new appends itself.
   */
  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    });
  }

  /** Removes and returns the appends at the head of the queue that fit in one write. */
  private takeBatch(): AppendOp[] {
    let n = 0;
    let bytes = 0;
    for (; n < this.queue.length && n < this.maxRecords; n++) {
      const op = this.queue[n];
      if (op.kind !== 'append' || (n > 0 && bytes + op.data.length > this.maxBytes)) break;
      bytes += op.data.length;
    }
    return this.queue.splice(0, n) as AppendOp[];
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.kind === 'exclusive') {
        this.queue.shift();
        try {
          await head.run();
          head.resolve();
        } catch (e) {
          head.reject(e as Error);
        }
        continue;
      }
      const batch = this.takeBatch();
      const data = batch.length === 1 ? batch[0].data : Buffer.concat(batch.map((b) => b.data));
      try {
        if (this.tornTail) {
          await this.fh.truncate(this.size);
          this.tornTail = false;
        }
        await writeAll(this.fh, data);
        await this.fh.datasync();
        this.size += data.length;
        for (const b of batch) b.resolve();
      } catch (e) {
        // Cut off whatever part of the batch reached the file, so the next batch starts a clean line
        // (retried before the next write if this fails too).
        this.tornTail = true;
        await this.fh.truncate(this.size).then(
          () => {
            this.tornTail = false;
          },
          () => undefined,
        );
        for (const b of batch) b.reject(e as Error);
      }
    }
  }
}

async function writeAll(fh: AuditFile, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off);
    off += bytesWritten;
  }
}

/** Size of the file up to and including its last newline. */
async function completeLinesSize(fh: AuditFile): Promise<number> {
  const { size } = await fh.stat();
  const chunk = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Outbox

export interface OutboxOptions {
  dir: string;
  transport: SyslogTransport;
  retry?: RetryOptions;
  batchSize?: number;
  /**
   * How long a record written to a TLS connection stays "in flight": if that connection breaks within
   * this time, the record is sent again. Default 1000 ms. Not used for UDP (no way to notice loss).
   */
  confirmDelayMs?: number;
  closeTimeoutMs?: number;
  /**
   * While records are outstanding, the delivery progress (outbox.cursor, or the compaction of
   * outbox.log once everything is confirmed) is written at most once per this interval, not once per
   * delivered batch. Default 200 ms. After a crash, the records confirmed in the last interval are
   * sent again.
   */
  cursorSyncMs?: number;
  /**
   * Compaction under load: once the confirmed prefix of outbox.log is at least this many bytes (and
   * at least as large as the unconfirmed rest, so a compaction never copies more than it frees), the
   * unconfirmed rest is copied into a new outbox.log although records are still in flight. Bounds
   * the file to about this size plus what is unconfirmed. Default 4 MiB.
   */
  compactThresholdBytes?: number;
  onError?: (err: Error) => void;
  fileSystem?: AuditFileSystem;
  groupCommit?: GroupCommitOptions;
}

/**
 * The first line of an outbox.log that does not start at offset 0 (written by compaction under load):
 * `{"outboxBase":B}`, B being the offset of the file's first record.
 */
const BASE_HEADER = /^\{"outboxBase":(\d{1,16})\}\n/;
const baseHeader = (base: number): Buffer => Buffer.from(`{"outboxBase":${base}}\n`);

interface OutboxRecord {
  message: string | undefined;
  raw: string;
  start: number;
  end: number;
}

interface InFlight {
  start: number;
  end: number;
  sentAt: number;
  /** Connection id from the transport; undefined = nothing to confirm (UDP, dead letter). */
  connection: number | undefined;
}

/**
 * A durable FIFO of syslog messages in front of a transport (see the file comment for the guarantee).
 *
 * Offsets: `cursor` (persisted) is the end of the confirmed prefix; `sendCursor` is the next record
 * to send; records in between are in flight. A record is confirmed once it has been in flight for
 * confirmDelayMs on a connection that is still healthy; if its connection is lost first, sending
 * restarts at the oldest in-flight record.
 *
 * The offsets are those of a record stream, not of one file: a record keeps its offset when
 * compaction under load (compactPrefix) moves it into a new outbox.log. Such a file starts with a
 * header line giving the offset `base` of its first record, so offset o is at file position
 * o - base + headerLen. The stream starts again at 0 only when everything is confirmed and the file
 * is truncated (compact).
 */
export class Outbox {
  private cursor = 0;
  private sendCursor = 0;
  private persistedCursor = 0;
  /** Offset of the first record in outbox.log, and the length of the header line giving it (0 without). */
  private base = 0;
  private headerLen = 0;
  private compactRetryAt = 0;
  /** When progress (cursor file or compaction) was last written or attempted. */
  private progressWrittenAt = 0;
  private inFlight: InFlight[] = [];
  private closing = false;
  private stopping = false;
  private workWaiter: (() => void) | undefined;
  private stopWaiter: (() => void) | undefined;
  private deliveredWaiters: Array<{ target: number; resolve: (ok: boolean) => void }> = [];
  private loop: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private readonly batchSize: number;
  private readonly confirmDelay: number;
  private readonly closeTimeoutMs: number;
  private readonly cursorSyncMs: number;
  private readonly compactThreshold: number;
  private readonly onError: (err: Error) => void;
  private readonly fs: AuditFileSystem;
  private readonly rename: (from: string, to: string) => Promise<void>;
  private readonly syncDir: (dir: string) => Promise<void>;

  private constructor(
    private readonly opts: OutboxOptions,
    private readonly log: AppendLog,
    private readonly deadLetters: AppendLog,
  ) {
    this.initialDelay = opts.retry?.initialDelayMs ?? 250;
    this.maxDelay = Math.max(this.initialDelay, opts.retry?.maxDelayMs ?? 30000);
    this.batchSize = Math.max(1, opts.batchSize ?? 100);
    this.confirmDelay = Math.max(0, opts.confirmDelayMs ?? 1000);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 2000;
    this.cursorSyncMs = Math.max(0, opts.cursorSyncMs ?? 200);
    this.compactThreshold = Math.max(1, opts.compactThresholdBytes ?? 4 * 1024 * 1024);
    this.fs = opts.fileSystem ?? nodeAuditFileSystem;
    this.rename = this.fs.rename?.bind(this.fs) ?? ((from, to) => fsp.rename(from, to));
    this.syncDir = this.fs.syncDir?.bind(this.fs) ?? fsyncDir;
    this.onError = opts.onError ?? (() => undefined);
    opts.transport.onConnectionLost?.(() => this.wakeWork());
  }

  /** Opens the outbox in dir (the caller holds the directory lock) and starts delivering. */
  static async open(opts: OutboxOptions): Promise<Outbox> {
    const logOpts: AppendLogOptions = {};
    if (opts.fileSystem) logOpts.fileSystem = opts.fileSystem;
    if (opts.groupCommit) logOpts.groupCommit = opts.groupCommit;
    // Left by a compaction that did not get to its rename: never part of the outbox.
    await fsp.rm(path.join(opts.dir, OUTBOX_COMPACT_FILE), { force: true });
    const log = await AppendLog.open(path.join(opts.dir, OUTBOX_FILE), logOpts);
    let dead: AppendLog | undefined;
    try {
      dead = await AppendLog.open(path.join(opts.dir, UNDELIVERABLE_FILE), logOpts);
      const box = new Outbox(opts, log, dead);
      await box.readBase();
      await box.recoverCursor();
      box.loop = box.run();
      return box;
    } catch (e) {
      await log.close().catch(() => undefined);
      await dead?.close().catch(() => undefined);
      throw e;
    }
  }

  /** Appends durably; resolves after the fdatasync of its group commit. */
  async append(message: string): Promise<void> {
    if (this.closing) throw new Error('audit outbox is closed');
    await this.log.append(`${JSON.stringify({ m: message })}\n`);
    this.wakeWork();
  }

  /** Bytes appended but not yet confirmed as delivered. */
  backlogBytes(): number {
    return Math.max(0, this.end() - this.cursor);
  }

  /** Offset just past the last durable record. */
  private end(): number {
    return this.base + this.log.size - this.headerLen;
  }

  /** Position of offset `offset` (>= base) in outbox.log. */
  private filePos(offset: number): number {
    return offset - this.base + this.headerLen;
  }

  /** Resolves true when everything appended before the call is confirmed delivered, false after timeoutMs. */
  flush(timeoutMs = 5000): Promise<boolean> {
    const target = this.end();
    if (this.cursor >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        target,
        resolve: (ok: boolean): void => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        this.deliveredWaiters = this.deliveredWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.deliveredWaiters.push(waiter);
    });
  }

  close(): Promise<void> {
    if (!this.closed) this.closed = this.doClose();
    return this.closed;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    this.wakeWork();
    const deadline = setTimeout(() => this.stop(), this.closeTimeoutMs);
    try {
      await this.loop;
    } finally {
      clearTimeout(deadline);
      this.stop();
      await this.opts.transport.close().catch(() => undefined);
      await this.persistCursor().catch((e: Error) => this.onError(e));
      for (const w of this.deliveredWaiters) w.resolve(false);
      this.deliveredWaiters = [];
      await this.log.close();
      await this.deadLetters.close();
    }
  }

  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.wakeWork();
    this.stopWaiter?.();
    // Abort a send that hangs (connect or write) so the loop can finish.
    void this.opts.transport.close().catch(() => undefined);
  }

  private wakeWork(): void {
    const w = this.workWaiter;
    this.workWaiter = undefined;
    w?.();
  }

  /** Waits for an append, close, or timeoutMs (if given). */
  private waitForWork(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (this.workWaiter === done) this.workWaiter = undefined;
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs).unref();
      this.workWaiter = done;
    });
  }

  /** Backoff sleep: only close() cuts it short, not new records (no reconnect storm under load). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms).unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.stopWaiter = done;
    });
  }

  /** Reads the header line of a compacted outbox.log (base offset of its first record), if any. */
  private async readBase(): Promise<void> {
    const head = (await this.log.read(0, Math.min(this.log.size, 64))).toString('latin1');
    const m = BASE_HEADER.exec(head);
    const base = m ? Number(m[1]) : NaN;
    if (m && Number.isSafeInteger(base)) {
      this.base = base;
      this.headerLen = m[0].length;
    }
  }

  private async recoverCursor(): Promise<void> {
    const text = await fsp.readFile(path.join(this.opts.dir, CURSOR_FILE), 'utf8').catch(() => undefined);
    const saved = text === undefined ? NaN : Number(text.trim());
    let cursor = saved;
    let fileHoldsIt = text !== undefined;
    if (!Number.isSafeInteger(cursor) || cursor < 0 || cursor > this.end()) {
      cursor = this.base;
      fileHoldsIt = false;
    }
    // Below the file's first record: a compaction dropped confirmed records up to base after this
    // value was written (or this is the 0 written just before a truncation that did not happen).
    // Either way everything in the file is still to be sent.
    if (cursor < this.base) cursor = this.base;
    if (this.filePos(cursor) > 0) {
      const before = await this.log.read(this.filePos(cursor) - 1, 1);
      if (before[0] !== 0x0a) {
        this.onError(new Error(`audit outbox cursor ${cursor} is not at a record boundary; re-sending from the start`));
        cursor = this.base;
        fileHoldsIt = false;
      }
    }
    this.cursor = cursor;
    this.sendCursor = cursor;
    // -1: the file does not hold a usable value, so the next progress write replaces it (even with 0).
    this.persistedCursor = fileHoldsIt ? saved : -1;
    // An unusable value must not stay on disk: once new records grow the log past it, it could
    // point at a record boundary and skip records after a crash.
    if (text !== undefined && !fileHoldsIt) await this.persistCursor();
  }

  private async persistCursor(value = this.cursor): Promise<void> {
    if (value === this.persistedCursor) return;
    this.progressWrittenAt = Date.now();
    const file = path.join(this.opts.dir, CURSOR_FILE);
    const tmp = `${file}.tmp`;
    const fh = await this.fs.open(tmp, 'w', 0o600);
    try {
      await writeAll(fh, Buffer.from(`${value}\n`));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await this.rename(tmp, file);
    this.persistedCursor = value;
  }

  private async persistCursorReporting(): Promise<void> {
    try {
      await this.persistCursor();
    } catch (e) {
      this.onError(e as Error);
    }
  }

  /** Ms until progress may be written again (0: now). */
  private progressDueIn(): number {
    return Math.max(0, this.progressWrittenAt + this.cursorSyncMs - Date.now());
  }

  /** Reads up to batchSize complete records starting at sendCursor. */
  private async readBatch(): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    let pos = this.sendCursor;
    let want = 256 * 1024;
    while (records.length < this.batchSize && pos < this.end()) {
      const buf = await this.log.read(this.filePos(pos), Math.min(want, this.end() - pos));
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, start);
        if (nl < 0 || records.length >= this.batchSize) break;
        const raw = buf.subarray(start, nl).toString('utf8');
        records.push({ message: decodeRecord(raw), raw, start: pos + start, end: pos + nl + 1 });
        start = nl + 1;
      }
      if (start === 0) {
        // A record longer than the read size: read more at once. (The log holds complete lines only.)
        if (pos + buf.length >= this.end()) break;
        want *= 2;
        continue;
      }
      pos += start;
    }
    return records;
  }

  private async deadLetter(r: OutboxRecord, reason: Error): Promise<void> {
    this.onError(new Error(`audit record moved to ${UNDELIVERABLE_FILE}: ${reason.message}`));
    await this.deadLetters.append(`${JSON.stringify({ at: new Date().toISOString(), reason: reason.message, record: r.raw })}\n`);
  }

  /**
   * Confirms the in-flight prefix that is old enough on a healthy connection; if any in-flight
   * record's connection was lost, rewinds sendCursor to the oldest in-flight record.
   * Returns ms until the next record can be confirmed (undefined when nothing is in flight).
   */
  private reviewInFlight(): number | undefined {
    const t = this.opts.transport;
    if (this.inFlight.some((f) => f.connection !== undefined && t.connectionLost(f.connection))) {
      this.sendCursor = this.inFlight[0].start;
      this.inFlight = [];
      return undefined;
    }
    const now = Date.now();
    let n = 0;
    for (const f of this.inFlight) {
      if (f.connection !== undefined && now - f.sentAt < this.confirmDelay) break;
      this.cursor = f.end;
      n++;
    }
    if (n > 0) this.inFlight.splice(0, n);
    const head = this.inFlight[0];
    return head === undefined ? undefined : Math.max(1, head.sentAt + this.confirmDelay - now);
  }

  /**
   * Everything is confirmed: truncates outbox.log, and the offsets start again at 0.
   * Cursor 0 first, made durable (the folder fsync makes its rename durable) before the truncation:
   * a crash in between leaves 0 with the old file, which re-sends that file but skips nothing; a
   * cursor value from before the truncation can never meet the records appended after it.
   */
  private async compact(): Promise<void> {
    this.progressWrittenAt = Date.now();
    await this.log.exclusive(async () => {
      const end = this.end();
      if (this.cursor !== end || this.sendCursor !== end || this.log.size === 0) return;
      try {
        await this.persistCursor(0);
        await this.syncDir(this.opts.dir);
        await this.log.truncateUnsafe();
      } finally {
        // Also when the fdatasync after the truncation failed: the file is empty now.
        if (this.log.size === 0) {
          this.base = 0;
          this.headerLen = 0;
          this.cursor = 0;
          this.sendCursor = 0;
        }
      }
    });
  }

  /**
   * Compaction under load, while records are still in flight: replaces outbox.log by a file holding
   * only the records from `cursor` on (the unconfirmed tail), behind a header line with their offset
   * (base = cursor). The sender loop runs this itself, so cursor, sendCursor and the reads stay put;
   * only appends go on, and they are held for step 2 only.
   *
   *  1. Appends go on: open outbox.log.tmp (truncating a leftover), write the header and the records
   *     from cursor to the current end, fdatasync.
   *  2. Appends held (log.exclusive): copy the records appended during step 1, fdatasync, rename
   *     outbox.log.tmp over outbox.log, switch the AppendLog to the new file, fsync the folder. Only
   *     then can a record appended to the new file be acknowledged.
   *
   * The cursor file is not written: offsets do not change, so its value means the same record in
   * the old and the new file. Crash analysis:
   *  - Before the rename, outbox.log is the old file, untouched and matching the cursor file; the
   *    leftover outbox.log.tmp is deleted at open. Nothing is lost or re-sent beyond a normal crash.
   *  - After the rename, outbox.log is either the complete new file (renamed only after its
   *    fdatasync) or, if the rename had not reached the disk, the old one; the latter lacks no
   *    acknowledged record, because appends resume only after the folder fsync. The persisted
   *    cursor C is at most base (it never runs ahead of the in-memory cursor). With the new file,
   *    C < base starts at its first record: what lies between C and base was confirmed, so it is
   *    neither lost nor re-sent; C in the file's range names the same record as before.
   *  - The new file holds a byte-for-byte suffix of the old one, so the order never changes.
   * A failure before the rename leaves the old file in use; the compaction is tried again later.
   */
  private async compactPrefix(): Promise<void> {
    const base = this.cursor;
    const from = this.filePos(base);
    const header = baseHeader(base);
    const tmp = path.join(this.opts.dir, OUTBOX_COMPACT_FILE);
    let fh: AuditFile | undefined;
    let installed = false;
    try {
      fh = await this.fs.open(tmp, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_APPEND, 0o600);
      const out = fh;
      await writeAll(out, header);
      let copied = await this.copyTo(out, from, this.log.size);
      await out.datasync();
      await this.log.exclusive(async () => {
        copied = await this.copyTo(out, copied, this.log.size);
        await out.datasync();
        await this.rename(tmp, this.log.file);
        this.log.replaceUnsafe(out, header.length + copied - from);
        this.base = base;
        this.headerLen = header.length;
        installed = true;
        await this.syncDir(this.opts.dir);
      });
    } finally {
      if (!installed && fh) {
        await fh.close().catch(() => undefined);
        await fsp.rm(tmp, { force: true }).catch(() => undefined);
      }
    }
  }

  /** Appends outbox.log bytes [from, to) to out, 1 MiB at a time; returns `to`. */
  private async copyTo(out: AuditFile, from: number, to: number): Promise<number> {
    for (let pos = from; pos < to; ) {
      const buf = await this.log.read(pos, Math.min(1024 * 1024, to - pos));
      if (buf.length === 0) throw new Error(`${OUTBOX_FILE} is shorter than expected`);
      await writeAll(out, buf);
      pos += buf.length;
    }
    return to;
  }

  /** True when the confirmed prefix is worth dropping while records are still unconfirmed. */
  private prefixCompactionDue(): boolean {
    const prefix = this.cursor - this.base;
    const rest = this.end() - this.cursor;
    return rest > 0 && prefix >= this.compactThreshold && prefix >= rest && Date.now() >= this.compactRetryAt;
  }

  private settleWaiters(): void {
    if (this.deliveredWaiters.length === 0) return;
    const still: typeof this.deliveredWaiters = [];
    for (const w of this.deliveredWaiters) {
      if (this.cursor >= w.target || (this.cursor === 0 && this.end() === 0)) w.resolve(true);
      else still.push(w);
    }
    this.deliveredWaiters = still;
  }

  private async run(): Promise<void> {
    let delay = this.initialDelay;
    while (!this.stopping) {
      const confirmIn = this.reviewInFlight();
      if (this.prefixCompactionDue()) {
        try {
          await this.compactPrefix();
        } catch (e) {
          this.compactRetryAt = Date.now() + Math.max(1000, this.cursorSyncMs);
          this.onError(new Error(`audit outbox compaction failed (tried again later): ${(e as Error).message}`));
        }
      }
      const allConfirmed = confirmIn === undefined && this.sendCursor >= this.end();
      // Progress is written at most once per cursorSyncMs; once all is confirmed, compaction writes it.
      const unsaved = this.cursor !== this.persistedCursor;
      if (unsaved && !allConfirmed && this.progressDueIn() === 0) await this.persistCursorReporting();
      this.settleWaiters();

      if (this.sendCursor >= this.end()) {
        if (confirmIn !== undefined) {
          // Wake up for the next confirmation, or when unsaved progress may be written.
          const saveIn = this.cursor !== this.persistedCursor ? this.progressDueIn() : 0;
          await this.waitForWork(saveIn > 0 ? Math.min(confirmIn, saveIn) : confirmIn);
          continue;
        }
        // Everything confirmed: compact (also a header-only file), unless progress was written less than cursorSyncMs ago.
        if (this.log.size > 0) {
          const dueIn = this.closing ? 0 : this.progressDueIn();
          if (dueIn > 0) {
            await this.waitForWork(dueIn);
            continue;
          }
          try {
            await this.compact();
          } catch (e) {
            this.onError(e as Error);
          }
        }
        this.settleWaiters();
        if (this.closing) return;
        if (this.sendCursor >= this.end()) await this.waitForWork();
        continue;
      }

      let failure: Error | undefined;
      try {
        const records = await this.readBatch();
        for (const r of records) {
          if (this.stopping) break;
          // The connection the previous records went out on broke: stop so reviewInFlight rewinds.
          const last = this.inFlight[this.inFlight.length - 1];
          if (last?.connection !== undefined && this.opts.transport.connectionLost(last.connection)) break;
          let connection: number | undefined;
          if (r.message === undefined) {
            await this.deadLetter(r, new Error('unreadable outbox line'));
          } else {
            try {
              connection = await this.opts.transport.send(r.message);
            } catch (e) {
              if (!(e instanceof PermanentSendError)) {
                failure = e as Error;
                break;
              }
              await this.deadLetter(r, e);
            }
          }
          this.inFlight.push({ start: r.start, end: r.end, sentAt: Date.now(), connection });
          this.sendCursor = r.end;
        }
      } catch (e) {
        failure = e as Error;
      }
      if (failure) {
        this.reviewInFlight();
        if (this.stopping) return;
        await this.persistCursorReporting();
        this.onError(new Error(`audit delivery to ${this.opts.transport.description} failed (retry in ${delay} ms): ${failure.message}`));
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.maxDelay);
      } else {
        delay = this.initialDelay;
      }
    }
  }
}

function decodeRecord(raw: string): string | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && typeof (v as { m?: unknown }).m === 'string') return (v as { m: string }).m;
  } catch {
    // fall through
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Auditors

function auditContext(opts: AuditorOptions): AuditContext {
  const ctx: AuditContext = { auditSourceId: opts.auditSourceId ?? opts.hostname, processId: String(process.pid) };
  if (opts.enterpriseSiteId !== undefined) ctx.enterpriseSiteId = opts.enterpriseSiteId;
  return ctx;
}

class SyslogAuditor implements ManagedAuditor {
  private closing = false;

  constructor(
    private readonly opts: AuditorOptions,
    private readonly ctx: AuditContext,
    private readonly outbox: Outbox,
    private readonly unlock: () => Promise<void>,
  ) {}

  async record(ev: AuditEvent): Promise<void> {
    if (this.closing) throw new Error('auditor is closed');
    const now = new Date();
    const xml = buildAuditMessage(ev, this.ctx, now);
    const msg = formatSyslogMessage(xml, { hostname: this.opts.hostname, appName: this.opts.appName, procId: process.pid }, now);
    await this.outbox.append(msg);
  }

  flush(timeoutMs?: number): Promise<boolean> {
    return this.outbox.flush(timeoutMs);
  }

  backlogBytes(): number {
    return this.outbox.backlogBytes();
  }

  async close(): Promise<void> {
    if (this.closing) return this.outbox.close();
    this.closing = true;
    try {
      await this.outbox.close();
    } finally {
      await this.unlock();
    }
  }
}

class FileAuditor implements ManagedAuditor {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly ctx: AuditContext,
    private readonly log: AppendLog,
    private readonly unlock: () => Promise<void>,
  ) {}

  async record(ev: AuditEvent): Promise<void> {
    if (this.closing) throw new Error('auditor is closed');
    await this.log.append(`${buildAuditMessage(ev, this.ctx)}\n`);
  }

  async flush(): Promise<boolean> {
    return true;
  }

  backlogBytes(): number {
    return 0;
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        try {
          await this.log.close();
        } finally {
          await this.unlock();
        }
      })();
    }
    return this.closing;
  }
}

/**
 * Opens the auditor for one service. With syslogUrl (or transport): durable outbox + syslog sender.
 * Without: AuditMessages appended to dataDir/audit.log.
 */
export async function createAuditor(opts: AuditorOptions): Promise<ManagedAuditor> {
  await fsp.mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const unlock = await acquireLock(opts.dataDir);
  try {
    const ctx = auditContext(opts);
    const logOpts: AppendLogOptions = {};
    if (opts.fileSystem) logOpts.fileSystem = opts.fileSystem;
    if (opts.groupCommit) logOpts.groupCommit = opts.groupCommit;
    if (!opts.syslogUrl && !opts.transport) {
      const log = await AppendLog.open(path.join(opts.dataDir, AUDIT_LOG_FILE), logOpts);
      return new FileAuditor(ctx, log, unlock);
    }
    const transport = opts.transport ?? createSyslogTransport(opts.syslogUrl ?? '', opts.tlsOptions);
    const outboxOpts: OutboxOptions = { dir: opts.dataDir, transport };
    if (opts.retry) outboxOpts.retry = opts.retry;
    if (opts.batchSize !== undefined) outboxOpts.batchSize = opts.batchSize;
    if (opts.confirmDelayMs !== undefined) outboxOpts.confirmDelayMs = opts.confirmDelayMs;
    if (opts.closeTimeoutMs !== undefined) outboxOpts.closeTimeoutMs = opts.closeTimeoutMs;
    if (opts.cursorSyncMs !== undefined) outboxOpts.cursorSyncMs = opts.cursorSyncMs;
    if (opts.compactThresholdBytes !== undefined) outboxOpts.compactThresholdBytes = opts.compactThresholdBytes;
    if (opts.onError) outboxOpts.onError = opts.onError;
    if (opts.fileSystem) outboxOpts.fileSystem = opts.fileSystem;
    if (opts.groupCommit) outboxOpts.groupCommit = opts.groupCommit;
    const outbox = await Outbox.open(outboxOpts);
    return new SyslogAuditor(opts, ctx, outbox, unlock);
  } catch (e) {
    await unlock();
    throw e;
  }
}

/** An Auditor that keeps events in memory (for service tests). */
export function createMemoryAuditor(): Auditor & { events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    events,
    async record(ev: AuditEvent): Promise<void> {
      events.push(ev);
    },
    async close(): Promise<void> {
      return undefined;
    },
  };
}
