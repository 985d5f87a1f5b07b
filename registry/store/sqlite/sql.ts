/**
 * SQL for the registry store's queries, built from small pure functions that each return `{ sql, params }`.
 *
 * Rule: every value the caller gives travels as a bound parameter. The only text spliced into SQL is table and
 * column names, and those come from the constants in this file, never from a filter. Lists travel as one JSON
 * array parameter read with json_each(), so an IN list of any length is a single bound value (no chunking, no
 * SQLITE_MAX_VARIABLE_NUMBER limit).
 *
 * In every query the searched table has the alias `t`; child-table conditions are EXISTS subqueries correlated
 * on `t.seq`, so a query driven by (patient_id, status) checks the codes of the patient's few entries through
 * the (kind, code, scheme, owner_seq) index. entryUUIDs live in object_ids (one identity table for all kinds).
 */
import type { AssociationFilter, CodeMatch, DocumentEntryFilter, FolderFilter, SubmissionSetFilter, TimeRange } from '../RegistryStore';
import { padDtm, uuidKey, type CodeKind } from './indexRows';

/** A bound value: text, an integer (row cap, sequence) or NULL (an absent attribute, on insert). */
export type SqlParam = string | number | null;

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

/** The tables a find/count reads; each holds the stored object in `json` and its insertion order in `seq`. */
export type ObjectTable = 'document_entries' | 'submission_sets' | 'folders' | 'associations';

/** A column of the searched table (alias t). Only the literals below are ever used. */
type Column =
  | 't.unique_id'
  | 't.lid'
  | 't.patient_id'
  | 't.status'
  | 't.object_type'
  | 't.source_id'
  | 't.creation_time'
  | 't.service_start_time'
  | 't.service_stop_time'
  | 't.submission_time'
  | 't.last_update_time'
  | 't.association_type'
  | 't.source_uuid'
  | 't.target_uuid';

export const MATCH_ALL: SqlFragment = { sql: '1', params: [] };
export const MATCH_NOTHING: SqlFragment = { sql: '0', params: [] };

/** All conditions (AND). No conditions: everything matches. */
export function allOf(parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return MATCH_ALL;
  if (parts.length === 1) return parts[0] as SqlFragment;
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** Any condition (OR). No conditions: nothing matches. */
export function anyOf(parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return MATCH_NOTHING;
  if (parts.length === 1) return parts[0] as SqlFragment;
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
}

export function columnEquals(column: Column, value: string): SqlFragment {
  return { sql: `${column} = ?`, params: [value] };
}

/** `column IN (values)`; an empty list matches nothing. */
export function columnInList(column: Column, values: string[]): SqlFragment {
  if (values.length === 0) return MATCH_NOTHING;
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] };
}

/**
 * A DTM range on a padded time column: from inclusive, to exclusive, both bounds padded to 14 digits like the
 * column. A row without the attribute (NULL) fails every comparison, so it never matches once a bound is given.
 * No bound: no condition.
 */
export function columnInTimeRange(column: Column, range: TimeRange): SqlFragment {
  const parts: SqlFragment[] = [];
  if (range.from !== undefined) parts.push({ sql: `${column} >= ?`, params: [padDtm(range.from)] });
  if (range.to !== undefined) parts.push({ sql: `${column} < ?`, params: [padDtm(range.to)] });
  return allOf(parts);
}

/** The object has at least one code of this kind equal (code and scheme) to one of `codes`; empty list: nothing. */
export function hasAnyCode(kind: CodeKind, codes: CodeMatch[]): SqlFragment {
  if (codes.length === 0) return MATCH_NOTHING;
  // The (code, scheme) list is an uncorrelated subquery, built once per statement; each candidate object is then
  // one probe of the (kind, code, scheme, owner_seq) index per listed code.
  return {
    sql:
      'EXISTS (SELECT 1 FROM codes AS c WHERE c.owner_seq = t.seq AND c.kind = ?' +
      ' AND (c.code, c.scheme) IN (SELECT m.value ->> 0, m.value ->> 1 FROM json_each(?) AS m))',
    params: [kind, JSON.stringify(codes.map((c) => [c.code, c.scheme]))],
  };
}

/** AND of OR-groups: [[a,b],[c]] = (a OR b) AND c. An empty outer list, or an empty group, matches nothing. */
export function everyGroupMatches<T>(groups: T[][], groupCondition: (group: T[]) => SqlFragment): SqlFragment {
  if (groups.length === 0) return MATCH_NOTHING;
  return allOf(groups.map(groupCondition));
}

/**
 * SQL LIKE (% any string, _ one character, nothing escapable, whole value, case-sensitive) rewritten as SQLite
 * GLOB, whose own wildcards (* ? [) are turned into one-character classes so they match literally.
 * SQLite's LIKE is not used because it folds ASCII case and only ASCII case.
 */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (const ch of pattern) {
    if (ch === '%') glob += '*';
    else if (ch === '_') glob += '?';
    else if (ch === '*' || ch === '?' || ch === '[') glob += `[${ch}]`;
    else glob += ch;
  }
  return glob;
}

/** Some authorPerson of the object matches one of the LIKE patterns; empty list: nothing. */
export function hasAuthorPersonLike(patterns: string[]): SqlFragment {
  if (patterns.length === 0) return MATCH_NOTHING;
  return {
    sql: 'EXISTS (SELECT 1 FROM authors AS a JOIN json_each(?) AS p ON a.person GLOB p.value WHERE a.owner_seq = t.seq)',
    params: [JSON.stringify(patterns.map(likeToGlob))],
  };
}

/** The object's referenceIdList holds one of `values` (exact match); empty list: nothing. */
export function hasAnyReferenceId(values: string[]): SqlFragment {
  if (values.length === 0) return MATCH_NOTHING;
  return {
    sql: 'EXISTS (SELECT 1 FROM reference_ids AS r WHERE r.owner_seq = t.seq AND r.value IN (SELECT value FROM json_each(?)))',
    params: [JSON.stringify(values)],
  };
}

/** lids and association ends are keyed lowercased; the lookup values are lowercased the same way. */
function uuidsInList(column: Column, ids: string[]): SqlFragment {
  return columnInList(column, ids.map(uuidKey));
}

/** The object's entryUUID (case-insensitive) is one of `ids`, looked up in the object_ids identity table. */
export function entryUuidInList(ids: string[]): SqlFragment {
  if (ids.length === 0) return MATCH_NOTHING;
  return {
    sql: 't.seq IN (SELECT o.seq FROM object_ids AS o WHERE o.entry_uuid IN (SELECT value FROM json_each(?)))',
    params: [JSON.stringify(ids.map(uuidKey))],
  };
}

/** Collects the conditions of the fields that are present (an absent field does not filter). */
class Conditions {
  readonly parts: SqlFragment[] = [];
  add<V>(value: V | undefined, condition: (v: V) => SqlFragment): this {
    if (value !== undefined) this.parts.push(condition(value));
    return this;
  }
  build(): SqlFragment {
    return allOf(this.parts);
  }
}

export function documentEntryWhere(f: DocumentEntryFilter): SqlFragment {
  return new Conditions()
    .add(f.patientId, (v) => columnEquals('t.patient_id', v))
    .add(f.statuses, (v) => columnInList('t.status', v))
    .add(f.entryUuids, entryUuidInList)
    .add(f.uniqueIds, (v) => columnInList('t.unique_id', v))
    .add(f.lids, (v) => uuidsInList('t.lid', v))
    .add(f.objectTypes, (v) => columnInList('t.object_type', v))
    .add(f.classCodes, (v) => hasAnyCode('class', v))
    .add(f.typeCodes, (v) => hasAnyCode('type', v))
    .add(f.practiceSettingCodes, (v) => hasAnyCode('practice', v))
    .add(f.healthcareFacilityTypeCodes, (v) => hasAnyCode('hcft', v))
    .add(f.formatCodes, (v) => hasAnyCode('format', v))
    .add(f.eventCodes, (v) => everyGroupMatches(v, (g) => hasAnyCode('event', g)))
    .add(f.confidentialityCodes, (v) => everyGroupMatches(v, (g) => hasAnyCode('confidentiality', g)))
    .add(f.authorPersons, (v) => hasAuthorPersonLike(v))
    .add(f.referenceIds, (v) => everyGroupMatches(v, hasAnyReferenceId))
    .add(f.creationTime, (v) => columnInTimeRange('t.creation_time', v))
    .add(f.serviceStartTime, (v) => columnInTimeRange('t.service_start_time', v))
    .add(f.serviceStopTime, (v) => columnInTimeRange('t.service_stop_time', v))
    .build();
}

export function submissionSetWhere(f: SubmissionSetFilter): SqlFragment {
  return new Conditions()
    .add(f.patientId, (v) => columnEquals('t.patient_id', v))
    .add(f.statuses, (v) => columnInList('t.status', v))
    .add(f.entryUuids, entryUuidInList)
    .add(f.uniqueIds, (v) => columnInList('t.unique_id', v))
    .add(f.sourceIds, (v) => columnInList('t.source_id', v))
    .add(f.contentTypeCodes, (v) => hasAnyCode('contentType', v))
    .add(f.authorPersons, (v) => hasAuthorPersonLike(v))
    .add(f.submissionTime, (v) => columnInTimeRange('t.submission_time', v))
    .build();
}

export function folderWhere(f: FolderFilter): SqlFragment {
  return new Conditions()
    .add(f.patientId, (v) => columnEquals('t.patient_id', v))
    .add(f.statuses, (v) => columnInList('t.status', v))
    .add(f.entryUuids, entryUuidInList)
    .add(f.uniqueIds, (v) => columnInList('t.unique_id', v))
    .add(f.lids, (v) => uuidsInList('t.lid', v))
    .add(f.codes, (v) => everyGroupMatches(v, (g) => hasAnyCode('folderCode', g)))
    .add(f.lastUpdateTime, (v) => columnInTimeRange('t.last_update_time', v))
    .build();
}

export function associationWhere(f: AssociationFilter): SqlFragment {
  return new Conditions()
    .add(f.entryUuids, entryUuidInList)
    .add(f.sourceOrTarget, (v) => anyOf([uuidsInList('t.source_uuid', v), uuidsInList('t.target_uuid', v)]))
    .add(f.sourceObjects, (v) => uuidsInList('t.source_uuid', v))
    .add(f.targetObjects, (v) => uuidsInList('t.target_uuid', v))
    .add(f.types, (v) => columnInList('t.association_type', v))
    .add(f.statuses, (v) => columnInList('t.status', v))
    .build();
}

/** A row cap must be a whole number ≥ 0; anything else is a programming error, not a filter. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
  return limit;
}

/** The stored objects matching `where`, in insertion order, at most `limit` of them. */
export function selectObjects(table: ObjectTable, where: SqlFragment, limit?: number): SqlFragment {
  const base = `SELECT t.json AS json FROM ${table} AS t WHERE ${where.sql} ORDER BY t.seq`;
  if (limit === undefined) return { sql: base, params: where.params };
  return { sql: `${base} LIMIT ?`, params: [...where.params, checkLimit(limit)] };
}

export function countObjects(table: ObjectTable, where: SqlFragment): SqlFragment {
  return { sql: `SELECT count(*) AS n FROM ${table} AS t WHERE ${where.sql}`, params: where.params };
}
