/**
 * The registry's write path on SQLite: a batch of submissions in ONE transaction, each in its own SAVEPOINT
 * (group commit: one COMMIT, one WAL fsync for the batch; a failing submission rolls back only itself).
 *
 * It runs where its connection lives: on the registry's own thread for an in-memory database (and when asked),
 * otherwise in the writer thread (writerThread.ts / writerWorker.ts), so the fsync of a COMMIT never blocks
 * the event loop that parses requests and answers queries.
 */
import type Database from 'better-sqlite3';
import { registryError, XdsError } from '../../../shared/errors';
import type { XdsObject } from '../../../shared/xds/model';
import type { SubmissionChanges } from '../RegistryStore';
import { associationColumns, childRows, documentEntryColumns, folderColumns, padDtm, submissionSetColumns, uuidKey } from './indexRows';
import type { ObjectTable, SqlParam } from './sql';

type ObjectKind = XdsObject['type'];

/** A row of object_ids: where an entryUUID's object lives. */
interface ObjectIdentity {
  seq: number;
  kind: ObjectKind;
}

export const TABLE_OF_KIND: Record<ObjectKind, ObjectTable> = {
  DocumentEntry: 'document_entries',
  SubmissionSet: 'submission_sets',
  Folder: 'folders',
  Association: 'associations',
};

/** What became of one submission of a batch. */
export type WriteOutcome = { ok: true } | { ok: false; error: unknown };

export class SqliteWriter {
  private readonly statements = new Map<string, Database.Statement<SqlParam[]>>();

  constructor(private readonly db: Database.Database) {}

  /**
   * All submissions of `batch` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so another
   * process cannot slip in between our reads and writes), each in a SAVEPOINT. Returns one outcome per
   * submission; throws only if the transaction itself fails (then nothing of the batch is stored).
   */
  applyBatch(batch: readonly SubmissionChanges[]): WriteOutcome[] {
    const outcomes: WriteOutcome[] = [];
    this.db
      .transaction(() => {
        outcomes.length = 0;
        for (const changes of batch) {
          try {
            this.db.transaction(() => this.writeSubmission(changes))(); // nested: a SAVEPOINT
            outcomes.push({ ok: true });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })
      .immediate();
    return outcomes;
  }

  addKnownPatients(patientIds: readonly string[]): void {
    const insert = this.statement('INSERT OR IGNORE INTO known_patients (patient_id) VALUES (?)');
    this.db.transaction(() => {
      for (const id of patientIds) insert.run(id);
    }).immediate();
  }

  private statement(sql: string): Database.Statement<SqlParam[]> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<SqlParam[]>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
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
