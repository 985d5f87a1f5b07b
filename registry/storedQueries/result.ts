/** What a stored query returns, and small pure helpers the family modules share. */
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation } from '../../shared/xds/model';
import type { RegistryStore } from '../store/RegistryStore';

/** The objects a query found, as XDS model objects (serialised to ebRIM by the SOAP layer). */
export interface StoredQueryObjects {
  documentEntries: DocumentEntry[];
  submissionSets: SubmissionSet[];
  folders: Folder[];
  associations: XdsAssociation[];
}

/**
 * What each family module gets: the store, and `limit` (maxResults + 1) to pass to store calls whose results
 * are returned as they are, so a huge match stops early and still trips XDSTooManyResults. Lookups that are
 * filtered afterwards must not be limited (a truncated list would silently lose results).
 */
export interface QueryContext {
  store: RegistryStore;
  limit?: number;
}

export function emptyObjects(): StoredQueryObjects {
  return { documentEntries: [], submissionSets: [], folders: [], associations: [] };
}

export function objectsOf(parts: Partial<StoredQueryObjects>): StoredQueryObjects {
  return { ...emptyObjects(), ...parts };
}

export function countObjects(o: StoredQueryObjects): number {
  return o.documentEntries.length + o.submissionSets.length + o.folders.length + o.associations.length;
}

/** entryUUIDs compare case-insensitively. */
export function idKey(id: string): string {
  return id.toLowerCase();
}

export function idSet(objects: readonly { entryUuid: string }[]): Set<string> {
  return new Set(objects.map((o) => idKey(o.entryUuid)));
}

/** Drop duplicate ids (first wins) and sort by entryUUID, so every store backend gives the same order. */
export function sortedUnique<T extends { entryUuid: string }>(objects: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const o of objects) if (!seen.has(idKey(o.entryUuid))) seen.set(idKey(o.entryUuid), o);
  return [...seen.values()].sort((a, b) => (idKey(a.entryUuid) < idKey(b.entryUuid) ? -1 : idKey(a.entryUuid) > idKey(b.entryUuid) ? 1 : 0));
}

export function normalizeObjects(o: StoredQueryObjects): StoredQueryObjects {
  return {
    documentEntries: sortedUnique(o.documentEntries),
    submissionSets: sortedUnique(o.submissionSets),
    folders: sortedUnique(o.folders),
    associations: sortedUnique(o.associations),
  };
}

/**
 * The associations (from `candidates`) that connect returned objects: both ends among `objectIds`, then,
 * repeatedly, associations whose source is returned and whose target is an association already kept
 * (the SubmissionSet → (Folder → DocumentEntry) HasMember pattern).
 */
export function associationsAmong(objectIds: ReadonlySet<string>, candidates: readonly XdsAssociation[]): XdsAssociation[] {
  const kept = new Map<string, XdsAssociation>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const a of candidates) {
      const key = idKey(a.entryUuid);
      if (kept.has(key)) continue;
      const src = idKey(a.sourceObject);
      const tgt = idKey(a.targetObject);
      if (objectIds.has(src) && (objectIds.has(tgt) || kept.has(tgt))) {
        kept.set(key, a);
        grew = true;
      }
    }
  }
  return [...kept.values()];
}

/** The other end of an association seen from `focus`. */
export function otherEnd(a: XdsAssociation, focus: ReadonlySet<string>): string {
  return focus.has(idKey(a.sourceObject)) ? a.targetObject : a.sourceObject;
}
