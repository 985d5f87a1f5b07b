/**
 * The MongoDB registry store against a real server (MONGODB_URL, a replica set): the RegistryStore contract, the
 * NIST stored queries (same data and same results as SQLite), the indexes and query plans, and racing writers.
 * Without MONGODB_URL: one test reports "MongoDB contract suite NOT RUN: MONGODB_URL not set".
 */
import { XdsError } from '../../../shared/errors';
import { AVAILABILITY_STATUS } from '../../../shared/xds/constants';
import { runRegistryStoreContract } from '../contract';
import { openSqliteRegistryStore } from '../sqlite';
import { identifier, makeChanges, makeDocumentEntry, makeSubmissionSet, oid, PATIENT_A } from '../testFixtures';
import { registryIndexes } from './indexes';
import { openMongoRegistryStore, type MongoRegistryStore } from './MongoRegistryStore';
import { documentEntryQuery } from './queries';
import { freshDatabaseName, liveMongoUrl, reportLiveSuiteNotRun } from './testing/liveMongo';
import { capturingStore, loadNistFixtures, nistStoredQuerySteps, replay, runNistStep, type NistFixtures } from './testing/nistReplay';

const url = liveMongoUrl();

/** A store on a database of its own, dropped when the store is closed. */
async function freshStore(): Promise<MongoRegistryStore> {
  if (url === undefined) throw new Error('no MONGODB_URL');
  const store = await openMongoRegistryStore(url, { database: freshDatabaseName('xds_registry_test'), serverSelectionTimeoutMS: 10_000 });
  const closeStore = store.close.bind(store);
  store.close = async () => {
    await store.database.dropDatabase();
    await closeStore();
  };
  return store;
}

function codesOf(result: PromiseSettledResult<unknown>): string[] {
  if (result.status === 'fulfilled') return ['ok'];
  return result.reason instanceof XdsError ? result.reason.errors.map((e) => e.errorCode) : [String(result.reason)];
}

if (url === undefined) {
  reportLiveSuiteNotRun('MongoDB contract suite');
} else {
  runRegistryStoreContract('MongoDB', freshStore);

  describe('MongoDB: the NIST stored queries give the SQLite store\'s results on the same data', () => {
    let mongo: MongoRegistryStore;
    const sqlite = openSqliteRegistryStore(':memory:');
    let fixtures: NistFixtures;

    beforeAll(async () => {
      mongo = await freshStore();
      const capture = capturingStore(sqlite);
      fixtures = await loadNistFixtures(capture);
      await replay(capture, mongo);
    });
    afterAll(async () => {
      await mongo.close();
      await sqlite.close();
    });

    it.each(nistStoredQuerySteps().map((s) => [`${s.test}/${s.section} (${s.step})`, s] as const))('%s', async (_name, step) => {
      expect(await runNistStep(mongo, step, fixtures)).toEqual(await runNistStep(sqlite, step, fixtures));
    });
  });

  describe('MongoDB: indexes, plans and racing writers', () => {
    let store: MongoRegistryStore;
    beforeEach(async () => {
      store = await freshStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('creates every index of the replica-set profile', async () => {
      for (const spec of registryIndexes('replicaSet')) {
        const indexes = await store.database.collection(spec.collection).listIndexes().toArray();
        const found = indexes.find((i) => i.name === spec.name);
        expect({ collection: spec.collection, name: spec.name, key: found?.key, unique: found?.unique === true }).toEqual({
          collection: spec.collection,
          name: spec.name,
          key: spec.key,
          unique: spec.unique === true,
        });
      }
    });

    it('answers FindDocuments from the (patientId, status, seq) index without sorting in memory', async () => {
      await store.applySubmission(makeChanges({ documentEntries: Array.from({ length: 20 }, () => makeDocumentEntry()) }));
      const query = documentEntryQuery({ patientId: PATIENT_A, statuses: [AVAILABILITY_STATUS.Approved], classCodes: [{ code: 'class-A', scheme: '1.3.6.1.4.1.19376.1.2.6.1' }] });
      const plan = JSON.stringify(await store.database.collection('document_entries').find(query).sort({ seq: 1 }).explain('queryPlanner'));
      expect(plan).toContain('patientId_status_seq');
      expect(plan).not.toContain('"COLLSCAN"');
      expect(plan).not.toContain('"SORT"');
    });

    it('lets exactly one of two racing submissions claim an SS uniqueId', async () => {
      const uid = oid();
      const results = await Promise.allSettled(
        [0, 1].map(() => store.applySubmission(makeChanges({ submissionSets: [makeSubmissionSet({ uniqueId: identifier(uid, 'x') })], documentEntries: [makeDocumentEntry()] }))),
      );
      expect(results.map(codesOf).sort()).toEqual([['XDSDuplicateUniqueIdInRegistry'], ['ok']]);
      expect(await store.stats()).toMatchObject({ submissionSets: 1, documentEntries: 1 });
    });

    it('lets exactly one of two racing deprecations of the same entry through', async () => {
      const de = makeDocumentEntry();
      await store.applySubmission(makeChanges({ documentEntries: [de] }));
      const deprecate = () =>
        store.applySubmission(
          makeChanges({
            documentEntries: [makeDocumentEntry()],
            statusChanges: [{ entryUuid: de.entryUuid, expected: AVAILABILITY_STATUS.Approved, status: AVAILABILITY_STATUS.Deprecated }],
          }),
        );
      const results = await Promise.allSettled([deprecate(), deprecate()]);
      expect(results.map(codesOf).sort()).toEqual([['XDSRegistryDeprecatedDocumentError'], ['ok']]);
      expect(await store.stats()).toMatchObject({ documentEntries: 2 });
    });

    it('stores model objects losslessly, explicit undefined fields included', async () => {
      const de = makeDocumentEntry({ creationTime: undefined, referenceIds: undefined });
      await store.applySubmission(makeChanges({ documentEntries: [de] }));
      const [back] = await store.getObjects([de.entryUuid]);
      expect(back).toEqual(de);
      expect(back && 'creationTime' in back).toBe(false);
    });
  });
}
