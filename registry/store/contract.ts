/**
 * The RegistryStore contract as a reusable jest suite: every backend (SQLite now, MongoDB later) runs
 *
 *   runRegistryStoreContract('my backend', async () => openMyStore(...));
 *
 * from its own *.test.ts. `makeStore` must return a new, empty store each time; the suite closes it after each
 * test. The suite pins the semantics documented in RegistryStore.ts: AND across filter fields, OR inside a list,
 * AND of OR-groups, empty list matches nothing, SQL-LIKE author persons (case-sensitive, whole value), padded DTM
 * ranges (From inclusive, To exclusive, missing attribute never matches), case-insensitive entryUUIDs, insertion
 * order, and all-or-nothing applySubmission.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { XdsError } from '../../shared/errors';
import { ASSOCIATION_TYPE, AVAILABILITY_STATUS, OBJECT_TYPE } from '../../shared/xds/constants';
import type { Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation } from '../../shared/xds/model';
import type { DocumentEntryFilter, FolderFilter, RegistryStore, SubmissionSetFilter, AssociationFilter } from './RegistryStore';
import {
  PATIENT_A,
  PATIENT_B,
  author,
  code,
  identifier,
  makeAssociation,
  makeChanges,
  makeDocumentEntry,
  makeFolder,
  makeSubmission,
  makeSubmissionSet,
  matchOf,
  oid,
  uuid,
} from './testFixtures';

const { Approved, Deprecated, Submitted } = AVAILABILITY_STATUS;

function idsOf(objects: { entryUuid: string }[]): string[] {
  return objects.map((o) => o.entryUuid);
}

/** The rejection of `p`, which must be an XdsError carrying `code` whose codeContext names `mention`. */
async function expectXdsError(p: Promise<unknown>, code: string, mention: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(XdsError);
  const errors = (err as XdsError).errors;
  expect(errors.map((e) => e.errorCode)).toContain(code);
  expect(errors.find((e) => e.errorCode === code)?.codeContext).toContain(mention);
}

type SingleCodeField = 'classCodes' | 'typeCodes' | 'practiceSettingCodes' | 'healthcareFacilityTypeCodes' | 'formatCodes';
const SINGLE_CODE_FIELDS: { field: SingleCodeField; attribute: (c: Code) => Partial<DocumentEntry> }[] = [
  { field: 'classCodes', attribute: (c) => ({ classCode: c }) },
  { field: 'typeCodes', attribute: (c) => ({ typeCode: c }) },
  { field: 'practiceSettingCodes', attribute: (c) => ({ practiceSettingCode: c }) },
  { field: 'healthcareFacilityTypeCodes', attribute: (c) => ({ healthcareFacilityTypeCode: c }) },
  { field: 'formatCodes', attribute: (c) => ({ formatCode: c }) },
];

type DocumentTimeField = 'creationTime' | 'serviceStartTime' | 'serviceStopTime';
const DOCUMENT_TIME_FIELDS: DocumentTimeField[] = ['creationTime', 'serviceStartTime', 'serviceStopTime'];

const DOCUMENT_LIST_FIELDS: (keyof DocumentEntryFilter)[] = [
  'statuses',
  'entryUuids',
  'uniqueIds',
  'lids',
  'objectTypes',
  'classCodes',
  'typeCodes',
  'practiceSettingCodes',
  'healthcareFacilityTypeCodes',
  'formatCodes',
  'eventCodes',
  'confidentialityCodes',
  'authorPersons',
  'referenceIds',
];
const SUBMISSION_SET_LIST_FIELDS: (keyof SubmissionSetFilter)[] = ['statuses', 'entryUuids', 'uniqueIds', 'sourceIds', 'contentTypeCodes', 'authorPersons'];
const FOLDER_LIST_FIELDS: (keyof FolderFilter)[] = ['statuses', 'entryUuids', 'uniqueIds', 'lids', 'codes'];
const ASSOCIATION_LIST_FIELDS: (keyof AssociationFilter)[] = ['entryUuids', 'sourceOrTarget', 'sourceObjects', 'targetObjects', 'types', 'statuses'];

const INJECTION_PATIENT = "x'); DROP TABLE document_entries;--";
const INJECTION_OR = "%' OR '1'='1";

export function runRegistryStoreContract(name: string, makeStore: () => Promise<RegistryStore>): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let store: RegistryStore;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    async function storeEntries(...entries: DocumentEntry[]): Promise<void> {
      await store.applySubmission(makeChanges({ documentEntries: entries }));
    }

    async function findDocs(filter: DocumentEntryFilter): Promise<string[]> {
      const found = await store.findDocumentEntries(filter);
      expect(await store.countDocumentEntries(filter)).toBe(found.length);
      return idsOf(found);
    }

    /** Everything the store holds, to prove a failed submission changed nothing. */
    async function snapshot(): Promise<unknown> {
      return {
        stats: await store.stats(),
        documentEntries: await store.findDocumentEntries({}),
        submissionSets: await store.findSubmissionSets({}),
        folders: await store.findFolders({}),
        associations: await store.findAssociations({}),
      };
    }

    describe('storing and reading objects', () => {
      it('returns every kind of object exactly as stored (lossless)', async () => {
        const de = makeDocumentEntry({
          eventCodes: [code('ev1', 'S'), code('ev2', 'S')],
          referenceIds: ['ref1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order'],
          limitedMetadata: { id: uuid() },
          extraClassifications: [],
          home: 'urn:oid:1.2.3',
        });
        const ss = makeSubmissionSet();
        const folder = makeFolder({ codes: [code('f1', 'FS'), code('f2', 'FS')] });
        const assoc = makeAssociation(ss.entryUuid, de.entryUuid, { previousVersion: ['1'], documentation: code('doc', 'DS') });
        await store.applySubmission(makeChanges({ documentEntries: [de], submissionSets: [ss], folders: [folder], associations: [assoc] }));
        const got = await store.getObjects([de.entryUuid, ss.entryUuid, folder.entryUuid, assoc.entryUuid]);
        expect([...got].sort((a, b) => a.entryUuid.localeCompare(b.entryUuid))).toEqual(
          [de, ss, folder, assoc].sort((a, b) => a.entryUuid.localeCompare(b.entryUuid)),
        );
        expect(await store.findDocumentEntries({ entryUuids: [de.entryUuid] })).toEqual([de]);
        expect(await store.findSubmissionSets({ entryUuids: [ss.entryUuid] })).toEqual([ss]);
        expect(await store.findFolders({ entryUuids: [folder.entryUuid] })).toEqual([folder]);
        expect(await store.findAssociations({ entryUuids: [assoc.entryUuid] })).toEqual([assoc]);
      });

      it('looks entryUUIDs up case-insensitively and returns the id as stored', async () => {
        const lower = makeDocumentEntry();
        const upperId = `urn:uuid:${uuid().slice('urn:uuid:'.length).toUpperCase()}`;
        const upper = makeDocumentEntry({ entryUuid: upperId, lid: upperId });
        await storeEntries(lower, upper);
        expect(idsOf(await store.getObjects([lower.entryUuid.toUpperCase().replace('URN:UUID:', 'urn:uuid:')]))).toEqual([lower.entryUuid]);
        expect(idsOf(await store.getObjects([upperId.toLowerCase()]))).toEqual([upperId]);
        expect(idsOf(await store.getObjects([lower.entryUuid.toUpperCase()]))).toEqual([lower.entryUuid]);
        expect(await findDocs({ entryUuids: [upperId.toLowerCase(), lower.entryUuid.toUpperCase()] })).toEqual([lower.entryUuid, upperId]);
      });

      it('omits unknown ids, answers an empty list with nothing and returns a repeated id once', async () => {
        const de = makeDocumentEntry();
        await storeEntries(de);
        expect(await store.getObjects([])).toEqual([]);
        expect(await store.getObjects([uuid(), 'not-a-uuid'])).toEqual([]);
        expect(idsOf(await store.getObjects([uuid(), de.entryUuid, de.entryUuid.toUpperCase()]))).toEqual([de.entryUuid]);
      });

      it('returns results in insertion order, across and within submissions', async () => {
        const entries = Array.from({ length: 6 }, () => makeDocumentEntry());
        await storeEntries(entries[3] as DocumentEntry, entries[0] as DocumentEntry);
        await storeEntries(entries[5] as DocumentEntry);
        await storeEntries(entries[1] as DocumentEntry, entries[4] as DocumentEntry, entries[2] as DocumentEntry);
        const order = [3, 0, 5, 1, 4, 2].map((i) => (entries[i] as DocumentEntry).entryUuid);
        expect(await findDocs({})).toEqual(order);
        expect(await findDocs({ entryUuids: [...order].reverse() })).toEqual(order);
        expect(await findDocs({ patientId: PATIENT_A, statuses: [Approved] })).toEqual(order);
      });

      it('answers ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('counts objects per kind', async () => {
        expect(await store.stats()).toEqual({ documentEntries: 0, submissionSets: 0, folders: 0, associations: 0 });
        const entries = [makeDocumentEntry(), makeDocumentEntry()];
        const sub = makeSubmission(entries);
        sub.folders.push(makeFolder());
        await store.applySubmission(sub);
        expect(await store.stats()).toEqual({ documentEntries: 2, submissionSets: 1, folders: 1, associations: 2 });
      });

      it('keeps DocumentEntries that share a uniqueId (versions and re-registrations are the caller\'s rule)', async () => {
        const uid = oid();
        const a = makeDocumentEntry({ uniqueId: identifier(uid, 'x') });
        const b = makeDocumentEntry({ uniqueId: identifier(uid, 'x') });
        await storeEntries(a);
        await storeEntries(b);
        expect(await findDocs({ uniqueIds: [uid] })).toEqual([a.entryUuid, b.entryUuid]);
      });
    });

    describe('findDocumentEntries', () => {
      it('matches patientId exactly', async () => {
        const a = makeDocumentEntry();
        const b = makeDocumentEntry({ patientId: identifier(PATIENT_B, 'x') });
        const prefix = makeDocumentEntry({ patientId: identifier('PA-1', 'x') });
        await storeEntries(a, b, prefix);
        expect(await findDocs({ patientId: PATIENT_A })).toEqual([a.entryUuid]);
        expect(await findDocs({ patientId: PATIENT_B })).toEqual([b.entryUuid]);
        expect(await findDocs({ patientId: 'PA-1' })).toEqual([prefix.entryUuid]);
        expect(await findDocs({ patientId: PATIENT_A.toLowerCase() })).toEqual([]);
        expect(await findDocs({ patientId: 'nobody' })).toEqual([]);
      });

      it('ORs statuses', async () => {
        const approved = makeDocumentEntry();
        const deprecated = makeDocumentEntry({ status: Deprecated });
        const submitted = makeDocumentEntry({ status: Submitted });
        await storeEntries(approved, deprecated, submitted);
        expect(await findDocs({ statuses: [Approved] })).toEqual([approved.entryUuid]);
        expect(await findDocs({ statuses: [Deprecated, Approved] })).toEqual([approved.entryUuid, deprecated.entryUuid]);
        expect(await findDocs({ statuses: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Other'] })).toEqual([]);
      });

      it('matches entryUuids, uniqueIds, lids and objectTypes as OR-lists', async () => {
        const lid = uuid();
        const v1 = makeDocumentEntry({ lid });
        const v2 = makeDocumentEntry({ lid, objectType: OBJECT_TYPE.onDemandDocumentEntry });
        const other = makeDocumentEntry();
        await storeEntries(v1, v2, other);
        expect(await findDocs({ entryUuids: [other.entryUuid, v1.entryUuid] })).toEqual([v1.entryUuid, other.entryUuid]);
        expect(await findDocs({ uniqueIds: [v2.uniqueId?.value as string, 'no-such-uid'] })).toEqual([v2.entryUuid]);
        expect(await findDocs({ uniqueIds: [(v2.uniqueId?.value as string).slice(0, -1)] })).toEqual([]);
        expect(await findDocs({ lids: [lid] })).toEqual([v1.entryUuid, v2.entryUuid]);
        expect(await findDocs({ lids: [lid.toUpperCase(), other.lid as string] })).toEqual([v1.entryUuid, v2.entryUuid, other.entryUuid]);
        expect(await findDocs({ objectTypes: [OBJECT_TYPE.onDemandDocumentEntry] })).toEqual([v2.entryUuid]);
        expect(await findDocs({ objectTypes: [OBJECT_TYPE.stableDocumentEntry, OBJECT_TYPE.onDemandDocumentEntry] })).toEqual([
          v1.entryUuid,
          v2.entryUuid,
          other.entryUuid,
        ]);
      });

      for (const { field, attribute } of SINGLE_CODE_FIELDS) {
        it(`matches ${field} on code and scheme together, ORed`, async () => {
          const x = code('X', 'scheme-1');
          const xOtherScheme = code('X', 'scheme-2');
          const y = code('Y', 'scheme-1');
          const e1 = makeDocumentEntry(attribute(x));
          const e2 = makeDocumentEntry(attribute(xOtherScheme));
          const e3 = makeDocumentEntry(attribute(y));
          const none = makeDocumentEntry(attribute(code('Z', 'scheme-1')));
          await storeEntries(e1, e2, e3, none);
          expect(await findDocs({ [field]: [matchOf(x)] })).toEqual([e1.entryUuid]);
          expect(await findDocs({ [field]: [matchOf(xOtherScheme)] })).toEqual([e2.entryUuid]);
          expect(await findDocs({ [field]: [matchOf(y), matchOf(x)] })).toEqual([e1.entryUuid, e3.entryUuid]);
          expect(await findDocs({ [field]: [{ code: 'X', scheme: 'scheme-3' }] })).toEqual([]);
          expect(await findDocs({ [field]: [{ code: 'x', scheme: 'scheme-1' }] })).toEqual([]);
        });
      }

      it('does not match a code of one attribute through another attribute\'s filter', async () => {
        const shared = code('SAME', 'S');
        const byClass = makeDocumentEntry({ classCode: shared });
        const byEvent = makeDocumentEntry({ eventCodes: [shared] });
        await storeEntries(byClass, byEvent);
        expect(await findDocs({ classCodes: [matchOf(shared)] })).toEqual([byClass.entryUuid]);
        expect(await findDocs({ typeCodes: [matchOf(shared)] })).toEqual([]);
        expect(await findDocs({ eventCodes: [[matchOf(shared)]] })).toEqual([byEvent.entryUuid]);
        expect(await findDocs({ confidentialityCodes: [[matchOf(shared)]] })).toEqual([]);
      });

      for (const field of ['eventCodes', 'confidentialityCodes'] as const) {
        it(`treats ${field} as AND of OR-groups`, async () => {
          const [a, b, c] = [code('a', 'S'), code('b', 'S'), code('c', 'S')];
          const ab = makeDocumentEntry({ [field]: [a, b] });
          const onlyA = makeDocumentEntry({ [field]: [a] });
          const onlyC = makeDocumentEntry({ [field]: [c] });
          const empty = makeDocumentEntry({ [field]: [] });
          await storeEntries(ab, onlyA, onlyC, empty);
          expect(await findDocs({ [field]: [[matchOf(a)]] })).toEqual([ab.entryUuid, onlyA.entryUuid]);
          expect(await findDocs({ [field]: [[matchOf(a), matchOf(c)]] })).toEqual([ab.entryUuid, onlyA.entryUuid, onlyC.entryUuid]);
          expect(await findDocs({ [field]: [[matchOf(a)], [matchOf(b)]] })).toEqual([ab.entryUuid]);
          expect(await findDocs({ [field]: [[matchOf(b), matchOf(c)], [matchOf(a)]] })).toEqual([ab.entryUuid]);
          expect(await findDocs({ [field]: [[matchOf(a)], [matchOf(c)]] })).toEqual([]);
          expect(await findDocs({ [field]: [[matchOf(a)], []] })).toEqual([]);
          expect(await findDocs({ [field]: [[{ code: 'a', scheme: 'other' }]] })).toEqual([]);
        });
      }

      it('treats referenceIds as AND of OR-groups of exact values', async () => {
        const [r1, r2, r3] = ['r1^^^&1.2&ISO^urn:ihe:iti:xds:2013:order', 'r2^^^&1.2&ISO^urn:ihe:iti:xds:2013:order', 'r3^^^&1.2&ISO^urn:ihe:iti:xds:2013:accession'];
        const both = makeDocumentEntry({ referenceIds: [r1, r2] });
        const one = makeDocumentEntry({ referenceIds: [r1] });
        const three = makeDocumentEntry({ referenceIds: [r3] });
        const none = makeDocumentEntry();
        await storeEntries(both, one, three, none);
        expect(await findDocs({ referenceIds: [[r1]] })).toEqual([both.entryUuid, one.entryUuid]);
        expect(await findDocs({ referenceIds: [[r2, r3]] })).toEqual([both.entryUuid, three.entryUuid]);
        expect(await findDocs({ referenceIds: [[r1], [r2]] })).toEqual([both.entryUuid]);
        expect(await findDocs({ referenceIds: [[r1], [r3]] })).toEqual([]);
        expect(await findDocs({ referenceIds: [['r1']] })).toEqual([]);
        expect(await findDocs({ referenceIds: [[r1], []] })).toEqual([]);
      });

      describe('authorPersons (SQL LIKE)', () => {
        let welby: DocumentEntry;
        let smithSecond: DocumentEntry;
        let nameless: DocumentEntry;
        let noAuthors: DocumentEntry;
        let globby: DocumentEntry;
        let lookalike: DocumentEntry;
        let injection: DocumentEntry;

        beforeEach(async () => {
          welby = makeDocumentEntry({ authors: [author('^Welby^Marcus^^^Dr')] });
          smithSecond = makeDocumentEntry({ authors: [author('^Jones^Ann^^^'), author('^Smith^John^^^')] });
          nameless = makeDocumentEntry({ authors: [author(undefined)] });
          noAuthors = makeDocumentEntry({ authors: [] });
          globby = makeDocumentEntry({ authors: [author('A*B?[x]')] });
          lookalike = makeDocumentEntry({ authors: [author('AxB!x]')] });
          injection = makeDocumentEntry({ authors: [author("Bobby' OR '1'='1")] });
          await storeEntries(welby, smithSecond, nameless, noAuthors, globby, lookalike, injection);
        });

        it('matches a whole value exactly when there is no wildcard', async () => {
          expect(await findDocs({ authorPersons: ['^Welby^Marcus^^^Dr'] })).toEqual([welby.entryUuid]);
          expect(await findDocs({ authorPersons: ['Welby'] })).toEqual([]);
          expect(await findDocs({ authorPersons: ['^Welby^Marcus^^^D'] })).toEqual([]);
        });

        it('takes % as any string and _ as one character', async () => {
          expect(await findDocs({ authorPersons: ['%Welby%'] })).toEqual([welby.entryUuid]);
          expect(await findDocs({ authorPersons: ['^Sm_th^%'] })).toEqual([smithSecond.entryUuid]);
          expect(await findDocs({ authorPersons: ['^Sm_h^%'] })).toEqual([]);
          expect(await findDocs({ authorPersons: ['%^Dr'] })).toEqual([welby.entryUuid]);
          expect(await findDocs({ authorPersons: ['%'] })).toEqual([welby.entryUuid, smithSecond.entryUuid, globby.entryUuid, lookalike.entryUuid, injection.entryUuid]);
        });

        it('matches against every author of the entry and ORs the patterns', async () => {
          expect(await findDocs({ authorPersons: ['^Smith%'] })).toEqual([smithSecond.entryUuid]);
          expect(await findDocs({ authorPersons: ['^Jones%'] })).toEqual([smithSecond.entryUuid]);
          expect(await findDocs({ authorPersons: ['^Smith%', '%Welby%'] })).toEqual([welby.entryUuid, smithSecond.entryUuid]);
        });

        it('is case-sensitive', async () => {
          expect(await findDocs({ authorPersons: ['%welby%'] })).toEqual([]);
          expect(await findDocs({ authorPersons: ['^WELBY^MARCUS^^^DR'] })).toEqual([]);
        });

        it('gives every other character its literal meaning (no GLOB or regex wildcards)', async () => {
          expect(await findDocs({ authorPersons: ['A*B?[x]'] })).toEqual([globby.entryUuid]);
          expect(await findDocs({ authorPersons: ['A*B%'] })).toEqual([globby.entryUuid]);
          expect(await findDocs({ authorPersons: ['A_B_[x]'] })).toEqual([globby.entryUuid]);
          expect(await findDocs({ authorPersons: ['A_B_x]'] })).toEqual([lookalike.entryUuid]);
          expect(await findDocs({ authorPersons: ['A.B.*'] })).toEqual([]);
          expect(await findDocs({ authorPersons: ['A*B?[y]'] })).toEqual([]);
        });

        it('takes a quote-laden pattern as a pattern, not as SQL', async () => {
          expect(await findDocs({ authorPersons: [INJECTION_OR] })).toEqual([injection.entryUuid]);
          expect(await findDocs({ authorPersons: ["' OR 1=1 --"] })).toEqual([]);
        });
      });

      for (const field of DOCUMENT_TIME_FIELDS) {
        describe(`${field} range`, () => {
          const values = ['2024', '202406', '20240615', '20240615103000'];
          let byValue: Map<string, DocumentEntry>;
          let missing: DocumentEntry;
          let emptyList: DocumentEntry;
          const ids = (...vs: string[]): string[] => vs.map((v) => (byValue.get(v) as DocumentEntry).entryUuid);

          beforeEach(async () => {
            byValue = new Map(values.map((v) => [v, makeDocumentEntry({ [field]: [v] })]));
            missing = makeDocumentEntry({ [field]: undefined });
            emptyList = makeDocumentEntry({ [field]: [] });
            await storeEntries(...byValue.values(), missing, emptyList);
          });

          it('includes From (after padding both sides to 14 digits)', async () => {
            expect(await findDocs({ [field]: { from: '20240615' } })).toEqual(ids('20240615', '20240615103000'));
            expect(await findDocs({ [field]: { from: '20240615103000' } })).toEqual(ids('20240615103000'));
            expect(await findDocs({ [field]: { from: '202406' } })).toEqual(ids('202406', '20240615', '20240615103000'));
            expect(await findDocs({ [field]: { from: '2024' } })).toEqual(ids(...values));
          });

          it('excludes To', async () => {
            expect(await findDocs({ [field]: { to: '20240615' } })).toEqual(ids('2024', '202406'));
            expect(await findDocs({ [field]: { to: '20240615103001' } })).toEqual(ids(...values));
            expect(await findDocs({ [field]: { to: '20240615103000' } })).toEqual(ids('2024', '202406', '20240615'));
            expect(await findDocs({ [field]: { to: '2024' } })).toEqual([]);
          });

          it('combines both bounds', async () => {
            expect(await findDocs({ [field]: { from: '20240615103000', to: '20240615103001' } })).toEqual(ids('20240615103000'));
            expect(await findDocs({ [field]: { from: '2024', to: '2025' } })).toEqual(ids(...values));
            expect(await findDocs({ [field]: { from: '202406', to: '20240615' } })).toEqual(ids('202406'));
            expect(await findDocs({ [field]: { from: '20240615', to: '20240615' } })).toEqual([]);
          });

          it('never matches an entry without the attribute once a bound is given, and does not filter without bounds', async () => {
            expect(await findDocs({ [field]: { from: '1900' } })).toEqual(ids(...values));
            expect(await findDocs({ [field]: { to: '2999' } })).toEqual(ids(...values));
            expect(await findDocs({ [field]: {} })).toHaveLength(values.length + 2);
            expect(await findDocs({ [field]: {} })).toContain(missing.entryUuid);
            expect(await findDocs({ [field]: {} })).toContain(emptyList.entryUuid);
          });
        });
      }

      it('ANDs the fields of a filter', async () => {
        const cls = code('class-1', 'S');
        const match = makeDocumentEntry({ classCode: cls, creationTime: ['20200101'] });
        const wrongPatient = makeDocumentEntry({ classCode: cls, creationTime: ['20200101'], patientId: identifier(PATIENT_B, 'x') });
        const wrongStatus = makeDocumentEntry({ classCode: cls, creationTime: ['20200101'], status: Deprecated });
        const wrongClass = makeDocumentEntry({ classCode: code('class-2', 'S'), creationTime: ['20200101'] });
        const wrongTime = makeDocumentEntry({ classCode: cls, creationTime: ['20210101'] });
        const wrongAuthor = makeDocumentEntry({ classCode: cls, creationTime: ['20200101'], authors: [author('^Other^^^^')] });
        await storeEntries(match, wrongPatient, wrongStatus, wrongClass, wrongTime, wrongAuthor);
        const filter: DocumentEntryFilter = {
          patientId: PATIENT_A,
          statuses: [Approved],
          classCodes: [matchOf(cls)],
          creationTime: { from: '2020', to: '2021' },
          authorPersons: ['%Welby%'],
        };
        expect(await findDocs(filter)).toEqual([match.entryUuid]);
        expect(await findDocs({ ...filter, statuses: [Approved, Deprecated] })).toEqual([match.entryUuid, wrongStatus.entryUuid]);
      });

      it('does not filter on absent fields', async () => {
        const entries = [makeDocumentEntry(), makeDocumentEntry({ patientId: identifier(PATIENT_B, 'x'), status: Deprecated })];
        await storeEntries(...entries);
        expect(await findDocs({})).toEqual(idsOf(entries));
      });

      it('matches nothing for an empty list in any list field', async () => {
        await storeEntries(makeDocumentEntry({ eventCodes: [code('e', 'S')], referenceIds: ['r^^^&1.2&ISO^urn:ihe:iti:xds:2013:order'] }));
        expect(await findDocs({})).toHaveLength(1);
        for (const field of DOCUMENT_LIST_FIELDS) {
          expect({ field, found: await findDocs({ [field]: [] }) }).toEqual({ field, found: [] });
        }
      });

      it('caps the result at `limit`, keeping insertion order; the count is not capped', async () => {
        const entries = Array.from({ length: 5 }, () => makeDocumentEntry());
        await storeEntries(...entries);
        expect(idsOf(await store.findDocumentEntries({ patientId: PATIENT_A }, 2))).toEqual(idsOf(entries.slice(0, 2)));
        expect(await store.findDocumentEntries({ patientId: PATIENT_A }, 0)).toEqual([]);
        expect(idsOf(await store.findDocumentEntries({ patientId: PATIENT_A }, 50))).toEqual(idsOf(entries));
        expect(await store.countDocumentEntries({ patientId: PATIENT_A })).toBe(5);
      });

      it('handles lists of thousands of values', async () => {
        const entries = Array.from({ length: 1200 }, () => makeDocumentEntry());
        await storeEntries(...entries);
        const decoys = Array.from({ length: 4000 }, () => uuid());
        const wanted = entries.filter((_, i) => i % 2 === 0);
        expect(await findDocs({ entryUuids: [...decoys, ...idsOf(wanted).reverse()] })).toEqual(idsOf(wanted));
        expect(await findDocs({ uniqueIds: [...decoys, ...wanted.map((e) => e.uniqueId?.value as string)] })).toEqual(idsOf(wanted));
        expect(idsOf(await store.getObjects([...decoys, ...idsOf(entries)]))).toHaveLength(entries.length);
      });
    });

    describe('findSubmissionSets', () => {
      it('filters on every field, ANDed, with OR inside lists', async () => {
        const content = code('content-1', 'CS');
        const s1 = makeSubmissionSet({ sourceId: identifier('1.1.1', 'x'), contentTypeCode: content, submissionTime: ['20230105'], authors: [author('^Doe^Jane^^^')] });
        const s2 = makeSubmissionSet({ sourceId: identifier('2.2.2', 'x'), submissionTime: ['20230210120000'], status: Deprecated });
        const s3 = makeSubmissionSet({ patientId: identifier(PATIENT_B, 'x'), sourceId: identifier('1.1.1', 'x'), contentTypeCode: content, submissionTime: undefined });
        const find = async (f: SubmissionSetFilter): Promise<string[]> => idsOf(await store.findSubmissionSets(f));
        await store.applySubmission(makeChanges({ submissionSets: [s1, s2, s3] }));

        expect(await find({})).toEqual(idsOf([s1, s2, s3]));
        expect(await find({ patientId: PATIENT_A })).toEqual(idsOf([s1, s2]));
        expect(await find({ patientId: PATIENT_B })).toEqual(idsOf([s3]));
        expect(await find({ statuses: [Deprecated] })).toEqual(idsOf([s2]));
        expect(await find({ statuses: [Approved, Deprecated] })).toEqual(idsOf([s1, s2, s3]));
        expect(await find({ entryUuids: [s3.entryUuid.toUpperCase(), s1.entryUuid] })).toEqual(idsOf([s1, s3]));
        expect(await find({ uniqueIds: [s2.uniqueId?.value as string] })).toEqual(idsOf([s2]));
        expect(await find({ sourceIds: ['1.1.1'] })).toEqual(idsOf([s1, s3]));
        expect(await find({ sourceIds: ['2.2.2', '9.9'] })).toEqual(idsOf([s2]));
        expect(await find({ contentTypeCodes: [matchOf(content)] })).toEqual(idsOf([s1, s3]));
        expect(await find({ contentTypeCodes: [{ code: 'content-1', scheme: 'other' }] })).toEqual([]);
        expect(await find({ authorPersons: ['^Doe^%'] })).toEqual(idsOf([s1]));
        expect(await find({ authorPersons: ['^Source^Sam^^^'] })).toEqual(idsOf([s2, s3]));
        expect(await find({ authorPersons: ['^doe^%'] })).toEqual([]);
        expect(await find({ submissionTime: { from: '202301', to: '202302' } })).toEqual(idsOf([s1]));
        expect(await find({ submissionTime: { from: '20230210120000' } })).toEqual(idsOf([s2]));
        expect(await find({ submissionTime: { to: '20230210120000' } })).toEqual(idsOf([s1]));
        expect(await find({ submissionTime: { from: '1900' } })).toEqual(idsOf([s1, s2]));
        expect(await find({ patientId: PATIENT_A, sourceIds: ['1.1.1'], statuses: [Approved] })).toEqual(idsOf([s1]));
        expect(await find({ patientId: PATIENT_B, sourceIds: ['2.2.2'] })).toEqual([]);
        expect(idsOf(await store.findSubmissionSets({ patientId: PATIENT_A }, 1))).toEqual(idsOf([s1]));
      });

      it('matches nothing for an empty list in any list field', async () => {
        await store.applySubmission(makeChanges({ submissionSets: [makeSubmissionSet()] }));
        expect(await store.findSubmissionSets({})).toHaveLength(1);
        for (const field of SUBMISSION_SET_LIST_FIELDS) {
          expect({ field, found: await store.findSubmissionSets({ [field]: [] }) }).toEqual({ field, found: [] });
        }
      });
    });

    describe('findFolders', () => {
      it('filters on every field, ANDed, with OR inside lists and AND of OR-groups for codes', async () => {
        const [a, b, c] = [code('a', 'FS'), code('b', 'FS'), code('c', 'FS')];
        const lid = uuid();
        const f1 = makeFolder({ lid, codes: [a, b], lastUpdateTime: ['20220301101010'] });
        const f2 = makeFolder({ lid, codes: [a], lastUpdateTime: ['2022'], status: Deprecated });
        const f3 = makeFolder({ patientId: identifier(PATIENT_B, 'x'), codes: [c], lastUpdateTime: undefined });
        const find = async (f: FolderFilter): Promise<string[]> => idsOf(await store.findFolders(f));
        await store.applySubmission(makeChanges({ folders: [f1, f2, f3] }));

        expect(await find({})).toEqual(idsOf([f1, f2, f3]));
        expect(await find({ patientId: PATIENT_A })).toEqual(idsOf([f1, f2]));
        expect(await find({ statuses: [Approved] })).toEqual(idsOf([f1, f3]));
        expect(await find({ entryUuids: [f2.entryUuid.toUpperCase()] })).toEqual(idsOf([f2]));
        expect(await find({ uniqueIds: [f3.uniqueId?.value as string, f1.uniqueId?.value as string] })).toEqual(idsOf([f1, f3]));
        expect(await find({ lids: [lid.toUpperCase()] })).toEqual(idsOf([f1, f2]));
        expect(await find({ codes: [[matchOf(a)]] })).toEqual(idsOf([f1, f2]));
        expect(await find({ codes: [[matchOf(a)], [matchOf(b)]] })).toEqual(idsOf([f1]));
        expect(await find({ codes: [[matchOf(b), matchOf(c)]] })).toEqual(idsOf([f1, f3]));
        expect(await find({ codes: [[matchOf(a)], [matchOf(c)]] })).toEqual([]);
        expect(await find({ codes: [[{ code: 'a', scheme: 'other' }]] })).toEqual([]);
        expect(await find({ lastUpdateTime: { from: '20220301101010' } })).toEqual(idsOf([f1]));
        expect(await find({ lastUpdateTime: { to: '20220301101010' } })).toEqual(idsOf([f2]));
        expect(await find({ lastUpdateTime: { from: '2022', to: '2023' } })).toEqual(idsOf([f1, f2]));
        expect(await find({ patientId: PATIENT_A, statuses: [Approved], codes: [[matchOf(a)]] })).toEqual(idsOf([f1]));
        expect(idsOf(await store.findFolders({}, 2))).toEqual(idsOf([f1, f2]));
      });

      it('matches nothing for an empty list in any list field', async () => {
        await store.applySubmission(makeChanges({ folders: [makeFolder()] }));
        expect(await store.findFolders({})).toHaveLength(1);
        for (const field of FOLDER_LIST_FIELDS) {
          expect({ field, found: await store.findFolders({ [field]: [] }) }).toEqual({ field, found: [] });
        }
        expect(await store.findFolders({ codes: [[]] })).toEqual([]);
      });
    });

    describe('findAssociations', () => {
      it('filters on every field, ANDed, with OR inside lists and case-insensitive ends', async () => {
        const [ss, de1, de2, folder] = [uuid(), uuid(), uuid(), uuid()];
        const a1 = makeAssociation(ss, de1);
        const a2 = makeAssociation(folder, de1, { submissionSetStatus: undefined });
        const a3 = makeAssociation(de2, de1, { associationType: ASSOCIATION_TYPE.RPLC, submissionSetStatus: undefined, status: Deprecated });
        const a4 = makeAssociation(ss, de2.toUpperCase());
        const find = async (f: AssociationFilter): Promise<string[]> => idsOf(await store.findAssociations(f));
        await store.applySubmission(makeChanges({ associations: [a1, a2, a3, a4] }));

        expect(await find({})).toEqual(idsOf([a1, a2, a3, a4]));
        expect(await find({ entryUuids: [a3.entryUuid.toUpperCase(), a1.entryUuid] })).toEqual(idsOf([a1, a3]));
        expect(await find({ sourceOrTarget: [de2] })).toEqual(idsOf([a3, a4]));
        expect(await find({ sourceOrTarget: [folder, ss.toUpperCase()] })).toEqual(idsOf([a1, a2, a4]));
        expect(await find({ sourceObjects: [ss] })).toEqual(idsOf([a1, a4]));
        expect(await find({ targetObjects: [de1.toUpperCase()] })).toEqual(idsOf([a1, a2, a3]));
        expect(await find({ targetObjects: [de2] })).toEqual(idsOf([a4]));
        expect(await find({ types: [ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.APND] })).toEqual(idsOf([a3]));
        expect(await find({ statuses: [Approved] })).toEqual(idsOf([a1, a2, a4]));
        expect(await find({ targetObjects: [de1], types: [ASSOCIATION_TYPE.HasMember], statuses: [Approved] })).toEqual(idsOf([a1, a2]));
        expect(await find({ sourceOrTarget: [de1], sourceObjects: [de2] })).toEqual(idsOf([a3]));
        expect(await find({ sourceObjects: [de1] })).toEqual([]);
        expect(idsOf(await store.findAssociations({ sourceOrTarget: [de1] }, 1))).toEqual(idsOf([a1]));
      });

      it('matches nothing for an empty list in any list field', async () => {
        await store.applySubmission(makeChanges({ associations: [makeAssociation(uuid(), uuid())] }));
        expect(await store.findAssociations({})).toHaveLength(1);
        for (const field of ASSOCIATION_LIST_FIELDS) {
          expect({ field, found: await store.findAssociations({ [field]: [] }) }).toEqual({ field, found: [] });
        }
      });
    });

    describe('applySubmission', () => {
      /** A registry holding one earlier submission: SS, two entries, a folder holding the first. */
      async function seed(): Promise<{ ss: SubmissionSet; d1: DocumentEntry; d2: DocumentEntry; folder: Folder }> {
        const d1 = makeDocumentEntry();
        const d2 = makeDocumentEntry();
        const ss = makeSubmissionSet();
        const folder = makeFolder({ lastUpdateTime: ['20200101000000'] });
        const sub = makeSubmission([d1, d2], ss);
        sub.folders.push(folder);
        sub.associations.push(makeAssociation(ss.entryUuid, folder.entryUuid), makeAssociation(folder.entryUuid, d1.entryUuid));
        await store.applySubmission(sub);
        return { ss, d1, d2, folder };
      }

      /** A second submission that touches everything: new objects, a status change and a folder update. */
      function busySubmission(d1: DocumentEntry, folder: Folder): ReturnType<typeof makeSubmission> {
        const replacement = makeDocumentEntry();
        const sub = makeSubmission([replacement, makeDocumentEntry(), makeDocumentEntry()]);
        sub.folders.push(makeFolder());
        sub.associations.push(makeAssociation(replacement.entryUuid, d1.entryUuid, { associationType: ASSOCIATION_TYPE.RPLC, submissionSetStatus: undefined }));
        sub.statusChanges.push({ entryUuid: d1.entryUuid, expected: Approved, status: Deprecated });
        sub.folderUpdates.push({ entryUuid: folder.entryUuid, lastUpdateTime: '20250101120000' });
        return sub;
      }

      it('stores a whole submission', async () => {
        const { ss, d1, d2, folder } = await seed();
        expect(await store.stats()).toEqual({ documentEntries: 2, submissionSets: 1, folders: 1, associations: 4 });
        expect(await findDocs({ patientId: PATIENT_A })).toEqual(idsOf([d1, d2]));
        expect(idsOf(await store.findSubmissionSets({ patientId: PATIENT_A }))).toEqual([ss.entryUuid]);
        expect(idsOf(await store.findFolders({ patientId: PATIENT_A }))).toEqual([folder.entryUuid]);
        expect(await store.findAssociations({ sourceObjects: [folder.entryUuid] })).toHaveLength(1);
      });

      it('applies status changes to the index and to the returned object', async () => {
        const { d1, d2 } = await seed();
        const sub = busySubmission(d1, makeFolder());
        sub.folderUpdates = [];
        sub.statusChanges[0] = { entryUuid: d1.entryUuid.toUpperCase(), expected: Approved, status: Deprecated };
        await store.applySubmission(sub);
        expect(await findDocs({ statuses: [Deprecated] })).toEqual([d1.entryUuid]);
        expect(await findDocs({ patientId: PATIENT_A, statuses: [Approved] })).not.toContain(d1.entryUuid);
        expect(await findDocs({ patientId: PATIENT_A, statuses: [Approved] })).toContain(d2.entryUuid);
        expect(await store.getObjects([d1.entryUuid])).toEqual([{ ...d1, status: Deprecated }]);
        expect(await store.findDocumentEntries({ entryUuids: [d1.entryUuid] })).toEqual([{ ...d1, status: Deprecated }]);
      });

      it('applies status changes to SubmissionSets, Folders and Associations too', async () => {
        const { ss, folder } = await seed();
        const [hasMember] = await store.findAssociations({ sourceObjects: [folder.entryUuid] });
        const assocId = (hasMember as XdsAssociation).entryUuid;
        await store.applySubmission(
          makeChanges({
            statusChanges: [
              { entryUuid: ss.entryUuid, expected: Approved, status: Deprecated },
              { entryUuid: folder.entryUuid, expected: Approved, status: Deprecated },
              { entryUuid: assocId, expected: Approved, status: Deprecated },
            ],
          }),
        );
        expect(await store.findSubmissionSets({ statuses: [Deprecated] })).toEqual([{ ...ss, status: Deprecated }]);
        expect(await store.findFolders({ statuses: [Deprecated] })).toEqual([{ ...folder, status: Deprecated }]);
        expect(idsOf(await store.findAssociations({ statuses: [Deprecated] }))).toEqual([assocId]);
        expect((await store.getObjects([assocId]))[0]?.status).toBe(Deprecated);
      });

      it('applies folder updates to the index and to the returned object', async () => {
        const { d1, folder } = await seed();
        const sub = busySubmission(d1, folder);
        await store.applySubmission(sub);
        expect(await store.findFolders({ entryUuids: [folder.entryUuid] })).toEqual([{ ...folder, lastUpdateTime: ['20250101120000'] }]);
        expect(idsOf(await store.findFolders({ lastUpdateTime: { from: '2025' } }))).toContain(folder.entryUuid);
        expect(idsOf(await store.findFolders({ lastUpdateTime: { to: '2025' } }))).not.toContain(folder.entryUuid);
      });

      it('stores nothing when an SS uniqueId already in the registry comes late in the submission', async () => {
        const { ss, d1, folder } = await seed();
        const before = await snapshot();
        const sub = busySubmission(d1, folder);
        const duplicate = makeSubmissionSet({ uniqueId: identifier(ss.uniqueId?.value as string, 'x') });
        sub.submissionSets.push(duplicate);
        sub.associations.push(makeAssociation(duplicate.entryUuid, (sub.documentEntries[0] as DocumentEntry).entryUuid));
        await expectXdsError(store.applySubmission(sub), 'XDSDuplicateUniqueIdInRegistry', ss.uniqueId?.value as string);
        expect(await snapshot()).toEqual(before);
        expect(await store.getObjects(idsOf([...sub.documentEntries, ...sub.submissionSets, ...sub.folders, ...sub.associations]))).toEqual([]);
      });

      it('stores nothing when a Folder uniqueId is already in the registry', async () => {
        const { d1, folder } = await seed();
        const before = await snapshot();
        const sub = busySubmission(d1, folder);
        sub.folders.push(makeFolder({ uniqueId: identifier(folder.uniqueId?.value as string, 'x') }));
        await expectXdsError(store.applySubmission(sub), 'XDSDuplicateUniqueIdInRegistry', folder.uniqueId?.value as string);
        expect(await snapshot()).toEqual(before);
      });

      it('refuses an entryUUID already used by an object of any kind, whatever its case', async () => {
        const { d1, folder } = await seed();
        const before = await snapshot();
        for (const reused of [d1.entryUuid, d1.entryUuid.toUpperCase(), folder.entryUuid]) {
          const sub = busySubmission(d1, folder);
          sub.folders.push(makeFolder({ entryUuid: reused }));
          await expectXdsError(store.applySubmission(sub), 'XDSRegistryMetadataError', reused);
          expect(await snapshot()).toEqual(before);
        }
      });

      it('rolls everything back on a status conflict, including earlier status changes', async () => {
        const { d1, d2, folder } = await seed();
        await store.applySubmission(makeChanges({ statusChanges: [{ entryUuid: d2.entryUuid, expected: Approved, status: Deprecated }] }));
        const before = await snapshot();
        const sub = busySubmission(d1, folder);
        sub.statusChanges.push({ entryUuid: d2.entryUuid, expected: Approved, status: Deprecated });
        await expectXdsError(store.applySubmission(sub), 'XDSRegistryDeprecatedDocumentError', d2.entryUuid);
        expect(await snapshot()).toEqual(before);
        expect((await store.getObjects([d1.entryUuid]))[0]?.status).toBe(Approved);
        expect(await findDocs({ statuses: [Approved], entryUuids: [d1.entryUuid] })).toEqual([d1.entryUuid]);
      });

      it('fails a status change of an unknown object, storing nothing', async () => {
        const { d1, folder } = await seed();
        const before = await snapshot();
        const ghost = uuid();
        const sub = busySubmission(d1, folder);
        sub.statusChanges.push({ entryUuid: ghost, expected: Approved, status: Deprecated });
        await expectXdsError(store.applySubmission(sub), 'XDSRegistryDeprecatedDocumentError', ghost);
        expect(await snapshot()).toEqual(before);
      });

      it('fails a folder update of an object that is not a stored Folder, storing nothing', async () => {
        const { d1, folder } = await seed();
        const before = await snapshot();
        for (const notAFolder of [uuid(), d1.entryUuid]) {
          const sub = busySubmission(d1, folder);
          sub.folderUpdates.push({ entryUuid: notAFolder, lastUpdateTime: '20250101' });
          await expectXdsError(store.applySubmission(sub), 'XDSRegistryError', notAFolder);
          expect(await snapshot()).toEqual(before);
        }
      });

      it('accepts an empty submission', async () => {
        await store.applySubmission(makeChanges());
        expect(await store.stats()).toEqual({ documentEntries: 0, submissionSets: 0, folders: 0, associations: 0 });
      });
    });

    describe('injection-shaped values are data', () => {
      it('stores and matches quote-laden patient ids literally', async () => {
        const dropper = makeDocumentEntry({ patientId: identifier(INJECTION_PATIENT, 'x') });
        const orEntry = makeDocumentEntry({ patientId: identifier(INJECTION_OR, 'x') });
        const plain = makeDocumentEntry();
        const ss = makeSubmissionSet({ patientId: identifier(INJECTION_PATIENT, 'x') });
        const folder = makeFolder({ patientId: identifier(INJECTION_OR, 'x') });
        await store.applySubmission(makeChanges({ documentEntries: [dropper, orEntry, plain], submissionSets: [ss], folders: [folder] }));
        expect(await findDocs({ patientId: INJECTION_PATIENT })).toEqual([dropper.entryUuid]);
        expect(await findDocs({ patientId: INJECTION_OR })).toEqual([orEntry.entryUuid]);
        expect(await findDocs({ patientId: '%' })).toEqual([]);
        expect(await store.findDocumentEntries({ patientId: INJECTION_PATIENT })).toEqual([dropper]);
        expect(idsOf(await store.findSubmissionSets({ patientId: INJECTION_PATIENT }))).toEqual([ss.entryUuid]);
        expect(idsOf(await store.findFolders({ patientId: INJECTION_OR }))).toEqual([folder.entryUuid]);
        expect(await store.stats()).toEqual({ documentEntries: 3, submissionSets: 1, folders: 1, associations: 0 });
      });

      it('matches quote-laden list values, codes and ids literally', async () => {
        const odd = code("a'b", '"scheme"; --');
        const de = makeDocumentEntry({ uniqueId: identifier("1.2.3' OR '1'='1", 'x'), classCode: odd, referenceIds: [INJECTION_OR] });
        const other = makeDocumentEntry();
        await storeEntries(de, other);
        expect(await findDocs({ uniqueIds: ["1.2.3' OR '1'='1"] })).toEqual([de.entryUuid]);
        expect(await findDocs({ uniqueIds: ["' OR 1=1 --", INJECTION_OR] })).toEqual([]);
        expect(await findDocs({ classCodes: [matchOf(odd)] })).toEqual([de.entryUuid]);
        expect(await findDocs({ classCodes: [{ code: "a'b", scheme: "' OR '1'='1" }] })).toEqual([]);
        expect(await findDocs({ referenceIds: [[INJECTION_OR]] })).toEqual([de.entryUuid]);
        expect(await findDocs({ statuses: [INJECTION_OR] })).toEqual([]);
        expect(await store.getObjects([`${de.entryUuid}' OR '1'='1`, INJECTION_OR])).toEqual([]);
        expect(idsOf(await store.findAssociations({ sourceOrTarget: [INJECTION_OR] }))).toEqual([]);
        expect(await findDocs({})).toEqual(idsOf([de, other]));
      });
    });

    describe('known patients', () => {
      it('knows exactly the patients added, idempotently', async () => {
        expect(await store.isKnownPatient(PATIENT_A)).toBe(false);
        await store.addKnownPatients([PATIENT_A, PATIENT_B, PATIENT_A]);
        await store.addKnownPatients([PATIENT_A]);
        await store.addKnownPatients([]);
        expect(await store.isKnownPatient(PATIENT_A)).toBe(true);
        expect(await store.isKnownPatient(PATIENT_B)).toBe(true);
        expect(await store.isKnownPatient(PATIENT_A.toLowerCase())).toBe(false);
        expect(await store.isKnownPatient('PA-1')).toBe(false);
        expect(await store.isKnownPatient('')).toBe(false);
      });

      it('takes quote-laden ids literally', async () => {
        await store.addKnownPatients([INJECTION_PATIENT]);
        expect(await store.isKnownPatient(INJECTION_PATIENT)).toBe(true);
        expect(await store.isKnownPatient(INJECTION_OR)).toBe(false);
        expect(await store.isKnownPatient('%')).toBe(false);
      });
    });
  });
}
