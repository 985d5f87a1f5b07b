import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AVAILABILITY_STATUS } from '../../../shared/xds/constants';
import { XdsError } from '../../../shared/errors';
import { runRegistryStoreContract } from '../contract';
import type { DocumentEntryFilter } from '../RegistryStore';
import { makeChanges, makeDocumentEntry, makeFolder, makeSubmission, makeSubmissionSet, PATIENT_A, uuid } from '../testFixtures';
import { configureConnection, constraintViolationAsXdsError, openSqliteRegistryStore } from './SqliteRegistryStore';
import { currentSchemaVersion, migrate, MIGRATIONS } from './schema';
import { associationWhere, documentEntryWhere, folderWhere, selectObjects, submissionSetWhere, type SqlFragment } from './sql';

const { Approved, Deprecated } = AVAILABILITY_STATUS;

const tempDirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-sqlite-store-'));
  tempDirs.push(dir);
  return path.join(dir, 'registry.sqlite');
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

runRegistryStoreContract('SQLite in memory', async () => openSqliteRegistryStore(':memory:'));
runRegistryStoreContract('SQLite file (WAL, synchronous FULL, writer thread)', async () => openSqliteRegistryStore(tempFile()));
runRegistryStoreContract('SQLite file (WAL, synchronous FULL, inline writer)', async () => openSqliteRegistryStore(tempFile(), { writer: 'inline' }));

describe('SQLite registry store: file, connection and schema', () => {
  it('keeps everything across close and reopen, without re-running migrations', async () => {
    const file = tempFile();
    const entries = [makeDocumentEntry(), makeDocumentEntry()];
    const first = openSqliteRegistryStore(file);
    await first.applySubmission(makeSubmission(entries));
    await first.addKnownPatients([PATIENT_A]);
    await first.close();

    const second = openSqliteRegistryStore(file, { synchronous: 'NORMAL' });
    expect(await second.findDocumentEntries({ patientId: PATIENT_A })).toEqual(entries);
    expect(await second.isKnownPatient(PATIENT_A)).toBe(true);
    await second.close();

    const raw = new Database(file, { readonly: true });
    const versions = raw.prepare('SELECT version FROM schema_version').all() as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('sets WAL, the chosen synchronous level and foreign keys on each connection', () => {
    for (const [level, expected] of [['FULL', 2], ['NORMAL', 1]] as const) {
      const db = new Database(tempFile());
      db.pragma('foreign_keys = OFF');
      configureConnection(db, level);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(expected);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      db.close();
    }
  });

  it('enforces the foreign keys from index rows to object identities', () => {
    const db = new Database(':memory:');
    configureConnection(db, 'FULL');
    migrate(db);
    expect(() => db.prepare("INSERT INTO codes (owner_seq, kind, code, scheme) VALUES (999, 'class', 'c', 's')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  const NEWEST = Math.max(...MIGRATIONS.map((m) => m.version));

  it('migrates idempotently and applies only versions newer than the database', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    expect(currentSchemaVersion(db)).toBe(NEWEST);
    const next = [...MIGRATIONS, { version: NEWEST + 1, description: 'test column', sql: 'ALTER TABLE known_patients ADD COLUMN note TEXT' }];
    expect(migrate(db, next)).toEqual([NEWEST + 1]);
    expect(migrate(db, next)).toEqual([]);
    expect(currentSchemaVersion(db)).toBe(NEWEST + 1);
    db.close();
  });

  it('rolls a failing migration back entirely', () => {
    const db = new Database(':memory:');
    migrate(db);
    const broken = [...MIGRATIONS, { version: NEWEST + 1, description: 'broken', sql: 'CREATE TABLE half_done (x); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, broken)).toThrow(/no_such_table/);
    expect(currentSchemaVersion(db)).toBe(NEWEST);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'half_done'").get()).toBeUndefined();
    db.close();
  });

  it('upgrades a version-1 database in place: its DocumentEntries stay findable through the new time index', async () => {
    const file = tempFile();
    const de = makeDocumentEntry({ creationTime: ['20200615'] });
    const first = openSqliteRegistryStore(file);
    await first.applySubmission(makeSubmission([de]));
    await first.close();
    // Turn the file back into exactly what version 1 left: its indexes, and no version-2 row.
    const raw = new Database(file);
    raw.exec(`
      DROP INDEX document_entries_patient_status_time;
      CREATE INDEX document_entries_patient_status ON document_entries (patient_id, status);
      CREATE INDEX document_entries_creation_time ON document_entries (creation_time);
      CREATE INDEX document_entries_service_start_time ON document_entries (service_start_time);
      CREATE INDEX document_entries_service_stop_time ON document_entries (service_stop_time);
      DELETE FROM schema_version WHERE version > 1;
    `);
    expect(currentSchemaVersion(raw)).toBe(1);
    raw.close();

    const store = openSqliteRegistryStore(file);
    try {
      const found = await store.findDocumentEntries({ patientId: PATIENT_A, statuses: [Approved], creationTime: { from: '2020', to: '2021' } });
      expect(found.map((d) => d.entryUuid)).toEqual([de.entryUuid]);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    const indexes = (after.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'document_entries' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);
    expect(currentSchemaVersion(after)).toBe(NEWEST);
    after.close();
    expect(indexes.sort()).toEqual(['document_entries_lid', 'document_entries_patient_status_time', 'document_entries_unique_id']);
  });

  it('refuses a database written by a newer schema', async () => {
    const file = tempFile();
    await openSqliteRegistryStore(file).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 'x')").run();
    raw.close();
    expect(() => openSqliteRegistryStore(file)).toThrow(/schema version 99/);
  });

  it('rejects calls after close, and close is idempotent', async () => {
    const store = openSqliteRegistryStore(':memory:');
    await store.close();
    await store.close();
    await expect(store.findDocumentEntries({})).rejects.toThrow();
    await expect(store.applySubmission(makeChanges({ documentEntries: [makeDocumentEntry()] }))).rejects.toThrow();
  });

  it('rejects a negative or fractional limit', async () => {
    const store = openSqliteRegistryStore(':memory:');
    await expect(store.findDocumentEntries({}, -1)).rejects.toThrow(RangeError);
    await expect(store.findFolders({}, 1.5)).rejects.toThrow(RangeError);
    await store.close();
  });

  it('sees a commit made through another connection to the same file', async () => {
    const file = tempFile();
    const writer = openSqliteRegistryStore(file);
    const reader = openSqliteRegistryStore(file);
    const de = makeDocumentEntry();
    await writer.applySubmission(makeChanges({ documentEntries: [de] }));
    expect(await reader.getObjects([de.entryUuid])).toEqual([de]);
    await writer.applySubmission(makeChanges({ statusChanges: [{ entryUuid: de.entryUuid, expected: Approved, status: Deprecated }] }));
    // The second writer's conditional update sees the first writer's change and conflicts.
    await expect(
      reader.applySubmission(makeChanges({ statusChanges: [{ entryUuid: de.entryUuid, expected: Approved, status: Deprecated }] })),
    ).rejects.toBeInstanceOf(XdsError);
    await writer.close();
    await reader.close();
  });

  it('maps only the identity constraints to XDS errors', () => {
    const ss = makeSubmissionSet();
    const err = (message: string, code = 'SQLITE_CONSTRAINT_UNIQUE'): InstanceType<typeof Database.SqliteError> => new Database.SqliteError(message, code);
    expect(constraintViolationAsXdsError(err('UNIQUE constraint failed: object_ids.entry_uuid'), ss)?.errors[0]?.errorCode).toBe('XDSRegistryMetadataError');
    expect(constraintViolationAsXdsError(err('UNIQUE constraint failed: submission_sets.unique_id'), ss)?.errors[0]?.errorCode).toBe('XDSDuplicateUniqueIdInRegistry');
    expect(constraintViolationAsXdsError(err('UNIQUE constraint failed: folders.unique_id'), ss)).toBeUndefined();
    expect(constraintViolationAsXdsError(err('CHECK constraint failed: kind', 'SQLITE_CONSTRAINT_CHECK'), ss)).toBeUndefined();
    expect(constraintViolationAsXdsError(err('disk I/O error', 'SQLITE_IOERR'), ss)).toBeUndefined();
    expect(constraintViolationAsXdsError(new Error('UNIQUE constraint failed: object_ids.entry_uuid'), ss)).toBeUndefined();
    expect(constraintViolationAsXdsError(err('UNIQUE constraint failed: folders.unique_id'), makeFolder())?.errors[0]?.errorCode).toBe('XDSDuplicateUniqueIdInRegistry');
  });
});

describe('SQLite registry store: query plans use the indexes', () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(':memory:');
    migrate(db);
  });
  afterAll(() => db.close());

  function plan(q: SqlFragment): string[] {
    return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail);
  }

  /** No full scan of the searched table (alias t) or of a child table; json_each lists are scanned by design. */
  function expectNoTableScan(details: string[]): void {
    for (const d of details) expect(d).not.toMatch(/^SCAN (t|c|a|r|o)\b/);
  }

  const findDocuments: DocumentEntryFilter = {
    patientId: PATIENT_A,
    statuses: [Approved],
    classCodes: [{ code: 'c1', scheme: 's' }, { code: 'c2', scheme: 's' }],
    typeCodes: [{ code: 't', scheme: 's' }],
    eventCodes: [[{ code: 'e', scheme: 's' }]],
    authorPersons: ['%Welby%'],
    referenceIds: [['r']],
    creationTime: { from: '2020', to: '2021' },
  };

  it('drives FindDocuments from (patient_id, status, creation_time) and probes codes through the code index', () => {
    const details = plan(selectObjects('document_entries', documentEntryWhere(findDocuments)));
    expect(details).toContain('SEARCH t USING INDEX document_entries_patient_status_time (patient_id=? AND status=? AND creation_time>? AND creation_time<?)');
    expect(details).toContain('SEARCH c EXISTS USING COVERING INDEX codes_kind_code_scheme_owner (kind=? AND code=? AND scheme=? AND owner_seq=?)');
    expect(details.some((d) => d.startsWith('SEARCH a USING COVERING INDEX authors_owner_person (owner_seq=?)'))).toBe(true);
    expect(details.some((d) => d.startsWith('SEARCH r') && d.includes('reference_ids_value_owner'))).toBe(true);
    expectNoTableScan(details);
  });

  it('drives FindDocuments without a time range from the (patient_id, status) prefix of the same index', () => {
    const { creationTime: _omitted, ...noTime } = findDocuments;
    expect(plan(selectObjects('document_entries', documentEntryWhere(noTime)))).toContain(
      'SEARCH t USING INDEX document_entries_patient_status_time (patient_id=? AND status=?)',
    );
  });

  it('looks DocumentEntries up by entryUUID, uniqueId and lid through their indexes', () => {
    const byUuid = plan(selectObjects('document_entries', documentEntryWhere({ entryUuids: [uuid()] })));
    expect(byUuid.some((d) => d.includes('sqlite_autoindex_object_ids_1 (entry_uuid=?)'))).toBe(true);
    expect(plan(selectObjects('document_entries', documentEntryWhere({ uniqueIds: ['1.2'] })))).toContain(
      'SEARCH t USING INDEX document_entries_unique_id (unique_id=?)',
    );
    expect(plan(selectObjects('document_entries', documentEntryWhere({ lids: [uuid()] })))).toContain('SEARCH t USING INDEX document_entries_lid (lid=?)');
    expectNoTableScan(byUuid);
  });

  it('uses indexes for SubmissionSet, Folder and Association lookups', () => {
    expect(plan(selectObjects('submission_sets', submissionSetWhere({ patientId: 'p', statuses: [Approved], sourceIds: ['1.2'] })))).toContain(
      'SEARCH t USING INDEX submission_sets_patient_status (patient_id=? AND status=?)',
    );
    expect(plan(selectObjects('submission_sets', submissionSetWhere({ uniqueIds: ['1.2'] })))).toContain(
      'SEARCH t USING INDEX sqlite_autoindex_submission_sets_1 (unique_id=?)',
    );
    expect(plan(selectObjects('folders', folderWhere({ patientId: 'p', statuses: [Approved], codes: [[{ code: 'c', scheme: 's' }]] })))).toContain(
      'SEARCH t USING INDEX folders_patient_status (patient_id=? AND status=?)',
    );
    for (const filter of [{ sourceOrTarget: [uuid()] }, { targetObjects: [uuid()], types: ['x'] }, { sourceObjects: [uuid()] }]) {
      const details = plan(selectObjects('associations', associationWhere(filter)));
      expect(details.some((d) => /SEARCH t USING INDEX associations_(source|target)/.test(d))).toBe(true);
      expectNoTableScan(details);
    }
  });
});

describe('SQLite registry store: group commit', () => {
  it('commits concurrent submissions together, and a failing one rolls back only itself', async () => {
    const store = openSqliteRegistryStore(tempFile());
    try {
      const taken = makeSubmissionSet();
      await store.applySubmission(makeSubmission([makeDocumentEntry()], taken));
      const good = Array.from({ length: 5 }, () => makeSubmission([makeDocumentEntry(), makeDocumentEntry()]));
      const clash = makeSubmission([makeDocumentEntry()], makeSubmissionSet({ uniqueId: taken.uniqueId }));
      const outcomes = await Promise.allSettled([good[0], good[1], clash, good[2], good[3], good[4]].map((c) => store.applySubmission(c)));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      const rejected = outcomes[2] as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(XdsError);
      expect((rejected.reason as XdsError).errors[0].errorCode).toBe('XDSDuplicateUniqueIdInRegistry');
      expect(await store.stats()).toMatchObject({ submissionSets: 6, documentEntries: 11 });
      expect(await store.getObjects([clash.documentEntries[0].entryUuid])).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite registry store: the writer thread', () => {
  const bigSubmission = () => makeSubmission(Array.from({ length: 1500 }, () => makeDocumentEntry()));

  it('commits off the event loop: timers run and queries answer (from the last commit) while a batch is written', async () => {
    const store = openSqliteRegistryStore(tempFile());
    try {
      const earlier = makeDocumentEntry();
      await store.applySubmission(makeSubmission([earlier]));
      const big = bigSubmission();
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 1);
      let committed = false;
      const commit = store.applySubmission(big).then(() => (committed = true));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const during = await store.findDocumentEntries({ patientId: PATIENT_A, statuses: [Approved] });
      const answeredBeforeCommit = !committed;
      await commit;
      clearInterval(timer);
      expect(answeredBeforeCommit).toBe(true);
      expect(during.map((d) => d.entryUuid)).toEqual([earlier.entryUuid]); // never a half-written batch
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(await store.countDocumentEntries({ patientId: PATIENT_A, statuses: [Approved] })).toBe(1501);
    } finally {
      await store.close();
    }
  });

  it('inline, the same commit holds the event loop (the control for the test above)', async () => {
    const store = openSqliteRegistryStore(tempFile(), { writer: 'inline' });
    try {
      const big = bigSubmission();
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 1);
      await new Promise((resolve) => setImmediate(resolve));
      const start = ticks;
      await store.applySubmission(big);
      const during = ticks - start;
      clearInterval(timer);
      expect(during).toBeLessThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it('passes a failed transaction back as an error with its SQLite code, and keeps working afterwards', async () => {
    const file = tempFile();
    const store = openSqliteRegistryStore(file, { busyTimeoutMs: 50 });
    const blocker = new Database(file);
    try {
      blocker.prepare('BEGIN IMMEDIATE').run(); // another process holds the write lock
      const err = await store.applySubmission(makeSubmission([makeDocumentEntry()])).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SQLITE_BUSY' });
      blocker.prepare('ROLLBACK').run();
      const de = makeDocumentEntry();
      await store.applySubmission(makeSubmission([de]));
      expect((await store.getObjects([de.entryUuid])).length).toBe(1);
    } finally {
      blocker.close();
      await store.close();
    }
  });

  it('a process that awaits close() lives to see it finish (the thread is waited for, not left to end the process)', () => {
    const script =
      `const { openSqliteRegistryStore } = require(${JSON.stringify(path.join(__dirname, 'SqliteRegistryStore.ts'))});` +
      `(async () => { const s = openSqliteRegistryStore(${JSON.stringify(tempFile())}); await s.ping(); await s.close(); console.log('closed'); })();`;
    const run = spawnSync(process.execPath, ['--require', path.resolve(__dirname, '../../../conformance/register.js'), '-e', script], { encoding: 'utf8', timeout: 20000 });
    expect({ status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() }).toEqual({ status: 0, stdout: 'closed', stderr: '' });
  });

  it('a writer thread that cannot work fails ping() (so /health answers 503) and every write, with the reason', async () => {
    const file = tempFile();
    const store = openSqliteRegistryStore(file);
    // The main connection is open; the thread opens its own a moment later and finds the folder gone.
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    try {
      const err = await store.applySubmission(makeSubmission([makeDocumentEntry()])).catch((e: unknown) => e);
      expect(String(err)).toMatch(/SQLite writer thread (failed|stopped)/);
      await expect(store.ping()).rejects.toThrow(/SQLite writer thread/);
    } finally {
      await store.close();
    }
  });

  it('close() commits what was accepted before it, then stops the thread', async () => {
    const file = tempFile();
    const store = openSqliteRegistryStore(file);
    const entries = [makeDocumentEntry(), makeDocumentEntry(), makeDocumentEntry()];
    const accepted = entries.map((de) => store.applySubmission(makeSubmission([de])));
    await store.close();
    await Promise.all(accepted);
    const again = openSqliteRegistryStore(file, { writer: 'inline' });
    try {
      expect((await again.getObjects(entries.map((d) => d.entryUuid))).length).toBe(3);
    } finally {
      await again.close();
    }
  });
});
