import type { AssociationFilter, DocumentEntryFilter, FolderFilter, SubmissionSetFilter } from '../RegistryStore';
import {
  allOf,
  anyOf,
  associationWhere,
  checkLimit,
  columnInList,
  columnInTimeRange,
  countObjects,
  documentEntryWhere,
  entryUuidInList,
  everyGroupMatches,
  folderWhere,
  hasAnyCode,
  hasAnyReferenceId,
  hasAuthorPersonLike,
  likeToGlob,
  MATCH_ALL,
  MATCH_NOTHING,
  selectObjects,
  submissionSetWhere,
  type SqlFragment,
} from './sql';

const EVIL = "x'); DROP TABLE document_entries;--";
const EVIL_CODE = { code: EVIL, scheme: "%' OR '1'='1" };
const EVIL_RANGE = { from: EVIL, to: "' OR 1=1" };

function placeholders(sql: string): number {
  return (sql.match(/\?/g) ?? []).length;
}

/** Every value is bound: the SQL has no string literal at all and one `?` per parameter. */
function expectOnlyBoundValues(q: SqlFragment): void {
  expect(q.sql).not.toContain("'");
  expect(q.sql).not.toContain(EVIL);
  expect(placeholders(q.sql)).toBe(q.params.length);
}

describe('SQL building blocks', () => {
  it('columnInList binds the whole list as one JSON parameter and matches nothing when empty', () => {
    const values = ['a', "b'c", EVIL];
    expect(columnInList('t.status', values)).toEqual({ sql: 't.status IN (SELECT value FROM json_each(?))', params: [JSON.stringify(values)] });
    expect(columnInList('t.status', [])).toBe(MATCH_NOTHING);
    const big = Array.from({ length: 50_000 }, (_, i) => `v${i}`);
    expect(columnInList('t.unique_id', big).params).toHaveLength(1);
  });

  it('entryUuidInList lowercases the ids and looks them up in object_ids', () => {
    const q = entryUuidInList(['urn:uuid:ABCDEF00-0000-4000-8000-000000000000']);
    expect(q.sql).toContain('object_ids');
    expect(q.params).toEqual([JSON.stringify(['urn:uuid:abcdef00-0000-4000-8000-000000000000'])]);
    expect(entryUuidInList([])).toBe(MATCH_NOTHING);
  });

  it('columnInTimeRange pads the bounds, From inclusive and To exclusive; no bound, no condition', () => {
    expect(columnInTimeRange('t.creation_time', { from: '2024', to: '20240615' })).toEqual({
      sql: '(t.creation_time >= ?) AND (t.creation_time < ?)',
      params: ['20240000000000', '20240615000000'],
    });
    expect(columnInTimeRange('t.creation_time', { from: '20240101120000' })).toEqual({ sql: 't.creation_time >= ?', params: ['20240101120000'] });
    expect(columnInTimeRange('t.creation_time', { to: '2025' })).toEqual({ sql: 't.creation_time < ?', params: ['20250000000000'] });
    expect(columnInTimeRange('t.creation_time', {})).toBe(MATCH_ALL);
  });

  it('allOf and anyOf combine fragments keeping parameter order', () => {
    const a: SqlFragment = { sql: 'x = ?', params: ['1'] };
    const b: SqlFragment = { sql: 'y = ?', params: ['2'] };
    expect(allOf([a, b])).toEqual({ sql: '(x = ?) AND (y = ?)', params: ['1', '2'] });
    expect(anyOf([a, b])).toEqual({ sql: '(x = ?) OR (y = ?)', params: ['1', '2'] });
    expect(allOf([a])).toBe(a);
    expect(allOf([])).toBe(MATCH_ALL);
    expect(anyOf([])).toBe(MATCH_NOTHING);
  });

  it('hasAnyCode binds kind and (code, scheme) pairs; an empty list matches nothing', () => {
    const q = hasAnyCode('class', [{ code: 'c1', scheme: 's1' }, EVIL_CODE]);
    expect(q.params).toEqual(['class', JSON.stringify([['c1', 's1'], [EVIL_CODE.code, EVIL_CODE.scheme]])]);
    expect(q.sql).toContain('c.owner_seq = t.seq');
    expect(q.sql).toMatch(/^EXISTS \(/);
    expect(hasAnyCode('class', [])).toBe(MATCH_NOTHING);
  });

  it('everyGroupMatches ANDs one condition per group; an empty outer list matches nothing', () => {
    const q = everyGroupMatches([['a', 'b'], ['c']], hasAnyReferenceId);
    expect(q.params).toEqual([JSON.stringify(['a', 'b']), JSON.stringify(['c'])]);
    expect(q.sql.split(' AND (EXISTS').length).toBe(2);
    expect(everyGroupMatches([], hasAnyReferenceId)).toBe(MATCH_NOTHING);
    expect(everyGroupMatches([['a'], []], hasAnyReferenceId).sql).toContain('(0)');
  });

  it('likeToGlob maps % and _ and makes GLOB wildcards literal', () => {
    expect(likeToGlob('%Welby%')).toBe('*Welby*');
    expect(likeToGlob('^Sm_th^%')).toBe('^Sm?th^*');
    expect(likeToGlob('A*B?[x]')).toBe('A[*]B[?][[]x]');
    expect(likeToGlob("it's 100\\%")).toBe("it's 100\\*");
    expect(likeToGlob('')).toBe('');
    expect(likeToGlob('Müller_Ø')).toBe('Müller?Ø');
  });

  it('hasAuthorPersonLike binds the translated patterns', () => {
    expect(hasAuthorPersonLike(['%a_', 'b']).params).toEqual([JSON.stringify(['*a?', 'b'])]);
    expect(hasAuthorPersonLike([])).toBe(MATCH_NOTHING);
  });

  it('checkLimit accepts whole numbers from 0 and refuses the rest', () => {
    expect(checkLimit(0)).toBe(0);
    expect(checkLimit(1000)).toBe(1000);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => checkLimit(bad)).toThrow(RangeError);
  });

  it('selectObjects orders by insertion and binds the limit; countObjects counts the same WHERE', () => {
    const where: SqlFragment = { sql: 't.status = ?', params: ['s'] };
    expect(selectObjects('folders', where)).toEqual({ sql: 'SELECT t.json AS json FROM folders AS t WHERE t.status = ? ORDER BY t.seq', params: ['s'] });
    expect(selectObjects('folders', where, 5)).toEqual({
      sql: 'SELECT t.json AS json FROM folders AS t WHERE t.status = ? ORDER BY t.seq LIMIT ?',
      params: ['s', 5],
    });
    expect(countObjects('document_entries', where)).toEqual({ sql: 'SELECT count(*) AS n FROM document_entries AS t WHERE t.status = ?', params: ['s'] });
  });
});

describe('WHERE builders per object kind', () => {
  const fullDocumentFilter: Required<DocumentEntryFilter> = {
    patientId: EVIL,
    statuses: [EVIL],
    entryUuids: [EVIL],
    uniqueIds: [EVIL],
    lids: [EVIL],
    objectTypes: [EVIL],
    classCodes: [EVIL_CODE],
    typeCodes: [EVIL_CODE],
    practiceSettingCodes: [EVIL_CODE],
    healthcareFacilityTypeCodes: [EVIL_CODE],
    formatCodes: [EVIL_CODE],
    eventCodes: [[EVIL_CODE], [EVIL_CODE]],
    confidentialityCodes: [[EVIL_CODE]],
    authorPersons: [EVIL],
    referenceIds: [[EVIL], [EVIL]],
    creationTime: EVIL_RANGE,
    serviceStartTime: EVIL_RANGE,
    serviceStopTime: EVIL_RANGE,
  };

  it('an empty filter matches everything', () => {
    expect(documentEntryWhere({})).toBe(MATCH_ALL);
    expect(submissionSetWhere({})).toBe(MATCH_ALL);
    expect(folderWhere({})).toBe(MATCH_ALL);
    expect(associationWhere({})).toBe(MATCH_ALL);
  });

  it('DocumentEntry: one condition per field, every value bound', () => {
    const q = documentEntryWhere(fullDocumentFilter);
    expectOnlyBoundValues(q);
    // 18 fields + one more group each for eventCodes and referenceIds; codes bind kind and list, ranges two bounds.
    expect(q.params).toHaveLength(1 + 5 + 5 * 2 + 3 * 2 + 1 + 2 + 3 * 2);
    expect(q.params).toContain(EVIL);
  });

  it('DocumentEntry: each field alone produces its own condition', () => {
    for (const key of Object.keys(fullDocumentFilter) as (keyof DocumentEntryFilter)[]) {
      const q = documentEntryWhere({ [key]: fullDocumentFilter[key] });
      expectOnlyBoundValues(q);
      expect(q).not.toBe(MATCH_ALL);
      expect(q.params.length).toBeGreaterThan(0);
    }
  });

  it('SubmissionSet, Folder and Association: every value bound', () => {
    const ss: Required<SubmissionSetFilter> = {
      patientId: EVIL,
      statuses: [EVIL],
      entryUuids: [EVIL],
      uniqueIds: [EVIL],
      sourceIds: [EVIL],
      contentTypeCodes: [EVIL_CODE],
      authorPersons: [EVIL],
      submissionTime: EVIL_RANGE,
    };
    const folder: Required<FolderFilter> = {
      patientId: EVIL,
      statuses: [EVIL],
      entryUuids: [EVIL],
      uniqueIds: [EVIL],
      lids: [EVIL],
      codes: [[EVIL_CODE]],
      lastUpdateTime: EVIL_RANGE,
    };
    const assoc: Required<AssociationFilter> = {
      entryUuids: [EVIL],
      sourceOrTarget: [EVIL],
      sourceObjects: [EVIL],
      targetObjects: [EVIL],
      types: [EVIL],
      statuses: [EVIL],
    };
    for (const q of [submissionSetWhere(ss), folderWhere(folder), associationWhere(assoc)]) expectOnlyBoundValues(q);
    expect(associationWhere({ sourceOrTarget: ['A'] })).toEqual({
      sql: '(t.source_uuid IN (SELECT value FROM json_each(?))) OR (t.target_uuid IN (SELECT value FROM json_each(?)))',
      params: ['["a"]', '["a"]'],
    });
  });

  it('an empty list in any field turns the whole condition false', () => {
    const q = documentEntryWhere({ patientId: 'p', statuses: [] });
    expect(q).toEqual({ sql: '(t.patient_id = ?) AND (0)', params: ['p'] });
  });
});
