/**
 * executeStoredQuery beyond the NIST plans: result limits, the single-patient rule, ObjectRef results,
 * stable ordering, the stable-only default of $XDSDocumentEntryType, deprecated associations in
 * GetRelatedDocuments, $XDSAssociationStatus. Runs on both store backends.
 */
import { randomUUID } from 'node:crypto';
import { XdsError } from '../../shared/errors';
import { ASSOCIATION_TYPE, AVAILABILITY_STATUS, OBJECT_TYPE } from '../../shared/xds/constants';
import type { DocumentEntry, XdsAssociation } from '../../shared/xds/model';
import type { RegistryStore } from '../store/RegistryStore';
import { openSqliteRegistryStore } from '../store/sqlite';
import { P, storedQueryByName, type StoredQueryName } from './definitions';
import { executeStoredQuery, notSinglePatientError, objectRefsOf, patientIdsOf, tooManyResultsError, type StoredQueryResult } from './execute';
import { objectsOf } from './result';
import { createMemoryRegistryStore } from './testing/memoryStore';
import { loadNistSqFixture, type LoadedFixture } from './testing/nistFixture';
import { adhocQuery } from './testing/readAdhocQuery';

const PATIENT = 'EXEC-1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
const OTHER_PATIENT = 'EXEC-2^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
const APPROVED = AVAILABILITY_STATUS.Approved;
const BOTH_STATUSES = `('${APPROVED}','${AVAILABILITY_STATUS.Deprecated}')`;
const BOTH_TYPES = `('${OBJECT_TYPE.stableDocumentEntry}','${OBJECT_TYPE.onDemandDocumentEntry}')`;
const OPTS = { maxResults: 1000, checkSinglePatient: true };

function newId(): string {
  return `urn:uuid:${randomUUID()}`;
}

function run(store: RegistryStore, name: StoredQueryName, slots: Array<[string, string[]]>, returnType = 'LeafClass', opts = OPTS): Promise<StoredQueryResult> {
  return executeStoredQuery(store, adhocQuery(storedQueryByName(name).id, slots, returnType), opts);
}

async function failureOf(p: Promise<unknown>): Promise<XdsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof XdsError) return e;
    throw e;
  }
  throw new Error('expected an XdsError');
}

function leaf(r: StoredQueryResult) {
  if (r.returnType !== 'LeafClass') throw new Error('expected LeafClass');
  return r;
}

function association(type: string, source: string, target: string, status: string = APPROVED): XdsAssociation {
  const id = newId();
  return { type: 'Association', entryUuid: id, lid: id, version: '1', status, extraSlots: [], associationType: type, sourceObject: source, targetObject: target };
}

/** A copy of an existing DocumentEntry under a new id/uniqueId, optionally On-Demand. */
async function cloneDocument(store: RegistryStore, from: string, objectType: string): Promise<DocumentEntry> {
  const [src] = await store.findDocumentEntries({ entryUuids: [from] });
  if (!src) throw new Error('fixture document missing');
  const id = newId();
  return { ...src, entryUuid: id, lid: id, uniqueId: { value: `1.2.99.${randomUUID().slice(0, 8).replace(/[a-f]/g, '7')}` }, objectType, status: APPROVED };
}

const BACKENDS: Array<[string, () => RegistryStore]> = [
  ['in-memory reference store', () => createMemoryRegistryStore()],
  ['SQLite store', () => openSqliteRegistryStore(':memory:')],
];

describe.each(BACKENDS)('executeStoredQuery on the %s', (_backend, open) => {
  let store: RegistryStore;
  let fx: LoadedFixture;
  let other: LoadedFixture;
  /** Extra data: DocG APND→DocF (association Deprecated), DocH On-Demand XFRM→DocF. */
  let docG: DocumentEntry;
  let docH: DocumentEntry;
  let docF: string;
  let docE: string;

  beforeAll(async () => {
    store = open();
    fx = await loadNistSqFixture(store, { variant: '12346', patientId: PATIENT, uniqueIdPrefix: '1.2.77.1', registeredAt: '20240615120000' });
    other = await loadNistSqFixture(store, { variant: '12374', patientId: OTHER_PATIENT, uniqueIdPrefix: '1.2.77.2', registeredAt: '20240615120000' });
    docF = fx.sections.rplc.uuids.Document01 ?? '';
    docE = fx.sections.doc_for_rplc.uuids.Document01 ?? '';
    docG = await cloneDocument(store, docF, OBJECT_TYPE.stableDocumentEntry);
    docH = await cloneDocument(store, docF, OBJECT_TYPE.onDemandDocumentEntry);
    await store.applySubmission({
      documentEntries: [docG, docH],
      submissionSets: [],
      folders: [],
      associations: [association(ASSOCIATION_TYPE.APND, docG.entryUuid, docF, AVAILABILITY_STATUS.Deprecated), association(ASSOCIATION_TYPE.XFRM, docH.entryUuid, docF)],
      statusChanges: [],
      folderUpdates: [],
    });
  });

  afterAll(async () => {
    await store.close();
  });

  describe('XDSTooManyResults', () => {
    const getAll: Array<[string, string[]]> = [
      [P.patientId, [`'${PATIENT}'`]],
      [P.deStatus, [BOTH_STATUSES]],
      [P.ssStatus, [BOTH_STATUSES]],
      [P.folderStatus, [BOTH_STATUSES]],
    ];

    async function getAllCount(): Promise<number> {
      const r = leaf(await run(store, 'GetAll', getAll));
      return r.documentEntries.length + r.submissionSets.length + r.folders.length + r.associations.length;
    }

    it('fails with no objects and names the limit when more objects would be returned', async () => {
      const count = await getAllCount();
      expect(count).toBeGreaterThan(28); // 12346's 28 objects plus the extra DocG and its APND
      const err = await failureOf(run(store, 'GetAll', getAll, 'LeafClass', { maxResults: count - 1, checkSinglePatient: true }));
      expect(err.errors.map((e) => e.errorCode)).toEqual(['XDSTooManyResults']);
      expect(err.errors[0]?.codeContext).toContain(String(count - 1));
    });

    it('applies to ObjectRef results too', async () => {
      const err = await failureOf(run(store, 'FindDocuments', [[P.dePatientId, [`'${PATIENT}'`]], [P.deStatus, [BOTH_STATUSES]]], 'ObjectRef', { maxResults: 5, checkSinglePatient: true }));
      expect(err.errors[0]?.errorCode).toBe('XDSTooManyResults');
    });

    it('exactly maxResults objects is fine', async () => {
      const count = await getAllCount();
      const r = leaf(await run(store, 'GetAll', getAll, 'LeafClass', { maxResults: count, checkSinglePatient: true }));
      expect(r.documentEntries.length + r.submissionSets.length + r.folders.length + r.associations.length).toBe(count);
    });
  });

  describe('XDSResultNotSinglePatient (NIST 12368)', () => {
    const twoPatients = (): Array<[string, string[]]> => [[P.deEntryUuid, [`('${fx.sections.single_doc.uuids.Document01}','${other.sections.single_doc.uuids.Document01}')`]]];

    it('refuses a LeafClass result that mixes patients, naming them', async () => {
      const err = await failureOf(run(store, 'GetDocuments', twoPatients()));
      expect(err.errors[0]?.errorCode).toBe('XDSResultNotSinglePatient');
      expect(err.errors[0]?.codeContext).toContain(PATIENT);
      expect(err.errors[0]?.codeContext).toContain(OTHER_PATIENT);
    });

    it('allows it as ObjectRefs, and when the check is switched off', async () => {
      const refs = await run(store, 'GetDocuments', twoPatients(), 'ObjectRef');
      expect(refs.returnType === 'ObjectRef' && refs.objectRefs.length).toBe(2);
      const r = leaf(await run(store, 'GetDocuments', twoPatients(), 'LeafClass', { maxResults: 100, checkSinglePatient: false }));
      expect(patientIdsOf(r).sort()).toEqual([PATIENT, OTHER_PATIENT].sort());
    });
  });

  it('ObjectRef results list SubmissionSets, Folders, DocumentEntries, Associations, ids only', async () => {
    const slots: Array<[string, string[]]> = [[P.ssUniqueId, [`'${fx.sections.doc_w_fol.uids.SubmissionSet01}'`]]];
    const full = leaf(await run(store, 'GetSubmissionSetAndContents', slots));
    const refs = await run(store, 'GetSubmissionSetAndContents', slots, 'ObjectRef');
    expect(refs).toEqual({ returnType: 'ObjectRef', queryName: 'GetSubmissionSetAndContents', queryId: storedQueryByName('GetSubmissionSetAndContents').id, objectRefs: objectRefsOf(full) });
    expect(objectRefsOf(full)[0]).toBe(fx.sections.doc_w_fol.uuids.SubmissionSet01);
    expect(objectRefsOf(full)[1]).toBe(fx.sections.doc_w_fol.uuids.Folder);
    expect(objectRefsOf(full)[2]).toBe(fx.sections.doc_w_fol.uuids.Document01);
    expect(objectRefsOf(full)).toHaveLength(7);
  });

  it('returns each list sorted by entryUUID', async () => {
    const r = leaf(await run(store, 'GetAll', [[P.patientId, [`'${PATIENT}'`]], [P.deStatus, [BOTH_STATUSES]], [P.ssStatus, [BOTH_STATUSES]], [P.folderStatus, [BOTH_STATUSES]]]));
    for (const list of [r.documentEntries, r.submissionSets, r.folders, r.associations]) {
      const ids = list.map((o) => o.entryUuid.toLowerCase());
      expect(ids).toEqual([...ids].sort());
    }
  });

  it('passes the homeCommunityId through', async () => {
    const req = { ...adhocQuery(storedQueryByName('GetDocuments').id, [[P.deEntryUuid, [`('${docF}')`]]]), home: 'urn:oid:1.1.1' };
    expect((await executeStoredQuery(store, req, OPTS)).home).toBe('urn:oid:1.1.1');
  });

  describe('$XDSDocumentEntryType: stable only unless given', () => {
    it('FindDocuments', async () => {
      const base: Array<[string, string[]]> = [[P.dePatientId, [`'${PATIENT}'`]], [P.deStatus, [`('${APPROVED}')`]]];
      const stable = leaf(await run(store, 'FindDocuments', base)).documentEntries.map((d) => d.entryUuid);
      expect(stable).toContain(docG.entryUuid);
      expect(stable).not.toContain(docH.entryUuid);
      const both = leaf(await run(store, 'FindDocuments', [...base, [P.deType, [BOTH_TYPES]]])).documentEntries.map((d) => d.entryUuid);
      expect(both).toContain(docH.entryUuid);
      const onDemand = leaf(await run(store, 'FindDocuments', [...base, [P.deType, [`('${OBJECT_TYPE.onDemandDocumentEntry}')`]]])).documentEntries.map((d) => d.entryUuid);
      expect(onDemand).toEqual([docH.entryUuid]);
    });

    it('GetAll', async () => {
      const base: Array<[string, string[]]> = [[P.patientId, [`'${PATIENT}'`]], [P.deStatus, [BOTH_STATUSES]], [P.ssStatus, [BOTH_STATUSES]], [P.folderStatus, [BOTH_STATUSES]]];
      expect(leaf(await run(store, 'GetAll', base)).documentEntries.map((d) => d.entryUuid)).not.toContain(docH.entryUuid);
      expect(leaf(await run(store, 'GetAll', [...base, [P.deType, [BOTH_TYPES]]])).documentEntries.map((d) => d.entryUuid)).toContain(docH.entryUuid);
    });

    it('GetDocuments takes no type parameter and returns On-Demand entries by id', async () => {
      expect(leaf(await run(store, 'GetDocuments', [[P.deEntryUuid, [`('${docH.entryUuid}')`]]])).documentEntries).toHaveLength(1);
    });
  });

  describe('GetRelatedDocuments', () => {
    const related = (types: string, extra: Array<[string, string[]]> = []) =>
      run(store, 'GetRelatedDocuments', [[P.deEntryUuid, [`'${docF}'`]], [P.associationTypes, [types]], ...extra]);
    const all = `('${ASSOCIATION_TYPE.RPLC}','${ASSOCIATION_TYPE.APND}','${ASSOCIATION_TYPE.XFRM}')`;

    it('leaves out deprecated associations and, by default, On-Demand related entries', async () => {
      const r = leaf(await related(all));
      expect(r.documentEntries.map((d) => d.entryUuid).sort()).toEqual([docE, docF].sort());
      expect(r.associations.map((a) => a.associationType)).toEqual([ASSOCIATION_TYPE.RPLC]);
    });

    it('includes On-Demand related entries when $XDSDocumentEntryType asks for them', async () => {
      const r = leaf(await related(all, [[P.deType, [BOTH_TYPES]]]));
      expect(r.documentEntries.map((d) => d.entryUuid).sort()).toEqual([docE, docF, docH.entryUuid].sort());
      expect(r.associations.map((a) => a.associationType).sort()).toEqual([ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.XFRM].sort());
    });

    it('is empty when only a deprecated association matches the types', async () => {
      expect(leaf(await related(`('${ASSOCIATION_TYPE.APND}')`))).toMatchObject({ documentEntries: [], associations: [] });
    });
  });

  describe('GetFolderAndContents', () => {
    it('$XDSAssociationStatus restricts the folder memberships', async () => {
      const folder: Array<[string, string[]]> = [[P.folderEntryUuid, [`'${fx.sections.two_doc_w_fol.uuids.Folder}'`]]];
      expect(leaf(await run(store, 'GetFolderAndContents', [...folder, [P.associationStatus, [`('${APPROVED}')`]]])).documentEntries).toHaveLength(2);
      const none = leaf(await run(store, 'GetFolderAndContents', [...folder, [P.associationStatus, [`('${AVAILABILITY_STATUS.Deprecated}')`]]]));
      expect(none.folders).toHaveLength(1);
      expect(none.documentEntries).toHaveLength(0);
      expect(none.associations).toHaveLength(0);
    });
  });

  it('11902/uuid verify_availabilityStatus: GetFolders returns Approved folders', async () => {
    const r = leaf(await run(store, 'GetFolders', [[P.folderEntryUuid, [`('${fx.sections.doc_w_fol.uuids.Folder}','${fx.sections.two_doc_w_fol.uuids.Folder}')`]]]));
    expect(r.folders.map((f) => f.status)).toEqual([APPROVED, APPROVED]);
  });

  it.each<[StoredQueryName, Array<[string, string[]]>]>([
    ['GetDocuments', [[P.deEntryUuid, [`('${newId()}')`]]]],
    ['GetFolders', [[P.folderUniqueId, ["('9.9.9')"]]]],
    ['GetAssociations', [[P.uuid, [`('${newId()}')`]]]],
    ['GetDocumentsAndAssociations', [[P.deUniqueId, ["('9.9.9')"]]]],
    ['GetSubmissionSets', [[P.uuid, [`('${newId()}')`]]]],
    ['GetSubmissionSetAndContents', [[P.ssEntryUuid, [`'${newId()}'`]]]],
    ['GetFolderAndContents', [[P.folderUniqueId, ["'9.9.9'"]]]],
    ['GetFoldersForDocument', [[P.deUniqueId, ["'9.9.9'"]]]],
    ['GetRelatedDocuments', [[P.deUniqueId, ["'9.9.9'"]], [P.associationTypes, [`('${ASSOCIATION_TYPE.RPLC}')`]]]],
  ])('%s with an unknown id: Success, nothing returned', async (name, slots) => {
    expect(leaf(await run(store, name, slots))).toMatchObject({ documentEntries: [], submissionSets: [], folders: [], associations: [] });
  });

  it('validation errors come out of executeStoredQuery unchanged', async () => {
    const err = await failureOf(executeStoredQuery(store, adhocQuery('urn:uuid:00000000-0000-0000-0000-000000000000', []), OPTS));
    expect(err.errors[0]?.errorCode).toBe('XDSUnknownStoredQuery');
  });
});

describe('result rules (pure)', () => {
  it('tooManyResultsError only above the limit', () => {
    expect(tooManyResultsError(10, 10)).toBeUndefined();
    expect(tooManyResultsError(11, 10)?.errors[0]?.codeContext).toContain('10');
  });

  it('notSinglePatientError ignores objects without a patient and associations', () => {
    const de = (pid?: string): DocumentEntry => {
      const d: DocumentEntry = { type: 'DocumentEntry', entryUuid: newId(), extraSlots: [], confidentialityCodes: [], eventCodes: [], authors: [] };
      if (pid !== undefined) d.patientId = { value: pid };
      return d;
    };
    expect(notSinglePatientError(objectsOf({ documentEntries: [de('a'), de('a'), de()] }))).toBeUndefined();
    expect(notSinglePatientError(objectsOf({ documentEntries: [de('a'), de('b')] }))?.errors[0]?.errorCode).toBe('XDSResultNotSinglePatient');
  });
});
