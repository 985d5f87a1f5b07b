/**
 * The embedded registry store: RegistryStore (registry/store/RegistryStore.ts) on SQLite via better-sqlite3.
 *
 * better-sqlite3 is synchronous; every method does its work at once and hands back a settled promise (an
 * exception becomes a rejection), so callers use it exactly like an asynchronous backend. One connection serves
 * the process; Node runs one method at a time, so each method sees a consistent database.
 *
 * Schema and migrations: schema.ts. Query SQL: sql.ts. Index columns and child rows: indexRows.ts.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';
import type {
  AssociationFilter,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionChanges,
  SubmissionSetFilter,
} from '../RegistryStore';
import { uuidKey } from './indexRows';
import { migrate } from './schema';
import { SqliteWriter, type WriteOutcome } from './writer';
import { startWriterThread, type BatchWriter } from './writerThread';
export { constraintViolationAsXdsError } from './writer';
import {
  associationWhere,
  countObjects,
  documentEntryWhere,
  folderWhere,
  selectObjects,
  submissionSetWhere,
  type SqlFragment,
  type SqlParam,
} from './sql';

/**
 * How hard a commit waits for the disk.
 *
 * FULL (default): in WAL mode the WAL is fsynced at every commit, so a submission that was answered Success
 * survives a power cut or OS crash. The registry acknowledges a registration to a source that will not resend
 * it (and, for ITI-41, to a repository that already holds the bytes), so losing an acknowledged commit would
 * leave a stored document nobody can find. Measured cost: see registry/store/README.md.
 *
 * NORMAL: the WAL is fsynced only at checkpoints. The database is never corrupted, and a crash of the process
 * alone loses nothing, but a power cut or OS crash can roll back the last few acknowledged commits. Good for
 * bulk loads, tests and benchmarks.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL';

export interface SqliteRegistryStoreOptions {
  synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's write lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Where COMMITs run. 'thread' (default for a file): a worker thread with its own connection, so the fsync of a
   * commit never blocks the event loop (writerThread.ts). 'inline': on the caller's thread (bulk loads; always
   * for ':memory:', which another connection cannot open).
   */
  writer?: 'thread' | 'inline';
}

type ObjectKind = XdsObject['type'];

/** Statements compiled once per connection; find/count SQL varies with the filter's shape and is cached by text. */
const STATEMENT_CACHE_LIMIT = 256;

export function openSqliteRegistryStore(file: string, options: SqliteRegistryStoreOptions = {}): RegistryStore {
  const synchronous = options.synchronous ?? 'FULL';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    configureConnection(db, synchronous);
    migrate(db);
    const onThread = options.writer !== 'inline' && file !== ':memory:' && file !== '';
    return new SqliteRegistryStore(db, onThread ? startWriterThread({ file: path.resolve(file), synchronous, busyTimeoutMs }) : inlineWriter(db));
  } catch (err) {
    db.close();
    throw err;
  }
}

export function configureConnection(db: Database.Database, synchronous: SqliteSynchronous): void {
  // WAL: readers never block the writer and a commit is one append to the WAL. An in-memory database answers
  // 'memory', which is fine.
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
}

/** Writes on this connection, on the caller's thread. */
function inlineWriter(db: Database.Database): BatchWriter {
  const writer = new SqliteWriter(db);
  return {
    apply: async (batch) => writer.applyBatch(batch),
    addKnownPatients: async (ids) => writer.addKnownPatients(ids),
    failure: () => undefined,
    close: async () => undefined,
  };
}

interface JsonRow {
  json: string;
}

function outcomeError(o: WriteOutcome | undefined): unknown {
  return o && !o.ok ? o.error : new Error('the SQLite writer returned no outcome for a submission');
}

/** The stored form is the XDS model object written by JSON.stringify in this file. */
function parseStored<T extends XdsObject>(row: JsonRow): T {
  return JSON.parse(row.json) as T;
}

class SqliteRegistryStore implements RegistryStore {
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();
  private pending: { changes: SubmissionChanges; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;
  /** The batch being committed, if any: only one at a time, the next one gathers what arrives meanwhile. */
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly writer: BatchWriter,
  ) {}

  async getObjects(entryUuids: string[]): Promise<XdsObject[]> {
    if (entryUuids.length === 0) return [];
    const rows = this.statement(
      'SELECT coalesce(de.json, ss.json, f.json, a.json) AS json FROM object_ids AS o' +
        ' LEFT JOIN document_entries AS de ON de.seq = o.seq' +
        ' LEFT JOIN submission_sets AS ss ON ss.seq = o.seq' +
        ' LEFT JOIN folders AS f ON f.seq = o.seq' +
        ' LEFT JOIN associations AS a ON a.seq = o.seq' +
        ' WHERE o.entry_uuid IN (SELECT value FROM json_each(?)) ORDER BY o.seq',
    ).all(JSON.stringify(entryUuids.map(uuidKey))) as JsonRow[];
    return rows.map((r) => parseStored<XdsObject>(r));
  }

  async findDocumentEntries(filter: DocumentEntryFilter, limit?: number): Promise<DocumentEntry[]> {
    return this.select<DocumentEntry>(selectObjects('document_entries', documentEntryWhere(filter), limit));
  }

  async findSubmissionSets(filter: SubmissionSetFilter, limit?: number): Promise<SubmissionSet[]> {
    return this.select<SubmissionSet>(selectObjects('submission_sets', submissionSetWhere(filter), limit));
  }

  async findFolders(filter: FolderFilter, limit?: number): Promise<Folder[]> {
    return this.select<Folder>(selectObjects('folders', folderWhere(filter), limit));
  }

  async findAssociations(filter: AssociationFilter, limit?: number): Promise<XdsAssociation[]> {
    return this.select<XdsAssociation>(selectObjects('associations', associationWhere(filter), limit));
  }

  async countDocumentEntries(filter: DocumentEntryFilter): Promise<number> {
    const q = countObjects('document_entries', documentEntryWhere(filter));
    const row = this.statement(q.sql).get(...q.params) as { n: number };
    return row.n;
  }

  /**
   * Group commit: submissions that arrive while a batch is being committed (or in the same turn of the event
   * loop) are written in ONE transaction, each inside its own SAVEPOINT (writer.ts), so one COMMIT (one fsync with
   * synchronous=FULL) makes a whole batch durable, and a failing submission rolls back only its own savepoint.
   * Every caller's promise settles after the batch's COMMIT: Success is never answered before the data is durable.
   */
  applySubmission(changes: SubmissionChanges): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight || this.pending.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushPending();
    });
  }

  private flushPending(): void {
    if (this.inFlight) return;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.inFlight = this.writer.apply(batch.map((b) => b.changes)).then(
      (outcomes) => batch.forEach((item, i) => (outcomes[i]?.ok ? item.resolve() : item.reject(outcomeError(outcomes[i])))),
      (e: unknown) => batch.forEach((item) => item.reject(e)),
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      this.scheduleFlush();
    });
  }

  async addKnownPatients(patientIds: string[]): Promise<void> {
    await this.writer.addKnownPatients(patientIds);
  }

  async isKnownPatient(patientId: string): Promise<boolean> {
    return this.statement('SELECT 1 FROM known_patients WHERE patient_id = ?').get(patientId) !== undefined;
  }

  /** Reads must work and so must the writer: a registry that cannot register is not healthy. */
  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
    const failure = this.writer.failure();
    if (failure) throw failure;
  }

  async stats(): Promise<{ documentEntries: number; submissionSets: number; folders: number; associations: number }> {
    const rows = this.statement('SELECT kind, count(*) AS n FROM object_ids GROUP BY kind').all() as { kind: ObjectKind; n: number }[];
    const count = (kind: ObjectKind): number => rows.find((r) => r.kind === kind)?.n ?? 0;
    return {
      documentEntries: count('DocumentEntry'),
      submissionSets: count('SubmissionSet'),
      folders: count('Folder'),
      associations: count('Association'),
    };
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Commit what was accepted before close (in as many batches as it takes), then stop the writer.
    while (this.inFlight || this.pending.length > 0) {
      this.flushPending();
      await this.inFlight;
    }
    await this.writer.close();
    this.statements.clear();
    this.db.close();
  }

  // ---- internals ----

  private statement(sql: string): Database.Statement<SqlParam[]> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.db.prepare<SqlParam[]>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private select<T extends XdsObject>(q: SqlFragment): T[] {
    return (this.statement(q.sql).all(...q.params) as JsonRow[]).map((r) => parseStored<T>(r));
  }
}

