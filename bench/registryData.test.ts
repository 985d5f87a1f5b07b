import { AVAILABILITY_STATUS } from '../shared/xds/constants';
import { executeStoredQuery } from '../registry/storedQueries/execute';
import { createMemoryRegistryStore } from '../registry/storedQueries/testing/memoryStore';
import { readAdhocQueryRequest } from '../registry/storedQueries/testing/readAdhocQuery';
import { findDocumentsXml } from './findDocuments';
import { seededRandom } from './lib/random';
import { CLASS_CODE_SCHEME, findDocumentsParams, loadUntil, newLoadState, patientId } from './registryData';

describe('bench registry data', () => {
  it('loads exactly the requested entries over many patients and resumes where it stopped; the batch size does not change the data', async () => {
    const a = createMemoryRegistryStore();
    const stateA = newLoadState(1);
    const first = await loadUntil(a, stateA, 300, 100);
    expect(first.documentEntries).toBe(300);
    expect(first.patients).toBeGreaterThan(5);
    const second = await loadUntil(a, stateA, 700, 100);
    expect(second).toMatchObject({ documentEntries: 700, addedDocumentEntries: 400 });
    const stats = await a.stats();
    expect(stats.documentEntries).toBe(700);
    expect(stats.associations).toBe(700);
    expect(stats.submissionSets).toBeGreaterThanOrEqual(second.patients);

    const b = createMemoryRegistryStore();
    const stateB = newLoadState(1);
    await loadUntil(b, stateB, 300, 250);
    await loadUntil(b, stateB, 700, 1000);
    expect(stateB.nextPatient).toBe(stateA.nextPatient);
    const classOf = async (s: typeof a): Promise<string[]> => (await s.findDocumentEntries({ patientId: patientId(0) })).map((d) => `${d.classCode?.code}/${d.creationTime?.[0]}`);
    expect(await classOf(b)).toEqual(await classOf(a));
  });

  it('spreads the entries over class codes, statuses and years', async () => {
    const store = createMemoryRegistryStore();
    await loadUntil(store, newLoadState(2), 2000);
    const all = await store.findDocumentEntries({});
    expect(new Set(all.map((d) => d.classCode?.code)).size).toBe(8);
    expect(new Set(all.map((d) => d.typeCode?.code)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(all.map((d) => d.creationTime?.[0]?.slice(0, 4))).size).toBeGreaterThanOrEqual(20);
    const deprecated = all.filter((d) => d.status === AVAILABILITY_STATUS.Deprecated).length;
    expect(deprecated).toBeGreaterThan(0);
    expect(deprecated).toBeLessThan(all.length * 0.1);
  });

  it('FindDocuments queries are valid ITI-18 requests that find matching entries', async () => {
    const store = createMemoryRegistryStore();
    const loaded = await loadUntil(store, newLoadState(3), 3000);
    const r = seededRandom(5);
    let found = 0;
    for (let i = 0; i < 150; i++) {
      const params = findDocumentsParams(r, loaded.patients);
      const result = await executeStoredQuery(store, readAdhocQueryRequest(findDocumentsXml(params)), { maxResults: 5000, checkSinglePatient: true });
      if (result.returnType !== 'LeafClass') throw new Error('expected LeafClass');
      for (const de of result.documentEntries) {
        expect(de.patientId?.value).toBe(params.patientId);
        expect(de.status).toBe(AVAILABILITY_STATUS.Approved);
        expect(de.classCode?.scheme).toBe(CLASS_CODE_SCHEME);
        expect(params.classCodes).toContain(de.classCode?.code);
        const created = (de.creationTime?.[0] ?? '').padEnd(14, '0');
        expect(created >= params.creationTimeFrom.padEnd(14, '0') && created < params.creationTimeTo.padEnd(14, '0')).toBe(true);
      }
      found += result.documentEntries.length;
    }
    expect(found).toBeGreaterThan(20);
  });
});
