/**
 * The MongoDB backend's store logic (CollectionRegistryStore) and query documents, evaluated by mingo in memory
 * (no server needed), held to the same RegistryStore contract as the SQLite backend. Then what differs between
 * the two index profiles: in 'replicaSet' the kind collections carry unique indexes as well, in 'sharded' the
 * claims collections (entry_uuids, unique_ids) alone keep the identity rules.
 */
import { XdsError } from '../../../shared/errors';
import { runRegistryStoreContract } from '../contract';
import { identifier, makeChanges, makeDocumentEntry, makeFolder, makeSubmissionSet, oid } from '../testFixtures';
import { kindIndexViolation } from './CollectionRegistryStore';
import { DuplicateKeyError, refusedDocument, type RegistryCollections } from './database';
import { storedFolder, storedSubmissionSet, uniqueIdClaimKey } from './documents';
import { registryIndexes, type RegistryTopology } from './indexes';
import { createMingoRegistryStore, type MingoRegistryStore } from './testing/mingoRegistryStore';

runRegistryStoreContract('MongoDB store logic on mingo (replica-set indexes)', async () => createMingoRegistryStore('replicaSet'));

async function errorCodesOf(p: Promise<unknown>): Promise<{ codes: string[]; contexts: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof XdsError)) throw new Error(`expected an XdsError, got ${String(err)}`);
  return { codes: err.errors.map((e) => e.errorCode), contexts: err.errors.map((e) => e.codeContext).join(' | ') };
}

describe.each<RegistryTopology>(['replicaSet', 'sharded'])('identity rules with the %s index profile', (topology) => {
  let store: MingoRegistryStore;
  beforeEach(() => {
    store = createMingoRegistryStore(topology);
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses an SS or Folder uniqueId already stored, and a reused entryUUID of another kind, storing nothing', async () => {
    const ss = makeSubmissionSet();
    const folder = makeFolder();
    const de = makeDocumentEntry();
    await store.applySubmission(makeChanges({ submissionSets: [ss], folders: [folder], documentEntries: [de] }));
    const before = await store.stats();

    const ssAgain = makeSubmissionSet({ uniqueId: identifier(ss.uniqueId?.value as string, 'x') });
    expect(await errorCodesOf(store.applySubmission(makeChanges({ documentEntries: [makeDocumentEntry()], submissionSets: [ssAgain] })))).toEqual({
      codes: ['XDSDuplicateUniqueIdInRegistry'],
      contexts: expect.stringContaining(ss.uniqueId?.value as string),
    });
    const folderAgain = makeFolder({ uniqueId: identifier(folder.uniqueId?.value as string, 'x') });
    expect((await errorCodesOf(store.applySubmission(makeChanges({ folders: [folderAgain] })))).codes).toEqual(['XDSDuplicateUniqueIdInRegistry']);
    const folderWithDocumentUuid = makeFolder({ entryUuid: de.entryUuid.toUpperCase() });
    expect(await errorCodesOf(store.applySubmission(makeChanges({ folders: [folderWithDocumentUuid] })))).toEqual({
      codes: ['XDSRegistryMetadataError'],
      contexts: expect.stringContaining(de.entryUuid.toUpperCase()),
    });
    expect(await store.stats()).toEqual(before);
    expect(store.database.documents('unique_ids')).toHaveLength(2);
    expect(store.database.documents('entry_uuids')).toHaveLength(3);
  });

  it('refuses a uniqueId or an entryUUID repeated inside one submission', async () => {
    const uid = oid();
    const twice = [makeSubmissionSet({ uniqueId: identifier(uid, 'x') }), makeSubmissionSet({ uniqueId: identifier(uid, 'x') })];
    expect((await errorCodesOf(store.applySubmission(makeChanges({ submissionSets: twice })))).codes).toEqual(['XDSDuplicateUniqueIdInRegistry']);
    const de = makeDocumentEntry();
    expect((await errorCodesOf(store.applySubmission(makeChanges({ documentEntries: [de, { ...de }] })))).codes).toEqual(['XDSRegistryMetadataError']);
    expect(await store.stats()).toEqual({ documentEntries: 0, submissionSets: 0, folders: 0, associations: 0 });
  });

  it('lets an SS and a Folder share a uniqueId (unique per kind), and any number of them go without one', async () => {
    const uid = oid();
    await store.applySubmission(
      makeChanges({
        submissionSets: [makeSubmissionSet({ uniqueId: identifier(uid, 'x') }), makeSubmissionSet({ uniqueId: undefined }), makeSubmissionSet({ uniqueId: undefined })],
        folders: [makeFolder({ uniqueId: identifier(uid, 'x') }), makeFolder({ uniqueId: undefined }), makeFolder({ uniqueId: undefined })],
      }),
    );
    expect(await store.stats()).toMatchObject({ submissionSets: 3, folders: 3 });
    expect(store.database.documents('unique_ids').map((c) => c._id).sort()).toEqual([uniqueIdClaimKey('Folder', uid), uniqueIdClaimKey('SubmissionSet', uid)]);
  });

  it('keeps the insertion sequence moving past a failed submission (a gap, never a reuse)', async () => {
    const a = makeDocumentEntry();
    await store.applySubmission(makeChanges({ documentEntries: [a] }));
    await store.applySubmission(makeChanges({ documentEntries: [makeDocumentEntry(), { ...a }] })).catch(() => undefined);
    const b = makeDocumentEntry();
    await store.applySubmission(makeChanges({ documentEntries: [b] }));
    const seqs = store.database.documents('document_entries').map((d) => d.seq);
    expect(seqs).toEqual([1, 4]);
    expect((await store.findDocumentEntries({})).map((d) => d.entryUuid)).toEqual([a.entryUuid, b.entryUuid]);
  });
});

describe('the kind collections\' own unique indexes (replica-set profile)', () => {
  it('exist on entryUuidKey of every kind and on the SS/Folder uniqueId (partial), not on the DocumentEntry uniqueId; none when sharded', () => {
    const unique = (t: RegistryTopology) =>
      registryIndexes(t)
        .filter((s) => s.unique)
        .map((s) => `${s.collection}.${Object.keys(s.key).join('+')}${s.partialFilterExpression ? ' (partial)' : ''}`)
        .sort();
    expect(unique('replicaSet')).toEqual([
      'associations.entryUuidKey',
      'document_entries.entryUuidKey',
      'folders.entryUuidKey',
      'folders.uniqueId (partial)',
      'submission_sets.entryUuidKey',
      'submission_sets.uniqueId (partial)',
    ]);
    expect(unique('sharded')).toEqual([]);
  });

  it('turn a clash the claims did not catch (data written around them) into the same IHE error', async () => {
    const store = createMingoRegistryStore('replicaSet');
    const stray = makeSubmissionSet();
    await store.database.collections.insertMany('submission_sets', [storedSubmissionSet(stray, 1000)]);
    const clash = makeSubmissionSet({ uniqueId: identifier(stray.uniqueId?.value as string, 'x') });
    expect(await errorCodesOf(store.applySubmission(makeChanges({ submissionSets: [clash] })))).toEqual({
      codes: ['XDSDuplicateUniqueIdInRegistry'],
      contexts: expect.stringContaining(stray.uniqueId?.value as string),
    });
    const strayFolder = makeFolder();
    await store.database.collections.insertMany('folders', [storedFolder(strayFolder, 1001)]);
    expect((await errorCodesOf(store.applySubmission(makeChanges({ folders: [makeFolder({ entryUuid: strayFolder.entryUuid })] })))).codes).toEqual([
      'XDSRegistryMetadataError',
    ]);
    expect(store.database.documents('unique_ids')).toEqual([]);
    expect(store.database.documents('entry_uuids')).toEqual([]);
    await store.close();
  });

  it('map only the identity indexes; any other refusal stays what it was', () => {
    const ss = makeSubmissionSet();
    expect(kindIndexViolation('entryUuidKey', ss)?.errors[0]?.errorCode).toBe('XDSRegistryMetadataError');
    expect(kindIndexViolation('uniqueId', ss)?.errors[0]?.errorCode).toBe('XDSDuplicateUniqueIdInRegistry');
    expect(kindIndexViolation('uniqueId', makeDocumentEntry())).toBeUndefined();
    expect(kindIndexViolation('seq', ss)).toBeUndefined();
    expect(kindIndexViolation(undefined, ss)).toBeUndefined();
    expect(kindIndexViolation('uniqueId', undefined)).toBeUndefined();
    expect(new DuplicateKeyError('folders', 2, 'uniqueId').message).toContain('folders');
  });

  it('find the refused document by batch position, else by the refused key', () => {
    const batch = [{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }];
    expect(refusedDocument(new DuplicateKeyError('entry_uuids', 1, '_id_'), batch)).toBe(batch[1]);
    expect(refusedDocument(new DuplicateKeyError('entry_uuids', undefined, '_id_', { _id: 'b' }), batch)).toBe(batch[1]);
    expect(refusedDocument(new DuplicateKeyError('entry_uuids', undefined, '_id_', { _id: 'c' }), batch)).toBeUndefined();
    expect(refusedDocument(new DuplicateKeyError('entry_uuids', undefined, '_id_'), batch)).toBeUndefined();
  });

  it('map a clash reported by key only (no batch position) to the object that made it', async () => {
    const store = createMingoRegistryStore('replicaSet');
    const taken = makeSubmissionSet();
    await store.applySubmission(makeChanges({ submissionSets: [taken] }));
    // Make the database report duplicate keys the way a plain server error does: the key, no position.
    const inTransaction = store.database.inTransaction.bind(store.database);
    store.database.inTransaction = (work) =>
      inTransaction((tx) => {
        const keyOnly: RegistryCollections = {
          find: (c, q, l) => tx.find(c, q, l),
          findOne: (c, q) => tx.findOne(c, q),
          count: (c, q) => tx.count(c, q),
          insertMissing: (c, d) => tx.insertMissing(c, d),
          updateOne: (c, q, u) => tx.updateOne(c, q, u),
          insertMany: async (collection, docs) => {
            try {
              await tx.insertMany(collection, docs);
            } catch (e) {
              if (!(e instanceof DuplicateKeyError) || e.position === undefined) throw e;
              throw new DuplicateKeyError(e.collection, undefined, e.indexName, { _id: (docs[e.position] as { _id?: unknown })._id });
            }
          },
        };
        return work(keyOnly);
      });
    const clash = makeSubmissionSet({ uniqueId: identifier(taken.uniqueId?.value as string, 'x') });
    expect(await errorCodesOf(store.applySubmission(makeChanges({ submissionSets: [makeSubmissionSet(), clash] })))).toEqual({
      codes: ['XDSDuplicateUniqueIdInRegistry'],
      contexts: expect.stringContaining(taken.uniqueId?.value as string),
    });
    await store.close();
  });
});
