/**
 * The SQLite registry schema and its migrations.
 *
 * Layout (registry/store/README.md explains the why):
 *  - object_ids: the identity of every stored object: lowercased entryUUID, kind, and `seq`, a global insertion
 *    sequence. Its UNIQUE entry_uuid makes an entryUUID unique across all four kinds and is the entryUUID index.
 *  - document_entries, submission_sets, folders, associations: one row per object, keyed by the same `seq`,
 *    holding the whole XDS model object as JSON plus the index columns the queries filter on. Times are DTMs
 *    right-padded to 14 digits.
 *  - codes, authors, reference_ids: multi-valued attributes, one row per value, owned by `seq` and searched with
 *    EXISTS subqueries. Owners are the integer seq, not the UUID text: new rows then land at the end of each
 *    index range instead of at random places, which made loading several times faster (README).
 *  - known_patients: patient ids known from the identity feed.
 *
 * Migrations are append-only: never edit a released one, add a new version. The pending ones run in one
 * transaction together with the schema_version rows that record them, so a crash leaves the old version intact.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'registry objects, index rows, known patients',
    sql: `
      CREATE TABLE object_ids (
        seq INTEGER PRIMARY KEY,
        entry_uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('DocumentEntry', 'SubmissionSet', 'Folder', 'Association'))
      );

      CREATE TABLE document_entries (
        seq INTEGER PRIMARY KEY REFERENCES object_ids(seq),
        unique_id TEXT,
        lid TEXT,
        patient_id TEXT,
        status TEXT,
        object_type TEXT,
        creation_time TEXT,
        service_start_time TEXT,
        service_stop_time TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX document_entries_patient_status ON document_entries (patient_id, status);
      CREATE INDEX document_entries_unique_id ON document_entries (unique_id);
      CREATE INDEX document_entries_lid ON document_entries (lid);
      CREATE INDEX document_entries_creation_time ON document_entries (creation_time);
      CREATE INDEX document_entries_service_start_time ON document_entries (service_start_time);
      CREATE INDEX document_entries_service_stop_time ON document_entries (service_stop_time);

      CREATE TABLE submission_sets (
        seq INTEGER PRIMARY KEY REFERENCES object_ids(seq),
        unique_id TEXT UNIQUE,
        lid TEXT,
        patient_id TEXT,
        status TEXT,
        source_id TEXT,
        submission_time TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX submission_sets_patient_status ON submission_sets (patient_id, status);
      CREATE INDEX submission_sets_source_id ON submission_sets (source_id);
      CREATE INDEX submission_sets_submission_time ON submission_sets (submission_time);

      CREATE TABLE folders (
        seq INTEGER PRIMARY KEY REFERENCES object_ids(seq),
        unique_id TEXT UNIQUE,
        lid TEXT,
        patient_id TEXT,
        status TEXT,
        last_update_time TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX folders_patient_status ON folders (patient_id, status);
      CREATE INDEX folders_lid ON folders (lid);
      CREATE INDEX folders_last_update_time ON folders (last_update_time);

      CREATE TABLE associations (
        seq INTEGER PRIMARY KEY REFERENCES object_ids(seq),
        association_type TEXT NOT NULL,
        source_uuid TEXT NOT NULL,
        target_uuid TEXT NOT NULL,
        status TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX associations_source ON associations (source_uuid, association_type);
      CREATE INDEX associations_target ON associations (target_uuid, association_type);

      CREATE TABLE codes (
        owner_seq INTEGER NOT NULL REFERENCES object_ids(seq),
        kind TEXT NOT NULL CHECK (kind IN ('class', 'type', 'practice', 'hcft', 'format', 'event', 'confidentiality', 'contentType', 'folderCode')),
        code TEXT NOT NULL,
        scheme TEXT NOT NULL
      );
      CREATE INDEX codes_kind_code_scheme_owner ON codes (kind, code, scheme, owner_seq);

      CREATE TABLE authors (
        owner_seq INTEGER NOT NULL REFERENCES object_ids(seq),
        person TEXT NOT NULL
      );
      CREATE INDEX authors_owner_person ON authors (owner_seq, person);

      CREATE TABLE reference_ids (
        owner_seq INTEGER NOT NULL REFERENCES object_ids(seq),
        value TEXT NOT NULL
      );
      CREATE INDEX reference_ids_value_owner ON reference_ids (value, owner_seq);

      CREATE TABLE known_patients (
        patient_id TEXT PRIMARY KEY
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'FindDocuments index checks the creationTime range; drop DocumentEntry time indexes no query uses',
    // Benchmark (docs/BENCHMARKS.md): with (patient_id, status) SQLite read every row of the patient (one 4 KiB
    // page each, scattered over years of inserts) to test creation_time; with the time in the index it reads
    // only the matching rows (store query 164 -> 69 us at 1,000,000 entries). The new index has the old one as
    // its prefix, so the old one is dropped. Every stored query names a patient or ids, so no plan starts from a
    // time column; those three indexes only cost inserts.
    sql: `
      CREATE INDEX document_entries_patient_status_time ON document_entries (patient_id, status, creation_time);
      DROP INDEX document_entries_patient_status;
      DROP INDEX document_entries_creation_time;
      DROP INDEX document_entries_service_start_time;
      DROP INDEX document_entries_service_stop_time;
    `,
  },
];

const CREATE_VERSION_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

export function currentSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Bring the database up to the newest schema. Idempotent: already-applied versions are skipped. Refuses a
 * database written by a newer release (its schema is unknown to this code). Returns the versions applied now.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(CREATE_VERSION_TABLE);
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const applied: number[] = [];
  const runPending = db.transaction(() => {
    const current = currentSchemaVersion(db);
    if (current > newest) {
      throw new Error(`registry database schema version ${current} is newer than this release understands (${newest})`);
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, new Date().toISOString());
      applied.push(m.version);
    }
  });
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a fresh file cannot
  // both decide to run the same migration.
  runPending.immediate();
  return applied;
}
