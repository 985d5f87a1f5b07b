/** The reference semantics of the RegistryStore filter types, as implemented by the in-memory double. */
import { XdsError } from '../../../shared/errors';
import { AVAILABILITY_STATUS } from '../../../shared/xds/constants';
import type { Author, Code } from '../../../shared/xds/model';
import {
  associationMatches,
  authorMatches,
  codeIn,
  codesMatchGroups,
  createMemoryRegistryStore,
  inList,
  likeMatches,
  timeInRange,
  valuesMatchGroups,
} from './memoryStore';
import { loadNistSqFixture } from './nistFixture';

const c = (code: string, scheme = 'S'): Code => ({ code, scheme });
const author = (person: string): Author => ({ person, institutions: [], roles: [], specialties: [], telecoms: [] });

describe('filter predicates', () => {
  it('lists: absent = no filter, empty = nothing, absent value never matches', () => {
    expect(inList('a', undefined)).toBe(true);
    expect(inList('a', [])).toBe(false);
    expect(inList(undefined, ['a'])).toBe(false);
    expect(inList('a', ['b', 'a'])).toBe(true);
    expect(inList('URN:UUID:AB', ['urn:uuid:ab'], true)).toBe(true);
    expect(inList('URN:UUID:AB', ['urn:uuid:ab'])).toBe(false);
  });

  it('codes: code and scheme must both be equal; OR inside a list', () => {
    expect(codeIn(c('N', '1'), [c('N', '2')])).toBe(false);
    expect(codeIn(c('N', '1'), [c('R', '1'), c('N', '1')])).toBe(true);
    expect(codeIn(undefined, [c('N')])).toBe(false);
    expect(codeIn(undefined, undefined)).toBe(true);
  });

  it('AND/OR code groups: (a OR b) AND c; an empty outer list matches nothing', () => {
    const codes = [c('a'), c('c')];
    expect(codesMatchGroups(codes, [[c('a'), c('b')], [c('c')]])).toBe(true);
    expect(codesMatchGroups(codes, [[c('b')], [c('c')]])).toBe(false);
    expect(codesMatchGroups(codes, [])).toBe(false);
    expect(codesMatchGroups([], undefined)).toBe(true);
  });

  it('times: padded to 14 digits, From inclusive, To exclusive, missing attribute never matches a range', () => {
    expect(timeInRange(['20041224'], { from: '20041224', to: '20050101' })).toBe(true);
    expect(timeInRange(['20041224'], { from: '20041124', to: '20041224' })).toBe(false);
    expect(timeInRange(['200512240800'], { from: '2005', to: '2006' })).toBe(true);
    expect(timeInRange(['2006'], { to: '2006' })).toBe(false);
    expect(timeInRange(undefined, { from: '2000' })).toBe(false);
    expect(timeInRange(undefined, undefined)).toBe(true);
    expect(timeInRange(['20040101', '20990101'], { from: '2005' })).toBe(false); // only the first value counts
  });

  it('authorPerson: SQL LIKE over the whole value, case-sensitive, regex characters literal', () => {
    expect(likeMatches('^Ford^Sherry^^^', '%Ford%')).toBe(true);
    expect(likeMatches('^Ford^Sherry^^^', 'Ford%')).toBe(false);
    expect(likeMatches('^Ford^Sherry^^^', '%ford%')).toBe(false);
    expect(likeMatches('^Ford^Sherry^^^', '^Ford^Sherr_^^^')).toBe(true);
    expect(likeMatches('a.b', 'a_b')).toBe(true);
    expect(likeMatches('axb', 'a.b')).toBe(false);
    expect(authorMatches([author('x'), author('^Smith^John')], ['%Smith%'])).toBe(true);
    expect(authorMatches([{ ...author('x'), person: undefined }], ['%'])).toBe(false);
  });

  it('referenceIds: outer AND, inner OR, exact values', () => {
    expect(valuesMatchGroups(['r1', 'r2'], [['r1', 'x'], ['r2']])).toBe(true);
    expect(valuesMatchGroups(['r1'], [['r1'], ['r2']])).toBe(false);
    expect(valuesMatchGroups(undefined, [['r1']])).toBe(false);
  });

  it('associations: sourceOrTarget is either end; other fields AND', () => {
    const a = { type: 'Association' as const, entryUuid: 'urn:uuid:a', extraSlots: [], associationType: 'T', sourceObject: 'urn:uuid:S', targetObject: 'urn:uuid:t' };
    expect(associationMatches(a, { sourceOrTarget: ['urn:uuid:s'] })).toBe(true);
    expect(associationMatches(a, { sourceOrTarget: ['urn:uuid:T'] })).toBe(true);
    expect(associationMatches(a, { sourceOrTarget: ['urn:uuid:x'] })).toBe(false);
    expect(associationMatches(a, { sourceObjects: ['urn:uuid:s'], targetObjects: ['urn:uuid:x'] })).toBe(false);
    expect(associationMatches(a, { types: ['T'], statuses: ['any'] })).toBe(false);
  });
});

describe('MemoryRegistryStore', () => {
  it('applies a submission atomically: a failing status change leaves the store unchanged', async () => {
    const store = createMemoryRegistryStore();
    const loaded = await loadNistSqFixture(store, { variant: '12346', patientId: 'P^^^&1.2&ISO', uniqueIdPrefix: '1.2', registeredAt: '20240101000000' });
    const before = await store.stats();
    const docE = loaded.sections.doc_for_rplc.uuids.Document01 ?? '';
    let error: unknown;
    try {
      await store.applySubmission({
        documentEntries: [],
        submissionSets: [],
        folders: [],
        associations: [{ type: 'Association', entryUuid: 'urn:uuid:new', extraSlots: [], associationType: 'x', sourceObject: 'a', targetObject: 'b' }],
        statusChanges: [{ entryUuid: docE, expected: AVAILABILITY_STATUS.Approved, status: AVAILABILITY_STATUS.Deprecated }],
        folderUpdates: [],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XdsError);
    expect((error as XdsError).errors[0]?.errorCode).toBe('XDSRegistryDeprecatedDocumentError');
    expect(await store.stats()).toEqual(before);
  });

  it('finds objects by entryUUID case-insensitively and returns copies', async () => {
    const store = createMemoryRegistryStore();
    const loaded = await loadNistSqFixture(store, { variant: '12346', patientId: 'P^^^&1.2&ISO', uniqueIdPrefix: '1.2', registeredAt: '20240101000000' });
    const id = loaded.sections.single_doc.uuids.Document01 ?? '';
    const [de] = await store.getObjects([id.toUpperCase()]);
    expect(de?.entryUuid).toBe(id);
    if (de) de.status = 'changed';
    expect((await store.findDocumentEntries({ entryUuids: [id] }))[0]?.status).toBe(AVAILABILITY_STATUS.Approved);
  });

  it('honours the limit and counts without it', async () => {
    const store = createMemoryRegistryStore();
    await loadNistSqFixture(store, { variant: '12346', patientId: 'P^^^&1.2&ISO', uniqueIdPrefix: '1.2', registeredAt: '20240101000000' });
    expect(await store.findDocumentEntries({ patientId: 'P^^^&1.2&ISO' }, 2)).toHaveLength(2);
    expect(await store.countDocumentEntries({ patientId: 'P^^^&1.2&ISO' })).toBe(6);
    expect(await store.isKnownPatient('P^^^&1.2&ISO')).toBe(true);
    expect(await store.isKnownPatient('Q^^^&1.2&ISO')).toBe(false);
  });
});
