/**
 * The MongoDB query documents (queries.ts), evaluated by mingo over the stored shape (documents.ts), against the
 * SQLite store's answers on the same data: the NIST 12346 + 12374 fixture, loaded once into SQLite ':memory:'
 * and replayed (same UUIDs, same order) into the mingo-backed MongoDB store logic.
 *
 *  1. Every NIST stored-query step (11897-11909, 15803, 12368) runs on SQLite through a recording wrapper; every
 *     find/count call it makes is re-evaluated from our query document with `new Query(q).find(docs)` and must
 *     give the same ids in the same order. The same step on the mingo store must give SQLite's result and
 *     NIST's expectations; and each query must be served by an index of indexes.ts.
 *  2. Every filter field of every kind, with values drawn from the data (hits, misses, case variants, empty
 *     lists, LIKE wildcards, range edges), alone and ANDed with patient + status.
 *  3. The pure builders themselves (LIKE → regex, AND/OR folding, value wrapping).
 */
import { Query } from 'mingo';
import { ASSOCIATION_TYPE, AVAILABILITY_STATUS, OBJECT_TYPE } from '../../../shared/xds/constants';
import type { Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation } from '../../../shared/xds/model';
import { likeMatches } from '../../storedQueries/testing/memoryStore';
import type { StoredQueryStep } from '../../storedQueries/testing/nistTestPlan';
import type {
  AssociationFilter,
  CodeMatch,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionSetFilter,
  TimeRange,
} from '../RegistryStore';
import { openSqliteRegistryStore } from '../sqlite';
import type { KindCollectionName, StoredObject } from './documents';
import { registryIndexes, type IndexSpec } from './indexes';
import {
  allOf,
  anyOf,
  associationQuery,
  authorPersonRegex,
  documentEntryQuery,
  fieldInTimeRange,
  folderQuery,
  MATCH_ALL,
  MATCH_NOTHING,
  matchesNothing,
  submissionSetQuery,
  type QueryDocument,
} from './queries';
import { createMingoRegistryStore, type MingoRegistryStore } from './testing/mingoRegistryStore';
import {
  capturingStore,
  countsOf,
  expectationsOf,
  loadNistFixtures,
  nistStoredQuerySteps,
  PATIENT_12346,
  PATIENT_12374,
  recordingStore,
  replay,
  runNistStep,
  type NistFixtures,
  type RecordedCall,
} from './testing/nistReplay';

const { Approved, Deprecated } = AVAILABILITY_STATUS;

// ---- the two stores with identical data ----

let sqlite: RegistryStore;
let mingoStore: MingoRegistryStore;
let fixtures: NistFixtures;
let data: {
  documentEntries: DocumentEntry[];
  submissionSets: SubmissionSet[];
  folders: Folder[];
  associations: XdsAssociation[];
};

beforeAll(async () => {
  sqlite = openSqliteRegistryStore(':memory:');
  const capture = capturingStore(sqlite);
  fixtures = await loadNistFixtures(capture);
  mingoStore = createMingoRegistryStore();
  await replay(capture, mingoStore);
  data = {
    documentEntries: await sqlite.findDocumentEntries({}),
    submissionSets: await sqlite.findSubmissionSets({}),
    folders: await sqlite.findFolders({}),
    associations: await sqlite.findAssociations({}),
  };
});

afterAll(async () => {
  await sqlite.close();
  await mingoStore.close();
});

/** The entryUUIDs mingo finds for `query` among the stored documents, in insertion order, capped at `limit`. */
function mingoIds(collection: KindCollectionName, query: QueryDocument, limit?: number): string[] {
  const docs: StoredObject[] = mingoStore.database.documents(collection);
  const found = new Query(query).find<StoredObject>(docs).all();
  found.sort((a, b) => a.seq - b.seq);
  return (limit === undefined ? found : found.slice(0, limit)).map((d) => d.object.entryUuid);
}

const ids = (objects: readonly { entryUuid: string }[]): string[] => objects.map((o) => o.entryUuid);

/** Our query document for one recorded store call, evaluated by mingo: ids or a count. */
function evaluateRecorded(call: RecordedCall): { ids: string[] } | { count: number } {
  switch (call.method) {
    case 'findDocumentEntries':
      return { ids: mingoIds('document_entries', documentEntryQuery(call.filter), call.limit) };
    case 'countDocumentEntries':
      return { count: mingoIds('document_entries', documentEntryQuery(call.filter)).length };
    case 'findSubmissionSets':
      return { ids: mingoIds('submission_sets', submissionSetQuery(call.filter), call.limit) };
    case 'findFolders':
      return { ids: mingoIds('folders', folderQuery(call.filter), call.limit) };
    case 'findAssociations':
      return { ids: mingoIds('associations', associationQuery(call.filter), call.limit) };
  }
}

function sqliteAnswer(call: RecordedCall): { ids: string[] } | { count: number } {
  return call.method === 'countDocumentEntries' ? { count: call.count } : { ids: call.ids };
}

function queryOf(call: RecordedCall): { collection: KindCollectionName; query: QueryDocument } {
  switch (call.method) {
    case 'findDocumentEntries':
    case 'countDocumentEntries':
      return { collection: 'document_entries', query: documentEntryQuery(call.filter) };
    case 'findSubmissionSets':
      return { collection: 'submission_sets', query: submissionSetQuery(call.filter) };
    case 'findFolders':
      return { collection: 'folders', query: folderQuery(call.filter) };
    case 'findAssociations':
      return { collection: 'associations', query: associationQuery(call.filter) };
  }
}

// ---- index coverage ----

/** A top-level equality/$in condition on `field` somewhere in the query's top-level AND. */
function equalityFields(query: QueryDocument): string[] {
  const parts = Array.isArray(query.$and) ? (query.$and as QueryDocument[]) : [query];
  return parts.flatMap((part) =>
    Object.entries(part)
      .filter(([field, cond]) => !field.startsWith('$') && typeof cond === 'object' && cond !== null && ('$eq' in cond || '$in' in cond))
      .map(([field]) => field),
  );
}

/** Whether some index of `collection` has its leading field bound by the query (for $or: every branch). */
function servedByIndex(collection: KindCollectionName, query: QueryDocument, specs: readonly IndexSpec[]): boolean {
  if (matchesNothing(query)) return true;
  const leading = new Set(specs.filter((s) => s.collection === collection).map((s) => Object.keys(s.key)[0]));
  if (equalityFields(query).some((f) => leading.has(f))) return true;
  const parts = Array.isArray(query.$and) ? (query.$and as QueryDocument[]) : [query];
  return parts.some((p) => Array.isArray(p.$or) && (p.$or as QueryDocument[]).every((branch) => servedByIndex(collection, branch, specs)));
}

// ---- 1. the NIST stored queries ----

const STEPS: StoredQueryStep[] = nistStoredQuerySteps();
const fieldsUsed = new Set<string>();

describe('every NIST stored query: each store call answered by our query document as SQLite answers it', () => {
  it('reads the corpus steps', () => {
    expect(STEPS.length).toBeGreaterThanOrEqual(80);
  });

  it('the two stores hold the same 12346 + 12374 data', async () => {
    expect(await mingoStore.stats()).toEqual(await sqlite.stats());
    expect(await sqlite.stats()).toEqual({ documentEntries: 12, submissionSets: 10, folders: 4, associations: 30 });
    expect(await mingoStore.findDocumentEntries({})).toEqual(data.documentEntries);
    expect(await mingoStore.findSubmissionSets({})).toEqual(data.submissionSets);
    expect(await mingoStore.findFolders({})).toEqual(data.folders);
    expect(await mingoStore.findAssociations({})).toEqual(data.associations);
    expect(await mingoStore.isKnownPatient(PATIENT_12346)).toBe(true);
  });

  it.each(STEPS.map((s) => [`${s.test}/${s.section} (${s.step})`, s] as const))('%s', async (_name, step) => {
    const recorder = recordingStore(sqlite);
    const onSqlite = await runNistStep(recorder, step, fixtures);
    const indexes = registryIndexes('replicaSet');
    for (const call of recorder.calls) {
      expect({ call: call.method, filter: call.filter, answer: evaluateRecorded(call) }).toEqual({ call: call.method, filter: call.filter, answer: sqliteAnswer(call) });
      const { collection, query } = queryOf(call);
      expect({ collection, query, indexed: servedByIndex(collection, query, indexes) }).toEqual({ collection, query, indexed: true });
      for (const [field, value] of Object.entries(call.filter)) if (value !== undefined) fieldsUsed.add(`${call.method}.${field}`);
    }

    const onMingo = await runNistStep(mingoStore, step, fixtures);
    expect(onMingo).toEqual(onSqlite);
    const expected = expectationsOf(step);
    expect(onMingo.kind).toBe(expected.expectedStatus === 'Failure' ? 'failure' : 'result');
    if (onMingo.kind === 'failure') for (const code of expected.expectedErrorCodes) expect(onMingo.codes).toContain(code);
    const n = countsOf(onMingo);
    for (const c of expected.expectedContents) {
      if (c.name === 'Documents') expect(n.documents).toBe(c.count);
      if (c.name === 'Folders') expect(n.folders).toBe(c.count);
      if (c.name === 'SubmissionSets') expect(n.submissionSets).toBe(c.count);
      if (c.name === 'Associations') expect(n.associations).toBe(c.count);
      if (c.name === 'ObjectRefs') expect(n).toEqual({ documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: c.count });
      if (c.name === 'None') expect(n).toEqual({ documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: 0 });
    }
  });

  it('exercised, over all steps above, 34 filter fields (all but DE lids and serviceStopTime, which part 2 covers)', () => {
    const expected = [
      'findAssociations.sourceObjects',
      'findAssociations.sourceOrTarget',
      'findAssociations.targetObjects',
      'findAssociations.types',
      ...['authorPersons', 'classCodes', 'confidentialityCodes', 'creationTime', 'entryUuids', 'eventCodes', 'formatCodes', 'healthcareFacilityTypeCodes']
        .concat(['objectTypes', 'patientId', 'practiceSettingCodes', 'referenceIds', 'serviceStartTime', 'statuses', 'typeCodes', 'uniqueIds'])
        .map((f) => `findDocumentEntries.${f}`),
      ...['codes', 'entryUuids', 'lastUpdateTime', 'patientId', 'statuses', 'uniqueIds'].map((f) => `findFolders.${f}`),
      ...['authorPersons', 'contentTypeCodes', 'entryUuids', 'patientId', 'sourceIds', 'statuses', 'submissionTime', 'uniqueIds'].map((f) => `findSubmissionSets.${f}`),
    ];
    expect([...fieldsUsed].sort()).toEqual(expected.sort());
  });
});

// ---- 2. every filter field, values drawn from the data ----

const upper = (id: string): string => id.toUpperCase();
const matchOf = (c: Code): CodeMatch => ({ code: c.code, scheme: c.scheme });
const distinct = <T>(values: readonly T[]): T[] => {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};
const defined = <T>(values: readonly (T | undefined)[]): T[] => values.filter((v): v is T => v !== undefined);

/** OR-lists over `values`: each alone, the first two, all, nothing, and a miss next to a hit. */
function orLists<T>(values: readonly T[], miss: T): T[][] {
  const v = distinct(values);
  return [...v.map((x) => [x]), v.slice(0, 2), v, [], [miss], ...v.slice(0, 1).map((x) => [miss, x])];
}

/** AND-of-OR groups over `values`. */
function andOrGroups<T>(values: readonly T[], miss: T): T[][][] {
  const v = distinct(values);
  const [a, b] = v;
  const groups: T[][][] = [...v.map((x) => [[x]]), [], [[]], [[miss]]];
  if (a !== undefined) groups.push([[a], []], [[miss, a]]);
  if (a !== undefined && b !== undefined) groups.push([[a], [b]], [[a, b]], [[b], [a, miss]], [[a], [miss]]);
  return groups;
}

/** SQL LIKE patterns for a value: exact, case-changed, %-prefix/suffix, _ in place of characters. */
function likePatterns(values: readonly string[]): string[][] {
  const patterns = distinct(values).flatMap((p) => [
    p,
    p.toLowerCase(),
    `%${p.slice(3)}`,
    `${p.slice(0, 4)}%`,
    `%${p.slice(2, -2)}%`,
    `_${p.slice(1)}`,
    `${p.slice(0, -1)}_`,
    `${p.slice(0, -1)}`,
    p.replace(/[A-Za-z]/, '_'),
  ]);
  return [...patterns.map((p) => [p]), ['%'], ['_'], [], ['%Smitty%', '%Ford%'], ['^%^%^^^'], ['.*'], ['[^]*']];
}

/** Ranges around every value: each bound alone, truncated (padding), both, empty and inverted. */
function timeRanges(values: readonly (string | undefined)[]): TimeRange[] {
  const v = distinct(defined(values));
  const ranges: TimeRange[] = [{}, { from: '1900' }, { to: '2999' }, { from: '2999' }, { to: '1900' }];
  for (const t of v) {
    ranges.push({ from: t }, { to: t }, { from: t, to: t }, { from: t.slice(0, 4) }, { to: t.slice(0, 8) }, { from: t.slice(0, 6), to: `${t.slice(0, 4)}9` });
    ranges.push({ from: t, to: `${t}1` }, { to: `${t}1` }, { from: t.slice(0, 10) });
  }
  return ranges;
}

const first = <T>(values: readonly (readonly T[] | undefined)[]): T | undefined => values.map((v) => v?.[0]).find((x) => x !== undefined);

type FilterCase<F> = [string, (d: typeof data) => F[]];

const DOCUMENT_FIELDS: FilterCase<DocumentEntryFilter>[] = [
  ['patientId', (d) => [...distinct(defined(d.documentEntries.map((e) => e.patientId?.value))), PATIENT_12346.toLowerCase(), 'SQ12346', ''].map((patientId) => ({ patientId }))],
  ['statuses', () => orLists([Approved, Deprecated], 'urn:oasis:names:tc:ebxml-regrep:StatusType:Other').map((statuses) => ({ statuses }))],
  ['entryUuids', (d) => orLists([...ids(d.documentEntries), ...ids(d.documentEntries).map(upper), ids(d.folders)[0] ?? ''], 'urn:uuid:00000000-0000-0000-0000-000000000000').map((entryUuids) => ({ entryUuids }))],
  ['uniqueIds', (d) => orLists(defined(d.documentEntries.map((e) => e.uniqueId?.value)).flatMap((u) => [u, u.slice(0, -1), upper(`${u}x`)]), '1.2.3').map((uniqueIds) => ({ uniqueIds }))],
  ['lids', (d) => orLists(defined(d.documentEntries.map((e) => e.lid)).flatMap((l) => [l, upper(l)]), 'urn:uuid:none').map((lids) => ({ lids }))],
  ['objectTypes', () => orLists([OBJECT_TYPE.stableDocumentEntry, OBJECT_TYPE.onDemandDocumentEntry, upper(OBJECT_TYPE.stableDocumentEntry)], 'x').map((objectTypes) => ({ objectTypes }))],
  ...(['classCode', 'typeCode', 'practiceSettingCode', 'healthcareFacilityTypeCode', 'formatCode'] as const).map(
    (attr): FilterCase<DocumentEntryFilter> => [
      `${attr}s`,
      (d) => {
        const own = defined(d.documentEntries.map((e) => e[attr])).map(matchOf);
        const others = d.documentEntries.flatMap((e) => defined([e.classCode, e.typeCode, e.formatCode, ...e.eventCodes]).map(matchOf));
        const wrongScheme = own.map((c) => ({ code: c.code, scheme: `${c.scheme}.9` }));
        return orLists([...own, ...others, ...wrongScheme], { code: 'none', scheme: 'none' }).map((codes) => ({ [`${attr}s`]: codes }));
      },
    ],
  ),
  ...(['eventCodes', 'confidentialityCodes'] as const).map(
    (attr): FilterCase<DocumentEntryFilter> => [
      attr,
      (d) => {
        const own = d.documentEntries.flatMap((e) => e[attr].map(matchOf));
        const other = defined(d.documentEntries.map((e) => e.classCode)).map(matchOf);
        return andOrGroups([...own, ...other.slice(0, 1)], { code: 'none', scheme: 'none' }).map((groups) => ({ [attr]: groups }));
      },
    ],
  ),
  ['authorPersons', (d) => likePatterns(d.documentEntries.flatMap((e) => defined(e.authors.map((a) => a.person)))).map((authorPersons) => ({ authorPersons }))],
  ['referenceIds', (d) => andOrGroups([...d.documentEntries.flatMap((e) => e.referenceIds ?? []), '2013001'], 'none').map((referenceIds) => ({ referenceIds }))],
  ...(['creationTime', 'serviceStartTime', 'serviceStopTime'] as const).map(
    (attr): FilterCase<DocumentEntryFilter> => [attr, (d) => timeRanges(d.documentEntries.map((e) => e[attr]?.[0])).map((range) => ({ [attr]: range }))],
  ),
];

const SUBMISSION_SET_FIELDS: FilterCase<SubmissionSetFilter>[] = [
  ['patientId', (d) => [...distinct(defined(d.submissionSets.map((s) => s.patientId?.value))), 'nobody'].map((patientId) => ({ patientId }))],
  ['statuses', () => orLists([Approved, Deprecated], 'other').map((statuses) => ({ statuses }))],
  ['entryUuids', (d) => orLists([...ids(d.submissionSets), ...ids(d.submissionSets).map(upper), ids(d.documentEntries)[0] ?? ''], 'urn:uuid:none').map((entryUuids) => ({ entryUuids }))],
  ['uniqueIds', (d) => orLists(defined(d.submissionSets.map((s) => s.uniqueId?.value)).flatMap((u) => [u, `${u}.1`]), '1.2.3').map((uniqueIds) => ({ uniqueIds }))],
  ['sourceIds', (d) => orLists([...defined(d.submissionSets.map((s) => s.sourceId?.value)), '1.3.6.1'], '9.9').map((sourceIds) => ({ sourceIds }))],
  ['contentTypeCodes', (d) => orLists(defined(d.submissionSets.map((s) => s.contentTypeCode)).flatMap((c) => [matchOf(c), { code: c.code, scheme: 'x' }]), { code: 'n', scheme: 'n' }).map((contentTypeCodes) => ({ contentTypeCodes }))],
  ['authorPersons', (d) => likePatterns(d.submissionSets.flatMap((s) => defined(s.authors.map((a) => a.person)))).map((authorPersons) => ({ authorPersons }))],
  ['submissionTime', (d) => timeRanges(d.submissionSets.map((s) => s.submissionTime?.[0])).map((submissionTime) => ({ submissionTime }))],
];

const FOLDER_FIELDS: FilterCase<FolderFilter>[] = [
  ['patientId', (d) => [...distinct(defined(d.folders.map((f) => f.patientId?.value))), 'nobody'].map((patientId) => ({ patientId }))],
  ['statuses', () => orLists([Approved, Deprecated], 'other').map((statuses) => ({ statuses }))],
  ['entryUuids', (d) => orLists([...ids(d.folders), ...ids(d.folders).map(upper)], 'urn:uuid:none').map((entryUuids) => ({ entryUuids }))],
  ['uniqueIds', (d) => orLists(defined(d.folders.map((f) => f.uniqueId?.value)), '1.2.3').map((uniqueIds) => ({ uniqueIds }))],
  ['lids', (d) => orLists(defined(d.folders.map((f) => f.lid)).flatMap((l) => [l, upper(l)]), 'urn:uuid:none').map((lids) => ({ lids }))],
  ['codes', (d) => andOrGroups(d.folders.flatMap((f) => f.codes.map(matchOf)).concat([{ code: 'Referrals', scheme: 'x' }]), { code: 'n', scheme: 'n' }).map((codes) => ({ codes }))],
  ['lastUpdateTime', (d) => timeRanges(d.folders.map((f) => f.lastUpdateTime?.[0])).map((lastUpdateTime) => ({ lastUpdateTime }))],
];

const ASSOCIATION_FIELDS: FilterCase<AssociationFilter>[] = [
  ['entryUuids', (d) => orLists([...ids(d.associations).slice(0, 6), ...ids(d.associations).slice(0, 3).map(upper)], 'urn:uuid:none').map((entryUuids) => ({ entryUuids }))],
  ...(['sourceOrTarget', 'sourceObjects', 'targetObjects'] as const).map(
    (field): FilterCase<AssociationFilter> => [
      field,
      (d) => orLists([...ids(d.documentEntries).slice(0, 4), ...ids(d.folders).map(upper), ...ids(d.submissionSets).slice(0, 3), ...ids(d.associations).slice(0, 2)], 'urn:uuid:none').map((v) => ({ [field]: v })),
    ],
  ),
  ['types', () => orLists([ASSOCIATION_TYPE.HasMember, ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.APND], 'x').map((types) => ({ types }))],
  ['statuses', () => orLists([Approved, Deprecated], 'other').map((statuses) => ({ statuses }))],
];

describe('every filter field: our query document evaluated by mingo gives the SQLite store\'s answer', () => {
  const narrowed = { patientId: PATIENT_12346, statuses: [Approved, Deprecated] };

  it.each(DOCUMENT_FIELDS)('DocumentEntry %s', async (_field, filters) => {
    const cases = filters(data);
    expect(cases.length).toBeGreaterThan(3);
    for (const filter of cases.flatMap((f) => [f, { ...narrowed, ...f }])) {
      const found = ids(await sqlite.findDocumentEntries(filter));
      expect({ filter, found: mingoIds('document_entries', documentEntryQuery(filter)) }).toEqual({ filter, found });
      expect({ filter, count: await mingoStore.countDocumentEntries(filter) }).toEqual({ filter, count: await sqlite.countDocumentEntries(filter) });
      expect({ filter, limited: ids(await mingoStore.findDocumentEntries(filter, 2)) }).toEqual({ filter, limited: found.slice(0, 2) });
    }
  });

  it.each(SUBMISSION_SET_FIELDS)('SubmissionSet %s', async (_field, filters) => {
    for (const filter of filters(data).flatMap((f) => [f, { ...narrowed, ...f }])) {
      const found = ids(await sqlite.findSubmissionSets(filter));
      expect({ filter, found: mingoIds('submission_sets', submissionSetQuery(filter)) }).toEqual({ filter, found });
    }
  });

  it.each(FOLDER_FIELDS)('Folder %s', async (_field, filters) => {
    for (const filter of filters(data).flatMap((f) => [f, { ...narrowed, ...f }])) {
      const found = ids(await sqlite.findFolders(filter));
      expect({ filter, found: mingoIds('folders', folderQuery(filter)) }).toEqual({ filter, found });
    }
  });

  it.each(ASSOCIATION_FIELDS)('Association %s', async (_field, filters) => {
    for (const filter of filters(data).flatMap((f) => [f, { ...f, statuses: [Approved] }, { ...f, types: [ASSOCIATION_TYPE.HasMember] }])) {
      const found = ids(await sqlite.findAssociations(filter));
      expect({ filter, found: mingoIds('associations', associationQuery(filter)) }).toEqual({ filter, found });
    }
  });

  it('the data has what the field cases need: hits for every kind of value', () => {
    expect(first(data.documentEntries.map((e) => e.referenceIds))).toBeDefined();
    expect(data.documentEntries.some((e) => e.status === Deprecated)).toBe(true);
    expect(data.documentEntries.filter((e) => e.eventCodes.length > 0).length).toBeGreaterThan(1);
    expect(new Set(data.documentEntries.map((e) => e.patientId?.value))).toEqual(new Set([PATIENT_12346, PATIENT_12374]));
  });
});

// ---- 3. the builders ----

describe('authorPersonRegex (SQL LIKE → anchored regex)', () => {
  const values = ['^Welby^Marcus^^^Dr', 'A*B?[x]', 'AxB!x]', 'a.b', 'line\nbreak', 'trail\n', 'Ünïcødé^Ø', "Bobby' OR '1'='1", '%_', '(x)|{y}$'];
  const patterns = ['%', '_', '^Welby%', '%Marcus%', 'A*B?[x]', 'A_B_[x]', 'A_B_x]', 'a_b', 'a.b', 'A.B.*', 'line%', 'line_break', 'trail', 'trail_', '%Ø', 'Ünïcødé%', '%_', '\\%', '(x)|{y}$', '(x)%', ''];

  it('matches exactly what SQL LIKE (case-sensitive, whole value) matches, for every value and pattern', () => {
    for (const pattern of patterns) {
      const re = new RegExp(authorPersonRegex(pattern));
      for (const value of values) expect({ pattern, value, matches: re.test(value) }).toEqual({ pattern, value, matches: likeMatches(value, pattern) });
    }
  });

  it('leaves no regex meaning to any character but % and _, and never contains a NUL', () => {
    expect(authorPersonRegex('a.b*c')).toBe('^a\\x2eb\\x2ac(?![\\s\\S])');
    expect(authorPersonRegex('%x_')).toBe('^[\\s\\S]*x[\\s\\S](?![\\s\\S])');
    expect(authorPersonRegex('a\u0000b')).toBe('^a\\x00b(?![\\s\\S])');
    expect(authorPersonRegex('a\u0000b')).not.toContain('\u0000');
    expect(new RegExp(authorPersonRegex('a\u0000b')).test('a\u0000b')).toBe(true);
  });

  it('is case-sensitive and anchored at both ends, even before a final newline', () => {
    expect(new RegExp(authorPersonRegex('%welby%')).test('^Welby^Marcus')).toBe(false);
    expect(new RegExp(authorPersonRegex('Welby')).test('^Welby^')).toBe(false);
    expect(new RegExp(authorPersonRegex('trail')).test('trail\n')).toBe(false);
  });
});

describe('query builders', () => {
  it('folds AND/OR: MATCH_NOTHING swallows an AND, MATCH_ALL an OR; never an empty $and/$or', () => {
    const a = { x: { $eq: 'a' } };
    const b = { y: { $eq: 'b' } };
    expect(allOf([])).toBe(MATCH_ALL);
    expect(allOf([a])).toBe(a);
    expect(allOf([a, MATCH_ALL, b])).toEqual({ $and: [a, b] });
    expect(allOf([a, MATCH_NOTHING])).toBe(MATCH_NOTHING);
    expect(anyOf([])).toBe(MATCH_NOTHING);
    expect(anyOf([MATCH_NOTHING, a])).toBe(a);
    expect(anyOf([a, b])).toEqual({ $or: [a, b] });
    expect(anyOf([a, MATCH_ALL])).toBe(MATCH_ALL);
  });

  it('gives MATCH_NOTHING for an empty list in any field, and MATCH_ALL for no filter', () => {
    expect(documentEntryQuery({})).toBe(MATCH_ALL);
    expect(documentEntryQuery({ patientId: 'p', eventCodes: [[{ code: 'a', scheme: 's' }], []] })).toBe(MATCH_NOTHING);
    expect(documentEntryQuery({ patientId: 'p', referenceIds: [] })).toBe(MATCH_NOTHING);
    expect(submissionSetQuery({ sourceIds: [] })).toBe(MATCH_NOTHING);
    expect(folderQuery({ codes: [] })).toBe(MATCH_NOTHING);
    expect(associationQuery({ sourceOrTarget: [] })).toBe(MATCH_NOTHING);
    expect(new Query(MATCH_NOTHING).find([{ _id: 1 }, {}]).all()).toEqual([]);
  });

  it('wraps every filter value in $eq/$in, lowercases ids, and pads time bounds', () => {
    expect(documentEntryQuery({ patientId: 'P^^^&1&ISO', statuses: [Approved], entryUuids: ['URN:UUID:AB'], creationTime: { from: '2024', to: '202406' } })).toEqual({
      $and: [
        { patientId: { $eq: 'P^^^&1&ISO' } },
        { status: { $in: [Approved] } },
        { entryUuidKey: { $in: ['urn:uuid:ab'] } },
        { creationTime: { $gte: '20240000000000', $lt: '20240600000000' } },
      ],
    });
    expect(documentEntryQuery({ classCodes: [{ code: 'c', scheme: 's' }] })).toEqual({ classCodes: { $elemMatch: { code: { $eq: 'c' }, scheme: { $eq: 's' } } } });
    expect(associationQuery({ sourceOrTarget: ['urn:uuid:A'] })).toEqual({ $or: [{ sourceKey: { $in: ['urn:uuid:a'] } }, { targetKey: { $in: ['urn:uuid:a'] } }] });
    expect(fieldInTimeRange('t', {})).toBe(MATCH_ALL);
  });

  it('takes an operator-shaped value as a value', () => {
    const docs = [{ patientId: 'x', status: 'y' }, { patientId: { $ne: null } }];
    const sneaky = { $ne: null } as unknown as string;
    expect(new Query(documentEntryQuery({ patientId: sneaky })).find(docs).all()).toEqual([{ patientId: { $ne: null } }]);
    expect(new Query(documentEntryQuery({ statuses: [sneaky] })).find(docs).all()).toEqual([]);
  });
});
