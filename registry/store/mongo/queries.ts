/**
 * RegistryStore filters (registry/store/RegistryStore.ts) → MongoDB query documents over the stored shape of
 * documents.ts. Pure functions; the same documents run on a server (MongoRegistryStore) and, in the tests, on
 * mingo against the SQLite store's answers.
 *
 * Semantics, the same as the SQLite backend:
 *  - every present field must match (AND, as `$and`); an absent field does not filter;
 *  - inside a list: OR (`$in`, or `$or` of per-value conditions); AND-of-OR groups: `$and` of those;
 *  - an empty list (also an empty group or an empty outer AndOr list) matches nothing: MATCH_NOTHING, which
 *    swallows the whole query (the store then answers without asking the server);
 *  - codes: code AND scheme equal, inside the array of the attribute the filter names (`$elemMatch`);
 *  - authorPerson: SQL LIKE (% any string, _ one character, whole value, case-sensitive) as an anchored regex
 *    (authorPersonRegex);
 *  - times: padded bounds, `$gte` From, `$lt` To; a null index field is never in range (BSON comparison
 *    operators only compare within a type);
 *  - entryUUIDs, lids and association ends: looked up lowercased against the lowercased keys.
 *
 * Every value from a filter is wrapped in `$eq` / `$in`, so even a value that is not a string at run time is
 * compared as a value and never read as an operator.
 */
import type { AssociationFilter, CodeMatch, DocumentEntryFilter, FolderFilter, SubmissionSetFilter, TimeRange } from '../RegistryStore';
import { padDtm, uuidKey } from './documents';

/** A MongoDB query document. */
export type QueryDocument = { [field: string]: unknown };

/** Matches every document. */
export const MATCH_ALL: QueryDocument = Object.freeze({});
/** Matches no document (no value is in an empty list). Only ever returned whole, never nested. */
export const MATCH_NOTHING: QueryDocument = Object.freeze({ _id: Object.freeze({ $in: Object.freeze([]) }) });

export function matchesNothing(q: QueryDocument): boolean {
  return q === MATCH_NOTHING;
}

/** All conditions (AND); none: everything; any MATCH_NOTHING: nothing. */
export function allOf(parts: QueryDocument[]): QueryDocument {
  if (parts.some(matchesNothing)) return MATCH_NOTHING;
  const real = parts.filter((p) => p !== MATCH_ALL);
  if (real.length === 0) return MATCH_ALL;
  if (real.length === 1) return real[0] as QueryDocument;
  return { $and: real };
}

/** Any condition (OR); none (or only MATCH_NOTHING): nothing; any MATCH_ALL: everything. */
export function anyOf(parts: QueryDocument[]): QueryDocument {
  const real = parts.filter((p) => !matchesNothing(p));
  if (real.length === 0) return MATCH_NOTHING;
  if (real.some((p) => p === MATCH_ALL)) return MATCH_ALL;
  if (real.length === 1) return real[0] as QueryDocument;
  return { $or: real };
}

export function fieldEquals(field: string, value: string): QueryDocument {
  return { [field]: { $eq: value } };
}

/** The field (or, for an array field, one of its elements) is one of `values`; empty list: nothing. */
export function fieldInList(field: string, values: readonly string[]): QueryDocument {
  if (values.length === 0) return MATCH_NOTHING;
  return { [field]: { $in: [...values] } };
}

/** Lowercased keys (entryUUIDs, lids, association ends) looked up with lowercased values. */
export function keyInList(field: string, ids: readonly string[]): QueryDocument {
  return fieldInList(field, ids.map(uuidKey));
}

/** A padded DTM field in [from, to); no bound: no condition. */
export function fieldInTimeRange(field: string, range: TimeRange): QueryDocument {
  const bounds: { $gte?: string; $lt?: string } = {};
  if (range.from !== undefined) bounds.$gte = padDtm(range.from);
  if (range.to !== undefined) bounds.$lt = padDtm(range.to);
  return bounds.$gte === undefined && bounds.$lt === undefined ? MATCH_ALL : { [field]: bounds };
}

/** Some element of the code array equals (code and scheme) one of `codes`; empty list: nothing. */
export function hasAnyCode(field: string, codes: readonly CodeMatch[]): QueryDocument {
  return anyOf(codes.map((c) => ({ [field]: { $elemMatch: { code: { $eq: c.code }, scheme: { $eq: c.scheme } } } })));
}

/** AND of OR-groups: [[a, b], [c]] = (a OR b) AND c. An empty outer list or an empty group: nothing. */
export function everyGroupMatches<T>(groups: readonly (readonly T[])[], groupCondition: (group: readonly T[]) => QueryDocument): QueryDocument {
  if (groups.length === 0) return MATCH_NOTHING;
  return allOf(groups.map(groupCondition));
}

/**
 * SQL LIKE → a regular expression valid in both MongoDB (PCRE) and JavaScript (mingo) with the same meaning:
 *  - `%` → `[\s\S]*` and `_` → `[\s\S]` (any character, newlines included, without relying on a dotall flag);
 *  - every other ASCII character that is not a letter or a digit → `\xHH`, so no character keeps a regex
 *    meaning (and a NUL cannot end the BSON regex string); letters, digits and non-ASCII stay literal;
 *  - anchored: `^` at the start and `(?![\s\S])` at the end (PCRE's `$` would also match before a final
 *    newline).
 * No flags: case-sensitive.
 */
export function authorPersonRegex(pattern: string): string {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else if (/^[A-Za-z0-9]$/.test(ch) || (ch.codePointAt(0) ?? 0) > 0x7f) re += ch;
    else re += `\\x${(ch.codePointAt(0) ?? 0).toString(16).padStart(2, '0')}`;
  }
  return `${re}(?![\\s\\S])`;
}

/** Some authorPerson of the object matches one of the LIKE patterns; empty list: nothing. */
export function hasAuthorPersonLike(patterns: readonly string[]): QueryDocument {
  return anyOf(patterns.map((p) => ({ authorPersons: { $regex: authorPersonRegex(p) } })));
}

/** Collects the conditions of the fields that are present (an absent field does not filter). */
class Conditions {
  private readonly parts: QueryDocument[] = [];
  add<V>(value: V | undefined, condition: (v: V) => QueryDocument): this {
    if (value !== undefined) this.parts.push(condition(value));
    return this;
  }
  build(): QueryDocument {
    return allOf(this.parts);
  }
}

export function documentEntryQuery(f: DocumentEntryFilter): QueryDocument {
  return new Conditions()
    .add(f.patientId, (v) => fieldEquals('patientId', v))
    .add(f.statuses, (v) => fieldInList('status', v))
    .add(f.entryUuids, (v) => keyInList('entryUuidKey', v))
    .add(f.uniqueIds, (v) => fieldInList('uniqueId', v))
    .add(f.lids, (v) => keyInList('lid', v))
    .add(f.objectTypes, (v) => fieldInList('objectType', v))
    .add(f.classCodes, (v) => hasAnyCode('classCodes', v))
    .add(f.typeCodes, (v) => hasAnyCode('typeCodes', v))
    .add(f.practiceSettingCodes, (v) => hasAnyCode('practiceSettingCodes', v))
    .add(f.healthcareFacilityTypeCodes, (v) => hasAnyCode('healthcareFacilityTypeCodes', v))
    .add(f.formatCodes, (v) => hasAnyCode('formatCodes', v))
    .add(f.eventCodes, (v) => everyGroupMatches(v, (g) => hasAnyCode('eventCodes', g)))
    .add(f.confidentialityCodes, (v) => everyGroupMatches(v, (g) => hasAnyCode('confidentialityCodes', g)))
    .add(f.authorPersons, hasAuthorPersonLike)
    .add(f.referenceIds, (v) => everyGroupMatches(v, (g) => fieldInList('referenceIds', g)))
    .add(f.creationTime, (v) => fieldInTimeRange('creationTime', v))
    .add(f.serviceStartTime, (v) => fieldInTimeRange('serviceStartTime', v))
    .add(f.serviceStopTime, (v) => fieldInTimeRange('serviceStopTime', v))
    .build();
}

export function submissionSetQuery(f: SubmissionSetFilter): QueryDocument {
  return new Conditions()
    .add(f.patientId, (v) => fieldEquals('patientId', v))
    .add(f.statuses, (v) => fieldInList('status', v))
    .add(f.entryUuids, (v) => keyInList('entryUuidKey', v))
    .add(f.uniqueIds, (v) => fieldInList('uniqueId', v))
    .add(f.sourceIds, (v) => fieldInList('sourceId', v))
    .add(f.contentTypeCodes, (v) => hasAnyCode('contentTypeCodes', v))
    .add(f.authorPersons, hasAuthorPersonLike)
    .add(f.submissionTime, (v) => fieldInTimeRange('submissionTime', v))
    .build();
}

export function folderQuery(f: FolderFilter): QueryDocument {
  return new Conditions()
    .add(f.patientId, (v) => fieldEquals('patientId', v))
    .add(f.statuses, (v) => fieldInList('status', v))
    .add(f.entryUuids, (v) => keyInList('entryUuidKey', v))
    .add(f.uniqueIds, (v) => fieldInList('uniqueId', v))
    .add(f.lids, (v) => keyInList('lid', v))
    .add(f.codes, (v) => everyGroupMatches(v, (g) => hasAnyCode('codes', g)))
    .add(f.lastUpdateTime, (v) => fieldInTimeRange('lastUpdateTime', v))
    .build();
}

export function associationQuery(f: AssociationFilter): QueryDocument {
  return new Conditions()
    .add(f.entryUuids, (v) => keyInList('entryUuidKey', v))
    .add(f.sourceOrTarget, (v) => anyOf([keyInList('sourceKey', v), keyInList('targetKey', v)]))
    .add(f.sourceObjects, (v) => keyInList('sourceKey', v))
    .add(f.targetObjects, (v) => keyInList('targetKey', v))
    .add(f.types, (v) => fieldInList('associationType', v))
    .add(f.statuses, (v) => fieldInList('status', v))
    .build();
}

/** Any object by entryUUID, in any kind collection (getObjects). */
export function entryUuidQuery(ids: readonly string[]): QueryDocument {
  return keyInList('entryUuidKey', ids);
}

/** A result cap must be a whole number ≥ 0; anything else is a programming error, not a filter. */
export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
  return limit;
}
