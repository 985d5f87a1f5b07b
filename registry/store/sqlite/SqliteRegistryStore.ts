/**
 * The embedded registry store: RegistryStore (registry/store/RegistryStore.ts) on SQLite via better-sqlite3.
 *
 * better-sqlite3 is synchronous; every method does its work at once and hands back a settled promise (an
 * exception becomes a rejection), so callers use it exactly like an asynchronous backend. One connection serves
 * the process; Node runs one method at a time, so each method sees a consistent database.
 *
 * Schema and migrations: schema.ts. Query SQL: sql.ts. Index columns and child rows: indexRows.ts.
 */
import Database from 'better-sqlite3';
import { registryError, XdsError } from '../../../shared/errors';
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';
import type {
  AssociationFilter,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionChanges,
  SubmissionSetFilter,
} from '../RegistryStore';
import {
  associationColumns,
  childRows,
  documentEntryColumns,
  folderColumns,
  padDtm,
  submissionSetColumns,
  uuidKey,
} from './indexRows';
import { migrate } from './schema';
import {
  associationWhere,
  countObjects,
  documentEntryWhere,
  folderWhere,
  selectObjects,
  submissionSetWhere,
  type ObjectTable,
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
}

type ObjectKind = XdsObject['type'];

/** A row of object_ids: where an entryUUID's object lives. */
interface ObjectIdentity {
  seq: number;
  kind: ObjectKind;
}

const TABLE_OF_KIND: Record<ObjectKind, ObjectTable> = {
  DocumentEntry: 'document_entries',
  SubmissionSet: 'submission_sets',
  Folder: 'folders',
  Association: 'associations',
};

/** Statements compiled once per connection; find/count SQL varies with the filter's shape and is cached by text. */
const STATEMENT_CACHE_LIMIT = 256;

export function openSqliteRegistryStore(file: string, options: SqliteRegistryStoreOptions = {}): RegistryStore {
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    configureConnection(db, options.synchronous ?? 'FULL');
    migrate(db);
    return new SqliteRegistryStore(db);
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

interface JsonRow {
  json: string;
}

/** The stored form is the XDS model object written by JSON.stringify in this file. */
function parseStored<T extends XdsObject>(row: JsonRow): T {
  return JSON.parse(row.json) as T;
}

class SqliteRegistryStore implements RegistryStore {
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();
  private pending: { changes: SubmissionChanges; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;

  constructor(private readonly db: Database.Database) {}

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
   * Group commit: submissions that arrive while the event loop is busy (typically while the previous COMMIT's
   * fsync blocks it) are written in ONE transaction, each inside its own SAVEPOINT, so one COMMIT (one fsync with
   * synchronous=FULL) makes a whole batch durable, and a failing submission rolls back only its own savepoint.
   * Every caller's promise settles after the batch's COMMIT: Success is never answered before the data is durable.
   */
  applySubmission(changes: SubmissionChanges): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushPending());
      }
    });
  }

  private flushPending(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    const failures = new Map<number, unknown>();
    try {
      // IMMEDIATE: take the write lock at BEGIN, so a second process cannot slip in between our reads and writes.
      this.db
        .transaction(() => {
          batch.forEach((item, i) => {
            try {
              this.db.transaction(() => this.writeSubmission(item.changes))(); // nested: a SAVEPOINT
            } catch (e) {
              failures.set(i, e);
            }
          });
        })
        .immediate();
    } catch (e) {
      for (const item of batch) item.reject(e);
      return;
    }
    batch.forEach((item, i) => (failures.has(i) ? item.reject(failures.get(i)) : item.resolve()));
  }

  async addKnownPatients(patientIds: string[]): Promise<void> {
    const insert = this.statement('INSERT OR IGNORE INTO known_patients (patient_id) VALUES (?)');
    this.db.transaction(() => {
      for (const id of patientIds) insert.run(id);
    }).immediate();
  }

  async isKnownPatient(patientId: string): Promise<boolean> {
    return this.statement('SELECT 1 FROM known_patients WHERE patient_id = ?').get(patientId) !== undefined;
  }

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
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
    this.flushPending();
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

  /** Runs inside the transaction: any throw rolls the whole submission back. */
  private writeSubmission(changes: SubmissionChanges): void {
    for (const o of changes.submissionSets) this.insertObject(o);
    for (const o of changes.documentEntries) this.insertObject(o);
    for (const o of changes.folders) this.insertObject(o);
    for (const o of changes.associations) this.insertObject(o);
    for (const c of changes.statusChanges) this.changeStatus(c.entryUuid, c.expected, c.status);
    for (const u of changes.folderUpdates) this.updateFolderLastUpdateTime(u.entryUuid, u.lastUpdateTime);
  }

  private insertObject(obj: XdsObject): void {
    try {
      this.insertObjectRows(obj);
    } catch (err) {
      throw constraintViolationAsXdsError(err, obj) ?? err;
    }
  }

  private insertObjectRows(obj: XdsObject): void {
    const seq = Number(this.statement('INSERT INTO object_ids (entry_uuid, kind) VALUES (?, ?)').run(uuidKey(obj.entryUuid), obj.type).lastInsertRowid);
    const json = JSON.stringify(obj);
    switch (obj.type) {
      case 'DocumentEntry': {
        const c = documentEntryColumns(obj);
        this.statement(
          'INSERT INTO document_entries (seq, unique_id, lid, patient_id, status, object_type,' +
            ' creation_time, service_start_time, service_stop_time, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(seq, c.unique_id, c.lid, c.patient_id, c.status, c.object_type, c.creation_time, c.service_start_time, c.service_stop_time, json);
        break;
      }
      case 'SubmissionSet': {
        const c = submissionSetColumns(obj);
        this.statement(
          'INSERT INTO submission_sets (seq, unique_id, lid, patient_id, status, source_id, submission_time, json)' +
            ' VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(seq, c.unique_id, c.lid, c.patient_id, c.status, c.source_id, c.submission_time, json);
        break;
      }
      case 'Folder': {
        const c = folderColumns(obj);
        this.statement(
          'INSERT INTO folders (seq, unique_id, lid, patient_id, status, last_update_time, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(seq, c.unique_id, c.lid, c.patient_id, c.status, c.last_update_time, json);
        break;
      }
      case 'Association': {
        const c = associationColumns(obj);
        this.statement(
          'INSERT INTO associations (seq, association_type, source_uuid, target_uuid, status, json) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(seq, c.association_type, c.source_uuid, c.target_uuid, c.status, json);
        break;
      }
    }
    const rows = childRows(obj);
    const insertCode = this.statement('INSERT INTO codes (owner_seq, kind, code, scheme) VALUES (?, ?, ?, ?)');
    for (const code of rows.codes) insertCode.run(seq, code.kind, code.code, code.scheme);
    const insertAuthor = this.statement('INSERT INTO authors (owner_seq, person) VALUES (?, ?)');
    for (const person of rows.authorPersons) insertAuthor.run(seq, person);
    const insertReferenceId = this.statement('INSERT INTO reference_ids (owner_seq, value) VALUES (?, ?)');
    for (const value of rows.referenceIds) insertReferenceId.run(seq, value);
  }

  /** Conditional: only an object that still has the `expected` status changes; otherwise the submission fails. */
  private changeStatus(entryUuid: string, expected: string, status: string): void {
    const identity = this.identityOf(entryUuid);
    const changed =
      identity !== undefined &&
      this.statement(`UPDATE ${TABLE_OF_KIND[identity.kind]} SET status = ?, json = json_set(json, '$.status', ?) WHERE seq = ? AND status = ?`).run(
        status,
        status,
        identity.seq,
        expected,
      ).changes === 1;
    if (changed) return;
    const why =
      identity === undefined
        ? `${entryUuid} is not in the registry`
        : `${identity.kind} ${entryUuid} has status ${this.currentStatus(identity) ?? '(none)'}, expected ${expected}`;
    throw new XdsError(registryError('XDSRegistryDeprecatedDocumentError', `cannot set status ${status}: ${why}`, entryUuid));
  }

  private updateFolderLastUpdateTime(entryUuid: string, lastUpdateTime: string): void {
    const result = this.statement(
      "UPDATE folders SET last_update_time = ?, json = json_set(json, '$.lastUpdateTime', json_array(?))" +
        ' WHERE seq = (SELECT seq FROM object_ids WHERE entry_uuid = ?)',
    ).run(padDtm(lastUpdateTime), lastUpdateTime, uuidKey(entryUuid));
    if (result.changes === 0) {
      throw new XdsError(registryError('XDSRegistryError', `Folder ${entryUuid} whose lastUpdateTime is to be set is not in the registry`, entryUuid));
    }
  }

  private identityOf(entryUuid: string): ObjectIdentity | undefined {
    return this.statement('SELECT seq, kind FROM object_ids WHERE entry_uuid = ?').get(uuidKey(entryUuid)) as ObjectIdentity | undefined;
  }

  private currentStatus(identity: ObjectIdentity): string | undefined {
    const row = this.statement(`SELECT status FROM ${TABLE_OF_KIND[identity.kind]} WHERE seq = ?`).get(identity.seq) as { status: string | null } | undefined;
    return row?.status ?? undefined;
  }
}

/**
 * The UNIQUE constraints that guard the registry's identity rules, turned into the IHE errors (a second line of
 * defence: registry/transactions checks first, but two submissions can race between that check and the write).
 */
export function constraintViolationAsXdsError(err: unknown, obj: XdsObject): XdsError | undefined {
  // Duck-typed on purpose: better-sqlite3's native side keeps the SqliteError class of the first module instance
  // it saw, so `instanceof` fails when the JS module is loaded again (jest's per-file module registries).
  // (Even `instanceof Error` fails there: the class comes from another realm.)
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string' || !code.startsWith('SQLITE_CONSTRAINT')) return undefined;
  if (message.includes('object_ids.entry_uuid')) {
    return new XdsError(
      registryError('XDSRegistryMetadataError', `${obj.type} entryUUID ${obj.entryUuid} already exists in the registry`, obj.entryUuid),
    );
  }
  if ((obj.type === 'SubmissionSet' || obj.type === 'Folder') && message.includes(`${TABLE_OF_KIND[obj.type]}.unique_id`)) {
    return new XdsError(
      registryError('XDSDuplicateUniqueIdInRegistry', `${obj.type} uniqueId ${obj.uniqueId?.value} already exists in the registry`, obj.entryUuid),
    );
  }
  return undefined;
}
