/**
 * An in-memory RegistryStore test double: every filter implemented straightforwardly in JS, so it doubles as
 * the reference semantics of the filter types in registry/store/RegistryStore.ts:
 *
 *  - every present field must match (AND); inside a list: OR; an empty list matches nothing;
 *  - `...AndOr` style fields (eventCodes, confidentialityCodes, Folder codes, referenceIds) are lists of
 *    OR-groups that are ANDed;
 *  - entryUUIDs, lids and association ends compare case-insensitively;
 *  - times: the object's first value and the bounds are right-padded with '0' to 14 digits and compared as
 *    strings; From inclusive, To exclusive; an object without the attribute never matches a range;
 *  - authorPerson: SQL LIKE (% any string, _ one character), whole value, case-sensitive.
 *
 * Not for production: no indexes, whole-store scans, objects copied on every read and write.
 */
import { registryError, XdsError } from '../../../shared/errors';
import type { Author, Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';
import type {
  AssociationFilter,
  CodeMatch,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionChanges,
  SubmissionSetFilter,
  TimeRange,
} from '../../store/RegistryStore';

// ---- predicates (exported for their own tests) ----

const key = (id: string): string => id.toLowerCase();

/** `value` is in `list`; an absent list does not filter; an absent value never matches a present list. */
export function inList(value: string | undefined, list: readonly string[] | undefined, caseInsensitive = false): boolean {
  if (list === undefined) return true;
  if (value === undefined) return false;
  return caseInsensitive ? list.some((x) => key(x) === key(value)) : list.includes(value);
}

export function codeMatches(code: Code | undefined, wanted: CodeMatch): boolean {
  return code !== undefined && code.code === wanted.code && code.scheme === wanted.scheme;
}

/** One code attribute against an OR-list. */
export function codeIn(code: Code | undefined, list: readonly CodeMatch[] | undefined): boolean {
  if (list === undefined) return true;
  return list.some((w) => codeMatches(code, w));
}

/** A multi-valued code attribute against AND-of-OR groups. */
export function codesMatchGroups(codes: readonly Code[], groups: readonly (readonly CodeMatch[])[] | undefined): boolean {
  if (groups === undefined) return true;
  if (groups.length === 0) return false;
  return groups.every((group) => group.some((w) => codes.some((c) => codeMatches(c, w))));
}

export function padDtm(value: string): string {
  return value.padEnd(14, '0');
}

export function timeInRange(values: readonly string[] | undefined, range: TimeRange | undefined): boolean {
  if (range === undefined || (range.from === undefined && range.to === undefined)) return true;
  const first = values?.[0];
  if (first === undefined || first === '') return false;
  const v = padDtm(first);
  if (range.from !== undefined && v < padDtm(range.from)) return false;
  if (range.to !== undefined && v >= padDtm(range.to)) return false;
  return true;
}

/** SQL LIKE over the whole value: % = any string, _ = one character, everything else literal. */
export function likeMatches(value: string, pattern: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(value);
}

export function authorMatches(authors: readonly Author[], patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return true;
  return authors.some((a) => a.person !== undefined && patterns.some((p) => likeMatches(a.person ?? '', p)));
}

/** AND of OR-groups over a multi-valued string attribute (referenceIdList). */
export function valuesMatchGroups(values: readonly string[] | undefined, groups: readonly (readonly string[])[] | undefined): boolean {
  if (groups === undefined) return true;
  if (groups.length === 0) return false;
  return groups.every((group) => group.some((g) => (values ?? []).includes(g)));
}

export function documentEntryMatches(de: DocumentEntry, f: DocumentEntryFilter): boolean {
  return (
    inList(de.patientId?.value, f.patientId === undefined ? undefined : [f.patientId]) &&
    inList(de.status, f.statuses) &&
    inList(de.entryUuid, f.entryUuids, true) &&
    inList(de.uniqueId?.value, f.uniqueIds) &&
    inList(de.lid, f.lids, true) &&
    inList(de.objectType, f.objectTypes, true) &&
    codeIn(de.classCode, f.classCodes) &&
    codeIn(de.typeCode, f.typeCodes) &&
    codeIn(de.practiceSettingCode, f.practiceSettingCodes) &&
    codeIn(de.healthcareFacilityTypeCode, f.healthcareFacilityTypeCodes) &&
    codeIn(de.formatCode, f.formatCodes) &&
    codesMatchGroups(de.eventCodes, f.eventCodes) &&
    codesMatchGroups(de.confidentialityCodes, f.confidentialityCodes) &&
    authorMatches(de.authors, f.authorPersons) &&
    valuesMatchGroups(de.referenceIds, f.referenceIds) &&
    timeInRange(de.creationTime, f.creationTime) &&
    timeInRange(de.serviceStartTime, f.serviceStartTime) &&
    timeInRange(de.serviceStopTime, f.serviceStopTime)
  );
}

export function submissionSetMatches(ss: SubmissionSet, f: SubmissionSetFilter): boolean {
  return (
    inList(ss.patientId?.value, f.patientId === undefined ? undefined : [f.patientId]) &&
    inList(ss.status, f.statuses) &&
    inList(ss.entryUuid, f.entryUuids, true) &&
    inList(ss.uniqueId?.value, f.uniqueIds) &&
    inList(ss.sourceId?.value, f.sourceIds) &&
    codeIn(ss.contentTypeCode, f.contentTypeCodes) &&
    authorMatches(ss.authors, f.authorPersons) &&
    timeInRange(ss.submissionTime, f.submissionTime)
  );
}

export function folderMatches(fo: Folder, f: FolderFilter): boolean {
  return (
    inList(fo.patientId?.value, f.patientId === undefined ? undefined : [f.patientId]) &&
    inList(fo.status, f.statuses) &&
    inList(fo.entryUuid, f.entryUuids, true) &&
    inList(fo.uniqueId?.value, f.uniqueIds) &&
    inList(fo.lid, f.lids, true) &&
    codesMatchGroups(fo.codes, f.codes) &&
    timeInRange(fo.lastUpdateTime, f.lastUpdateTime)
  );
}

export function associationMatches(a: XdsAssociation, f: AssociationFilter): boolean {
  const eitherEnd = f.sourceOrTarget === undefined || inList(a.sourceObject, f.sourceOrTarget, true) || inList(a.targetObject, f.sourceOrTarget, true);
  return (
    eitherEnd &&
    inList(a.entryUuid, f.entryUuids, true) &&
    inList(a.sourceObject, f.sourceObjects, true) &&
    inList(a.targetObject, f.targetObjects, true) &&
    inList(a.associationType, f.types) &&
    inList(a.status, f.statuses)
  );
}

// ---- the store ----

function copy<T>(o: T): T {
  return structuredClone(o);
}

export class MemoryRegistryStore implements RegistryStore {
  /** Insertion order is kept (Map); keyed by lowercased entryUUID. */
  private readonly objects = new Map<string, XdsObject>();
  private closed = false;
  private readonly patients = new Set<string>();

  private all<K extends XdsObject['type']>(type: K): Extract<XdsObject, { type: K }>[] {
    const out: Extract<XdsObject, { type: K }>[] = [];
    for (const o of this.objects.values()) if (o.type === type) out.push(o as Extract<XdsObject, { type: K }>);
    return out;
  }

  private find<T extends XdsObject>(list: T[], match: (o: T) => boolean, limit?: number): T[] {
    const hits = list.filter(match).map(copy);
    return limit === undefined ? hits : hits.slice(0, limit);
  }

  async getObjects(entryUuids: string[]): Promise<XdsObject[]> {
    const out: XdsObject[] = [];
    for (const id of entryUuids) {
      const o = this.objects.get(key(id));
      if (o) out.push(copy(o));
    }
    return out;
  }

  async findDocumentEntries(filter: DocumentEntryFilter, limit?: number): Promise<DocumentEntry[]> {
    return this.find(this.all('DocumentEntry'), (o) => documentEntryMatches(o, filter), limit);
  }

  async findSubmissionSets(filter: SubmissionSetFilter, limit?: number): Promise<SubmissionSet[]> {
    return this.find(this.all('SubmissionSet'), (o) => submissionSetMatches(o, filter), limit);
  }

  async findFolders(filter: FolderFilter, limit?: number): Promise<Folder[]> {
    return this.find(this.all('Folder'), (o) => folderMatches(o, filter), limit);
  }

  async findAssociations(filter: AssociationFilter, limit?: number): Promise<XdsAssociation[]> {
    return this.find(this.all('Association'), (o) => associationMatches(o, filter), limit);
  }

  async countDocumentEntries(filter: DocumentEntryFilter): Promise<number> {
    return this.all('DocumentEntry').filter((o) => documentEntryMatches(o, filter)).length;
  }

  async applySubmission(changes: SubmissionChanges): Promise<void> {
    const added = [...changes.documentEntries, ...changes.submissionSets, ...changes.folders, ...changes.associations];
    const seen = new Set<string>();
    for (const o of added) {
      const k = key(o.entryUuid);
      if (this.objects.has(k) || seen.has(k)) throw new XdsError(registryError('XDSRegistryError', `entryUUID ${o.entryUuid} already exists`, o.entryUuid));
      seen.add(k);
    }
    for (const c of changes.statusChanges) {
      const current = this.objects.get(key(c.entryUuid));
      if (!current) throw new XdsError(registryError('XDSRegistryError', `status change for unknown object ${c.entryUuid}`, c.entryUuid));
      if (current.status !== c.expected) {
        throw new XdsError(registryError('XDSRegistryDeprecatedDocumentError', `${c.entryUuid} has status ${current.status ?? '(none)'}, expected ${c.expected}`, c.entryUuid));
      }
    }
    for (const u of changes.folderUpdates) {
      const current = this.objects.get(key(u.entryUuid));
      if (current?.type !== 'Folder') throw new XdsError(registryError('XDSRegistryError', `folder update for unknown folder ${u.entryUuid}`, u.entryUuid));
    }
    // All checks passed: apply.
    for (const o of added) this.objects.set(key(o.entryUuid), copy(o));
    for (const c of changes.statusChanges) {
      const current = this.objects.get(key(c.entryUuid));
      if (current) current.status = c.status;
    }
    for (const u of changes.folderUpdates) {
      const current = this.objects.get(key(u.entryUuid));
      if (current?.type === 'Folder') current.lastUpdateTime = [u.lastUpdateTime];
    }
  }

  async addKnownPatients(patientIds: string[]): Promise<void> {
    for (const p of patientIds) this.patients.add(p);
  }

  async isKnownPatient(patientId: string): Promise<boolean> {
    return this.patients.has(patientId);
  }

  async stats(): Promise<{ documentEntries: number; submissionSets: number; folders: number; associations: number }> {
    return {
      documentEntries: this.all('DocumentEntry').length,
      submissionSets: this.all('SubmissionSet').length,
      folders: this.all('Folder').length,
      associations: this.all('Association').length,
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('memory store is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.objects.clear();
  }
}

export function createMemoryRegistryStore(): MemoryRegistryStore {
  return new MemoryRegistryStore();
}
